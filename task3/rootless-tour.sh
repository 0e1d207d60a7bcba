#!/usr/bin/env bash
# rootless-tour.sh - rootless containers as an ordinary user sees them, each
# command shown with what it printed (task 3's lesson, "Rootless
# containers"). Needs root only to make that user: "learner" (made with
# scripts/rootless-user, a subordinate range and their own copy of the tool,
# and removed at the end) and the Debian base (CONDUCTOR_BASE_CACHE), which
# learner gets under their own map instead of making it with mmdebstrap.
# Every command shown runs as learner.
set -euo pipefail

DL_PROG=rootless-tour
# shellcheck source=../common/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/common.sh"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LEARNER=learner

# as learner, with a login's plain environment and their copy of the tool
as_learner() {
	local home
	home=$(getent passwd "$LEARNER" | cut -d: -f6)
	(cd "$home" && setpriv --reuid "$LEARNER" --regid "$LEARNER" --init-groups \
		env -i HOME="$home" USER="$LEARNER" LOGNAME="$LEARNER" STOP_TIMEOUT=2 \
		PATH="$home/docker-lite/task3:/usr/bin:/bin" "$@")
}

# Show a command as learner types it, then run it; an error is shown, not
# fatal.
step() {
	printf 'learner$ %s\n' "$*"
	as_learner bash -c "$*" 2>&1 || true
}

# also on an error or Ctrl-C: learner's containers stopped, learner removed
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	as_learner conductor.sh stop web >/dev/null 2>&1 || true
	"$REPO/scripts/rootless-user" del "$LEARNER"
}

# shellcheck disable=SC2016 # the steps expand in learner's shell
main() {
	require_root
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
	step 'id -un; grep "^$USER:" /etc/subuid'
	step 'conductor.sh run --rm demo box -- id'
	step 'conductor.sh run -d demo web -- sleep 600'
	step 'cat /proc/$(conductor.sh inspect -f pid web)/uid_map'
	step 'ps -o user,comm -p $(conductor.sh inspect -f pid web)'
	step 'conductor.sh exec web -- sh -c "cat /proc/self/uid_map; stat -c \"%U %G %n\" /etc/shadow"'
	step 'stat -c "%u %g %n" ~/.local/share/docker-lite/.cache/base/debian-bookworm/etc/shadow'
	step 'conductor.sh run --rm -v /etc:/hostetc demo box -- cat /hostetc/shadow'
	step 'conductor.sh run --rm --memory 64M demo box -- true'
	step 'conductor.sh addnetwork web --internet'
	step 'conductor.sh stop web'
}

main "$@"
