# bats file_tags=task3
# Task 3 block-I/O limits: run's --device-read-bps/--device-write-bps (and
# the iops twins) throttle a container's direct I/O to the disk through its
# cgroup (v1 blkio.throttle.*, v2 io.max); a rate dd measures itself is
# within 25% of the limit. Bad values, devices that are no disk and a
# weight the disk's scheduler would ignore are refused before anything is
# made. The disk is the one the state root is on (found, not assumed).
# --cpus, --memory and --pids: bad values (overflow included) are refused
# with one line before anything is made, and leading zeros are decimal.

load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up ioimg
}

teardown_file() {
	task3_suite_down
}

# Each test stops the containers it started, even when it failed, and
# removes the trace instance and the tracefs mount it made.
teardown() {
	stop_containers
	if [[ -n ${TRACE:-} && -d $TRACE ]]; then
		echo 0 >"$TRACE/events/cgroup/cgroup_attach_task/enable" || true
		rmdir "$TRACE" || true
	fi
	if [[ -n ${TRACEFS:-} ]]; then
		! mountpoint -q "$TRACEFS" || umount "$TRACEFS" || true
		rmdir "$TRACEFS" || true
	fi
}

cgroup_v2() {
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]
}

# state_disk: set DISK (its /dev path) and DISK_NUM (MAJ:MIN) to the whole
# disk holding the state root, where a container's root is written: the
# file system's device, or the disk it is a partition of.
state_disk() {
	local dev sys
	dev=$(stat -c '%Hd:%Ld' "$CONDUCTOR_ROOT")
	sys=$(readlink -f "/sys/dev/block/$dev") || fail "the state root ($dev) is on no block device"
	[[ -e $sys/dev ]] || fail "the state root ($dev) is on no block device (tmpfs?)"
	[[ ! -e $sys/partition ]] || sys=${sys%/*}
	DISK=/dev/${sys##*/}
	DISK_NUM=$(<"$sys/dev")
	[[ -b $DISK ]] || fail "no device node $DISK for $DISK_NUM"
}

# dd_rate: from dd's own last summary line in $output ("N bytes (...)
# copied, S s, ..."), set RATE to N/S in bytes a second.
dd_rate() {
	local line bytes secs
	line=$(grep -E '^[0-9]+ bytes .* copied, [0-9.]+ s' <<<"$output" | tail -n 1)
	[[ -n $line ]] || fail "no dd summary in: $output"
	bytes=${line%% *}
	secs=$(sed -E 's/.* copied, ([0-9.]+) s.*/\1/' <<<"$line")
	RATE=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%d", b / s }')
}

# near RATE LIMIT: within 25% of it.
near() {
	(($1 * 4 >= $2 * 3 && $1 * 4 <= $2 * 5)) || fail "measured $1 B/s, limit $2 B/s: not within 25%"
}

# no_trace NAME: nothing of a container named NAME: no directory, no ps
# line, no cgroup leaf in any hierarchy.
no_trace() {
	[[ ! -e $CONDUCTOR_ROOT/.containers/$1 ]] || fail "container directory of $1 left"
	run "$C" ps
	refute_line --regexp "^$1 "
	local left
	left=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$1.*" 2>/dev/null)
	[[ -z $left ]] || fail "cgroup left: $left"
}

@test "io: --device-write-bps 1m holds a container's direct writes to 1 MiB/s, and the leaf goes with --rm" {
	state_disk
	# 3 MiB in 64 KiB direct writes: ~3 s at the limit, a fraction of one without
	run "$C" run --rm --device-write-bps "$DISK:1m" ioimg iowrite -- \
		sh -c 'dd if=/dev/zero of=/out bs=64k count=48 oflag=direct 2>&1'
	assert_success
	dd_rate
	near "$RATE" 1048576
	no_trace iowrite
}

@test "io: --device-read-bps 1m holds a container's direct reads to 1 MiB/s" {
	state_disk
	# the file is written unthrottled first (only reads are limited)
	run "$C" run --rm --device-read-bps "$DISK:1m" ioimg ioread -- \
		sh -c 'dd if=/dev/zero of=/in bs=1M count=3 oflag=direct 2>/dev/null && dd if=/in of=/dev/null bs=64k iflag=direct 2>&1'
	assert_success
	dd_rate
	near "$RATE" 1048576
	no_trace ioread
}

