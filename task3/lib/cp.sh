# cp.sh - cp: copy files and directories into or out of a container.
# shellcheck shell=bash
#
# The copying is bin/dl-cp's: a path inside a container is resolved by the
# kernel inside the container's root (openat2 RESOLVE_IN_ROOT), never as a
# host path, so a symlink in the container ("/etc -> /", "../../..") cannot
# make cp read or write a host file (docker cp's CVE-2018-15664 and
# CVE-2019-14271). This file only picks which root that is.

help_cp() {
	cat <<'HELP'
Usage: conductor.sh cp <src> <name>:<dest>     copy from the host into a container
       conductor.sh cp <name>:<src> <dest>     copy from a container to the host

Copy files and directories (recursively, modes and times kept, symlinks
copied as symlinks) as docker cp does:
  - <dest> an existing directory: <src> goes into it under its own name
    (<src> ending in "/." : only what is in it);
  - <dest> missing: <src> is copied under that name; its directory must exist;
  - <dest> an existing file: replaced (a directory never replaces a file).
Paths in the container are resolved inside its root: "/" and ".." stop at
the root, a symlink leading out of it leads back into it, and its /proc,
/sys and /dev (mounts, not its own files) are not copied. Files copied in
belong to root; set-user-ID and set-group-ID bits are dropped on the way
out. Devices, FIFOs and sockets are skipped. A host path holding ':' must
start with '/' or './'. Works on a running container, and on an exited
one while its root is mounted on the host.
HELP
}

# cp_ref ARG: is ARG <name>:<path>? Sets CP_NAME and CP_PATH. As with docker
# cp, a path starting with / or . is always the host's.
cp_ref() {
	[[ $1 != /* && $1 != .* && $1 == *:* ]] || return 1
	CP_NAME=${1%%:*} CP_PATH=${1#*:}
}

# cp_root_args NAME: set CP_ROOT to dl-cp's arguments naming the container's
# root: its root mounted on the host at rootfs/ (running or exited), else
# the root of its running init (PID checked with its start time).
cp_root_args() {
	local name=$1 rootfs=$CONTAINERDIR/$1/rootfs
	if mountpoint -q -- "$rootfs"; then
		CP_ROOT=(--root "$rootfs")
	elif container_alive "$name"; then
		CP_ROOT=(--pid "${STATE[pid]}" --starttime "${STATE[starttime]}")
	else
		die "container '$name' has exited and its root is not mounted: nothing to copy from or to (remove it with 'conductor.sh stop $name')"
	fi
}

cmd_cp() {
	if [[ ${1:-} == -?* ]]; then
		die "unknown option '$(shown "$1")' for cp (a host path starting with '-': write ./$(shown "$1"))"
	fi
	(($# == 2)) || die "usage: cp <src> <name>:<dest>  or  cp <name>:<src> <dest>"
	local src=$1 dst=$2 direction name path
	[[ $src != - && $dst != - ]] || die "cp does not stream tar archives ('-'): give a path"
	if cp_ref "$src"; then
		! cp_ref "$dst" || die "copying between two containers is not supported: copy to the host first"
		direction=--out name=$CP_NAME path=$CP_PATH src=$path
	elif cp_ref "$dst"; then
		direction=--in name=$CP_NAME path=$CP_PATH dst=$path
	else
		die "one of the paths must be <name>:<path> (a host path with ':' starts with / or ./)"
	fi
	validate_name container "$name"
	[[ -n $path ]] || die "no path after '$name:': use $name:/ for the container's root"
	container_exists "$name" || die "no container named '$name': see 'conductor.sh ps'"
	cp_root_args "$name"
	# named as this tool: its messages are conductor.sh's
	exec -a "$DL_PROG" "$HELPER_DIR/dl-cp" "${CP_ROOT[@]}" --name "$name" "$direction" -- "$src" "$dst"
}
