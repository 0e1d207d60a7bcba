# state.sh - where conductor keeps its state, and how it reads and writes it.
# shellcheck shell=bash
#
#   $CONDUCTOR_ROOT/.lock                      flock serialising state changes
#   $CONDUCTOR_BASE_CACHE/<distro>-<suite>/    debootstrap output (read-only lower)
#   $CONDUCTOR_ROOT/.cache/layers/<key>/diff/  one overlay layer per RUN/COPY
#   $CONDUCTOR_ROOT/.images/<name>/image       key=value: base, layers, created
#   $CONDUCTOR_ROOT/.containers/<name>/state   key=value: image, pid, starttime, ...
#   $CONDUCTOR_ROOT/.containers/<name>/{upper,work,rootfs,log}
#
# State files are key=value lines, written whole to a temp file and renamed,
# so a reader (or a killed writer) never sees half a file. They are written
# by dl-run alone (state_set; run's record: dl-run --create), under the lock.

IMAGEDIR=$CONDUCTOR_ROOT/.images
CONTAINERDIR=$CONDUCTOR_ROOT/.containers
CACHEDIR=$CONDUCTOR_ROOT/.cache
BASEDIR=$CONDUCTOR_BASE_CACHE
LAYERDIR=$CACHEDIR/layers
# shellcheck disable=SC2034 # used by the commands in containers.sh, network.sh, images.sh
LOCKFILE=$CONDUCTOR_ROOT/.lock

# Made on first use; testing for them first saves starting mkdir on every
# later command.
ensure_state_dirs() {
	[[ -d $IMAGEDIR && -d $CONTAINERDIR && -d $LAYERDIR && -d $BASEDIR ]] ||
		mkdir -p "$IMAGEDIR" "$CONTAINERDIR" "$LAYERDIR" "$BASEDIR"
}

# state_get FILE KEY: print the value of KEY (empty if absent).
state_get() {
	local file=$1 key=$2 line
	[[ -f $file ]] || return 0
	while IFS= read -r line; do
		if [[ $line == "$key="* ]]; then
			printf '%s\n' "${line#*=}"
			return 0
		fi
	done <"$file"
}

