# bats file_tags=reliability
# Reliability and safety of conductor.sh, with figures: bad input, repeated
# cycles, faults (the tool killed half-way), concurrency, network safety and
# host safety. Every case runs inside a network lab (tests/helpers/netlab.bash)
# and is checked by a leak detector: a snapshot of the lab host's links,
# addresses, routes, iptables and sysctls, the tool's state directories, the
# mounts and cgroups that mention the state root, and the processes whose
# root is inside it. The figures go to $RELIABILITY_REPORT (default
# results/reliability.txt) for docs/reliability.md.

# shellcheck disable=SC2154 # stderr, stderr_lines: set by run --separate-stderr
load helpers/common
load helpers/conductor
load helpers/netlab
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up relimg
	# the tag dl-run puts on this root's cgroups (common/cgroup.c: cg_leaf_name)
	ROOT_TAG=$(printf '%s' "$CONDUCTOR_ROOT" | sha256sum | cut -c1-8)
	export ROOT_TAG
	export LAB=r$$
	netlab_up "$LAB" >&2
	export REPORT=${RELIABILITY_REPORT:-$DL_REPO/results/reliability.txt}
	mkdir -p "${REPORT%/*}"
	: >"$REPORT"
	host_snapshot "$BATS_FILE_TMPDIR/host-before"
}

teardown_file() {
	task3_suite_down "$LAB"
}

teardown() {
	local pid
	for pid in ${KILL_GROUPS:-}; do kill -KILL -- "-$pid" 2>/dev/null || true; done
	# every container is stopped where its network is: in the lab
	stop_containers "$CONDUCTOR_ROOT" lab
	# a second state root a test made
	if [[ -n ${OTHER_ROOT:-} ]]; then
		stop_containers "$OTHER_ROOT" lab
		rm -rf "$OTHER_ROOT"
	fi
}

lab() { netlab_host "$C" "$@"; }

# One line of figures for the report (and the TAP stream).
report() {
	printf '%s\n' "$*" >>"$REPORT"
	printf '# %s\n' "$*" >&3
}

# Everything a container may leave behind, as text: diff two of them.
leak_snapshot_of_tool() {
	local out=$1
	netlab_snapshot_host "$out.lab"
	{
		cat "$out.lab"
		echo "## state"
		find "$CONDUCTOR_ROOT/.containers" -mindepth 1 2>/dev/null | sort
		echo "## mounts"
		cat /proc/[0-9]*/mountinfo 2>/dev/null | grep -F "$CONDUCTOR_ROOT" | awk '{ print $5 }' | sort -u || true
		echo "## cgroups"
		# this state root's containers only: leaves are named <name>.<tag>
		find /sys/fs/cgroup -maxdepth 4 -type d -path '*/docker-lite/*' -name "*.$ROOT_TAG" 2>/dev/null | sort
		echo "## processes rooted in containers"
		# one find, not a readlink fork per process: this snapshot is taken
		# after each of ~150 bad-input cases
		{ find /proc/[0-9]*/root -maxdepth 0 -printf '%l\t%h\n' 2>/dev/null || true; } |
			awk -F'\t' -v root="$CONDUCTOR_ROOT" 'index($1, root) == 1 { sub("^/proc/", "", $2); print $2 }'
		echo "## locks"
		find "$CONDUCTOR_ROOT" -maxdepth 1 -name '*.tmp*' 2>/dev/null
	} >"$out"
	rm -f "$out.lab"
}

# assert_no_leak BEFORE: the tool's footprint is back to BEFORE; prints
# the difference and fails otherwise.
assert_no_leak() {
	local after=$BATS_TEST_TMPDIR/after.$RANDOM
	leak_snapshot_of_tool "$after"
	local d
	d=$(diff "$1" "$after" | grep -E '^[<>]' || true)
	[[ -z $d ]] || {
		printf 'leaked:\n%s\n' "$d" >&2
		return 1
	}
}

# The machine outside the lab: resolv.conf, the real namespace's iptables
# (all tables), its FORWARD policy, /dev and route_localnet.
host_snapshot() {
	{
		sha256sum /etc/resolv.conf
		iptables-save | sed -e 's/\[[0-9]*:[0-9]*\]//' -e '/^#/d'
		find /dev -maxdepth 1 -printf '%M %u %g %y %f %l\n' | sort
		cat /proc/sys/net/ipv4/conf/all/route_localnet /proc/sys/net/ipv4/ip_forward
	} >"$1" 2>&1
}

