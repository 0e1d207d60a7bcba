# containers.sh - run, ps, stop (rm): containers made from images (exec: exec.sh).
# shellcheck shell=bash
#
# A container is the directory $CONTAINERDIR/<name>/:
#   state    key=value lines (see below)
#   upper/   the overlay's writable layer: everything the container writes
#   work/    overlayfs's scratch directory (same filesystem as upper/)
#   rootfs/  the container's root, live on the host: dl-run --live-root
#            mounts the overlay here in the host's mount namespace (over a
#            private, unbindable bind of the directory, so it propagates
#            nowhere: task3/src/liveroot.h), and the container pivots into
#            its own copy of it.  A file copied here appears inside at once.
#            It stays, running or exited, until stop unmounts it.
#   log      what the command printed, stdout and stderr in order (logs.sh)
#
# State keys: image, created (epoch), cmd (the command, printf %q words),
# cpus, memory, pids (the limits as given to run; empty: none), io (the I/O
# limit options as given, printf %q words), harden (1
# or 0: CONDUCTOR_HARDEN at run time; exec follows it), log (file: the
# output is recorded in log; terminal: an interactive run on a terminal
# kept it, nothing recorded), lower
# (the overlay's lowerdir: its layers and base, for rmcache), env (the
# container's environment: the image's ENV and run's -e, printf %q words),
# workdir and user (the image's WORKDIR and USER, or run's -w; exec starts
# from these three, as docker exec does), status
# (created/running/exited, as last recorded; stopping while stop runs),
# and from bin/dl-run: pid (host PID of the container's init), starttime
# (its start time, field 22 of /proc/PID/stat), parent and parentstart
# (the dl-run that waits for the init: the monitor of a detached
# container), one cgroup=<dir> line per cgroup leaf, exitcode (once it
# ended).  network.sh adds ip, ports, veth, ... for addnetwork.
#
# Life cycle, as in the original: `run` starts a container; when its
# command ends it is "exited" but kept (ps shows it, its files stay, its
# root stays mounted) until `stop` removes it.  `run` in the foreground
# returns the command's exit code; `run -d` returns as soon as the
# container runs.  `run --rm` removes it as soon as its command ends.
#
# A container whose processes were all killed (dl-run and its init, by
# SIGKILL) is "exited" like any other, its root still mounted: its
# directory is there, so ps lists it and stop (or rm) removes it, root
# and all.  ps itself never unmounts: it only reads, without the lock,
# and a container that has no PID yet may be one that dl-run is mounting
# right now.  (After a reboot nothing is mounted any more, and stop
# removes the directory the same way.)
#
# Processes are never found by grepping ps: the init's PID and start time
# are in the state, and a PID only counts when its start time still matches.

# What this lib uses of others (each is sourced once: a guard at its top).
# network.sh is not among them: it is read only by a stop of a container
# that has a network (network_of), so run and most stops never parse it.
# shellcheck source=imageconfig.sh
source "$CONDUCTOR_DIR/lib/imageconfig.sh"
# shellcheck source=layers.sh
source "$CONDUCTOR_DIR/lib/layers.sh"
# shellcheck source=wait.sh
source "$CONDUCTOR_DIR/lib/wait.sh"

# Seconds `stop` waits after SIGTERM before it kills the whole container.
STOP_TIMEOUT=${STOP_TIMEOUT:-5}

