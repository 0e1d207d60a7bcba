# bats file_tags=task3
# Task 3 run -t / exec -t: the command on a pty of the container's own
# devpts, relayed to the user's terminal (raw mode, window size, Ctrl-C),
# the terminal put back afterwards.  A real terminal is played by tmux (a
# private server on its own socket): keys are typed with send-keys, the
# screen read with capture-pane, the window resized with resize-window.
# Typed commands print markers computed by the shell ($((1+1)) prints 2),
# so a marker on the screen is output, never the echo of what was typed.

# shellcheck disable=SC2154 # stderr, stderr_lines: set by run --separate-stderr
# shellcheck disable=SC2016 # typed lines: their $ are for the shells in the terminal
load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	require_root
	command -v tmux >/dev/null || skip "tmux is not installed: run scripts/install-deps"
	task3_suite_up ttimg
}

teardown_file() {
	task3_suite_down
}

# tmux's socket: short (a unix socket path has at most 107 bytes)
setup() {
	TMUX_SOCK=$(mktemp -u /tmp/dl-tmux.XXXXXX)
}

# The terminal first (its end hangs up the run), then the containers.
teardown() {
	local dir
	tm kill-server 2>/dev/null || true
	rm -f "$TMUX_SOCK"
	stop_containers
}

tm() { tmux -S "$TMUX_SOCK" "$@"; }

# A 100x30 terminal running a plain bash (no rc files: a known prompt).
terminal() {
	tm new-session -d -x 100 -y 30 -s dl \
		env CONDUCTOR_ROOT="$CONDUCTOR_ROOT" CONDUCTOR_BASE_CACHE="$CONDUCTOR_BASE_CACHE" \
		STOP_TIMEOUT=2 PS1='outer$ ' bash --norc --noprofile
}

type_line() { tm send-keys -t dl -l -- "$1" && tm send-keys -t dl Enter; }
screen() { tm capture-pane -p -t dl; }
# the screen has a line that is exactly $1 (trailing blanks aside)
screen_has_line() { screen | sed 's/ *$//' | grep -qxF -- "$1"; }
screen_has_regex() { screen | grep -qE -- "$1"; }

wait_line() {
	wait_until 100 screen_has_line "$1" || {
		screen >&2
		false
	}
}

wait_regex() {
	wait_until 100 screen_has_regex "$1" || {
		screen >&2
		false
	}
}

# a sleep runs in the container: a process named sleep in the PID
# namespace of its init
container_runs_sleep() {
	local pid p ns
	pid=$(state_of "$1" pid)
	[[ -n $pid ]] && ns=$(readlink "/proc/$pid/ns/pid") || return 1
	for p in $(pgrep -x sleep); do
		[[ $(readlink "/proc/$p/ns/pid" 2>/dev/null) != "$ns" ]] || return 0
	done
	return 1
}

@test "run -it: the command's terminal is the container's /dev/pts/0 (tty, ps), the exit code is kept" {
	terminal
	type_line "$C run -it ttimg tt1; echo outer-rc=\$((0+\$?))"
	wait_regex '^root@tt1:/#$'
	type_line 'tty; ps -o pid=,tty=,comm=; echo m$((1+1))'
	wait_line m2
	screen_has_line /dev/pts/0
	screen_has_regex '^ +2 pts/0 +bash$'
	type_line 'exit 7'
	wait_line outer-rc=7
}

@test "run -t: stty size follows the terminal's window size (SIGWINCH)" {
	terminal
	type_line "$C run -it ttimg tt2"
	wait_regex '^root@tt2:/#$'
	type_line 'echo size-$((1+1)) $(stty size)'
	wait_line 'size-2 30 100'
	tm resize-window -t dl -x 120 -y 40
	type_line 'echo size-$((2+1)) $(stty size)'
	wait_line 'size-3 40 120'
}

@test "run -t: Ctrl-C interrupts the container's foreground job, and its shell goes on" {
	terminal
	type_line "$C run -it ttimg tt3; echo outer-rc=\$((0+\$?))"
	wait_regex '^root@tt3:/#$'
	type_line 'sleep 100'
	wait_until 100 container_runs_sleep tt3
	# a key of the outer terminal, passed raw to the pty's line discipline
	tm send-keys -t dl C-c
	type_line 'echo alive-$((2+1)) rc=$?'
	wait_line 'alive-3 rc=130'
	type_line 'exit'
	wait_line outer-rc=0
}

