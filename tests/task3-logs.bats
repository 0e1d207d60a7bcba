# bats file_tags=task3
# Task 3 logs: what a container's command printed, recorded for detached
# containers (the command writes the log itself) and for foreground runs
# whose output is not a terminal (dl-run relays it to the caller and keeps
# a copy, task3/src/relay.c); an interactive run on a terminal is not
# recorded and logs says so.

# shellcheck disable=SC2154 # stderr, stderr_lines: set by run --separate-stderr
load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up lgimg
}

teardown_file() {
	task3_suite_down
}

# Each test stops every container it started, even when it failed.
teardown() {
	stop_containers
}

log_of() { cat "$CONDUCTOR_ROOT/.containers/$1/log"; }
log_has() { grep -qx -- "$2" "$CONDUCTOR_ROOT/.containers/$1/log" 2>/dev/null; }

# A command whose two streams alternate, ending with exit code 3.
INTERLEAVED='echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 3'

@test "logs: a detached container's stdout and stderr, in the order written" {
	"$C" run -d lgimg lgd -- sh -c "$INTERLEAVED"'; sleep infinity' 2>/dev/null
	wait_until 50 log_has lgd err2
	run --separate-stderr "$C" logs lgd
	assert_success
	assert_output $'out1\nerr1\nout2\nerr2'
	assert_equal "$stderr" ""
}

@test "logs: a foreground run into one pipe reaches the caller and the log in order, exit code kept" {
	run "$C" run lgimg lgp -- sh -c "$INTERLEAVED"
	assert_failure 3
	assert_output $'out1\nerr1\nout2\nerr2'
	run --separate-stderr "$C" logs lgp
	assert_success
	assert_output $'out1\nerr1\nout2\nerr2'
}

@test "logs: a foreground run's stdout and stderr still reach the caller's stdout and stderr" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err rc=0
	"$C" run lgimg lgs -- sh -c "$INTERLEAVED" >"$out" 2>"$err" || rc=$?
	assert_equal "$rc" 3
	assert_equal "$(cat "$out")" $'out1\nout2'
	assert_equal "$(cat "$err")" $'err1\nerr2'
	# both in the log, each stream in its own order
	run "$C" logs lgs
	assert_success
	assert_equal "$(grep out <<<"$output")" $'out1\nout2'
	assert_equal "$(grep err <<<"$output")" $'err1\nerr2'
	assert_equal "${#lines[@]}" 4
}

@test "logs: nothing is lost at the end: 4 MB written just before exit, to the caller and the log" {
	local out=$BATS_TEST_TMPDIR/out
	"$C" run lgimg lgbig -- sh -c 'head -c 3000000 /dev/urandom | base64; echo last line >&2' >"$out" 2>&1
	assert_equal "$(tail -n 1 "$out")" "last line"
	assert_equal "$(wc -c <"$out")" "$(wc -c <"$CONDUCTOR_ROOT/.containers/lgbig/log")"
	cmp "$out" "$CONDUCTOR_ROOT/.containers/lgbig/log"
}

@test "logs: a reader that goes away stops the command as without the relay (yes | head)" {
	# shellcheck disable=SC2016 # code for the inner shell: its own expansions
	run timeout 20 bash -c '"$1" run lgimg lgyes -- yes | head -n 2' _ "$C"
	assert_success
	assert_output $'y\ny'
	# yes died of SIGPIPE (141), as it would writing to the pipe itself
	assert_equal "$(state_of lgyes exit_code)" 141
}

@test "logs: a command killed by a signal keeps its exit code through the relay" {
	run "$C" run lgimg lgsig -- sh -c 'echo before; kill -TERM $$'
	assert_failure 143
	assert_output before
}

@test "logs -n/--tail: the last N lines; all; 0" {
	# shellcheck disable=SC2016 # code for the inner shell: its own expansions
	"$C" run lgimg lgn -- sh -c 'for i in 1 2 3 4 5; do echo "line$i"; done' >/dev/null
	run "$C" logs -n 2 lgn
	assert_output $'line4\nline5'
	run "$C" logs --tail=1 lgn
	assert_output line5
	run "$C" logs --tail 3 lgn
	assert_output $'line3\nline4\nline5'
	run "$C" logs -n all lgn
	assert_equal "${#lines[@]}" 5
	run "$C" logs -n0 lgn
	assert_success
	assert_output ""
}

@test "logs -f: follows a running container and ends when it ends" {
	"$C" run -d lgimg lgf -- sh -c 'echo first; sleep 1; echo second >&2; sleep 1; echo third' 2>/dev/null
	wait_until 50 log_has lgf first
	local t0=$SECONDS
	run timeout 30 "$C" logs -f lgf
	assert_success
	assert_output $'first\nsecond\nthird'
	# it ran while the container printed, and not much longer
	((SECONDS - t0 <= 10))
}

@test "logs -f -n 1: the last line, then what follows" {
	"$C" run -d lgimg lgfn -- sh -c 'echo a; echo b; sleep 1; echo c' 2>/dev/null
	wait_until 50 log_has lgfn b
	run timeout 30 "$C" logs -f -n 1 lgfn
	assert_success
	assert_output $'b\nc'
}

@test "logs -f: returns at once for an exited container" {
	"$C" run lgimg lgx -- echo finished >/dev/null
	run timeout 5 "$C" logs --follow lgx
	assert_success
	assert_output finished
}

@test "logs: an interactive run on a terminal keeps the terminal, and logs says it was not recorded" {
	command -v script >/dev/null || skip "script (util-linux/bsdutils) is not installed"
	local out=$BATS_TEST_TMPDIR/typescript
	# script gives the run a terminal on stdin and stdout
	run timeout 30 script -qec "$(printf '%q ' "$C" run lgimg lgtty -- sh -c 'test -t 1 && echo on-a-terminal')" "$out"
	assert_success
	assert_output --partial on-a-terminal
	run --separate-stderr "$C" logs lgtty
	assert_failure 125
	assert_equal "$stderr" "conductor.sh: the output of 'lgtty' was not recorded: it ran in the foreground on a terminal, which its command had to itself (run -t or -d, or send the output to a pipe or file, to record it)"
	assert_output ""
}

@test "logs: bad input is one clear line and a failure" {
	"$C" run lgimg lgbad -- true
	local args
	for args in "" "lgbad lgbad" "-n" "-n x lgbad" "--tail=-1 lgbad" "-z lgbad" "nobody" "../x"; do
		# shellcheck disable=SC2086 # the words are the arguments
		run --separate-stderr "$C" logs $args
		assert_failure 125
		assert_equal "${#stderr_lines[@]}" 1
		assert_regex "$stderr" '^conductor\.sh: '
	done
}

@test "logs -h: the help names the options" {
	run "$C" logs -h
	assert_success
	assert_output --partial "-f, --follow"
	assert_output --partial "-n, --tail N"
}