# A container's state through inspect, the tool's one interface to it.
container_ip() { "$C" inspect -f ip "$1"; }
container_pid() { "$C" inspect -f pid "$1"; }
has_recorded_pid() { [[ -n $(container_pid "$1" 2>/dev/null) ]]; }

# ---- 1. bad input --------------------------------------------------------------

# One case a line: the arguments to conductor.sh, separated by "|" (so a
# case can hold spaces, newlines and metacharacters). "LIVE" is a running,
# networked container; "NEW" a running container without a network.
# shellcheck disable=SC2016 # the $( ) and backquotes are the bad input
BAD_INPUT_CASES=(
	'run|relimg|a/b' 'run|relimg|..' 'run|relimg|.' 'run|relimg|a b' $'run|relimg|a\nb'
	'run|relimg|a;touch /tmp/dl-pwned' 'run|relimg|$(touch /tmp/dl-pwned)' 'run|relimg|-rf'
	'run|relimg|' 'run|relimg|abcdefghijabcdefghijabcdefghijabc' 'run|relimg|naïve' 'run|relimg|`id`'
	'run|../relimg|x1' 'run|no-such-image|x2' 'run|relimg|LIVE' 'run' 'run|relimg'
	'run|--cpus|0|relimg|x3' 'run|--cpus|abc|relimg|x4' 'run|--memory|1|relimg|x5' 'run|--pids|0|relimg|x6'
	'run|--bogus|relimg|x7' 'run|--rm|relimg|LIVE' 'run|--rm|relimg|a/b' 'run|--rm=1|relimg|x10' 'run|--rm'
	'stop' 'stop|a|b' 'stop|../x' 'stop|--from-monitor' 'rm' 'rm|a|b' 'rm|../x' 'rm|a b' 'exec' 'exec|nobody' 'exec|../x' 'exec|a b'
	'logs' 'logs|nobody' 'logs|../x' 'logs|LIVE|NEW' 'logs|-n|x|LIVE' 'logs|--tail=-1|LIVE' 'logs|-n'
	'logs|--bogus|LIVE' 'logs|-f|nobody' 'run|-d|-i|relimg|x8' 'run|-di|relimg|x9' 'exec|-x|LIVE'
	'exec|-t' 'exec|-it|nobody'
	'addnetwork' 'addnetwork|nobody' 'addnetwork|LIVE' 'addnetwork|NEW|-e|0:80' 'addnetwork|NEW|-e|65536:80'
	'addnetwork|NEW|-e|abc' 'addnetwork|NEW|-e|80:' 'addnetwork|NEW|-e|:80' 'addnetwork|NEW|-e|8080:80|-e|8080:81'
	'addnetwork|NEW|-e|080:80' 'addnetwork|NEW|--bogus' 'addnetwork|NEW|-e'
	'addnetwork|NEW|-e|80:53/sctp' 'addnetwork|NEW|-e|80:53/' 'addnetwork|NEW|-e|80:53/UDP' 'addnetwork|NEW|-e|/udp'
	'addnetwork|NEW|-e|80:53/udp|-e|80:54/udp' 'addnetwork|NEW|--expose=53-8053/udp|-e|8053:54/udp'
	$'addnetwork|NEW|-e|80:53/udp\nx' 'addnetwork|NEW|-e|80:53/udp/udp'
	'peer' 'peer|LIVE' 'peer|LIVE|LIVE' 'peer|LIVE|nobody' 'peer|LIVE|NEW' 'peer|../x|LIVE'
	'build' 'build|a/b' 'build|ok|/no/such/file' 'rmi' 'rmi|nobody' 'rmi|../relimg' 'rmi|relimg'
	'images|x' 'ps|x' 'rmcache|x' 'bogus-command' '--bogus'
	'cp' 'cp|LIVE:/etc/hostname' 'cp|/etc/hostname|/tmp/dl-pwned' 'cp|LIVE:/etc/hostname|NEW:/tmp'
	'cp|nobody:/etc|/tmp/dl-pwned' 'cp|a b:/etc|/tmp/dl-pwned' 'cp|../x:/etc|/tmp/dl-pwned' 'cp|LIVE:|/tmp/dl-pwned'
	'cp|LIVE:/no/such|/tmp/dl-pwned' 'cp|/no/such|LIVE:/tmp' 'cp|/etc/hostname|LIVE:/no/such/dir/x'
	'cp|LIVE:/etc/hostname|/no/such/dir/x' 'cp|LIVE:/proc/1/environ|/tmp/dl-pwned'
	'cp|-a|LIVE:/etc/hostname|/tmp/dl-pwned' 'cp|-|LIVE:/tmp' 'cp|LIVE:/etc/hostname|-' 'cp|/etc/hostname|LIVE:/etc/hostname/x'
	'inspect' 'inspect|nobody' 'inspect|../x' 'inspect|a b' 'inspect|LIVE|NEW' 'inspect|-f|bogus|LIVE'
	'inspect|-f' 'inspect|--bogus|LIVE' 'inspect|-f|$(touch /tmp/dl-pwned)|LIVE'
	'inspect|--type|bogus|LIVE' 'inspect|--type|image|LIVE' 'inspect|-f|ip|relimg' 'inspect|--type'
	'run|-e|1BAD=x|relimg|x11' 'run|-e|=x|relimg|x12' 'run|-e|A B=x|relimg|x13' 'run|-e' 'run|-w|rel|relimg|x14'
	'run|--env-file|/no/such|relimg|x15' 'run|-w' 'run|--env-file'
	'exec|-e|1BAD=x|LIVE' 'exec|-w|rel|LIVE' 'exec|-e' 'exec|-w' $'run|-w|/x\npid=1|relimg|x16'
	'run|-u|a b|relimg|x17' $'run|-u|a\npid=1|relimg|x18' 'run|-u' 'run|--user=|relimg|x19' 'exec|-u|a b|LIVE' 'exec|-u'
	'run|-w||relimg|x20' 'exec|-w||LIVE' 'run|-v' 'run|-v|relative:/data|relimg|x21' 'run|-v|/tmp|relimg|x22'
	'run|-v|/tmp:/proc/x|relimg|x23' 'run|-v|/tmp:/|relimg|x24' 'run|-v|/tmp:/data:rx|relimg|x25'
	$'run|-v|/a\nb:/data|relimg|x26' 'run|--volume=:/data|relimg|x27'
	'run|--memory|9999999999999M|relimg|x28' $'run|--memory|1\nM|relimg|x29' 'run|--pids|99999999999999999999|relimg|x30'
)