@test "run -t: the terminal's modes are put back after exit, after the container is killed, and after dl-run is" {
	local dir=$BATS_TEST_TMPDIR
	terminal
	type_line "stty -g >$dir/before; $C run -it ttimg tt4; stty -g >$dir/after; echo back-\$((1+1))"
	wait_regex '^root@tt4:/#$'
	type_line 'exit'
	wait_line back-2
	assert_equal "$(cat "$dir/after")" "$(cat "$dir/before")"
	# killed from outside while it ran: the relay, outside, still restores
	type_line "$C run -it ttimg tt5 -- sh -c 'sleep 100'; stty -g >$dir/after2; echo back-\$((2+1))"
	wait_until 100 container_runs_sleep tt5
	"$C" stop tt5 >/dev/null 2>&1
	wait_line back-3
	assert_equal "$(cat "$dir/after2")" "$(cat "$dir/before")"
	# dl-run itself SIGKILLed (it can restore nothing): conductor.sh does
	type_line "$C run -it ttimg tt6 -- sh -c 'sleep 100'; stty -g >$dir/after3; echo back-\$((3+1))"
	wait_until 100 container_runs_sleep tt6
	local monitor
	monitor=$("$C" inspect -f monitor_pid tt6)
	[[ $(cat "/proc/$monitor/comm") == dl-run ]]
	kill -KILL "$monitor"
	# after bash's "Killed" line, written while the terminal was still raw
	wait_regex '(^| )back-4$'
	assert_equal "$(cat "$dir/after3")" "$(cat "$dir/before")"
}

@test "exec -it: a pty of the container's devpts, exit code kept" {
	"$C" run -d ttimg tt6 -- sleep infinity 2>/dev/null
	terminal
	type_line "$C exec -it tt6; echo outer-rc=\$((0+\$?))"
	wait_regex '^root@tt6:/#$'
	type_line 'tty; echo m$((1+1)) $(stty size)'
	wait_line 'm2 30 100'
	screen_has_line /dev/pts/0
	type_line 'exit 4'
	wait_line outer-rc=4
}

@test "run -t without a terminal: the output still comes through the pty, and is logged" {
	run "$C" run -t ttimg tt7 -- sh -c 'tty; test -t 1 && echo out-is-a-tty; exit 3'
	assert_failure 3
	# the pty turns each newline into CR LF, as a terminal's driver does
	assert_equal "${lines[0]%$'\r'}" /dev/pts/0
	assert_equal "${lines[1]%$'\r'}" out-is-a-tty
	run "$C" logs tt7
	assert_success
	assert_equal "${lines[1]%$'\r'}" out-is-a-tty
}

@test "run -it with stdin a pipe: the input reaches the command, its end is an end of file" {
	run --separate-stderr bash -c 'printf "one\ntwo\n" | "$1" run -it ttimg tt8 -- sh -c "cat >/tmp/got; wc -l </tmp/got"' _ "$C"
	assert_success
	assert_regex "$output" $'(^|\n)2\r?$'
}

@test "run -dt: the detached command has the container's pty (its output in logs, 24x80), and stays up without input" {
	"$C" run -dt ttimg ttd -- sh -c 'tty; stty size; echo ready; exec bash'
	wait_until 100 grep -q ready "$CONDUCTOR_ROOT/.containers/ttd/log"
	run "$C" logs ttd
	assert_equal "${lines[0]%$'\r'}" /dev/pts/0
	assert_equal "${lines[1]%$'\r'}" "24 80"
	# bash reads the pty, whose input never ends: it runs (with stdin at
	# its end, as without -t, it would have exited and the container too)
	wait_until 100 bash_on_pty ttd
	run "$C" inspect -f status ttd
	assert_output running
	# -dit is Docker's habit: accepted, the same
	"$C" run -dit ttimg ttd2
	wait_until 100 bash_on_pty ttd2
	run "$C" inspect -f status ttd2
	assert_output running
}

# The container's PID 2 is bash, on the container's pty.
bash_on_pty() {
	"$C" exec "$1" -- ps -o tty=,comm= -p 2 2>/dev/null | grep -qE '^pts/0 +bash$'
}

@test "run/exec -t -i: -i refused with -d alone, unknown options one clear line" {
	local args
	for args in "run -d -i ttimg ttx" "run -di ttimg ttx" "exec -x tt" "exec -t" "exec -it nobody"; do
		# shellcheck disable=SC2086 # the words are the arguments
		run --separate-stderr "$C" $args
		assert_failure 125
		assert_equal "${#stderr_lines[@]}" 1
		assert_regex "$stderr" '^conductor\.sh: '
	done
	[[ ! -e $CONDUCTOR_ROOT/.containers/ttx ]]
}
