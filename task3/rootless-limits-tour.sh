#!/usr/bin/env bash
# rootless-limits-tour.sh - limits on a rootless container, as an ordinary
# user sees them on a machine with cgroup v2 and systemd (task 3's lesson,
# "Rootless containers": a stock Debian or Ubuntu; make test-vm checks it).
# Needs root only to make that user, "learner" (scripts/rootless-user, as
# rootless-tour.sh does; removed at the end), to give them the Debian base
# under their map, and to start their systemd manager as a login would
# (loginctl enable-linger). Every command shown runs as learner.
set -euo pipefail

DL_PROG=rootless-limits-tour
# shellcheck source=../common/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/common.sh"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LEARNER=learner

# as learner, in their home, with a login's plain environment (with the
# runtime directory a login sets, where their systemd manager listens) and
# their copy of the tool
as_learner() {
	local home
	home=$(getent passwd "$LEARNER" | cut -d: -f6)
	setpriv --reuid "$LEARNER" --regid "$LEARNER" --init-groups \
		env -C "$home" -i HOME="$home" USER="$LEARNER" LOGNAME="$LEARNER" STOP_TIMEOUT=2 \
		XDG_RUNTIME_DIR="/run/user/$(id -u "$LEARNER")" \
		PATH="$home/docker-lite/task3:/usr/sbin:/usr/bin:/bin" "$@"
}

# Show a command as learner types it, then run it; an error is shown, not
# fatal.
step() {
	printf 'learner$ %s\n' "$*"
	as_learner bash -c "$*" 2>&1 || true
}

manager_listens() { [[ -S /run/user/$(id -u "$LEARNER")/systemd/private ]]; }

# also on an error or Ctrl-C: learner's container stopped, their manager
# ended, learner removed
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	as_learner conductor.sh stop lim >/dev/null 2>&1 || true
	if id "$LEARNER" >/dev/null 2>&1; then
		loginctl disable-linger "$LEARNER" 2>/dev/null || true
		systemctl stop "user@$(id -u "$LEARNER").service" 2>/dev/null || true
	fi
	"$REPO/scripts/rootless-user" del "$LEARNER"
}

# shellcheck disable=SC2016 # the steps expand in learner's shell
main() {
	require_root
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs && -d /run/systemd/system ]] ||
		die "this tour needs cgroup v2 and systemd (a stock Debian or Ubuntu): here rootless limits are refused"
	local base=${CONDUCTOR_BASE_CACHE:-$REPO/task3/.cache/base}/debian-bookworm home
	[[ -d $base ]] || die "no Debian base in $base: build one first (task3/conductor.sh build demo)"
	make -s -C "$REPO/task3" >/dev/null
	"$REPO/scripts/rootless-user" del "$LEARNER"
	trap cleanup EXIT
	"$REPO/scripts/rootless-user" add "$LEARNER"
	home=$(getent passwd "$LEARNER" | cut -d: -f6)
	"$REPO/scripts/rootless-user" base "$LEARNER" "$base" "$home/.local/share/docker-lite/.cache/base/debian-bookworm"
	as_learner bash -c 'mkdir -p ~/.local/share/docker-lite/.images/demo &&
		echo base=debian-bookworm >~/.local/share/docker-lite/.images/demo/image'
	loginctl enable-linger "$LEARNER"
	wait_until 300 manager_listens || die "learner's systemd manager did not start"
	step 'conductor.sh run -d --cpus 0.5 --memory 64M --pids 20 demo lim -- sleep 600'
	step 'cat /proc/$(conductor.sh inspect -f pid lim)/cgroup'
	step 'cd /sys/fs/cgroup$(cut -d: -f3 /proc/$(conductor.sh inspect -f pid lim)/cgroup); stat -c "%U %n" . memory.max; cat cpu.max memory.max pids.max ../../cgroup.controllers; wc -l <../../cgroup.procs; wc -l <../../supervisor/cgroup.procs'
	step 'conductor.sh stats --no-stream --format json lim | jq -c "{memory_limit, pids, pids_limit}"'
	step 'conductor.sh pause lim; conductor.sh inspect -f status lim; conductor.sh unpause lim'
	step 'conductor.sh stop lim'
}

main "$@"