@test "io: the limits are in the container's cgroup (io.max or blkio.throttle), and stop removes it" {
	state_disk
	"$C" run -d --device-write-bps="$DISK:2m" --device-read-iops "$DISK:300" --device-write-iops "$DISK:200" \
		--device-read-bps "$DISK:512k" ioimg iocg -- sleep infinity
	local dirs=() d text=""
	# inspect shows them as given, in pairs, either spelling
	assert_equal "$("$C" inspect -f limits iocg | jq -c .io)" \
		"$(jq -nc --arg d "$DISK" '["--device-write-bps", "\($d):2m", "--device-read-iops", "\($d):300", "--device-write-iops", "\($d):200", "--device-read-bps", "\($d):512k"]')"
	mapfile -t dirs < <("$C" inspect -f cgroups iocg)
	((${#dirs[@]} > 0))
	if cgroup_v2; then
		text=$(<"${dirs[0]}/io.max")
		[[ $text == *"$DISK_NUM rbps=524288 wbps=2097152 riops=300 wiops=200"* ]] || fail "io.max: $text"
	else
		for d in "${dirs[@]}"; do
			[[ $d == */blkio/* ]] || continue
			assert_equal "$(<"$d/blkio.throttle.write_bps_device")" "$DISK_NUM 2097152"
			assert_equal "$(<"$d/blkio.throttle.read_bps_device")" "$DISK_NUM 524288"
			assert_equal "$(<"$d/blkio.throttle.read_iops_device")" "$DISK_NUM 300"
			assert_equal "$(<"$d/blkio.throttle.write_iops_device")" "$DISK_NUM 200"
			text=found
		done
		[[ $text == found ]] || fail "no blkio leaf among: ${dirs[*]}"
	fi
	run "$C" stop iocg
	assert_success
	for d in "${dirs[@]}"; do [[ ! -e $d ]] || fail "cgroup left: $d"; done
	no_trace iocg
}

@test "io: bad devices and rates are refused with one line, and nothing is made" {
	state_disk
	local opt bad reason
	while IFS='|' read -r opt bad reason; do
		run "$C" run "$opt" "$bad" ioimg iobad -- true
		assert_failure
		assert_equal "${#lines[@]}" 1
		assert_output --partial "$reason"
		no_trace iobad
	done <<EOF
--device-write-bps|/dev/null:1m|/dev/null is not a block device
--device-read-bps|/dev/dl-no-such-disk:1m|No such file or directory
--device-write-bps|$DISK:1x|the rate must be bytes a second
--device-write-bps|$DISK:0|the rate must be bytes a second
--device-read-bps|$DISK|use DEVICE:RATE
--device-read-iops|$DISK:1.5|whole number of I/Os a second
--device-write-iops|$DISK:0|whole number of I/Os a second
--device-write-iops|dev/sda:10|DEVICE an absolute path
--blkio-weight|5|from 10 to 1000
--blkio-weight|many|from 10 to 1000
EOF
}

# ---- --cpus, --memory, --pids: dl-run parses them alone (run asks it) -------

# shellcheck disable=SC2154 # stderr, stderr_lines: set by run --separate-stderr
@test "limits: bad --cpus, --memory and --pids are refused with one line naming the value, and nothing is made" {
	local opt bad reason ncpus
	ncpus=$(getconf _NPROCESSORS_ONLN)
	while IFS='|' read -r opt bad reason; do
		run --separate-stderr "$C" run "$opt" "$bad" ioimg limbad -- true
		assert_failure 125
		assert_equal "${#stderr_lines[@]}" 1
		assert_equal "$stderr" "conductor.sh: invalid $opt '$bad': $reason"
		no_trace limbad
	done <<EOF
--memory|9999999999999M|too large for 64 bits (leave --memory out for no limit)
--memory|99999999999999999999|too large for 64 bits (leave --memory out for no limit)
--memory|5M|use at least 6M (less cannot even start a shell)
--memory|0|use bytes or a size with K, M or G, e.g. 256M
--memory|1.5G|use bytes or a size with K, M or G, e.g. 256M
--cpus|$((ncpus + 1))|use 0.01 to $ncpus (the CPUs of this machine)
--cpus|0.001|use 0.01 to $ncpus (the CPUs of this machine)
--cpus|99999999999999999999|use 0.01 to $ncpus (the CPUs of this machine)
--cpus|0.000001|use a number of CPUs such as 0.5 or 2 (at most 5 decimals)
--cpus|-1|use a number of CPUs such as 0.5 or 2 (at most 5 decimals)
--pids|0|use a whole number from 1 to 4194304
--pids|4194305|use a whole number from 1 to 4194304
--pids|99999999999999999999|use a whole number from 1 to 4194304
EOF
	# the --opt=VALUE form goes the same way
	run --separate-stderr "$C" run --memory=9999999999999M ioimg limbad -- true
	assert_failure 125
	assert_equal "$stderr" "conductor.sh: invalid --memory '9999999999999M': too large for 64 bits (leave --memory out for no limit)"
	no_trace limbad
}

@test "limits: leading zeros are decimal, as Docker reads them (--memory 064M, --pids 010, --cpus 00.5)" {
	"$C" run -d --memory 064M --pids 010 --cpus 00.5 ioimg limzero -- sleep 600
	stats_json limzero
	assert_equal "$(field memory_limit)" $((64 << 20))
	assert_equal "$(field pids_limit)" 10
	# the CPU quota: v2's cpu.max, or v1's cpu hierarchy
	local dirs=() d quota=""
	mapfile -t dirs < <("$C" inspect -f cgroups limzero)
	for d in "${dirs[@]}"; do
		[[ ! -f $d/cpu.max ]] || quota=$(<"$d/cpu.max")
		[[ ! -f $d/cpu.cfs_quota_us ]] || quota="$(<"$d/cpu.cfs_quota_us") $(<"$d/cpu.cfs_period_us")"
	done
	assert_equal "$quota" "50000 100000"
	"$C" stop limzero
	no_trace limzero
}

@test "io: --blkio-weight is refused unless the disk uses bfq, and set when it does" {
	state_disk
	local name=${DISK##*/} sched
	sched=$(<"/sys/block/$name/queue/scheduler")
	if [[ $sched != *"[bfq]"* ]]; then
		run "$C" run --blkio-weight 300 ioimg ioweight -- true
		assert_failure
		assert_output --partial "--blkio-weight is not supported here: the disk $name uses the"
		no_trace ioweight
		return 0
	fi
	"$C" run -d --blkio-weight 300 ioimg ioweight -- sleep infinity
	local d found=""
	while IFS= read -r d; do
		for f in "$d/io.bfq.weight" "$d/blkio.bfq.weight"; do
			[[ -e $f ]] || continue
			[[ $(<"$f") == *300* ]] || fail "$f: $(<"$f")"
			found=1
		done
	done < <("$C" inspect -f cgroups ioweight)
	[[ -n $found ]] || fail "no bfq weight file in the container's cgroups"
}

# stats_json NAME: one --no-stream JSON sample of NAME into STATS (the line).
stats_json() {
	STATS=$("$C" stats --no-stream --format json "$1")
}

# field KEY: a number (or null) of STATS.
field() {
	sed -E "s/.*\"$1\":([^,}]*).*/\1/" <<<"$STATS"
}

@test "stats: a busy loop under --cpus 0.5 shows CPU near 50%" {
	"$C" run -d --cpus 0.5 ioimg stcpu -- sh -c 'while :; do :; done'
	stats_json stcpu
	local pct
	pct=$(field cpu_percent)
	pct=${pct%.*}
	# at most the quota; well above nothing (a loaded machine may give less)
	((pct >= 30 && pct <= 60)) || fail "CPU $pct% under --cpus 0.5: $STATS"
}

@test "stats: a 50 MB allocation raises memory by about 50 MB; --memory and --pids show as limits" {
	# bash keeps a 50 MB string once /go appears (and stays: "& wait", or it
	# would exec the last command in its place); two sleeps beside it
	# shellcheck disable=SC2016 # expanded by the container's bash
	"$C" run -d --memory 256M --pids 20 ioimg stmem -- bash -c \
		'sleep 600 & sleep 600 & while [[ ! -e /go ]]; do sleep 0.1; done; x=$(head -c 50000000 /dev/zero | tr "\0" a); echo ready >/ready; sleep 600 & wait'
	stats_json stmem
	local before after
	before=$(field memory_bytes)
	assert_equal "$(field memory_limit)" $((256 << 20))
	assert_equal "$(field pids_limit)" 20
	# bash, head's and tr's gone, two sleeps, the init
	(($(field pids) >= 3)) || fail "pids: $STATS"
	touch "$CONDUCTOR_ROOT/.containers/stmem/rootfs/go"
	wait_until 100 test -e "$CONDUCTOR_ROOT/.containers/stmem/rootfs/ready"
	stats_json stmem
	after=$(field memory_bytes)
	((after - before >= 40000000 && after - before <= 80000000)) ||
		fail "memory went from $before to $after: not ~50 MB more"
}

@test "stats: the table shows each container once, -- where nothing is limited, and the same numbers as json" {
	"$C" run -d ioimg sttab -- sleep 600
	run "$C" stats --no-stream sttab
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^NAME +CPU % +MEM USAGE / LIMIT +PIDS +BLOCK I/O +NET I/O$'
	# no --memory, no --pids, no addnetwork. Block I/O is accounted where
	# the io controller is: v1's blkio hierarchy, or v2's io when the root
	# enables it (a stock systemd machine enables only memory and pids,
	# and docker-lite enables at the root only what a limit needs)
	local io='[0-9.]+[kMG]?B / [0-9.]+[kMG]?B' io_json='[0-9]+' v2=/sys/fs/cgroup/cgroup.subtree_control
	if [[ -f $v2 && " $(<"$v2") " != *" io "* ]]; then
		io='-- / --' io_json=null
	fi
	assert_line --index 1 --regexp "^sttab +[0-9]+\\.[0-9]{2}% +[0-9.]+[KMG]?i?B / -- +[0-9]+ / -- +$io +-- / --\$"
	# without names: every running container, this one among them
	run "$C" stats --no-stream --format json
	assert_success
	assert_line --regexp "^\\{\"name\":\"sttab\",\"cpu_percent\":[0-9]+\\.[0-9]{2},\"memory_bytes\":[0-9]+,\"memory_limit\":null,\"pids\":[0-9]+,\"pids_limit\":null,\"block_read\":$io_json,\"block_write\":$io_json,\"net_rx\":null,\"net_tx\":null\\}\$"
}

@test "stats: without --no-stream it prints a refresh every second until it is told to stop, then ends with 0" {
	"$C" run -d ioimg ststream -- sleep 600
	# SIGTERM after 5 s (the trap that ends it is Ctrl-C's too; a test
	# cannot send SIGINT: bash ignores it in what runs in the background)
	run timeout --preserve-status 5 "$C" stats ststream
	assert_success
	# about four refreshes (two at least on a slow machine), each a header
	# and the container's row
	local headers
	headers=$(grep -c '^NAME ' <<<"$output")
	((headers >= 2 && headers <= 5)) || fail "$headers refreshes in 5 s: $output"
	assert_equal "$(grep -c '^ststream ' <<<"$output")" "$headers"
	# not a terminal: each refresh printed in turn, no screen clearing
	refute_output --partial $'\033['
}

@test "stats: an unknown container, a bad name or option is refused with one line" {
	run "$C" stats --no-stream stnope
	assert_failure
	assert_output "conductor.sh: no container named 'stnope': see 'conductor.sh ps'"
	run "$C" stats --no-stream '../x'
	assert_failure
	assert_output --partial "invalid container name"
	run "$C" stats --format yaml
	assert_failure
	assert_output --partial "invalid --format 'yaml': use json or table"
	run "$C" stats --all
	assert_failure
	assert_output --partial "unknown option '--all' for stats"
	run "$C" stats -h
	assert_success
	assert_output --partial "--no-stream"
	assert_output --partial "--format json"
}

# The kernel traces every move of a task into a cgroup (the event
# cgroup:cgroup_attach_task: a write to cgroup.procs), but not a task
# born in one (clone3's CLONE_INTO_CGROUP). A trace instance of our own,
# in a tracefs mounted for the test (the machine may have none mounted),
# records those moves while a container starts: on v2 none may go into
# its leaf; on v1, where dl-run moves the init in, the move must show,
# which is what proves the trace would see one.
@test "cgroup: on v2 the init is born in its cgroup, with no move into it; on v1 it is moved in" {
	local leaf pid moves
	TRACEFS=$(mktemp -d)
	mount -t tracefs nodev "$TRACEFS" ||
		skip "this kernel has no tracefs: the cgroup_attach_task events cannot be watched"
	TRACE=$TRACEFS/instances/dl-birth.$$
	mkdir "$TRACE"
	echo 1 >"$TRACE/events/cgroup/cgroup_attach_task/enable"
	"$C" run -d --pids 50 ioimg birth -- sleep infinity
	echo 0 >"$TRACE/events/cgroup/cgroup_attach_task/enable"
	pid=$("$C" inspect -f pid birth)
	leaf=$("$C" inspect -f cgroups birth | head -n 1)
	leaf=${leaf##*/}
	[[ -n $leaf ]] || fail "birth has no cgroup"
	moves=$(grep -F "/docker-lite/$leaf " "$TRACE/trace" || true)
	if cgroup_v2; then
		[[ -z $moves ]] || fail "a task was moved into the leaf: $moves"
		assert_equal "$(<"/proc/$pid/cgroup")" "0::/docker-lite/$leaf"
	else
		[[ $moves == *" pid=$pid "* ]] || fail "no move of the init ($pid) into $leaf in the trace: $moves"
	fi
}