help_run() {
	cat <<'HELP'
Usage: conductor.sh run [-d|--detach] [--rm] [-t|--tty] [-i|--interactive]
                        [--cpus N] [--memory SIZE] [--pids N]
                        [--device-read-bps DEV:RATE] [--device-write-bps DEV:RATE]
                        [--device-read-iops DEV:N] [--device-write-iops DEV:N]
                        [--blkio-weight N]
                        [-e KEY[=VALUE]]... [--env-file FILE]... [-w DIR]
                        [-u USER[:GROUP]] [-v HOST:CONTAINER[:ro]]...
                        <image> <name> [--] [command [args...]]

Start a container named <name> from <image>: new UTS, PID, network, mount
and IPC namespaces, an overlay root over the image's layers, /proc, /sys and
a minimal /dev, hostname <name>.  The command runs as given, word for
word; put "--" before it when it has options of its own that conductor.sh
could take for its own (-h).  Without one, the image's CMD runs (default
/bin/bash); with an ENTRYPOINT, the command (or CMD) is appended to it,
unless the ENTRYPOINT is in shell form, which runs alone.  The image's ENV,
WORKDIR and USER apply (see 'conductor.sh build -h').  Options are only
read before <image>.
  -d, --detach     run in the background, output to the container's log
  -t, --tty        give the command a terminal of its own (/dev/pts/0 of the
                   container), relayed to yours, which is in raw mode
                   meanwhile and restored after; the output is logged.
                   With stdin a terminal, what you type goes to it (-t
                   alone acts as -it there); else only with -i.  With -d
                   (-dt): the terminal's output goes to the log, its size
                   is 24x80, and its input never ends (a shell stays up;
                   reach it with 'exec -it')
  -i, --interactive  with -t: relay stdin to the command's terminal even when
                   it is a file or pipe (its end is a Ctrl-D).  Without -t
                   nothing changes: a foreground command always has stdin.
                   With -dt it adds nothing (-dit is accepted)
  --rm             remove the container (as stop does) as soon as its
                   command ends, in the foreground or with -d
  --cpus N         at most N CPUs (e.g. 0.5)
  --memory SIZE    at most SIZE of memory (e.g. 256M; K, M, G suffixes)
  --pids N         at most N processes
  --device-read-bps DEV:RATE, --device-write-bps DEV:RATE  read (write) at
                   most RATE bytes a second from (to) the block device DEV,
                   a whole disk such as /dev/sda (not a partition: the
                   kernel throttles disks); RATE with k, m or g (e.g.
                   /dev/sda:1mb). Repeatable. Only I/O that reaches the disk
                   counts: writes the page cache absorbs are throttled when
                   they are flushed; dd oflag=direct shows the limit at once
  --device-read-iops DEV:N, --device-write-iops DEV:N  at most N reads
                   (writes) a second on DEV
  --blkio-weight N  the container's share of disk time, 10 to 1000 (BFQ's
                   weight); refused unless the disk of the state root uses
                   the bfq I/O scheduler (the only one that honours it)
  -e, --env KEY=VALUE  set KEY in the container's environment, over the
                   image's ENV (repeatable); -e KEY alone takes KEY's value
                   from your environment (not set there: not set inside)
  --env-file FILE  KEY=VALUE lines (taken as they are, no quotes removed),
                   KEY alone as for -e, "#" comment lines and blank lines;
                   -e options win over it
  -w, --workdir DIR  the command's working directory (absolute), instead
                   of the image's WORKDIR; made if missing
  -u, --user USER[:GROUP]  run as USER (a name or uid) instead of the
                   image's USER: names are looked up in the image's own
                   /etc/passwd and /etc/group; the user's groups there are
                   set and HOME is its home (a uid with no entry: gid 0,
                   HOME /); an unknown name fails the run (exit 125)
  -v, --volume HOST:CONTAINER[:ro]  bind the host file or directory HOST
                   (absolute; it must exist) at CONTAINER (absolute, not /,
                   /proc, /sys or /dev) in the container, repeatable. CONTAINER
                   is found inside the container's root (its symlinks lead
                   there, never to the host) and made if missing; ":ro" makes
                   the mount read-only inside. Both sides see each other's
                   changes; the mount goes with the container
