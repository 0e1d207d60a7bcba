# stats.sh - stats: what running containers use, as `docker stats` shows it.
# shellcheck shell=bash
#
# The numbers are the cgroup's own (bin/dl-run --stats reads them: the file
# names of v1 and v2 are task3/src/stats.h's alone), and the host-side
# veth's counters for the network (what the host's end sends, the
# container receives). CPU % needs two samples: the CPU time used between
# them over the time between them, so even --no-stream samples for ~1 s.

help_stats() {
	cat <<'HELP'
Usage: conductor.sh stats [--no-stream] [--format json] [name...]

Show what running containers use (all of them, or those named), refreshed
every second until Ctrl-C (--no-stream: once, after a 1 s sample):
  CPU %             CPU time used over that second (100% is one CPU)
  MEM USAGE / LIMIT memory in use without the page cache the kernel can
                    drop at once (as Docker counts it), and --memory's limit
  PIDS              processes and threads, and --pids's limit
  BLOCK I/O         bytes read / written to disks since the start
  NET I/O           bytes received / sent through addnetwork's veth
"--" is shown where nothing is accounted: no limit, no network, or no
cgroup of that kind (v1: a hierarchy that is not mounted; v2: a
controller the root does not enable). On a terminal the screen is
redrawn every second; otherwise each refresh is printed in turn.
--format json prints one JSON object a container and refresh instead
(raw numbers, null where the table shows "--").
HELP
}

