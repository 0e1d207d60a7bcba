#!/usr/bin/env bash
# cgroup-v2-tour.sh - a cgroup v2 session by hand, each command shown with
# what it printed: the files 2c's launcher writes for you (task 2's lesson).
# Needs root and a pure cgroup v2 machine (a stock Debian 12 or Ubuntu).
# It makes /sys/fs/cgroup/dl-tour and removes it again; a controller it had
# to enable at the root is disabled again at the end.
set -euo pipefail

DL_PROG=cgroup-v2-tour
# shellcheck source=../common/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/common.sh"

CG=/sys/fs/cgroup
TOUR=$CG/dl-tour

# Show a command as typed, then run it; an error is shown, not fatal.
step() {
	printf '$ %s\n' "$*"
	bash -c "$*" 2>&1 | sed "s/^bash: line [0-9]*: //" || true
}

root_has() {
	grep -qw "$1" "$CG/cgroup.subtree_control"
}

# also on an error or Ctrl-C: the machine as it was (rmdir fails quietly
# when the step already did it)
enabled=()
# shellcheck disable=SC2317 # called by the EXIT trap
restore() {
	local c
	rmdir "$TOUR/box" "$TOUR" 2>/dev/null || true
	for c in "${enabled[@]}"; do echo "-$c" >"$CG/cgroup.subtree_control" 2>/dev/null || true; done
}

main() {
	require_root
	[[ $(stat -fc %T "$CG") == cgroup2fs ]] ||
		die "$CG is not a cgroup v2 mount: this tour is for a pure v2 machine (the lesson shows its output)"
	[[ ! -e $TOUR ]] || die "$TOUR exists already: remove it first (rmdir $TOUR/box $TOUR)"
	trap restore EXIT
	step "stat -fc %T $CG"
	# systemd enables what its units need; cpu is often not among them
	step "cat $CG/cgroup.subtree_control"
	local c
	for c in cpu memory; do
		root_has "$c" && continue
		step "echo +$c > $CG/cgroup.subtree_control"
		enabled+=("$c")
	done
	step "mkdir $TOUR $TOUR/box"
	# a child gets only what its parent enables for its children
	step "cat $TOUR/box/cgroup.controllers"
	step "echo '+cpu +memory' > $TOUR/cgroup.subtree_control"
	step "cat $TOUR/box/cgroup.controllers"
	step "cat $TOUR/box/cpu.max"
	step "echo '50000 100000' > $TOUR/box/cpu.max"
	# the no-internal-process rule: a cgroup that enables controllers for
	# its children holds no process itself (cpu alone would allow it: a
	# threaded controller; memory does not)
	step "echo \$\$ > $TOUR/cgroup.procs"
	step "sh -c 'echo \$\$ > $TOUR/box/cgroup.procs; timeout 1 sh -c \"while :; do :; done\"'; grep -c '' $TOUR/box/cgroup.procs"
	# a second of busy loop at 50% of one CPU: the kernel throttled it
	step "awk '\$1 == \"nr_throttled\" { print (\$2 > 0 ? \"throttled\" : \"never throttled\") }' $TOUR/box/cpu.stat"
	step "rmdir $TOUR/box $TOUR"
	for c in "${enabled[@]}"; do
		step "echo -$c > $CG/cgroup.subtree_control"
	done
	enabled=()
}

main "$@"