@test "bad input: every case is one clear line on stderr, a non-zero exit, nothing changed" {
	lab run -d relimg live -- sleep infinity
	lab addnetwork live
	lab run -d relimg new -- sleep infinity
	local before=$BATS_TEST_TMPDIR/before
	leak_snapshot_of_tool "$before"
	local c args=() tried=0 crashes=0 leaks=0 bad=0 i
	for c in "${BAD_INPUT_CASES[@]}"; do
		mapfile -t -d '|' args < <(printf '%s|' "$c")
		for i in "${!args[@]}"; do
			[[ ${args[i]} != LIVE ]] || args[i]=live
			[[ ${args[i]} != NEW ]] || args[i]=new
		done
		tried=$((tried + 1))
		run --separate-stderr lab "${args[@]}"
		# a crash is a signal or an exit code outside the tool's own
		if ((status == 0)); then
			echo "accepted: ${args[*]@Q}" >&2
			bad=$((bad + 1))
		elif ((status > 125 && status != 127)); then
			echo "crashed ($status): ${args[*]@Q}: $stderr" >&2
			crashes=$((crashes + 1))
		elif ((${#stderr_lines[@]} != 1)) || [[ $stderr != conductor.sh:* ]]; then
			echo "not one clear line: ${args[*]@Q}: $stderr" >&2
			bad=$((bad + 1))
		fi
		if ! assert_no_leak "$before" 2>/dev/null; then
			echo "leak after: ${args[*]@Q}" >&2
			assert_no_leak "$before" || true
			leaks=$((leaks + 1))
			leak_snapshot_of_tool "$before"
		fi
	done
	[[ ! -e /tmp/dl-pwned ]]
	report "bad input: $tried cases, $crashes crashes, $leaks leaks, $bad without a clear error"
	((tried >= 40 && crashes == 0 && leaks == 0 && bad == 0))
}

@test "bad input: Conductorfiles that are wrong fail with their line and leave no layer or image" {
	local ctx=$BATS_TEST_TMPDIR/ctx tried=0 bad=0
	mkdir -p "$ctx"
	local -a files=(
		'RUN true' 'FROM debian:bookworm\nFROM debian:bookworm' 'FROM debian:bookworm\nVOLUME /x'
		'FROM nosuch:bookworm' 'FROM debian:nosuch' 'FROM debian:bookworm\nCOPY ../../etc/shadow /x'
		'FROM debian:bookworm\nCOPY missing /x' 'FROM debian:bookworm\nRUN exit 3'
		'FROM debian:bookworm\nRUN true\nWORKDIR x' 'FROM debian:bookworm\nRUN true\nENV X'
		'FROM debian:bookworm\nENV 1X=2' 'FROM debian:bookworm\nENV X="open'
		'FROM debian:bookworm\nRUN true\nCMD ["a",' 'FROM debian:bookworm\nENTRYPOINT [a]'
		'FROM debian:bookworm\nEXPOSE 0' 'FROM debian:bookworm\nEXPOSE 65536/tcp' 'FROM debian:bookworm\nEXPOSE 80/sctp'
		'FROM debian:bookworm\nUSER' 'FROM debian:bookworm\nUSER a b'
	)
	local f before
	before=$(find "$CONDUCTOR_ROOT/.cache" "$CONDUCTOR_ROOT/.images" ! -name '*.lock' 2>/dev/null | sort)
	for f in "${files[@]}"; do
		printf '%b\n' "$f" >"$ctx/Conductorfile"
		tried=$((tried + 1))
		run --separate-stderr "$C" build badimg "$ctx/Conductorfile"
		if ((status != 125)) || [[ $stderr != *Conductorfile:* ]]; then
			echo "unclear: $f -> $status: $stderr" >&2
			bad=$((bad + 1))
		fi
	done
	assert_equal "$(find "$CONDUCTOR_ROOT/.cache" "$CONDUCTOR_ROOT/.images" ! -name '*.lock' 2>/dev/null | sort)" "$before"
	report "bad Conductorfiles: $tried cases, $bad without a clear error, 0 layers or images left"
	((bad == 0))
}

# ---- 2. cycles -------------------------------------------------------------------

@test "cycles: 100 x (run -d, addnetwork -i -e, exec, stop) leave nothing behind" {
	local before=$BATS_TEST_TMPDIR/before n=${RELIABILITY_CYCLES:-100} i failures=0
	leak_snapshot_of_tool "$before"
	for ((i = 1; i <= n; i++)); do
		{
			lab run -d relimg cyc -- sleep infinity &&
				lab addnetwork cyc --internet --expose 3000:80 &&
				[[ $(lab exec cyc -- hostname) == cyc ]] &&
				lab stop cyc
		} >/dev/null 2>&1 || {
			failures=$((failures + 1))
			lab stop cyc >/dev/null 2>&1 || true
		}
	done
	local leaked=0
	assert_no_leak "$before" || leaked=1
	report "cycles: $n run/addnetwork/exec/stop cycles, $failures failed, leaks: $leaked"
	((failures == 0 && leaked == 0))
	# the pool and the chains are empty again
	run lab ps
	assert_output 'No containers found'
	run netlab_host iptables -t nat -S
	refute_output --partial 'DL-'
}

# ---- 3. faults ----------------------------------------------------------------------

# elapsed_ms CMD...: run CMD (quietly) and print how many ms it took.
elapsed_ms() {
	local t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1 || true
	echo $(((${EPOCHREALTIME/./} - t0) / 1000))
}

# kill_at_random DELAY_MS CMD...: start the tool in its own process group,
# SIGKILL the whole group after DELAY_MS (or when it ends first).
kill_at_random() {
	local delay=$1
	shift
	setsid "$@" >/dev/null 2>&1 </dev/null 3>&- &
	local pid=$!
	KILL_GROUPS="${KILL_GROUPS:-} $pid"
	# a fault injection, not a wait for readiness: the point is a random one
	sleep "$(printf '0.%03d' "$delay")"
	# still running when it was killed: the fault hit it half-way
	if kill -KILL -- "-$pid" 2>/dev/null; then INTERRUPTED=$((INTERRUPTED + 1)); fi
	wait "$pid" 2>/dev/null || true
}

@test "faults: the tool SIGKILLed at random points of run, addnetwork and stop; stop always recovers" {
	local before=$BATS_TEST_TMPDIR/before trials=0 leaked=0 broken=0 i step delay
	INTERRUPTED=0
	# how long each step takes on this machine, so the kills land inside it
	# (plus the few ms setsid and nsenter take to start it)
	local -a took=()
	took[0]=$(elapsed_ms lab run -d relimg flt -- sleep infinity)
	took[1]=$(elapsed_ms lab addnetwork flt --internet --expose 3001:80)
	took[2]=$(elapsed_ms lab stop flt)
	leak_snapshot_of_tool "$before"
	RANDOM=695 # a fixed seed: the same trials every run
	for ((i = 0; i < ${RELIABILITY_FAULT_TRIALS:-24}; i++)); do
		step=$((i % 3))
		delay=$((RANDOM % (took[step] + 5)))
		trials=$((trials + 1))
		case $step in
		0) kill_at_random "$delay" nsenter --net="$NETLAB_HOST_NS_PATH" -- "$C" run -d relimg flt -- sleep infinity ;;
		1)
			lab run -d relimg flt -- sleep infinity >/dev/null 2>&1
			kill_at_random "$delay" nsenter --net="$NETLAB_HOST_NS_PATH" -- "$C" addnetwork flt --internet --expose 3001:80
			;;
		2)
			lab run -d relimg flt -- sleep infinity >/dev/null 2>&1
			lab addnetwork flt --internet --expose 3001:80 >/dev/null 2>&1
			kill_at_random "$delay" nsenter --net="$NETLAB_HOST_NS_PATH" -- "$C" stop flt
			;;
		esac
		# afterwards: ps still works, and stop removes whatever is left
		lab ps >/dev/null 2>&1 || broken=$((broken + 1))
		lab stop flt >/dev/null 2>&1 || broken=$((broken + 1))
		if ! assert_no_leak "$before"; then
			echo "leak after trial $i (step $step, ${delay} ms)" >&2
			leaked=$((leaked + 1))
			leak_snapshot_of_tool "$before"
		fi
	done
	report "faults: $trials SIGKILL trials (run, addnetwork, stop, taking ${took[0]}, ${took[1]}, ${took[2]} ms; seed 695), $INTERRUPTED hit the tool half-way, $broken failed recoveries, $leaked leaks"
	((broken == 0 && leaked == 0))
}

