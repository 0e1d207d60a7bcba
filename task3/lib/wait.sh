# wait.sh - bounded waits for a process to end: used by stop (containers.sh:
# the container's init and its monitor) and by network.sh (a rootless
# container's pasta).
# shellcheck shell=bash
#
# A wait polls: check, pause, check again, until a deadline. The pause grows
# from 1 ms to 50 ms: a container usually ends a few ms after its signal, so
# the original's fixed 100 ms pause made nearly every stop wait ~100 ms for
# nothing, while a long wait (a command that ignores SIGTERM) still costs
# only a few sleeps a second. Times are $EPOCHREALTIME in microseconds
# (its decimal point removed, whatever the locale), so no process is run
# to read the clock.

# Sourced once however many libs use it (see conductor.sh).
[[ -z ${DL_LIB_WAIT:-} ]] || return 0
DL_LIB_WAIT=1

# wait_start SECONDS: begin a wait of at most SECONDS.
wait_start() {
	WAIT_UNTIL=$((${EPOCHREALTIME//[!0-9]/} + $1 * 1000000))
	WAIT_PAUSE_MS=1
}

# wait_pause: pause before the next check; fails once the time is up.
wait_pause() {
	local secs
	((${EPOCHREALTIME//[!0-9]/} < WAIT_UNTIL)) || return 1
	printf -v secs '0.%03d' "$WAIT_PAUSE_MS"
	sleep "$secs"
	WAIT_PAUSE_MS=$((WAIT_PAUSE_MS >= 25 ? 50 : WAIT_PAUSE_MS * 2))
}

# wait_init_gone PID STARTTIME SECONDS: wait up to SECONDS for the process
# (PID with that start time: state.sh's init_alive) to end; fails if it
# has not. Gone already: no process is started; else dl-run waits on a
# pidfd, which the kernel marks when the process exits (no polling).
wait_init_gone() {
	init_alive "$1" "$2" || return 0
	"$HELPER_DIR/dl-run" --wait-gone "$3" "$1" "$2"
}
