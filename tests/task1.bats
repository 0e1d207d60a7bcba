#!/usr/bin/env bats
# bats file_tags=task1
# Task 1: namespace_prog makes child 1 with clone(CLONE_NEWPID|CLONE_NEWUTS)
# and puts child 2 into the same namespaces through a pidfd.

load helpers/common

PROG=$DL_REPO/task1/namespace_prog
SEP=----------------------------------------

setup_file() {
	make -s -C "$DL_REPO/task1" >&2
}

setup() {
	require_root
}

# The exact text, given the parent's PID and hostname.
expected_output() {
	local pid=$1 host=$2
	printf '%s\n' "$SEP" \
		"Parent Process PID: $pid" "Parent Hostname: $host" "$SEP" \
		"Child1 Process PID: 1" "Child1 Hostname: Child1Hostname" "$SEP" \
		"Parent Process PID: $pid" "Parent Hostname: $host" "$SEP" \
		"Child2 Process PID: 2" "Child2 Hostname: Child1Hostname" "$SEP" \
		"Parent Process PID: $pid" "Parent Hostname: $host" "$SEP"
}

# The parent's PID as it printed it (first block).
printed_parent_pid() {
	sed -n 's/^Parent Process PID: //p' <<<"$1" | sed -n 1p
}

@test "task1: output is exactly the assignment's blocks when stdout is a pipe" {
	run bash -c "'$PROG' | cat"
	assert_success
	local pid
	pid=$(printed_parent_pid "$output")
	assert_lines_equal "$(expected_output "$pid" "$(hostname)")" "$output"
}

@test "task1: output is the same when stdout is a file" {
	local out=$BATS_TEST_TMPDIR/out
	"$PROG" >"$out"
	local pid
	pid=$(printed_parent_pid "$(cat "$out")")
	assert_lines_equal "$(expected_output "$pid" "$(hostname)")" "$(cat "$out")"
}

@test "task1: output is the same on a terminal (pty)" {
	command -v script >/dev/null || skip "script(1) from bsdutils is not installed"
	run script -qec "$PROG" /dev/null
	assert_success
	local text pid
	text=$(tr -d '\r' <<<"$output")
	pid=$(printed_parent_pid "$text")
	assert_lines_equal "$(expected_output "$pid" "$(hostname)")" "$text"
}

@test "task1: the parent PID printed is the real PID of the process" {
	# exec keeps the PID of the bash -c, which echoes it first
	run bash -c "echo \$\$; exec '$PROG'"
	assert_success
	local real=${lines[0]}
	assert_equal "$(grep -c "^Parent Process PID: $real\$" <<<"$output")" 3
}

@test "task1: the host's hostname is unchanged" {
	local before
	before=$(hostname)
	run "$PROG"
	assert_success
	assert_equal "$(hostname)" "$before"
	assert_equal "$(grep -c "^Parent Hostname: $before\$" <<<"$output")" 3
}

@test "task1: no process is left behind" {
	# every process the program made has the program's PID as an ancestor;
	# after it exits, nothing may still run with its session's command name
	run bash -c "'$PROG' >/dev/null; pgrep -x namespace_prog || true"
	assert_success
	assert_output ""
}

@test "task1: not root gives a clear error and exit status" {
	command -v setpriv >/dev/null || skip "setpriv(1) from util-linux is not installed"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$PROG"
	assert_failure
	assert_output --partial "must be run as root"
}