The output is recorded for 'conductor.sh logs' unless stdin and stdout are
your terminal and there is no -t (the command then has the terminal itself).
In the foreground the exit code is the command's (128+N if killed by signal
N); 125 means conductor.sh itself failed, 126/127 that the command cannot
run / was not found.  An exited container stays (ps shows it) until
'conductor.sh stop <name>' removes it (unless --rm).
While the container exists, .containers/<name>/rootfs on the host is its
root: copy files in there, read what the container writes.
Hardening (dropped capabilities, no_new_privs, masked /proc files) is on
unless CONDUCTOR_HARDEN=0.
Rootless (run by an ordinary user, state in ~/.local/share/docker-lite): a
user namespace too, whose root is you and whose other users are your
subordinate ids (/etc/subuid, /etc/subgid); the root is mounted inside the
container only (cp still reaches a running one); addnetwork goes through
pasta (see 'conductor.sh addnetwork -h'); limits, stats and pause only
on cgroup v2 with systemd, in a scope your user manager delegates to you
(the controllers it delegates: Debian's are cpu, memory and pids); no peer.
HELP
}

help_ps() {
	cat <<'HELP'
Usage: conductor.sh ps

List containers: NAME, IMAGE, PID (of its init, on the host), STATUS
(running, paused or exited), IP and PORTS (after addnetwork: HOST:CONTAINER for TCP,
HOST:CONTAINER/udp for UDP), CREATED.
HELP
}

help_stop() {
	cat <<'HELP'
Usage: conductor.sh stop <name>      (or: conductor.sh rm <name>)

Stop a container and remove everything it made: SIGTERM to its init (which
passes it on to the command), SIGKILL of the whole container after
STOP_TIMEOUT seconds (default 5), then its cgroups, its network, its root
on the host (.containers/<name>/rootfs) and any other mount under its
directory, and its state.  Works on exited containers too.
Stopping a container that does not exist says so and succeeds (exit 0), so
stop can be repeated safely.
HELP
}