# state_read FILE: every key of FILE into the associative array STATE
# (empty when the file is missing). A command that needs several keys reads
# the file once this way: each $(state_get ...) is a fork (~1 ms). As with
# state_get, the first line of a key wins.
declare -gA STATE=()
state_read() {
	local line key
	STATE=()
	[[ -f $1 ]] || return 0
	while IFS= read -r line; do
		[[ $line == ?*=* ]] || continue
		key=${line%%=*}
		[[ -v STATE[$key] ]] || STATE[$key]=${line#*=}
	done <"$1"
}

# state_set FILE KEY VALUE [KEY VALUE]...: set the KEYs of an existing
# state file, keeping its other keys, with the state lock held. The one
# writer of state files is dl-run (task3/src/keyfile.h: one temp file, one
# atomic rename), which also records a container's start and end under the
# same lock; this shell only reads them (state_read).
state_set() {
	local file=$1 pairs=()
	shift
	(($# % 2 == 0)) || die "internal error: state_set needs KEY VALUE pairs"
	while (($#)); do
		pairs+=("$1=$2")
		shift 2
	done
	# dl-run says why in one line
	"$HELPER_DIR/dl-run" --set-state "$file" "${pairs[@]}" || exit "$DL_EXIT_FAILURE"
}

# state_values_of_all KEY...: set ALL_VALUES[KEY] to the values of each KEY
# in every container's state, space-separated and with a space at both ends
# (" 0 3 "), so a value is found with a pattern:
# [[ ${ALL_VALUES[netindex]} == *" 3 "* ]]. A few states are read with the
# read builtin (no process at all); from STATE_GREP_FROM states on, one grep
# reads them all, as Bash's line-by-line reading then costs more than
# starting grep (~1.3 ms here: 1 state 0.08 ms in Bash, 50 states 3.2 ms in
# Bash and 2.3 ms with grep).
STATE_GREP_FROM=16
state_values_of_all() {
	local key line states=("$CONTAINERDIR"/*/state) patterns=()
	declare -gA ALL_VALUES=()
	for key; do
		ALL_VALUES[$key]=" "
		patterns+=(-e "^$key=")
	done
	[[ -f ${states[0]} ]] || return 0
	if ((${#states[@]} < STATE_GREP_FROM)); then
		for line in "${states[@]}"; do
			# a container stopped meanwhile has no state to read
			state_values_from <"$line" 2>/dev/null || true
		done
	else
		state_values_from < <(grep -h "${patterns[@]}" -- "${states[@]}" 2>/dev/null)
	fi
}

# The values of the keys of ALL_VALUES in key=value lines on stdin, added
# to ALL_VALUES (empty values are not values).
state_values_from() {
	local line key
	while IFS= read -r line; do
		key=${line%%=*}
		[[ -n ${ALL_VALUES[$key]+set} && $line == *=?* ]] || continue
		ALL_VALUES[$key]+="${line#*=} "
	done
}

image_dir() { printf '%s/%s\n' "$IMAGEDIR" "$1"; }
image_exists() { [[ -f $IMAGEDIR/$1/image ]]; }
container_exists() { [[ -d $CONTAINERDIR/$1 ]]; }

# Human-readable time of an epoch, as the tables show it (printf's %(...)T
# is strftime, as date's format, without running date).
format_time() { printf '%(%Y-%m-%d %H:%M:%S)T\n' "$1"; }

# read_proc_stat PID: the fields of /proc/PID/stat after comm into the
# array PROC_STAT (PROC_STAT[0] is the state, R, S, Z..., PROC_STAT[19] the
# start time in clock ticks since boot: field 22 of the file). Field 2
# (comm) may hold spaces and parentheses, so split after the last ')'.
# Read with the read builtin: $(cat ...) would fork. Fails when PID is gone.
read_proc_stat() {
	local stat=""
	{ read -r -d '' stat <"/proc/$1/stat"; } 2>/dev/null || true
	[[ -n $stat ]] || return 1
	read -r -a PROC_STAT <<<"${stat##*) }"
}

# init_alive PID STARTTIME: PID is that very process and has not ended: a
# PID reused by an unrelated process has another start time, and a zombie
# has ended (it only waits for its parent to collect its exit code).
# Processes are never found by grepping ps.
init_alive() {
	local pid=$1 start=$2
	[[ $pid =~ ^[1-9][0-9]*$ && -n $start ]] || return 1
	read_proc_stat "$pid" || return 1
	[[ ${PROC_STAT[0]} != [ZX] && ${PROC_STAT[19]} == "$start" ]]
}

# container_alive NAME: its init runs. Leaves the container's state in STATE.
container_alive() {
	state_read "$CONTAINERDIR/$1/state"
	init_alive "${STATE[pid]:-}" "${STATE[starttime]:-}"
}

# container_status NAME: set CONTAINER_STATUS to running, paused (running,
# its processes frozen by pause), exited (its init has ended) or created (it
# never started), as ps and inspect show it. Leaves the container's state
# in STATE.
# shellcheck disable=SC2034 # CONTAINER_STATUS is for the callers (ps, inspect)
container_status() {
	if container_alive "$1"; then
		CONTAINER_STATUS=running
		[[ ${STATE[status]:-} != paused ]] || CONTAINER_STATUS=paused
	elif [[ -n ${STATE[pid]:-} ]]; then
		CONTAINER_STATUS=exited
	else
		CONTAINER_STATUS=created
	fi
}

# container_freezer NAME --freeze|--thaw: pause or unpause every process
# of the container whose state is in STATE: bin/dl-run writes the freezer
# of its cgroup (task3/src/freeze.h owns the files and their values). On
# failure FREEZER_ERROR says why, in one line.
container_freezer() {
	local leaf=${STATE[cgroup]:-}
	if [[ -z $leaf ]] && ((EUID)); then
		FREEZER_ERROR="a rootless container has a cgroup of its own to freeze only when it has limits (run --cpus, --memory or --pids: a cgroup delegated to you); this one has none"
		return 1
	elif [[ -z $leaf ]]; then
		FREEZER_ERROR="container '$1' has no cgroup (none could be made when it started)"
		return 1
	fi
	# every cgroup= line names the same leaf, one per v1 hierarchy
	# rootless, the leaf's path below the user's delegated cgroup
	((EUID)) || leaf=${leaf##*/}
	FREEZER_ERROR=$("$HELPER_DIR/dl-run" "$2" "$leaf" 2>&1) && return 0
	FREEZER_ERROR=${FREEZER_ERROR#*dl-run: }
	return 1
}

# ---- removing state directories ---------------------------------------------

# mounts_under DIR: set MOUNTS to the mount points at or below DIR, the
# newest first. mountinfo escapes spaces and the like as \040 octal; printf
# %b decodes them (printf -v: no fork per line of mountinfo, which has
# hundreds of lines on a busy host). A container's live root is two mounts
# on one point (its overlay on a bind of the directory): it is listed twice,
# and each umount takes the topmost.
mounts_under() {
	local dir=$1 mp
	MOUNTS=()
	while read -r _ _ _ _ mp _; do
		printf -v mp '%b' "$mp"
		if [[ $mp == "$dir" || $mp == "$dir"/* ]]; then
			MOUNTS+=("$mp")
		fi
	done </proc/self/mountinfo
	# mountinfo lists mounts in the order they were made: the reverse
	# unmounts each before what it was mounted on (no sort, no fork)
	local i reversed=()
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		reversed+=("${MOUNTS[i]}")
	done
	MOUNTS=("${reversed[@]}")
}

# remove_tree DIR: delete a directory of the tool's (a container's, a layer
# or base being built), never through a mount: dl-run unmounts whatever is
# still mounted below it first, and if something stays, deletes nothing
# (the original's "rm -rf" through a bind of /dev emptied the host's;
# task3/src/statedir.h).
remove_tree() {
	local dir=$1
	# rootless: nothing of ours is mounted on the host, and files of the
	# container's other users (_apt, nobody) have ids from the user's
	# subordinate range: only root of a user namespace with the containers'
	# map may remove them
	if ((EUID)); then
		"$HELPER_DIR/dl-run" --unshare -- rm -rf --one-file-system -- "$dir"
	else
		"$HELPER_DIR/dl-run" --remove "$dir" || exit
	fi
}