@test "faults: a build SIGKILLed inside a RUN leaves no layer; the next build and rmcache recover" {
	local ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx"
	# the RUN runs for 3 s: long enough to be killed in, short enough to be
	# built again below, the very same step (same layer key)
	printf 'FROM debian:bookworm\nRUN echo started > /started; sleep 3\n' >"$ctx/Conductorfile"
	setsid "$C" build killedrun "$ctx/Conductorfile" >/dev/null 2>&1 </dev/null 3>&- &
	local pid=$!
	KILL_GROUPS=$pid
	wait_until 300 compgen -G "$CONDUCTOR_ROOT/.cache/layers/.tmp-*/diff/started" >/dev/null
	kill -KILL -- "-$pid"
	wait "$pid" || true
	# no layer got its final name, no image was recorded
	run find "$CONDUCTOR_ROOT/.cache/layers" -mindepth 1 -maxdepth 1 ! -name '.tmp-*'
	assert_output ""
	[[ ! -e $CONDUCTOR_ROOT/.images/killedrun ]]
	# a build of the same file starts that step afresh and completes
	run "$C" build killedrun "$ctx/Conductorfile"
	assert_success
	# the killed step was run again, not taken from a cache it never reached
	refute_line ' ---> Using cache'
	[[ -f $CONDUCTOR_ROOT/.images/killedrun/image ]]
	# rmcache clears the remains of the killed step (no build runs now)
	"$C" rmi killedrun
	run "$C" rmcache
	assert_success
	run find "$CONDUCTOR_ROOT/.cache/layers" -mindepth 1
	assert_output ""
	# and no process of the killed RUN lives on in its throwaway container
	local p
	for p in /proc/[0-9]*; do
		[[ $(readlink "$p/root" 2>/dev/null) != "$CONDUCTOR_ROOT"* ]] || fail "process ${p#/proc/} still runs in a build container"
	done
	report "faults: a build SIGKILLed inside a RUN: no layer or image left half-made; rmcache removed the remains"
}

