#!/usr/bin/env bats
# bats file_tags=stockvm
# Runs only inside the stock-machine VM (`make test-vm`, scripts/vm/): that
# the VM is the machine the workbook's users have, and the container tool in
# the machine's *real* network namespace, where the labs cannot take it (the
# VM is disposable). Its last test reads the kernel log for AppArmor
# denials of the whole run, so tests/run runs this suite last.

load helpers/common
load helpers/leaks

C=$DL_REPO/task3/conductor.sh

setup_file() {
	[[ ${DL_STOCK_VM:-} == 1 ]] ||
		skip "runs only inside the stock-machine VM (sudo make test-vm): it changes the real network namespace"
	require_root
	ensure_test_base
	export CONDUCTOR_ROOT
	CONDUCTOR_ROOT=$(mktemp -d /tmp/dl-test.XXXXXX)
}

teardown_file() {
	[[ -n ${CONDUCTOR_ROOT:-} ]] || return 0
	"$C" stop vmweb >/dev/null 2>&1 || true
	rm -rf "$CONDUCTOR_ROOT"
}

teardown() {
	[[ -z ${SERVER_PID:-} ]] || kill "$SERVER_PID" 2>/dev/null || true
}

@test "stock VM: systemd, pure cgroup v2, AppArmor, a shared /, SIGPIPE ignored, router advertisements, the stub resolver" {
	assert_equal "$(cat /proc/1/comm)" systemd
	assert_equal "$(stat -fc %T /sys/fs/cgroup)" cgroup2fs
	assert_equal "$(cat /sys/module/apparmor/parameters/enabled)" Y
	assert_equal "$(findmnt -no PROPAGATION /)" shared
	# a service of systemd's, as CI runners and graders are: SIGPIPE (13) ignored
	local ign
	ign=$(awk '$1 == "SigIgn:" { print $2 }' /proc/self/status)
	(((0x$ign >> 12) & 1))
	# IPv6 routes from router advertisements, whose counters tick
	run ip -6 route show
	assert_output --regexp 'expires [0-9]+sec'
	assert_equal "$(readlink /etc/resolv.conf)" ../run/systemd/resolve/stub-resolv.conf
}

# Something listens on TCP port 80 in the network namespace of PID $1.
listening_on_80() {
	[[ -n $(nsenter --net="/proc/$1/ns/net" ss -Hltn 'sport = :80') ]]
}

# The address of the VM's own uplink (qemu's user-mode network): the one
# on the device of the default route.
uplink_ip() {
	local dev
	# (awk reads to the end: with SIGPIPE ignored an early exit would make
	# ip report a write error)
	dev=$(ip -4 route show default | awk '!found { for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); found = 1; break } }')
	ip -4 -o addr show dev "$dev" | awk 'NR == 1 { sub(/\/.*/, "", $4); print $4 }'
}

@test "real network namespace: run, addnetwork --internet --expose, requests from the host side, apt in the container, and stop leaves the host as it was" {
	leak_snapshot "$BATS_TEST_TMPDIR/before"
	cd "$BATS_TEST_TMPDIR" # no Conductorfile here: a plain Debian image
	run "$C" build vmimg
	assert_success
	run "$C" run -d vmimg vmweb -- sleep infinity
	assert_success
	run "$C" addnetwork vmweb --internet --expose 8080:80
	assert_success
	local pid host
	pid=$("$C" inspect -f pid vmweb)
	nsenter --net="/proc/$pid/ns/net" socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hello-from-vmweb' 3>&- &
	SERVER_PID=$!
	# polled through a function: an argument like "$(ss …)" would be
	# expanded once, before the first try (under emulation socat is slow)
	wait_until 300 listening_on_80 "$pid"
	host=$(uplink_ip)
	[[ -n $host ]]
	run socat -T5 - "TCP:$host:8080,connect-timeout=5" </dev/null
	assert_output hello-from-vmweb
	run socat -T5 - "TCP:127.0.0.1:8080,connect-timeout=5" </dev/null
	assert_output hello-from-vmweb
	# --internet: NAT out of the real uplink and a resolver that works from
	# inside (the host's is the 127.0.0.53 stub, unreachable there); the
	# only traffic that leaves the VM is apt to the configured mirror
	run "$C" exec vmweb -- grep -c '^nameserver 127\.' /etc/resolv.conf
	assert_output 0
	run "$C" exec vmweb -- apt-get update
	assert_success
	kill "$SERVER_PID"
	SERVER_PID=
	run "$C" stop vmweb
	assert_success
	leak_snapshot "$BATS_TEST_TMPDIR/after"
	run leak_diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_output ""
}

@test "lessons: task 2's cgroup v2 session is what this machine prints" {
	run "$DL_REPO/scripts/check-lessons" "$DL_REPO/task2/README.md"
	assert_success
	assert_line --regexp '^ok - task2/README\.md:[0-9]+: sudo task2/cgroup-v2-tour\.sh$'
	refute_line --partial '# skip'
}

@test "lessons: task 3's rootless limits session (systemd's delegated cgroup) is what this machine prints" {
	run "$DL_REPO/scripts/check-lessons" --machine cgroup2 "$DL_REPO/task3/README.md"
	assert_success
	assert_line --regexp '^ok - task3/README\.md:[0-9]+: sudo env CONDUCTOR_BASE_CACHE=[^ ]+ task3/rootless-tour\.sh --limits$'
	refute_line --partial '# skip'
}

@test "AppArmor: the kernel logged no denial during the whole run" {
	run bash -c "dmesg | grep 'apparmor=\"DENIED\"'"
	assert_output ""
}
