# setup.bash - what the bench makes before its cases and removes after
# them: a work directory, a conductor.sh state root with the plain Debian
# image "bench", the bare-run yardstick, OCI bundles for crun/runc, a
# network lab, and the list of everything started, for the cleanup.
# shellcheck shell=bash

# Where the shared debootstrap base lives: the tests' cache, so the bench
# and the tests debootstrap once per machine between them.
BENCH_BASE_CACHE=${BENCH_BASE_CACHE:-/var/cache/docker-lite-test/base}
BENCH_LAB=${BENCH_LAB:-bn$$}

STARTED=()  # "pid starttime" of background processes we started
OCI_IDS=()  # "runtime id" of detached crun/runc containers

bench_setup() {
	local tool
	for tool in hyperfine jq gcc python3 column iptables; do
		command -v "$tool" >/dev/null ||
			die "$tool is missing: run 'sudo scripts/install-deps --bench' (or 'sudo make bench')"
	done
	[[ -x $DL_RUN && -x $CONDUCTOR ]] || die "task3 is not built: run 'make' first"
	WORK=$(mktemp -d /tmp/dl-bench.XXXXXX)
	export DL_BENCH_WORK=$WORK
	LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	bench_init_results
	export CONDUCTOR_ROOT=$WORK/root CONDUCTOR_BASE_CACHE=$BENCH_BASE_CACHE
	# a container that ignores SIGTERM must not hold stop up for long
	export STOP_TIMEOUT=2
	BASE_ROOTFS=$BENCH_BASE_CACHE/debian-bookworm
	build_bench_image
	BARE_RUN=$WORK/bare-run
	gcc -O2 -Wall -Wextra -Werror -o "$BARE_RUN" "$BENCH_DIR/bare-run.c"
	make_oci_bundle "$WORK/bundle-true" /bin/true
	make_oci_bundle "$WORK/bundle-sleep" /bin/sleep infinity
	netlab_up "$BENCH_LAB" >/dev/null
	rootless_setup
}

# ---- rootless ------------------------------------------------------------------------