@test "faults: a container whose init is killed from the host shows 'exited' and stop cleans up" {
	local before=$BATS_TEST_TMPDIR/before
	leak_snapshot_of_tool "$before"
	lab run -d relimg victim -- sleep infinity
	lab addnetwork victim --expose 3002:80
	kill -KILL "$(container_pid victim)"
	wait_until 50 bash -c "[[ \$('$C' inspect -f status victim) == exited ]]"
	run lab stop victim
	assert_success
	assert_no_leak "$before"
}

@test "signals: Ctrl-C (SIGINT to the foreground group) ends a foreground run; stop removes what is left" {
	local before=$BATS_TEST_TMPDIR/before
	leak_snapshot_of_tool "$before"
	# a process group of its own, as a terminal's foreground job
	setsid nsenter --net="$NETLAB_HOST_NS_PATH" -- "$C" run relimg ctrlc -- sleep infinity \
		>/dev/null 2>&1 </dev/null 3>&- &
	local pid=$!
	KILL_GROUPS=$pid
	wait_until 50 has_recorded_pid ctrlc
	local init
	init=$(container_pid ctrlc)
	kill -INT -- "-$pid"
	local rc=0
	wait "$pid" || rc=$?
	# the tool ends by SIGINT, as a shell's job does, and the container with it
	assert_equal "$rc" 130
	run kill -0 "$init"
	assert_failure
	run lab ps
	assert_line --regexp '^ctrlc +relimg +- +exited'
	lab stop ctrlc
	assert_no_leak "$before"
}

