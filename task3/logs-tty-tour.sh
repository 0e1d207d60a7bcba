#!/usr/bin/env bash
# logs-tty-tour.sh - logs and run -t in a session, each command shown with
# what it printed (task 3's lesson, "Working with a running container").
# Needs root and the Debian base (CONDUCTOR_BASE_CACHE); it uses a
# throw-away state root with an image "demo" made from the base, and
# removes both at the end.
set -euo pipefail

DL_PROG=logs-tty-tour
# shellcheck source=../common/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/common.sh"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Show a command as typed, then run it; an error is shown, not fatal.
step() {
	printf '# %s\n' "$*"
	bash -c "$*" 2>&1 || true
}

# also on an error or Ctrl-C: every container stopped, the root removed
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local name
	for name in job svc t1 box; do
		"$REPO/task3/conductor.sh" stop "$name" >/dev/null 2>&1 || true
	done
	rm -rf "$CONDUCTOR_ROOT"
}

main() {
	require_root
	local base=${CONDUCTOR_BASE_CACHE:-$REPO/task3/.cache/base}/debian-bookworm
	[[ -d $base ]] || die "no Debian base in $base: build one first (task3/conductor.sh build demo)"
	CONDUCTOR_ROOT=$(mktemp -d /tmp/dl-tour.XXXXXX)
	export CONDUCTOR_ROOT
	trap cleanup EXIT
	mkdir -p "$CONDUCTOR_ROOT/.images/demo"
	echo base=debian-bookworm >"$CONDUCTOR_ROOT/.images/demo/image"
	cd "$REPO"
	# a script's run: stdout to a file, stderr to us; both in the log
	step "task3/conductor.sh run demo job -- sh -c 'echo step 1; echo step 2 failed: no such file >&2; exit 2' >/dev/null; echo exit code \$?"
	step task3/conductor.sh logs job
	step task3/conductor.sh logs -n 1 job
	# a service: -f follows it until it ends
	task3/conductor.sh run -d demo svc -- sh -c 'echo listening on :8080; sleep 1; echo GET /count: 502 counter unreachable >&2; sleep 1; echo shutting down' 2>/dev/null
	step task3/conductor.sh logs -f svc
	# -t: a terminal of the container's own (CR LF turned back into LF)
	step "task3/conductor.sh run -t demo t1 -- sh -c 'tty; ps -e -o pid,tty,comm' | tr -d '\\r'"
	# an interactive run on a terminal (script gives it one) keeps it
	script -qec 'task3/conductor.sh run demo box -- true' /dev/null </dev/null
	step task3/conductor.sh logs box
}

main "$@"
