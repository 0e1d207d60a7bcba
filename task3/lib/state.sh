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
# so a reader (or a killed writer) never sees half a file.

IMAGEDIR=$CONDUCTOR_ROOT/.images
CONTAINERDIR=$CONDUCTOR_ROOT/.containers
CACHEDIR=$CONDUCTOR_ROOT/.cache
BASEDIR=$CONDUCTOR_BASE_CACHE
LAYERDIR=$CACHEDIR/layers
# shellcheck disable=SC2034 # used by the commands in containers.sh, network.sh, images.sh
LOCKFILE=$CONDUCTOR_ROOT/.lock

ensure_state_dirs() {
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

# state_set FILE KEY VALUE: set KEY, keeping the other keys; atomic rename.
state_set() {
	local file=$1 key=$2 value=$3 tmp line
	[[ $value != *$'\n'* ]] || die "internal error: newline in state value for $key"
	tmp=$(mktemp "$file.XXXXXX")
	if [[ -f $file ]]; then
		while IFS= read -r line; do
			[[ $line == "$key="* ]] || printf '%s\n' "$line"
		done <"$file" >"$tmp"
	fi
	printf '%s=%s\n' "$key" "$value" >>"$tmp"
	mv -f "$tmp" "$file"
}

image_dir() { printf '%s/%s\n' "$IMAGEDIR" "$1"; }
container_dir() { printf '%s/%s\n' "$CONTAINERDIR" "$1"; }
image_exists() { [[ -f $IMAGEDIR/$1/image ]]; }
container_exists() { [[ -d $CONTAINERDIR/$1 ]]; }

# Human-readable time of an epoch, as the tables show it.
format_time() { date -d "@$1" '+%Y-%m-%d %H:%M:%S'; }

# proc_starttime PID: field 22 of /proc/PID/stat (start time in clock
# ticks since boot). With the PID it identifies a process for good: a PID
# reused by an unrelated process has another start time. Field 2 (comm) may
# hold spaces and parentheses, so parse after the last ')'.
proc_starttime() {
	local stat rest fields
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	# after comm: state(3) ppid(4) ... starttime is the 20th field of rest
	read -r -a fields <<<"$rest"
	printf '%s\n' "${fields[19]}"
}

# container_is_running NAME: its recorded init PID is alive and is still
# the same process (start time matches). Never found by grepping ps.
container_is_running() {
	local state=$CONTAINERDIR/$1/state pid start now
	pid=$(state_get "$state" pid)
	start=$(state_get "$state" starttime)
	[[ -n $pid && -n $start ]] || return 1
	now=$(proc_starttime "$pid") || return 1
	[[ $now == "$start" ]]
}