# ---- 4. concurrency -------------------------------------------------------------------

@test "concurrency: 16 parallel run -d + addnetwork get 16 distinct addresses" {
	local before=$BATS_TEST_TMPDIR/before i pids=() fails=0
	leak_snapshot_of_tool "$before"
	for i in $(seq 1 16); do
		(lab run -d relimg "par$i" -- sleep infinity && lab addnetwork "par$i") >/dev/null 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fails=$((fails + 1)); done
	local ips
	ips=$(for i in $(seq 1 16); do container_ip "par$i"; done | sort -u | grep -c .)
	report "concurrency: 16 parallel run+addnetwork: $fails failed, $ips distinct addresses"
	assert_equal "$fails" 0
	assert_equal "$ips" 16
	for i in $(seq 1 16); do lab stop "par$i" >/dev/null 2>&1 & done
	wait
	assert_no_leak "$before"
}

@test "concurrency: 8 parallel runs with one name: exactly one wins; parallel stops all succeed" {
	local before=$BATS_TEST_TMPDIR/before i pids=() ok=0
	leak_snapshot_of_tool "$before"
	for i in $(seq 1 8); do
		lab run -d relimg same -- sleep infinity >"$BATS_TEST_TMPDIR/run.$i" 2>&1 3>&- &
		pids+=($!)
	done
	# each loser is told why (by conductor.sh, or by dl-run when it raced
	# for the name) and takes nothing of the winner's
	local told=0
	for i in "${!pids[@]}"; do
		if wait "${pids[i]}"; then
			ok=$((ok + 1))
		elif grep -Eq "a container named 'same' (already exists|was just created by another run)" \
			"$BATS_TEST_TMPDIR/run.$((i + 1))"; then
			told=$((told + 1))
		fi
	done
	assert_equal "$ok" 1
	assert_equal "$told" 7
	run lab exec same -- hostname
	assert_output same
	pids=() ok=0
	for i in $(seq 1 4); do
		lab stop same >/dev/null 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		if wait "$i"; then ok=$((ok + 1)); fi
	done
	report "concurrency: 8 runs of one name: 1 won; 4 parallel stops: $ok succeeded"
	assert_equal "$ok" 4
	assert_no_leak "$before"
}

# ---- 5. isolation ------------------------------------------------------------------

@test "isolation: the tool's binaries cannot be written through /proc/PID/exe from inside (CVE-2019-5736)" {
	local before
	before=$(sha256sum "$DL_REPO/task3/bin/dl-run" "$DL_REPO/task3/bin/dl-exec")
	lab run -d relimg exe1 -- sleep infinity
	# PID 1 of the container is dl-run's init; exec'd processes were dl-exec
	# shellcheck disable=SC2016 # expanded inside the container
	run lab exec exe1 -- sh -c 'for p in /proc/1/exe /proc/self/exe; do
		if (echo pwned >"$p") 2>/dev/null; then echo "wrote $p"; fi
	done; readlink /proc/1/exe'
	refute_output --partial wrote
	assert_equal "$(sha256sum "$DL_REPO/task3/bin/dl-run" "$DL_REPO/task3/bin/dl-exec")" "$before"
	report "isolation: writes to the tool's binaries via /proc/PID/exe from inside: 0 succeeded"
}

