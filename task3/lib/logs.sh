# logs.sh - logs: what a container's command printed.
# shellcheck shell=bash
#
# The log is .containers/<name>/log, stdout and stderr together in the
# order they were written.  Who writes it: the command itself for run -d
# (its stdout and stderr are the file, opened O_APPEND); dl-run for a
# foreground run whose output is not a terminal (it relays the output to
# where the caller pointed it and appends a copy, task3/src/relay.h), and
# for run -t (the pty relay keeps the same copy, terminal codes and all).  An
# interactive run on a terminal is not recorded (its command has the
# terminal itself): the state's log key says which (containers.sh).
#
# -f follows the file while its writer lives: the state's parent (dl-run,
# or the monitor of a detached container), checked with its start time, so
# a reused PID never keeps logs following.  The writer ends after the
# command's last byte is in the file, so a final read after it ended
# misses nothing.

# Seconds between two looks at a followed log.
LOGS_FOLLOW_PAUSE=0.2

help_logs() {
	cat <<'HELP'
Usage: conductor.sh logs [-f|--follow] [-n|--tail N] <name>

Print what the container's command printed, stdout and stderr together in
the order they were written (all of it on stdout).  Recorded for detached
containers (run -d), for run -t, and for foreground runs whose output is not
a terminal (a script, a pipe, a file: the output still goes there too).  A
foreground run with a terminal on stdin and stdout and no -t is not
recorded: its command has the terminal itself (logs says so).
  -f, --follow   keep printing new output until the container ends
                 (or Ctrl-C); returns at once for an ended container
  -n, --tail N   start with the last N lines (N a number, or all)
Works on running and exited containers, until 'conductor.sh stop' removes
them.
HELP
}

cmd_logs() {
	local follow=0 tail=all
	while (($#)); do
		case $1 in
		-f | --follow) follow=1 ;;
		-n | --tail)
			(($# >= 2)) || die "option $1 needs a value: see 'conductor.sh logs -h'"
			tail=$2
			shift
			;;
		--tail=*) tail=${1#*=} ;;
		-n?*) tail=${1#-n} ;;
		-?*) die "unknown option '$1' for logs: see 'conductor.sh logs -h'" ;;
		*) break ;;
		esac
		shift
	done
	(($# == 1)) || die "usage: logs [-f|--follow] [-n|--tail N] <name>"
	[[ $tail == all || $tail =~ ^[0-9]{1,9}$ ]] ||
		die "invalid --tail '$tail': use a number of lines, or all"
	local name=$1 log fd
	validate_name container "$name"
	container_exists "$name" || die "no container named '$name': see 'conductor.sh ps'"
	state_read "$CONTAINERDIR/$name/state"
	[[ ${STATE[log]:-} != terminal ]] ||
		die "the output of '$name' was not recorded: it ran in the foreground on a terminal, which its command had to itself (run -t or -d, or send the output to a pipe or file, to record it)"
	log=$CONTAINERDIR/$name/log
	# not there yet: the container is being set up, or printed nothing
	[[ -f $log ]] || return 0
	# one open file for the whole read: each reader below goes on where
	# the one before stopped, so nothing is printed twice or left out
	exec {fd}<"$log"
	if [[ $tail == all ]]; then
		cat <&"$fd"
	else
		tail -n "$tail" <&"$fd"
	fi
	((follow == 0)) || follow_log "$fd" "${STATE[parent]:-}" "${STATE[parentstart]:-}"
	exec {fd}<&-
}

# follow_log FD PID START: print what is added to FD while PID (with that
# start time) lives, then what it added last.
follow_log() {
	local fd=$1 pid=$2 start=$3
	while init_alive "$pid" "$start"; do
		sleep "$LOGS_FOLLOW_PAUSE"
		cat <&"$fd"
	done
	cat <&"$fd"
}
