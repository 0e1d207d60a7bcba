#!/bin/bash
# conductor.sh - a small Docker-like container tool (task 3 of docker-lite).
# (#!/bin/bash, not "#!/usr/bin/env bash": env would be one more program
# started, ~0.7 ms, on every command; this tool is for Linux, where bash is
# /bin/bash.)
#
# Bash glue: it validates input, keeps state and calls the C helpers in bin/
# for everything that needs system calls. Each command lives in lib/:
#   images.sh      build, images, rmi, rmcache
#   containers.sh  run, ps, stop (rm)
#   layers.sh      an image's layers as an overlay's lowerdir (run, build, save)
#   wait.sh        bounded waits for a process to end (stop)
#   exec.sh        exec
#   pause.sh       pause, unpause
#   cp.sh          cp
#   inspect.sh     inspect
#   logs.sh        logs
#   network.sh     addnetwork, peer
#   imageconfig.sh an image's ENV, WORKDIR, USER, CMD, ENTRYPOINT; run/exec -e, -w
#   oci.sh         save, load (OCI image archives), export, import
set -euo pipefail

# The script's directory, made absolute without forking dirname and a
# subshell: every command pays for this line, and each fork costs ~1 ms.
CONDUCTOR_DIR=.
[[ ${BASH_SOURCE[0]} != */* ]] || CONDUCTOR_DIR=${BASH_SOURCE[0]%/*}
[[ $CONDUCTOR_DIR == /* ]] || CONDUCTOR_DIR=${PWD%/}/${CONDUCTOR_DIR#./}
CONDUCTOR_DIR=${CONDUCTOR_DIR%/.}
DL_PROG=conductor.sh
# shellcheck source=../common/common.sh
source "$CONDUCTOR_DIR/../common/common.sh"
# shellcheck source=config.sh
source "$CONDUCTOR_DIR/config.sh"
# shellcheck source=lib/state.sh
source "$CONDUCTOR_DIR/lib/state.sh"
# shellcheck disable=SC2034 # used by lib/*.sh: the C helpers dl-run and dl-exec
HELPER_DIR=$CONDUCTOR_DIR/bin

# The lib of a command: only it is sourced (parsing all of lib/, ~4,500
# lines, on every call would cost more than the rest of a quick command
# such as exec). A lib sources the libs it uses itself, at its top, each
# guarded so it is read once (e.g. layers.sh, by containers.sh and
# images.sh); network.sh is read by stop only for a container with a
# network, oci.sh by build only for FROM oci-archive:.
lib_of() {
	case $1 in
	build | images | rmi | rmcache) LIB="images" ;;
	run | ps | stop | rm) LIB="containers" ;;
	save | load | import | export) LIB="oci" ;;
	exec) LIB="exec" ;;
	pause | unpause) LIB="pause" ;;
	stats) LIB="stats" ;;
	cp) LIB="cp" ;;
	inspect) LIB="inspect" ;;
	logs) LIB="logs" ;;
	addnetwork | peer) LIB="network" ;;
	*) LIB="" ;;
	esac
}

# "help CMD" needs the lib of CMD, for its help_CMD function
case ${1:-} in
help | -h | --help) lib_of "${2:-}" ;;
*) lib_of "${1:-}" ;;
esac
if [[ -n $LIB ]]; then
	# shellcheck source=/dev/null
	source "$CONDUCTOR_DIR/lib/$LIB.sh"
fi
unset LIB

usage() {
	cat <<USAGE
Usage: $DL_PROG <command> [arguments]   (as root; as a user: rootless)

Images
  build <image> [Conductorfile]     build an image (FROM, RUN, COPY)
  images                            list images
  rmi <image>                       remove an image
  rmcache                           remove cached bases and layers no image uses
  save <image> -o FILE.tar          write an image as an OCI archive (skopeo, podman, crun)
  load -i FILE.tar [image]          make an image from an OCI archive
  import FILE.tar <image>           make an image of one layer from a tarball
Containers
  run [-d] [--rm] [-it] [--cpus N] [--memory SIZE] [--pids N] <image> <name> [-- cmd args...]
                                    start a container (default command /bin/bash);
                                    its root is .containers/<name>/rootfs on the host
  ps                                list containers
  stop <name>                       stop a container and remove all it made
  rm [-f] <name>                    the same as stop (-f: kill it at once)
  pause <name>                      freeze every process of a container
  unpause <name>                    thaw them again
  stats [--no-stream] [--format json] [name...]
                                    what running containers use (CPU, memory, pids, I/O)
  exec [-it] <name> [-- cmd args...]
                                    run a command inside a running container
  cp <src> <name>:<dest>            copy files into a container
  cp <name>:<src> <dest>            copy files out of a container
  inspect [-f KEY] <name>           a container's state as JSON (or one field)
  logs [-f] [-n N] <name>           what a container's command printed
  export <name> -o FILE.tar         a running container's files as a tarball
Network
  addnetwork <name> [-i|--internet] [-e|--expose HOST:CONTAINER[/udp]]...
                                    connect a container (host, internet, ports)
  peer <name1> <name2>              let two containers reach each other

'$DL_PROG help <command>' or '$DL_PROG <command> -h' shows one command's help.
State: \$CONDUCTOR_ROOT (now $CONDUCTOR_ROOT).
USAGE
}

# help_<command> functions live beside each command in lib/.
show_help() {
	local cmd=${1:-}
	if [[ -z $cmd ]]; then
		usage
	elif declare -F "help_$cmd" >/dev/null; then
		"help_$cmd"
	else
		die "unknown command '$cmd': see '$DL_PROG help'"
	fi
}

# An ordinary user gets rootless containers (run's user namespace, dl-run
# and userns.h), in their own state root (config.sh). What needs the host's
# root is refused before anything is made.
require_privileges() {
	((EUID)) || return 0
	case $1 in
	save | load | export | import)
		die "$1 needs root: an image's files belong to the users of its user namespace (run it with sudo, as root's images)"
		;;
	# each rootless container's network is its own pasta (addnetwork): no
	# link between two of them is the user's to make
	peer) die "peer needs root: rootless containers reach each other only through their exposed ports (run both with sudo to peer them)" ;;
	esac
}

main() {
	local cmd=${1:-}
	case $cmd in
	"" | -h | --help | help)
		shift || true
		show_help "$@"
		return 0
		;;
	esac
	shift
	if ! declare -F "cmd_$cmd" >/dev/null; then
		die "unknown command '$cmd': see '$DL_PROG help'"
	fi
	# -h anywhere before "--" asks for this command's help
	local arg
	for arg in "$@"; do
		[[ $arg == -- ]] && break
		if [[ $arg == -h || $arg == --help ]]; then
			show_help "$cmd"
			return 0
		fi
	done
	require_privileges "$cmd"
	"cmd_$cmd" "$@"
}

main "$@"
