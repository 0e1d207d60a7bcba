# exec.sh - exec: run a command inside a running container.
# shellcheck shell=bash
#
# A lib of its own, apart from containers.sh: exec is the command that is
# run most often and is over soonest, and Bash parsing containers.sh (~0.5 ms)
# was a tenth of its time. What it needs from the state (container_exists,
# container_alive) is in state.sh; the work is bin/dl-exec's.

help_exec() {
	cat <<'HELP'
Usage: conductor.sh exec [-t|--tty] [-i|--interactive] <name> [--] [command [args...]]

Run a command (default /bin/bash) inside a running container: it joins all
five namespaces of the container, its root, working directory and cgroups,
and is hardened as the container is.
  -t, --tty        give the command a terminal of the container's own devpts
                   (/dev/pts/N), relayed to yours as for 'run -t'
  -i, --interactive  with -t: relay stdin even when it is not a terminal
The exit code is the command's (128+N if killed by signal N; 125/126/127 as
for run).
HELP
}

cmd_exec() {
	local tty=0 interactive=0
	while (($#)); do
		case $1 in
		-t | --tty) tty=1 ;;
		-i | --interactive) interactive=1 ;;
		-it | -ti) tty=1 interactive=1 ;;
		-?*) die "unknown option '$1' for exec: see 'conductor.sh exec -h'" ;;
		*) break ;;
		esac
		shift
	done
	(($# >= 1)) || die "usage: exec [-t] [-i] <name> [-- cmd args...]"
	local name=$1
	shift
	if [[ ${1:-} == -- ]]; then
		shift
	fi
	local cmd=("$@")
	((${#cmd[@]})) || cmd=(/bin/bash)
	validate_name container "$name"
	container_exists "$name" || die "no container named '$name': see 'conductor.sh ps'"
	# reads the state once, into STATE: no $(state_get ...) fork per key
	container_alive "$name" ||
		die "container '$name' is not running (its command has ended): remove it with 'conductor.sh stop $name'"
	local args=(--pid "${STATE[pid]}" --starttime "${STATE[starttime]}")
	# as hardened as the container itself
	[[ ${STATE[harden]:-} != 0 ]] || args+=(--no-harden)
	# -i alone changes nothing: the command has the caller's stdin anyway
	((tty == 0)) || args+=(--tty)
	((tty == 0 || interactive == 0)) || args+=(--interactive)
	# BEGIN SOLUTION: replace this shell with bin/dl-exec (args, --, the command), so its exit code is exec's
	exec "$HELPER_DIR/dl-exec" "${args[@]}" -- "${cmd[@]}"
	# END SOLUTION
}
