# pause.sh - pause, unpause: freeze and thaw every process of a container.
# shellcheck shell=bash
#
# The freezing is bin/dl-run's (--freeze, --thaw: task3/src/freeze.h), on
# the container's own cgroup leaf, which every container gets (run). The
# state records "status=paused" BEFORE the freeze and "status=running" only
# AFTER the thaw: whatever happens in between (this tool killed half-way),
# a container that may be frozen is recorded as paused, and stop, which
# thaws a paused container before it signals it, never finds one frozen
# that it did not know of.

help_pause() {
	cat <<'HELP'
Usage: conductor.sh pause <name>

Freeze every process of a running container, as they stand: they get no
CPU and cannot notice until 'conductor.sh unpause <name>'. A process that
exec starts later would be frozen too, so exec refuses a paused container.
ps and inspect show it as "paused"; stop and rm unpause it first, then
stop it as usual. Uses the container's cgroup: the freezer hierarchy on
cgroup v1, cgroup.freeze on v2.
HELP
}

help_unpause() {
	cat <<'HELP'
Usage: conductor.sh unpause <name>

Thaw every process of a container that 'conductor.sh pause' froze: they
carry on where they stood.
HELP
}

# pause_target NAME WANTED: the container exists and is WANTED (running or
# paused), else die saying what it is; leaves its state in STATE.
pause_target() {
	local name=$1 wanted=$2
	container_exists "$name" || die "no container named '$name': see 'conductor.sh ps'"
	container_status "$name"
	[[ $CONTAINER_STATUS != "$wanted" ]] || return 0
	case $CONTAINER_STATUS in
	paused) die "container '$name' is already paused: 'conductor.sh unpause $name' resumes it" ;;
	running) die "container '$name' is not paused: it is running" ;;
	*) die "container '$name' is not running (it is $CONTAINER_STATUS): only a running container can be paused or unpaused" ;;
	esac
}

cmd_pause() {
	(($# == 1)) || die "usage: pause <name>"
	local name=$1 state=$CONTAINERDIR/$1/state
	validate_name container "$name"
	lock_acquire "$LOCKFILE"
	pause_target "$name" running
	state_set "$state" status paused
	if ! container_freezer "$name" --freeze; then
		state_set "$state" status running
		die "cannot pause '$name': $FREEZER_ERROR"
	fi
	lock_release
	log "container $name paused"
}

cmd_unpause() {
	(($# == 1)) || die "usage: unpause <name>"
	local name=$1 state=$CONTAINERDIR/$1/state
	validate_name container "$name"
	lock_acquire "$LOCKFILE"
	pause_target "$name" paused
	container_freezer "$name" --thaw || die "cannot unpause '$name': $FREEZER_ERROR"
	state_set "$state" status running
	lock_release
	log "container $name unpaused"
}