# stats_sample NAME...: sample every container NAME: STATS_LINE[NAME] gets
# "cpu_ns mem mem_limit pids pids_limit read written rx tx" (-1: none) and
# STATS_TIME the time of the sample in microseconds.
stats_sample() {
	local name leaf line leaves=() veth rx tx
	declare -gA STATS_LINE=() STATS_LEAF=() STATS_NET=()
	for name; do
		state_read "$CONTAINERDIR/$name/state"
		leaf=${STATE[cgroup]:-}
		# rootless, the path below the user's delegated cgroup (dl-run --stats)
		((EUID)) || leaf=${leaf##*/}
		STATS_LEAF[$name]=$leaf
		[[ -z $leaf ]] || leaves+=("$leaf")
		veth=${STATE[veth]:-} rx=-1 tx=-1
		if [[ -n $veth && -r /sys/class/net/$veth/statistics/tx_bytes ]]; then
			# the host's end: what it transmits, the container receives
			read -r rx <"/sys/class/net/$veth/statistics/tx_bytes" || rx=-1
			read -r tx <"/sys/class/net/$veth/statistics/rx_bytes" || tx=-1
		fi
		STATS_NET[$name]="$rx $tx"
	done
	STATS_TIME=${EPOCHREALTIME//[!0-9]/}
	local -A by_leaf=()
	if ((${#leaves[@]})); then
		while read -r leaf line; do
			by_leaf[$leaf]=$line
		done < <("$HELPER_DIR/dl-run" --stats "${leaves[@]}")
	fi
	for name; do
		leaf=${STATS_LEAF[$name]}
		line=${by_leaf[$leaf]:-}
		[[ -n $line ]] || line="-1 -1 -1 -1 -1 -1 -1"
		STATS_LINE[$name]="$line ${STATS_NET[$name]}"
	done
}

# human N binary|si: N bytes as "12.3MiB" (binary, for memory) or "12.3MB"
# (si, for I/O, as Docker shows them); "--" for -1. Into HUMAN.
human() {
	local n=$1 units unit=1 i=0 step
	if ((n < 0)); then
		HUMAN=--
		return
	fi
	if [[ $2 == binary ]]; then
		units=(B KiB MiB GiB TiB) step=1024
	else
		units=(B kB MB GB TB) step=1000
	fi
	while ((n >= unit * step && i < 4)); do
		unit=$((unit * step)) i=$((i + 1))
	done
	if ((i == 0)); then
		HUMAN=${n}B
	else
		HUMAN=$((n / unit)).$((n % unit * 10 / unit))${units[i]}
	fi
}

# cpu_hundredths BEFORE AFTER USECS: CPU % x 100 between two cpu_ns values
# USECS microseconds apart; -1 when not accounted. Into CPU_PCT.
cpu_hundredths() {
	if (($1 < 0 || $2 < 0 || $3 <= 0)); then
		CPU_PCT=-1
	else
		# ns over (us * 1000) * 100 % * 100
		CPU_PCT=$((($2 - $1) * 10 / $3))
	fi
}

# stats_print_table NAME...: one row a container, from the two samples
# (PREV_LINE, STATS_LINE) PREV_TIME..STATS_TIME apart.
stats_print_table() {
	local name fmt='%-20s %-8s %-22s %-12s %-20s %s\n' cpu mem pids io net
	local -a a b
	# shellcheck disable=SC2059 # the format is a constant
	printf "$fmt" NAME "CPU %" "MEM USAGE / LIMIT" "PIDS" "BLOCK I/O" "NET I/O"
	for name; do
		read -ra b <<<"${STATS_LINE[$name]}"
		read -ra a <<<"${PREV_LINE[$name]}"
		cpu_hundredths "${a[0]}" "${b[0]}" "$((STATS_TIME - PREV_TIME))"
		if ((CPU_PCT < 0)); then cpu=--; else printf -v cpu '%d.%02d%%' $((CPU_PCT / 100)) $((CPU_PCT % 100)); fi
		human "${b[1]}" binary && mem=$HUMAN
		human "${b[2]}" binary && mem+=" / $HUMAN"
		pids=${b[3]} && ((pids >= 0)) || pids=--
		if ((b[4] >= 0)); then pids+=" / ${b[4]}"; else pids+=" / --"; fi
		human "${b[5]}" si && io=$HUMAN
		human "${b[6]}" si && io+=" / $HUMAN"
		human "${b[7]}" si && net=$HUMAN
		human "${b[8]}" si && net+=" / $HUMAN"
		# shellcheck disable=SC2059
		printf "$fmt" "$name" "$cpu" "$mem" "$pids" "$io" "$net"
	done
}

# json_num N: N, or null for -1. Into JSON_NUM.
json_num() {
	if (($1 < 0)); then JSON_NUM=null; else JSON_NUM=$1; fi
}

stats_print_json() {
	local name key i cpu out
	local -a a b keys=(cpu_ns memory_bytes memory_limit pids pids_limit block_read block_write net_rx net_tx)
	for name; do
		read -ra b <<<"${STATS_LINE[$name]}"
		read -ra a <<<"${PREV_LINE[$name]}"
		cpu_hundredths "${a[0]}" "${b[0]}" "$((STATS_TIME - PREV_TIME))"
		if ((CPU_PCT < 0)); then cpu=null; else printf -v cpu '%d.%02d' $((CPU_PCT / 100)) $((CPU_PCT % 100)); fi
		out="{\"name\":\"$name\",\"cpu_percent\":$cpu"
		for ((i = 1; i < ${#keys[@]}; i++)); do
			key=${keys[i]}
			json_num "${b[i]}"
			out+=",\"$key\":$JSON_NUM"
		done
		printf '%s}\n' "$out"
	done
}

# stats_names NAME...: the containers to show, into NAMES: those named (each
# must exist), else every running or paused one.
stats_names() {
	local name state
	NAMES=()
	if (($#)); then
		for name; do
			validate_name container "$name"
			container_exists "$name" || die "no container named '$name': see 'conductor.sh ps'"
			NAMES+=("$name")
		done
		return 0
	fi
	for state in "$CONTAINERDIR"/*/state; do
		[[ -f $state ]] || continue
		name=${state%/state}
		name=${name##*/}
		container_status "$name"
		[[ $CONTAINER_STATUS != running && $CONTAINER_STATUS != paused ]] || NAMES+=("$name")
	done
}

cmd_stats() {
	local stream=1 format=table
	while (($#)); do
		case $1 in
		--no-stream) stream=0 ;;
		--format)
			(($# >= 2)) || die "option --format needs a value: json or table"
			format=$2
			shift
			;;
		--format=*) format=${1#*=} ;;
		--) shift && break ;;
		-?*) die "unknown option '$1' for stats: see 'conductor.sh stats -h'" ;;
		*) break ;;
		esac
		shift
	done
	[[ $format == json || $format == table ]] || die "invalid --format '$(shown "$format")': use json or table"
	stats_names "$@"
	local name tty=0
	[[ ! -t 1 ]] || tty=1
	# Ctrl-C ends the refreshing: that is how it is meant to stop
	trap 'exit 0' INT TERM
	local -A PREV_LINE=()
	stats_sample "${NAMES[@]}"
	while :; do
		for name in "${NAMES[@]}"; do PREV_LINE[$name]=${STATS_LINE[$name]}; done
		PREV_TIME=$STATS_TIME
		sleep 1
		stats_sample "${NAMES[@]}"
		# a terminal is redrawn, as docker stats does; a pipe gets each refresh
		((stream == 0 || tty == 0)) || [[ $format == json ]] || printf '\033[H\033[2J'
		"stats_print_$format" "${NAMES[@]}"
		((stream)) || return 0
	done
}