help_rm() {
	cat <<'HELP'
Usage: conductor.sh rm [-f|--force] <name>

The same as 'conductor.sh stop <name>' (Docker's habit): stop the container
if it runs, and remove everything it made.
  -f, --force      kill it at once: SIGKILL, no SIGTERM, no STOP_TIMEOUT
A paused container is unpaused first, by rm and stop alike: a frozen process
takes no signal (on cgroup v1 not even SIGKILL) until it is thawed.
HELP
}

# ---- removing a container -----------------------------------------------------

# Remove the container's cgroup if it outlived its monitor. bin/dl-run is
# the one party that removes a container's cgroup: its monitor when the
# container ends (stop waits for that, so usually nothing is left and no
# dl-run is started: every container has a leaf, each stop would pay it),
# and, when the monitor was killed, dl-run --remove-cgroup on stop's behalf.
# Only the leaf's name goes to it: where the leaf is (the root, docker-lite's
# group, one leaf per v1 hierarchy) is common/cgroup.c's to know, and so are
# the group, removed when empty, and on v2 the controllers docker-lite
# enabled at the root, disabled again with the last group (a plain rmdir
# would leave them on).
remove_cgroups() {
	local state=$1 line leaf=""
	while IFS= read -r line; do
		# every cgroup= line names the same leaf (v1: one per hierarchy);
		# any one still there means dl-run has something to remove
		[[ $line == cgroup=* && -d ${line#cgroup=} ]] || continue
		# rootless, the whole path: the leaf is below the user's delegated
		# cgroup, not the root's group (cgroup.h: cg_open_path)
		leaf=${line#cgroup=}
		((EUID)) || leaf=${leaf##*/}
		break
	done <"$state"
	# it waits a while for the container's last processes to leave, and says
	# why when they do not
	[[ -z $leaf ]] || "$HELPER_DIR/dl-run" --remove-cgroup "$leaf" || true
}

# End a container: SIGTERM to its init, which passes it on to the command;
# if that is not enough, SIGKILL to the init, and the kernel kills every
# process of its PID namespace with it. The PID is only signalled after its
# start time was checked: a PID reused by another process is left alone.
terminate_container() {
	local name=$1 pid=$2 start=$3
	init_alive "$pid" "$start" || return 0
	# BEGIN SOLUTION: SIGTERM to the init, wait up to STOP_TIMEOUT (wait_init_gone); still alive: log "... did not stop within ...: killing it" and SIGKILL it
	kill -TERM "$pid" 2>/dev/null || true
	wait_init_gone "$pid" "$start" "$STOP_TIMEOUT" && return 0
	log "$name did not stop within ${STOP_TIMEOUT}s of SIGTERM: killing it"
	if init_alive "$pid" "$start"; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# END SOLUTION
	wait_init_gone "$pid" "$start" 10 || die "container '$name' (PID $pid) did not die: see 'ps -p $pid'"
}

# ---- commands ---------------------------------------------------------------

cmd_run() {
	local why detach=0 remove=0 tty=0 interactive=0 cpus="" memory="" pids="" io=() workdir="" workdir_given=0 user_opt="" user_opt_given=0 env_file=() env_opt=() volumes=()
	# options only before the image: the command's own flags are its own
	while (($#)); do
		case $1 in
		-d | --detach) detach=1 ;;
		-t | --tty) tty=1 ;;
		-i | --interactive) interactive=1 ;;
		-[dit][dit] | -[dit][dit][dit]) run_flags "$1" ;;
		--rm) remove=1 ;;
		--cpus | --memory | --pids)
			(($# >= 2)) || die "option $1 needs a value: see 'conductor.sh run -h'"
			case $1 in
			--cpus) cpus=$2 ;;
			--memory) memory=$2 ;;
			--pids) pids=$2 ;;
			esac
			shift
			;;
		--device-read-bps | --device-write-bps | --device-read-iops | --device-write-iops | --blkio-weight)
			(($# >= 2)) || die "option $1 needs a value: see 'conductor.sh run -h'"
			io+=("$1" "$2")
			shift
			;;
		--device-read-bps=* | --device-write-bps=* | --device-read-iops=* | --device-write-iops=* | --blkio-weight=*)
			io+=("${1%%=*}" "${1#*=}")
			;;
		--cpus=*) cpus=${1#*=} ;;
		--memory=*) memory=${1#*=} ;;
		--pids=*) pids=${1#*=} ;;
		-e | --env | --env-file | -w | --workdir | -u | --user | -v | --volume)
			(($# >= 2)) || die "option $1 needs a value: see 'conductor.sh run -h'"
			case $1 in
			-e | --env) env_opt+=("$2") ;;
			--env-file) env_file+=("$2") ;;
			-u | --user) user_opt=$2 user_opt_given=1 ;;
			-v | --volume) volumes+=("$2") ;;
			*) workdir=$2 workdir_given=1 ;;
			esac
			shift
			;;
		--env=*) env_opt+=("${1#*=}") ;;
		--env-file=*) env_file+=("${1#*=}") ;;
		--workdir=*) workdir=${1#*=} workdir_given=1 ;;
		--volume=*) volumes+=("${1#*=}") ;;
		--user=*) user_opt=${1#*=} user_opt_given=1 ;;
		-?*) die "unknown option '$1' for run: see 'conductor.sh run -h'" ;;
		*) break ;;
		esac
		shift
	done
	(($# >= 2)) || die "usage: run [-d] [--rm] [-t] [-i] [--cpus N] [--memory SIZE] [--pids N] [--device-{read,write}-{bps,iops} DEV:VALUE] [--blkio-weight N] [-e KEY[=VALUE]] [--env-file FILE] [-w DIR] [-u USER[:GROUP]] [-v HOST:CONTAINER[:ro]] <image> <name> [-- cmd args...]"
	((detach == 0 || interactive == 0 || tty)) ||
		die "-i needs the foreground or -t: a detached container has no stdin to read (use -dt, or drop -d)"
	local image=$1 name=$2
	shift 2
	if [[ ${1:-} == -- ]]; then
		shift
	fi
	local cmd=("$@")
	validate_name image "$image"
	validate_name container "$name"
	# the limits' rules are dl-run's alone (cli.h, runlimits.h): asked once,
	# now, before anything is made (the weight looks at the disk the
	# container's root goes on); a run without limits asks nothing
	local limits=()
	[[ -z $cpus ]] || limits+=(--cpus "$cpus")
	[[ -z $memory ]] || limits+=(--memory "$memory")
	[[ -z $pids ]] || limits+=(--pids "$pids")
	limits+=("${io[@]}")
	if ((${#limits[@]})); then
		why=$("$HELPER_DIR/dl-run" --check-limits --rootfs "$CONTAINERDIR/$name/rootfs" "${limits[@]}") || die "$why"
	fi
	((workdir_given == 0)) || check_workdir "$workdir"
	((user_opt_given == 0)) || check_user "$user_opt"
	# -v's rules are dl-run's (volume.h): asked now, before anything is made
	local volume
	for volume in "${volumes[@]}"; do
		why=$("$HELPER_DIR/dl-run" --check-volume "$volume") || die "invalid -v '$(shown "$volume")': $why"
	done
	# --env-file first, -e after: an -e wins (Docker's order)
	local entry
	ENV_TAKEN=()
	for entry in "${env_file[@]}"; do
		env_file_take "$entry"
	done
	for entry in "${env_opt[@]}"; do
		env_take "$entry" "-e"
	done
	image_exists "$image" || die "no image named '$image': build it with 'conductor.sh build $image' (see 'conductor.sh images')"
	local harden=1
	[[ ${CONDUCTOR_HARDEN:-1} != 0 ]] || harden=0
	# Is the output recorded (see logs.sh)?  An interactive run on a
	# terminal keeps the terminal: bash's job control needs it.
	local log=file
	((detach || tty)) || [[ ! -t 0 || ! -t 1 ]] || log=terminal

	# Forks are the cost of this function (~1 ms each): no $(...) below,
	# results come back in variables (LOWERDIR, STATE). Nothing here takes
	# the lock: dl-run claims the name and writes the record under it
	# (--create; task3/src/statedir.h), and checks there that the image's
	# layers are still there.
	local dir=$CONTAINERDIR/$name lower cmdline record claim
	# the usual case said here; two runs racing for one name are told apart
	# by dl-run's mkdir under the lock
	[[ ! -e $dir ]] ||
		die "a container named '$name' already exists: choose another name, or remove it with 'conductor.sh stop $name'"
	ensure_state_dirs
	image_lowerdirs "$image"
	lower=$LOWERDIR
	# the image's configuration (image_lowerdirs left its record in STATE):
	# its ENV then -e; -w over its WORKDIR; -u over its USER; ENTRYPOINT and CMD
	# around the command given here
	local env=() user=${user_opt:-${STATE[user]:-}} envline
	words_of "${STATE[env]:-}"
	env=("${WORDS[@]}" "${ENV_TAKEN[@]}")
	[[ -n $workdir ]] || workdir=${STATE[workdir]:-}
	image_command "${cmd[@]}"
	cmd=("${COMMAND[@]}")
	quoted "${env[@]}"
	envline=$QUOTED
	# -v: dl-run parses and checks each (volume.h); kept as given for inspect
	local volumeline
	quoted "${volumes[@]}"
	volumeline=$QUOTED
	# upper/, work/ and rootfs/ are made by dl-run
	printf -v cmdline '%q ' "${cmd[@]}"
	# lower: the layers under the container's root, kept by rmcache while it
	# exists (a rebuilt image may no longer list them)
	# cpus, memory, pids: the limits as given (for inspect); io: the I/O
	# limit options as given (printf %q words)
	# env (printf %q words), workdir, user: what exec starts with
	# volumes: the -v options (printf %q words)
	local ioline
	quoted "${io[@]}"
	ioline=$QUOTED
	# claim: this run's own mark (its shell's PID and the time): what run
	# removes afterwards is the container it made, never one that took the
	# name after a stop meanwhile
	claim=$$:$EPOCHREALTIME
	printf -v record 'claim=%s\nimage=%s\ncreated=%s\ncmd=%s\nharden=%s\nlower=%s\nlog=%s\nstatus=created\ncpus=%s\nmemory=%s\npids=%s\nio=%s\nenv=%s\nworkdir=%s\nuser=%s\nvolumes=%s\n' \
		"$claim" "$image" "$EPOCHSECONDS" "${cmdline% }" "$harden" "$lower" "$log" "$cpus" "$memory" "$pids" \
		"$ioline" "$envline" "$workdir" "$user" "$volumeline"

	local args=(--hostname "$name" --lower "$lower" --upper "$dir/upper" --work "$dir/work"
		--rootfs "$dir/rootfs" --state "$dir" --lock "$LOCKFILE" --create "$record")
	# rootless, the root is mounted inside the container only (userns.h)
	((EUID)) || args+=(--live-root)
	# a cgroup leaf for every container, limits or not: pause freezes it.
	# Rootless, only with limits: below a cgroup delegated to the user, which
	# dl-run asks the user's systemd for (cgroup.h: cg_enter_delegated). Its name is
	# the container's tagged with the state root's (common/cgroup.h:
	# cg_leaf_name), so containers of one name under two state roots (two test
	# suites, a grader) never share a cgroup
	if ((EUID == 0 || ${#limits[@]})); then
		args+=(--cgroup "$name" --cgroup-scope "$CONDUCTOR_ROOT")
	fi
	args+=("${limits[@]}")
	((harden)) || args+=(--no-harden)
	for entry in "${env[@]}"; do
		args+=(--env "$entry")
	done
	[[ -z $workdir ]] || args+=(--workdir "$workdir")
	[[ -z $user ]] || args+=(--user "$user")
	for entry in "${volumes[@]}"; do
		args+=(--volume "$entry")
	done
	((detach == 0)) || args+=(--detach)
	((tty == 0)) || args+=(--tty)
	# -dit: Docker's habit; a detached pty never ends its input, so -i adds nothing
	((tty == 0 || interactive == 0 || detach)) || args+=(--interactive)
	[[ $log != file ]] || args+=(--log "$dir/log")
	# --rm: dl-run removes the container when it ends (both ways)
	((remove == 0)) || args+=(--rm)
	((remove == 0)) || run_rm_prepare "$name" "$detach"
	local rc=0 modes=""

	# -t on a terminal: dl-run puts its modes back on every exit it sees;
	# SIGKILLed, it sees none, so the modes are also saved here (one fork)
	((tty == 0)) || [[ ! -t 0 ]] || modes=$(stty -g 2>/dev/null) || modes=""
	# BEGIN SOLUTION: start the container: bin/dl-run with args, then -- and the command; keep its exit code in rc
	"$HELPER_DIR/dl-run" "${args[@]}" -- "${cmd[@]}" || rc=$?
	# END SOLUTION
	[[ -z $modes ]] || ((rc <= 128)) || stty "$modes" 2>/dev/null || true
	state_read "$dir/state"
	if ((detach && rc == 0)); then
		# started; with --rm it may be over and removed already
		log "container $name is running (PID ${STATE[pid]:-?}); output in $dir/log${RUN_RM_NOTE:-}"
		return 0
	fi
	# dl-run removed the directory itself when the container never ran
	# (it said why), and with --rm once it ended, unless something was
	# left to undo here: a network, or (rootless) files of other ids
	if ((remove && !detach)) && [[ -d $dir ]]; then
		remove_now "$name" "$claim"
	fi
	return "$rc"
}

# run_flags -dit: one word of run's one-letter flags d, i and t, as Docker
# users type them (-it, -dt, -dit); sets run's locals.
run_flags() {
	[[ $1 != *d* ]] || detach=1
	[[ $1 != *i* ]] || interactive=1
	[[ $1 != *t* ]] || tty=1
}

# ---- run --rm ---------------------------------------------------------------

# run --rm: the container is removed as `stop` removes it. With -d, the
# container ends while nobody waits for it here: the simplest correct
# remover is the one process that sees the end, dl-run's monitor. It
# records the exit code, then replaces itself with "conductor.sh stop
# --from-monitor NAME" (dl-run --on-exit), which removes the container as
# stop does. In the foreground, run removes it itself once dl-run returns.
run_rm_prepare() {
	local name=$1 detach=$2
	((detach)) || return 0
	args+=(--on-exit "$CONDUCTOR_DIR/conductor.sh" --on-exit stop --on-exit=--from-monitor --on-exit "$name")
	RUN_RM_NOTE=" (removed when it ends: --rm)"
}

# remove_now NAME CLAIM: a foreground run --rm is over: remove the
# container, if it is still the one this run made (its claim). There is no
# monitor to tell it is stopping (dl-run, the monitor, has returned).
remove_now() {
	lock_acquire "$LOCKFILE"
	state_read "$CONTAINERDIR/$1/state"
	if [[ ${STATE[claim]:-} == "$2" ]]; then
		remove_container "$1" 0 1
	fi
	lock_release
}

cmd_ps() {
	(($# == 0)) || die "usage: ps (it takes no arguments)"
	local state name status pid ip ports created rows=() w=(4 5 3 6 2 5)
	for state in "$CONTAINERDIR"/*/state; do
		[[ -f $state ]] || continue
		name=${state%/state}
		name=${name##*/}
		# container_status reads the whole state into STATE
		container_status "$name"
		status=$CONTAINER_STATUS pid=-
		[[ $status != running && $status != paused ]] || pid=${STATE[pid]}
		ip=${STATE[ip]:-}
		ports=${STATE[ports]:-}
		ports=${ports// /,}
		created=${STATE[created]:-}
		[[ -z $created ]] || created=$(format_time "$created")
		rows+=("$name" "${STATE[image]:-}" "$pid" "$status" "${ip:--}" "${ports:--}" "${created:--}")
	done
	if ((${#rows[@]} == 0)); then
		echo "No containers found"
		return 0
	fi
	# column widths: the longest entry of each column (the last one is free)
	local i
	for ((i = 0; i < ${#rows[@]}; i++)); do
		((i % 7 == 6 || ${#rows[i]} <= w[i % 7])) || w[i % 7]=${#rows[i]}
	done
	local fmt="%-${w[0]}s  %-${w[1]}s  %-${w[2]}s  %-${w[3]}s  %-${w[4]}s  %-${w[5]}s  %s\n"
	# shellcheck disable=SC2059 # the format is built from numbers only
	printf "$fmt" NAME IMAGE PID STATUS IP PORTS CREATED
	# shellcheck disable=SC2059
	printf "$fmt" "${rows[@]}"
}

# stop --from-monitor NAME: run --rm -d's remover (see run_rm_prepare).
# It removes the container only if this process is the container's own
# monitor (the state's parent, start time checked): a later container of
# the same name, started after a stop, is not its to remove.
cmd_stop() {
	local from_monitor=0
	if [[ ${1:-} == --from-monitor ]]; then
		from_monitor=1
		shift
	fi
	(($# == 1)) || die "usage: stop <name>"
	local name=$1
	validate_name container "$name"
	[[ $STOP_TIMEOUT =~ ^[0-9]{1,4}$ ]] || die "invalid STOP_TIMEOUT '$STOP_TIMEOUT': use a number of seconds"
	lock_acquire "$LOCKFILE"
	if ! container_exists "$name"; then
		# idempotent: the wanted end state (no such container) holds
		((from_monitor)) || log "no container named '$name': nothing to stop"
		return 0
	fi
	if ((from_monitor)) && ! monitor_is_me "$name"; then
		return 0
	fi
	remove_container "$name" "$from_monitor"
	lock_release
	((from_monitor)) || log "container $name stopped and removed"
}

# Docker's name for it; -f: SIGKILL at once, no SIGTERM and no grace
cmd_rm() {
	if [[ ${1:-} == -f || ${1:-} == --force ]]; then
		shift
		STOP_FORCE=1
	fi
	cmd_stop "$@"
}

# monitor_is_me NAME: this process is the monitor recorded in the state
# (dl-run --on-exit replaced itself with us: same PID, same start time).
monitor_is_me() {
	state_read "$CONTAINERDIR/$1/state"
	[[ ${STATE[parent]:-} == "$$" ]] && read_proc_stat "$$" &&
		[[ ${PROC_STAT[19]} == "${STATE[parentstart]:-}" ]]
}

# remove_container NAME FROM_MONITOR [ENDED]: end the container and remove
# everything it made (with the lock held). FROM_MONITOR=1: this process is
# its monitor, so there is no monitor to wait for. ENDED=1: its dl-run has
# returned (run --rm), so no monitor needs telling that it is stopping.
remove_container() {
	local name=$1 from_monitor=$2 ended=${3:-0} dir=$CONTAINERDIR/$1 state=$CONTAINERDIR/$1/state
	# read before "stopping" replaces the status: was it paused?
	state_read "$state"
	# its network (addnetwork, maybe from another shell while it ran)
	local net=${STATE[veth]:-}${STATE[netpid]:-}
	local pid=${STATE[pid]:-} start=${STATE[starttime]:-}
	local parent=${STATE[parent]:-} parentstart=${STATE[parentstart]:-}
	# tells dl-run (the monitor of a detached container) that the exit code
	# is not wanted: it ends as soon as the init has, without the lock we
	# hold (a monitor that has ended already needs no telling)
	if [[ -f $state ]] && ((!ended)) && init_alive "$parent" "$parentstart"; then
		state_set "$state" status stopping
	fi
	# a frozen process takes no signal, and on cgroup v1 not even SIGKILL
	# kills it until it is thawed: unpause first (pause records "paused"
	# before it freezes, so the record covers a pause that was killed)
	if [[ ${STATE[status]:-} == paused ]] && init_alive "$pid" "$start"; then
		container_freezer "$name" --thaw || warn "cannot unpause $name before stopping it: $FREEZER_ERROR"
	fi
	# rm -f: the kernel kills every process of the PID namespace with its init
	if ((${STOP_FORCE:-0})) && init_alive "$pid" "$start"; then
		kill -KILL "$pid" 2>/dev/null || true
		wait_init_gone "$pid" "$start" 10 || true
	fi
	terminate_container "$name" "$pid" "$start"
	# the monitor removes the cgroups it made, then ends: wait for it, so
	# nothing of the container outlives stop
	((from_monitor)) || wait_init_gone "$parent" "$parentstart" 5 ||
		warn "dl-run (PID $parent) of $name is still running"
	[[ ! -f $state ]] || remove_cgroups "$state"
	network_of "$name" "$net"
	# unmounts the container's root on the host before deleting anything
	remove_tree "$dir"
}

# network_of NAME NET: undo the container's network, if it has one (NET:
# its veth or pasta PID, as the state had them before stop began). Without
# either, network_cleanup has nothing to undo (see there), so network.sh
# (~900 lines) is only parsed for a container that has a network.
network_of() {
	[[ -n $2 ]] || return 0
	# shellcheck source=network.sh
	source "$CONDUCTOR_DIR/lib/network.sh"
	network_cleanup "$1"
}
