# bats file_tags=task3
# Task 3 pause and unpause: every process of a container frozen in its
# cgroup (the v1 freezer hierarchy, or v2's cgroup.freeze) and thawed
# again. What a user sees: a counter the container writes stops and goes
# on; ps and inspect say "paused"; stop and rm -f still end it (a frozen
# process takes no signal until it is thawed) and leave no cgroup; exec and
# bad uses are refused with one clear line.

load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up pzimg
}

teardown_file() {
	task3_suite_down
}

# Each test stops the containers it started, even when it failed.
teardown() {
	stop_containers
}

# A container writing an incrementing counter to /tmp/n every 0.1 s (a
# new file renamed over the old: a reader never sees half a number).
# shellcheck disable=SC2016 # expanded by the container's shell
COUNTER='i=0; while :; do i=$((i+1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.1; done'

# counter NAME: the number the container last wrote, read from the host
# through its root (no exec: exec into a paused container is refused).
counter() {
	cat "$CONDUCTOR_ROOT/.containers/$1/rootfs/tmp/n" 2>/dev/null
}

# counter_above NAME N: the counter has gone past N.
counter_above() {
	local now
	now=$(counter "$1") && ((now > $2))
}

# The cgroup layout: v2 (one tree) or v1/hybrid (a hierarchy per controller).
cgroup_v2() {
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]
}

# frozen_in_kernel NAME: the kernel says every process of the container's
# cgroup is frozen (v1: its freezer leaf's freezer.state; v2: its leaf's
# cgroup.events), read from the cgroups inspect lists.
frozen_in_kernel() {
	local dir
	while IFS= read -r dir; do
		if cgroup_v2; then
			grep -qx 'frozen 1' "$dir/cgroup.events" && return 0
		elif [[ -e $dir/freezer.state ]]; then
			[[ $(<"$dir/freezer.state") == FROZEN ]] && return 0
		fi
	done < <("$C" inspect -f cgroups "$1")
	return 1
}