# The rootless rows run as an ordinary user the bench makes
# (scripts/rootless-user: a subordinate range, their own copy of the tool,
# the base under their map) and removes. RL_AS: the words that run a
# command as them (setpriv and env, measured alone in case 1), RL_C their
# conductor.sh, RL_BASE their base. Empty RL_AS: no rootless rows (why in
# RL_WHY).
BENCH_RL_USER=${BENCH_RL_USER:-dl-bench-rl}
RL_AS=() RL_C="" RL_BASE="" RL_WHY=""
rootless_setup() {
	local home err=$WORK/rootless-setup.err
	"$REPO/scripts/rootless-user" del "$BENCH_RL_USER" 2>/dev/null || true
	if ! "$REPO/scripts/rootless-user" add "$BENCH_RL_USER" 2>"$err"; then
		RL_WHY="cannot make the user $BENCH_RL_USER: $(last_error "$err")"
		return 0
	fi
	BENCH_RL_MADE=1
	home=$(getent passwd "$BENCH_RL_USER" | cut -d: -f6)
	RL_BASE=$home/.local/share/docker-lite/.cache/base/debian-bookworm
	if ! "$REPO/scripts/rootless-user" base "$BENCH_RL_USER" "$BASE_ROOTFS" "$RL_BASE" 2>"$err"; then
		RL_WHY="cannot give $BENCH_RL_USER the base: $(last_error "$err")"
		return 0
	fi
	RL_AS=(setpriv --reuid "$BENCH_RL_USER" --regid "$BENCH_RL_USER" --init-groups
		env -i "HOME=$home" PATH=/usr/bin:/bin STOP_TIMEOUT=2)
	RL_C=$home/docker-lite/task3/conductor.sh
	(cd "$home" && "${RL_AS[@]}" sh -c 'mkdir -p ~/.local/share/docker-lite/.images/bench &&
		echo base=debian-bookworm >~/.local/share/docker-lite/.images/bench/image')
}

# rootless_row CASE VARIANT KIND -- CMD...: a row of CMD as the bench's user
# (from their home), or the reason there is none.
rootless_row() {
	local case=$1 variant=$2 kind=$3
	shift 4
	if ((${#RL_AS[@]} == 0)); then
		record_unavailable "$case" "$variant" failed "$RL_WHY"
		return 0
	fi
	# from their home: the tree may be where they cannot go (/root); not
	# in a subshell, which would keep the row from the results
	local here=$PWD
	cd "${RL_BASE%%/.local/*}" || return 0
	measure "$case" "$variant" "$kind" -- "${RL_AS[@]}" "$@"
	cd "$here" || die "cannot return to $here"
}

# no process of user $1 is alive (zombies are not: scripts/rootless-user
# procs, as in the rootless tests)
user_has_no_process() { [[ -z $("$REPO/scripts/rootless-user" procs "$1") ]]; }

rootless_cleanup() {
	[[ -n ${BENCH_RL_MADE:-} ]] || return 0
	local dir home uid pause pid
	home=$(getent passwd "$BENCH_RL_USER" | cut -d: -f6)
	for dir in "$home"/.local/share/docker-lite/.containers/*/; do
		[[ -d $dir ]] || continue
		(cd "$home" && "${RL_AS[@]}" "$RL_C" stop "$(basename "$dir")" >/dev/null 2>&1)
	done
	# podman's pause process (case 1), by the PID it recorded: it holds
	# the user namespace podman reuses and takes no SIGTERM. Its run-time
	# and temporary directories are under /tmp (no XDG_RUNTIME_DIR).
	uid=$(id -u "$BENCH_RL_USER")
	pause=/tmp/podman-run-$uid/libpod/tmp/pause.pid
	# (podman writes it without a newline: read would fail on it)
	if [[ -f $pause ]] && pid=$(<"$pause") && [[ $pid =~ ^[0-9]+$ ]]; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# conmon and podman's clean-up end by themselves after their container;
	# whatever of the bench's user is left then is ended, and said: a
	# process left to a removed user's uid would belong to the next user
	# given that uid
	if ! wait_until 100 user_has_no_process "$BENCH_RL_USER"; then
		warn "processes of $BENCH_RL_USER were left: $(pgrep -d ' ' -u "$BENCH_RL_USER"); ending them"
		for pid in $(pgrep -u "$BENCH_RL_USER"); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		wait_until 50 user_has_no_process "$BENCH_RL_USER" || true
	fi
	rm -rf "/tmp/podman-run-$uid" "/tmp/containers-user-$uid"
	"$REPO/scripts/rootless-user" del "$BENCH_RL_USER" >/dev/null 2>&1
}

# The image every case runs: plain Debian, no layers. When the base is not
# cached yet, this is the debootstrap (timed: case 5 reports it).
build_bench_image() {
	BASE_MADE_MS=""
	local had_base=0
	[[ -d $BASE_ROOTFS ]] && had_base=1
	((had_base)) || say "bench: no base in $BENCH_BASE_CACHE yet: debootstrapping it (once; a few minutes)"
	local t
	# from a directory without a Conductorfile: the plain Debian image
	t=$(cd "$WORK" && elapsed_ms "$CONDUCTOR" build bench) ||
		die "cannot build the bench image: run 'cd /tmp && $CONDUCTOR build bench' to see why"
	# shellcheck disable=SC2034 # read by case 5
	((had_base)) || BASE_MADE_MS=$t
}

# An OCI bundle over the shared rootfs (read-only) running ARGS, with the
# five namespaces of the comparison and no terminal.
make_oci_bundle() {
	local dir=$1 runtime
	shift
	mkdir -p "$dir"
	for runtime in crun runc; do
		command -v "$runtime" >/dev/null || continue
		(cd "$dir" && "$runtime" spec) && break
	done
	[[ -f $dir/config.json ]] || return 0
	jq --arg root "$BASE_ROOTFS" --args '.root = { path: $root, readonly: true }
		| .process.terminal = false | .process.args = $ARGS.positional | .hostname = "bench"
		| .linux.namespaces = [ "pid", "network", "ipc", "uts", "mount" | { type: . } ]' \
		"$@" <"$dir/config.json" >"$dir/config.new"
	mv "$dir/config.new" "$dir/config.json"
}

# ---- running things -----------------------------------------------------------

# The lab's host namespace, where every networking command runs.
in_lab() {
	nsenter --net="$NETLAB_HOST_NS_PATH" -- "$@"
}

# True on a cgroup v1-hybrid host whose cgroup2 tree offers a controller:
# crun refuses to run there ("cgroups in hybrid mode not supported").
cgroup2_blocks_crun() {
	local controllers=""
	[[ $(stat -f -c %T /sys/fs/cgroup) == tmpfs ]] || return 1
	controllers=$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null) || return 1
	[[ -n $controllers ]]
}

cgroup_mode() {
	if cgroup2_blocks_crun; then
		echo "v1-hybrid (cgroup2 offers controllers)"
	else
		stat -f -c %T /sys/fs/cgroup
	fi
}

# Run CMD in a mount namespace of its own where the hybrid host's cgroup2
# mount is covered by an empty tmpfs, so crun sees a plain cgroup v1 host
# and uses the v1 controllers. The host's mounts and cgroups are untouched.
with_cgroup2_hidden() {
	unshare --mount --propagation private -- sh -c \
		'mount -t tmpfs -o size=4k,mode=0555 dl-bench-hide /sys/fs/cgroup/unified && exec "$@"' sh "$@"
}

# Start CMD in the background with no terminal, remember it for the
# cleanup, and set STARTED_PID. CMD must exec (not fork) to stay that PID.
start_background() {
	local log=$1
	shift
	"$@" </dev/null >"$log" 2>&1 3>&- &
	STARTED_PID=$!
	local start=""
	start=$(proc_start_time "$STARTED_PID") || true
	STARTED+=("$STARTED_PID ${start:-0}")
}

proc_start_time() {
	local stat rest fields
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	read -r -a fields <<<"$rest"
	printf '%s\n' "${fields[19]}"
}

# Stop one process we started, by PID, only if it is still the same one.
stop_started() {
	local pid=$1 start=$2 now tries=30
	now=$(proc_start_time "$pid") || return 0
	[[ $now == "$start" || $start == 0 ]] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while ((tries-- > 0)) && proc_start_time "$pid" >/dev/null; do sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# oci_start_detached CASE RUNTIME WHAT: RUNTIME's (crun's or runc's)
# detached `sleep infinity` container bench-WHAT-RUNTIME for the rows
# "RUNTIME WHAT..." of CASE, crun on a hybrid host with the cgroup2 mount
# hidden (see case 1). Sets OCI_ID, OCI_LABEL (what the rows are called
# before WHAT) and OCI_WRAP (the command the runtime's commands run under,
# empty when none), and records the container for the clean-up; when the
# runtime is missing or the container does not start, records the row
# "LABEL WHAT" unavailable and returns non-zero.
oci_start_detached() {
	local case=$1 runtime=$2 what=$3 err
	OCI_ID=bench-$what-$runtime OCI_LABEL=$runtime OCI_WRAP=""
	require_peer "$case" "$runtime $what" "$runtime" || return 1
	if [[ $runtime == crun ]] && cgroup2_blocks_crun; then
		OCI_WRAP=with_cgroup2_hidden OCI_LABEL="crun, cgroup2 hidden"
	fi
	err=$WORK/c$case-$runtime-start.err
	if ! ${OCI_WRAP:+"$OCI_WRAP"} "$runtime" run --detach --bundle "$WORK/bundle-sleep" "$OCI_ID" \
		</dev/null >/dev/null 2>"$err" 3>&-; then
		record_unavailable "$case" "$OCI_LABEL $what" failed "$runtime run --detach: $(last_error "$err")"
		return 1
	fi
	OCI_IDS+=("$runtime $OCI_ID")
}

# oci_delete RUNTIME ID: its container gone (errors ignored), resumed first:
# a paused one (case 10) does not die of delete -f's SIGKILL until thawed.
oci_delete() {
	local wrap=""
	[[ $1 != crun ]] || ! cgroup2_blocks_crun || wrap=with_cgroup2_hidden
	${wrap:+"$wrap"} "$1" resume "$2" >/dev/null 2>&1 || true
	${wrap:+"$wrap"} "$1" delete -f "$2" >/dev/null 2>&1 || true
}

# Start a detached conductor container running `sleep infinity`, in the lab.
start_sleeper() {
	in_lab "$CONDUCTOR" run -d bench "$1" -- sleep infinity >/dev/null 2>&1 3>&-
}

container_pid() {
	state_value "$1" pid
}

state_value() {
	local line
	while IFS= read -r line; do
		[[ $line == "$2="* ]] && printf '%s\n' "${line#*=}" && return 0
	done <"$CONDUCTOR_ROOT/.containers/$1/state"
	return 1
}

# ---- cleanup -----------------------------------------------------------------------

bench_cleanup() {
	local rc=$? entry name
	trap - EXIT INT TERM
	set +e
	for entry in "${STARTED[@]}"; do
		# shellcheck disable=SC2086 # "pid starttime"
		stop_started $entry
	done
	for entry in "${OCI_IDS[@]}"; do
		# shellcheck disable=SC2086 # "runtime id"
		oci_delete $entry
	done
	if [[ -d ${CONDUCTOR_ROOT:-}/.containers ]]; then
		for name in "$CONDUCTOR_ROOT"/.containers/*/; do
			[[ -d $name ]] || continue
			name=${name%/}
			if netlab_exists "$BENCH_LAB"; then
				in_lab "$CONDUCTOR" stop "${name##*/}" >/dev/null 2>&1
			else
				"$CONDUCTOR" stop "${name##*/}" >/dev/null 2>&1
			fi
		done
	fi
	netlab_down "$BENCH_LAB" >/dev/null 2>&1
	rootless_cleanup
	[[ -z ${WORK:-} ]] || rm -rf --one-file-system -- "$WORK"
	exit "$rc"
}

write_machine_info() {
	local seconds=$1
	{
		echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "cpus: $(nproc) x $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
		echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
		echo "kernel: $(uname -r)"
		echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
		echo "cgroups: $(cgroup_mode)"
		echo "load average at the start: $LOAD_AT_START"
		echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "runs per case: $BENCH_RUNS (warm-up $BENCH_WARMUP); whole bench: $seconds s"
		echo "versions: $(hyperfine --version | sed -n 1p); $(crun --version 2>/dev/null | sed -n 1p);" \
			"$(runc --version 2>/dev/null | sed -n 1p); $(bwrap --version 2>/dev/null);" \
			"$(systemd-nspawn --version 2>/dev/null | sed -n 1p); $(iperf3 --version 2>/dev/null | sed -n 1p)"
	} >"$OUT/machine.txt"
	section "machine"
	cat "$OUT/machine.txt" >&2
}
