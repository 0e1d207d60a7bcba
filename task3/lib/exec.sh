# exec.sh - exec: run a command inside a running container.
# shellcheck shell=bash
#
# A lib of its own, apart from containers.sh: exec is the command that is
# run most often and is over soonest, and Bash parsing containers.sh (~0.5 ms)
# was a tenth of its time. What it needs from the state (container_exists,
# container_alive) is in state.sh; the work is bin/dl-exec's.

# what it uses of other libs: -e, -w and -u, and the state's env (imageconfig.sh)
# shellcheck source=imageconfig.sh
source "$CONDUCTOR_DIR/lib/imageconfig.sh"

help_exec() {
	cat <<'HELP'
Usage: conductor.sh exec [-t|--tty] [-i|--interactive] [-e KEY[=VALUE]]...
                         [-w DIR] [-u USER[:GROUP]] <name> [--] [command [args...]]

Run a command (default /bin/bash) inside a running container: it joins all
five namespaces of the container, its root and cgroups, and is hardened as
the container is.  It starts in the container's environment (the image's
ENV and run's -e), working directory (the image's WORKDIR or run's -w) and
user (the image's USER or run's -u).
  -t, --tty        give the command a terminal of the container's own devpts
                   (/dev/pts/N), relayed to yours as for 'run -t'
  -i, --interactive  with -t: relay stdin even when it is not a terminal
  -e, --env KEY=VALUE  set KEY for this command, over the container's
                   environment (repeatable); -e KEY alone takes KEY's value
                   from your environment (not set there: not set inside)
  -w, --workdir DIR  the command's working directory (absolute)
  -u, --user USER[:GROUP]  run as USER instead (as for 'run -u')
The exit code is the command's (128+N if killed by signal N; 125/126/127 as
for run).
HELP
}

cmd_exec() {
	local tty=0 interactive=0 workdir="" workdir_given=0 user="" user_given=0 env_opt=()
	while (($#)); do
		case $1 in
		-t | --tty) tty=1 ;;
		-i | --interactive) interactive=1 ;;
		-it | -ti) tty=1 interactive=1 ;;
		-e | --env | -w | --workdir | -u | --user)
			(($# >= 2)) || die "option $1 needs a value: see 'conductor.sh exec -h'"
			case $1 in
			-e | --env) env_opt+=("$2") ;;
			-u | --user) user=$2 user_given=1 ;;
			*) workdir=$2 workdir_given=1 ;;
			esac
			shift
			;;
		--env=*) env_opt+=("${1#*=}") ;;
		--workdir=*) workdir=${1#*=} workdir_given=1 ;;
		--user=*) user=${1#*=} user_given=1 ;;
		-?*) die "unknown option '$1' for exec: see 'conductor.sh exec -h'" ;;
		*) break ;;
		esac
		shift
	done
	(($# >= 1)) || die "usage: exec [-t] [-i] [-e KEY[=VALUE]] [-w DIR] [-u USER[:GROUP]] <name> [-- cmd args...]"
	local name=$1
	shift
	if [[ ${1:-} == -- ]]; then
		shift
	fi
	local cmd=("$@")
	((${#cmd[@]})) || cmd=(/bin/bash)
	validate_name container "$name"
	((workdir_given == 0)) || check_workdir "$workdir"
	((user_given == 0)) || check_user "$user"
	local entry
	ENV_TAKEN=()
	for entry in "${env_opt[@]}"; do
		env_take "$entry" "-e"
	done
	container_exists "$name" || die "no container named '$name': see 'conductor.sh ps'"
	# reads the state once, into STATE: no $(state_get ...) fork per key
	container_alive "$name" ||
		die "container '$name' is not running (its command has ended): remove it with 'conductor.sh stop $name'"
	# its processes are frozen, and a process exec'd there would be too
	[[ ${STATE[status]:-} != paused ]] ||
		die "container '$name' is paused: unpause it first with 'conductor.sh unpause $name'"
	local args=(--pid "${STATE[pid]}" --starttime "${STATE[starttime]}")
	# as hardened as the container itself
	[[ ${STATE[harden]:-} != 0 ]] || args+=(--no-harden)
	# -i alone changes nothing: the command has the caller's stdin anyway
	((tty == 0)) || args+=(--tty)
	((tty == 0 || interactive == 0)) || args+=(--interactive)
	# the container's environment (its image's ENV, run's -e), then exec's
	# -e; its working directory unless -w; its user (docker exec's rules)
	words_of "${STATE[env]:-}"
	for entry in "${WORDS[@]}" "${ENV_TAKEN[@]}"; do
		args+=(--env "$entry")
	done
	[[ -n $workdir ]] || workdir=${STATE[workdir]:-}
	[[ -z $workdir ]] || args+=(--workdir "$workdir")
	[[ -n $user ]] || user=${STATE[user]:-}
	[[ -z $user ]] || args+=(--user "$user")
	# BEGIN SOLUTION: replace this shell with bin/dl-exec (args, --, the command), so its exit code is exec's
	exec "$HELPER_DIR/dl-exec" "${args[@]}" -- "${cmd[@]}"
	# END SOLUTION
}
