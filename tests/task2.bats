#!/usr/bin/env bats
# bats file_tags=task2
# Task 2: 2a chroot with the program's shared objects copied in, 2b PID and
# UTS namespaces, 2c a cgroup limiting the container to a share of one CPU.

load helpers/common

T2=$DL_REPO/task2

setup_file() {
	make -s -C "$T2" >&2
}

setup() {
	require_root
	ROOT_DIR=$BATS_TEST_TMPDIR/root
}

# task2c_cgroups [PID]: the 2c cgroups (of the launcher PID, or of any),
# on a v1 (cpu or cpu,cpuacct) or a v2 hierarchy.
task2c_cgroups() {
	local leaf=task2c-${1:-*}
	compgen -G "/sys/fs/cgroup/cpu/docker-lite/$leaf" || true
	compgen -G "/sys/fs/cgroup/cpu,cpuacct/docker-lite/$leaf" || true
	compgen -G "/sys/fs/cgroup/docker-lite/$leaf" || true
}

has_task2c_cgroup() {
	[[ -n $(task2c_cgroups "$@") ]]
}

# The lines between the two "_ _ _" separators after the heading, sorted.
root_entries() {
	sed -n '/^Files\/Directories in root directory:$/,/^_ _ _/p' <<<"$1" |
		sed '1d;$d' | sort | tr '\n' ' '
}

@test "task2a: an empty root gets exactly the program and its libraries" {
	run "$T2/launch_2a" -r "$ROOT_DIR"
	assert_success
	assert_equal "$(root_entries "$output")" ". .. container_prog lib lib64 "
	assert_line --regexp '^Process PID: [0-9]+$'
	assert_line --regexp '^Child Process PID: [0-9]+$'
	refute_line 'Process PID: 1' # no PID namespace yet
	# the loader and libc are real files, not links to the host
	run find "$ROOT_DIR" -type l
	assert_output ""
	run find "$ROOT_DIR" -name 'libc.so.6' -type f
	assert_output --partial libc.so.6
}

@test "task2a: a missing root directory is created" {
	run "$T2/launch_2a" -r "$ROOT_DIR/not/yet/there"
	assert_success
	assert_line 'container_prog'
}

@test "task2a: works for another dynamic program (/bin/ls) and keeps its flags" {
	run "$T2/launch_2a" -r "$ROOT_DIR" /bin/ls -a -1 /
	assert_success
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" ". .. lib lib64 ls "
}

@test "task2a: works for a static program, which needs no library" {
	command -v cc >/dev/null || skip "no C compiler"
	printf '#include <stdio.h>\nint main(void){puts("static ok");return 0;}\n' >"$BATS_TEST_TMPDIR/s.c"
	cc -static -o "$BATS_TEST_TMPDIR/hello" "$BATS_TEST_TMPDIR/s.c" || skip "no static libc (libc6-dev)"
	run "$T2/launch_2a" -r "$ROOT_DIR" "$BATS_TEST_TMPDIR/hello"
	assert_success
	assert_output "static ok"
	assert_equal "$(ls -A "$ROOT_DIR")" "hello"
}

@test "task2b: PID 1 and 2 inside, hostname set inside, host's unchanged" {
	local before
	before=$(hostname)
	run "$T2/launch_2b" -r "$ROOT_DIR"
	assert_success
	assert_line 'Process PID: 1'
	assert_line 'Child Process PID: 2'
	assert_line 'Hostname within container: new_hostname'
	assert_line 'Value (Ignore): 107375219085276240'
	assert_line --regexp '^Time Taken: [0-9]+\.[0-9]{3} ms$'
	assert_equal "$(hostname)" "$before"
}

# The CPU limit a cgroup holds, as a percent of one CPU: cpu.max on v2,
# cpu.cfs_quota_us over cpu.cfs_period_us on v1.
cgroup_cpu_percent() {
	local dir=$1 quota period
	if [[ -f $dir/cpu.max ]]; then
		read -r quota period <"$dir/cpu.max"
	else
		quota=$(<"$dir/cpu.cfs_quota_us") period=$(<"$dir/cpu.cfs_period_us")
	fi
	[[ $quota =~ ^[0-9]+$ ]] || quota=-100 # "max" or -1: no limit
	echo $((quota * 100 / period))
}

# The kernel held the cgroup back at least once (cpu.stat, v1 and v2).
# Builtins only: it is polled while the CPU share is measured, and the
# time of every process it started would count in that share.
cgroup_throttled() {
	local key value
	while read -r key value; do
		[[ $key == nr_throttled ]] && { ((value > 0)); return; }
	done 2>/dev/null <"$1/cpu.stat"
	return 1
}