# gone PID: no such process, or a zombie waiting for its reaper.
gone() {
	[[ ! -e /proc/$1 ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

@test "pause: a paused container's counter stops, and unpause makes it go on" {
	"$C" run -d pzimg pzcount -- sh -c "$COUNTER"
	wait_until 50 counter_above pzcount 2
	run "$C" pause pzcount
	assert_success
	assert_output "conductor.sh: container pzcount paused"
	frozen_in_kernel pzcount
	local a b
	a=$(counter pzcount)
	# 5 ticks of the counter: a running loop would have moved it
	sleep 0.5
	b=$(counter pzcount)
	assert_equal "$b" "$a"
	run "$C" unpause pzcount
	assert_success
	assert_output "conductor.sh: container pzcount unpaused"
	run frozen_in_kernel pzcount
	assert_failure
	wait_until 50 counter_above pzcount "$b"
}

@test "pause: ps and inspect say paused, with the init's PID; unpause makes it running again" {
	"$C" run -d pzimg pzps -- sleep infinity
	local pid
	pid=$("$C" inspect -f pid pzps)
	"$C" pause pzps
	run "$C" ps
	assert_line --regexp "^pzps +pzimg +$pid +paused +"
	assert_equal "$("$C" inspect -f status pzps)" paused
	assert_equal "$("$C" inspect -f pid pzps)" "$pid"
	"$C" unpause pzps
	run "$C" ps
	assert_line --regexp "^pzps +pzimg +$pid +running +"
	assert_equal "$("$C" inspect -f status pzps)" running
}

@test "pause: stop of a paused container ends it and leaves no cgroup" {
	"$C" run -d pzimg pzstop -- sleep infinity
	local pid dirs=() d
	pid=$("$C" inspect -f pid pzstop)
	mapfile -t dirs < <("$C" inspect -f cgroups pzstop)
	((${#dirs[@]} > 0))
	"$C" pause pzstop
	frozen_in_kernel pzstop
	run "$C" stop pzstop
	assert_success
	# sleep took the SIGTERM: no kill after STOP_TIMEOUT was needed
	refute_output --partial "killing it"
	gone "$pid"
	for d in "${dirs[@]}"; do [[ ! -e $d ]] || fail "cgroup left: $d"; done
	run "$C" ps
	refute_line --partial pzstop
}

@test "pause: rm -f kills a paused container that ignores SIGTERM at once, and leaves no cgroup" {
	# SIGTERM ignored: only SIGKILL ends it, and a frozen process (on v1)
	# dies of it only once thawed
	"$C" run -d pzimg pzkill -- sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	local pid dirs=() d
	pid=$("$C" inspect -f pid pzkill)
	mapfile -t dirs < <("$C" inspect -f cgroups pzkill)
	"$C" pause pzkill
	frozen_in_kernel pzkill
	# at once: no SIGTERM, so no wait for STOP_TIMEOUT (600 s here; the
	# timeout ends an rm -f that waits for it), and no "did not stop" line
	run env STOP_TIMEOUT=600 timeout 120 "$C" rm -f pzkill
	assert_success
	refute_output --partial "did not stop"
	gone "$pid"
	for d in "${dirs[@]}"; do [[ ! -e $d ]] || fail "cgroup left: $d"; done
	[[ ! -e $CONDUCTOR_ROOT/.containers/pzkill ]]
}

@test "pause: exec into a paused container is refused with one line, and works once unpaused" {
	"$C" run -d pzimg pzexec -- sleep infinity
	"$C" pause pzexec
	run "$C" exec pzexec -- echo hello
	assert_failure 125
	assert_output "conductor.sh: container 'pzexec' is paused: unpause it first with 'conductor.sh unpause pzexec'"
	"$C" unpause pzexec
	run "$C" exec pzexec -- echo hello
	assert_success
	assert_output hello
}

@test "pause: pausing a paused container, unpausing a running one, or either on an exited one is refused" {
	"$C" run -d pzimg pztwice -- sleep infinity
	run "$C" unpause pztwice
	assert_failure 125
	assert_output "conductor.sh: container 'pztwice' is not paused: it is running"
	"$C" pause pztwice
	run "$C" pause pztwice
	assert_failure 125
	assert_output "conductor.sh: container 'pztwice' is already paused: 'conductor.sh unpause pztwice' resumes it"
	# still paused: the refused pause changed nothing
	assert_equal "$("$C" inspect -f status pztwice)" paused
	"$C" run pzimg pzdone -- true
	run "$C" pause pzdone
	assert_failure 125
	assert_output --partial "container 'pzdone' is not running (it is exited)"
	run "$C" unpause pzdone
	assert_failure 125
	assert_output --partial "container 'pzdone' is not running (it is exited)"
}

@test "pause: an unknown container, no name or a bad name is refused, and the help lists both commands" {
	run "$C" pause pznosuch
	assert_failure 125
	assert_output "conductor.sh: no container named 'pznosuch': see 'conductor.sh ps'"
	run "$C" unpause pznosuch
	assert_failure 125
	assert_output "conductor.sh: no container named 'pznosuch': see 'conductor.sh ps'"
	run "$C" pause
	assert_failure 125
	assert_output "conductor.sh: usage: pause <name>"
	run "$C" unpause a b
	assert_failure 125
	assert_output "conductor.sh: usage: unpause <name>"
	run "$C" pause ../x
	assert_failure 125
	run "$C" pause -h
	assert_success
	assert_line "Usage: conductor.sh pause <name>"
	run "$C" unpause --help
	assert_line "Usage: conductor.sh unpause <name>"
	run "$C" help
	assert_line --regexp '^  pause <name> +'
	assert_line --regexp '^  unpause <name> +'
	run "$C" rm -h
	assert_line --partial "-f, --force"
}

# pause_killed NAME DELAY: start 'pause NAME' and SIGKILL it after DELAY
# seconds, wherever it is then (its dl-run --freeze, a child, runs on).
pause_killed() {
	local pid
	"$C" pause "$1" >/dev/null 2>&1 &
	pid=$!
	sleep "$2"
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" || true
}

@test "pause: a pause SIGKILLed half-way leaves a container that unpause resumes and stop ends, and no cgroup" {
	local delay dirs=() d
	for delay in 0 0.01 0.03 0.1; do
		"$C" run -d pzimg pzhalf -- sh -c "$COUNTER"
		mapfile -t dirs < <("$C" inspect -f cgroups pzhalf)
		wait_until 50 counter_above pzhalf 1
		pause_killed pzhalf "$delay"
		# whether it got as far as recording "paused" or not, unpause (or
		# nothing, if it did not) leaves it running, and truly so
		"$C" unpause pzhalf >/dev/null 2>&1 || true
		assert_equal "$("$C" inspect -f status pzhalf)" running
		run frozen_in_kernel pzhalf
		assert_failure
		wait_until 50 counter_above pzhalf "$(counter pzhalf)"
		# killed half-way again, then stopped: stop thaws what may be frozen
		pause_killed pzhalf "$delay"
		run "$C" stop pzhalf
		assert_success
		for d in "${dirs[@]}"; do [[ ! -e $d ]] || fail "cgroup left after a pause killed at ${delay}s: $d"; done
	done
}

@test "suite: no cgroup of this suite is left, in the freezer hierarchy or any other" {
	"$C" run -d pzimg pzlast -- sleep infinity
	local leaf
	leaf=$("$C" inspect -f cgroups pzlast | head -n 1)
	[[ -d $leaf ]]
	"$C" pause pzlast
	run "$C" stop pzlast
	assert_success
	# leaves are <name>.<tag of the state root>
	run find /sys/fs/cgroup -maxdepth 4 -path '*/docker-lite/*' -name "*.${leaf##*.}"
	assert_output ""
}