# ---- 6. networking safety ------------------------------------------------------------

@test "network safety: route_localnet stays off for all, host rules outside ours survive" {
	# sentinels: rules of "the host" that the tool must never touch
	netlab_host iptables -w -A FORWARD -s 192.0.2.99/32 -j DROP -m comment --comment sentinel
	netlab_host iptables -w -t nat -A POSTROUTING -s 192.0.2.99/32 -j RETURN -m comment --comment sentinel
	netlab_host iptables -w -P FORWARD DROP
	lab run -d relimg safe1 -- sleep infinity
	lab addnetwork safe1 --internet --expose 3003:80
	assert_equal "$(netlab_host cat /proc/sys/net/ipv4/conf/all/route_localnet)" 0
	lab stop safe1
	run netlab_host iptables -S FORWARD
	assert_line '-P FORWARD DROP'
	assert_line --partial 'sentinel'
	run netlab_host iptables -t nat -S POSTROUTING
	assert_line --partial 'sentinel'
	netlab_host iptables -w -D FORWARD -s 192.0.2.99/32 -j DROP -m comment --comment sentinel
	netlab_host iptables -w -t nat -D POSTROUTING -s 192.0.2.99/32 -j RETURN -m comment --comment sentinel
	netlab_host iptables -w -P FORWARD ACCEPT
}

@test "network safety: two state roots in one namespace: forwarding is restored when the last rule goes" {
	local other before
	other=$(mktemp -d /tmp/dl-test.XXXXXX)
	OTHER_ROOT=$other
	mkdir -p "$other/.images/relimg"
	cp "$CONDUCTOR_ROOT/.images/relimg/image" "$other/.images/relimg/image"
	before=$(netlab_host cat /proc/sys/net/ipv4/ip_forward)
	lab run -d relimg rootA -- sleep infinity
	lab addnetwork rootA --internet
	CONDUCTOR_ROOT=$other lab run -d relimg rootB -- sleep infinity
	CONDUCTOR_ROOT=$other lab addnetwork rootB --internet
	lab stop rootA
	# rootB's NAT still needs forwarding
	assert_equal "$(netlab_host cat /proc/sys/net/ipv4/ip_forward)" 1
	CONDUCTOR_ROOT=$other lab stop rootB
	assert_equal "$(netlab_host cat /proc/sys/net/ipv4/ip_forward)" "$before"
}

serve_in() {
	nsenter --net="/proc/$(container_pid "$1")/ns/net" \
		socat "TCP-LISTEN:$2,fork,reuseaddr" "SYSTEM:echo $3" 3>&- &
	SERVERS="${SERVERS:-} $!"
	wait_until 50 bash -c "nsenter --net=/proc/$(container_pid "$1")/ns/net ss -Hltn 'sport = :$2' | grep -q ."
}

@test "network safety: a port freed by stop goes to the next container; hairpin reaches it" {
	lab run -d relimg first -- sleep infinity
	lab addnetwork first --expose 3004:80
	lab stop first
	lab run -d relimg second -- sleep infinity
	lab addnetwork second --expose 3004:80
	serve_in second 80 second-here
	run netlab_out socat -T2 - "TCP:$NETLAB_HOST_IP:3004,connect-timeout=2"
	assert_output second-here
	# hairpin: the container reaches its own exposed port via the host address
	run lab exec second -- timeout 3 bash -c "exec 3<>/dev/tcp/$NETLAB_HOST_IP/3004; cat <&3"
	assert_output second-here
	local pid
	for pid in ${SERVERS:-}; do kill "$pid" 2>/dev/null || true; done
}

# ---- 8. host safety ------------------------------------------------------------------

@test "host safety: resolv.conf, the real iptables, FORWARD policy and /dev are as before the suite" {
	host_snapshot "$BATS_TEST_TMPDIR/host-after"
	run diff "$BATS_FILE_TMPDIR/host-before" "$BATS_TEST_TMPDIR/host-after"
	assert_success
	report "host safety: resolv.conf, iptables (all tables), FORWARD policy, /dev: unchanged"
}