# run_2c PERCENT: one 2c run, observed from outside while it runs. Sets
# LIMIT (the limit its cgroup holds, in percent of one CPU), THROTTLED (yes
# once the kernel held it back), SHARE (its CPU time over its wall time) and
# STATUS (its exit status).
# SHARE has only an upper bound: a loaded machine gives the program less
# than its limit, never more, so a lower bound would test the load. That
# the limit is the one asked for, and that it is what held the program
# back, is what LIMIT and THROTTLED show.
run_2c() {
	local timer pid dir
	LIMIT=none THROTTLED=no STATUS=0
	rm -f "$BATS_TEST_TMPDIR/2c.pid"
	# a subshell times the launcher (and only it: `time` counts the CPU
	# time of the children it reaps) while this shell watches its cgroup
	(
		TIMEFORMAT='%R %U %S'
		time {
			"$T2/launch_2c" -r "$ROOT_DIR" -c "$1" >/dev/null 2>&1 3>&- &
			echo $! >"$BATS_TEST_TMPDIR/2c.pid"
			wait $!
		}
	) 2>"$BATS_TEST_TMPDIR/2c.times" 3>&- &
	timer=$!
	if wait_until 50 test -s "$BATS_TEST_TMPDIR/2c.pid" &&
		pid=$(<"$BATS_TEST_TMPDIR/2c.pid") &&
		wait_until 50 has_task2c_cgroup "$pid"; then
		dir=$(task2c_cgroups "$pid" | head -n 1)
		LIMIT=$(cgroup_cpu_percent "$dir") || LIMIT=unreadable
		! wait_until 50 cgroup_throttled "$dir" || THROTTLED=yes
	fi
	wait "$timer" || STATUS=$?
	SHARE=$(awk '{ printf "%.3f\n", ($2 + $3) / $1 }' "$BATS_TEST_TMPDIR/2c.times")
	echo "cgroup limit: $LIMIT%, throttled: $THROTTLED, measured CPU share: $SHARE"
}

@test "task2c: a 50% limit holds the program to half of one CPU, and the cgroup is removed" {
	run_2c 50
	assert_equal "$STATUS" 0
	assert_equal "$LIMIT" 50
	assert_equal "$THROTTLED" yes
	assert [ "$(awk -v s="$SHARE" 'BEGIN { print (s <= 0.60) }')" = 1 ]
	assert_equal "$(task2c_cgroups "$(cat "$BATS_TEST_TMPDIR/2c.pid")")" ""
}

@test "task2c: other limits are honoured too (25%)" {
	run_2c 25
	assert_equal "$STATUS" 0
	assert_equal "$LIMIT" 25
	assert_equal "$THROTTLED" yes
	assert [ "$(awk -v s="$SHARE" 'BEGIN { print (s <= 0.35) }')" = 1 ]
}

@test "task2c: PID, UTS and IPC namespaces are new" {
	run "$T2/launch_2c" -r "$ROOT_DIR" -c 100
	assert_success
	assert_line 'Process PID: 1'
	assert_line 'Child Process PID: 2'
	assert_line 'Value (Ignore): 107375219085276240'
}

@test "task2c: an interrupted run still removes its cgroup" {
	"$T2/launch_2c" -r "$ROOT_DIR" -c 10 >/dev/null 3>&- &
	local pid=$!
	# this launcher's own cgroup (task2c-<its PID>), not another run's
	wait_until 50 has_task2c_cgroup "$pid"
	kill -INT "$pid"
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 137 # the container was ended with SIGKILL
	assert_equal "$(task2c_cgroups "$pid")" ""
}

@test "task2: errors are one clear line and a non-zero exit" {
	run "$T2/launch_2a" -r "$ROOT_DIR" /no/such/program
	assert_failure 125
	assert_output --partial "program '/no/such/program' not found"

	touch "$BATS_TEST_TMPDIR/file"
	run "$T2/launch_2b" -r "$BATS_TEST_TMPDIR/file"
	assert_failure 125
	assert_output --partial "is not a directory"

	run "$T2/launch_2c" -r "$ROOT_DIR" -c 0
	assert_failure 125
	assert_output --partial "out of range"
	run "$T2/launch_2c" -r "$ROOT_DIR" -c 100000
	assert_failure 125
	assert_output --partial "out of range"
	run "$T2/launch_2c" -r "$ROOT_DIR" -c abc
	assert_failure 125
	assert_output --partial "invalid CPU limit"

	mkdir -p "$BATS_TEST_TMPDIR/nocgroup"
	DL_CGROUP_ROOT=$BATS_TEST_TMPDIR/nocgroup run "$T2/launch_2c" -r "$ROOT_DIR"
	assert_failure 125
	assert_output --partial "no cgroup filesystem mounted"
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR/nocgroup")" "" # nothing made where it failed
}

@test "task2: not root is refused with a clear message" {
	command -v setpriv >/dev/null || skip "setpriv(1) from util-linux is not installed"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$T2/launch_2b" -r "$ROOT_DIR"
	assert_failure
	assert_output --partial "must be run as root"
}

@test "task2: simple_container.sh runs 2a, 2b, 2c in order with the banners" {
	run "$T2/simple_container.sh" "$ROOT_DIR"
	assert_success
	assert_line '### Output Subtask 2a'
	assert_line '### Output Subtask 2b'
	assert_line '### Output Subtask 2c'
	assert_line "Hostname in the host: $(hostname)"
	assert_equal "$(grep -c '^Value (Ignore): 107375219085276240$' <<<"$output")" 2
	# order: 2a's heading comes before 2b's, which comes before 2c's
	local order
	order=$(grep -n '^### Output Subtask' <<<"$output" | cut -d: -f2 | tr -d '\n')
	assert_equal "$order" "### Output Subtask 2a### Output Subtask 2b### Output Subtask 2c"
}
