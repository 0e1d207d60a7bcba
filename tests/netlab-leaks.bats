# bats file_tags=netlab
# The "machine as it found it" checks themselves: the leak snapshot
# (tests/helpers/leaks.bash) must not see what the kernel changes on its own
# while a run goes on, and must see what a test leaves; the network lab must
# take away the /run/netns mount that `ip netns add` makes on a fresh
# machine. Each case runs in namespaces of its own (unshare), which go with
# its process: nothing here reaches the real network or mount table.

load helpers/common
load helpers/leaks

setup() {
	require_root
}

# The section "## NAME" of a snapshot.
section() {
	awk -v s="## $2" '/^## / { on = ($0 == s); next } on' "$1"
}

@test "leaks: routes from router advertisements and expiry countdowns are no leak; a route left behind is" {
	# a network namespace of our own, with what a router advertisement makes
	# (a default route via the router's link-local address and a prefix
	# route, both "proto ra" with lifetimes) and what older kernels make of an
	# advertised prefix ("proto kernel" with a lifetime)
	# shellcheck disable=SC2016 # code for the inner shell: its own expansions
	run unshare --net bash -c '
		set -euo pipefail
		source "$1/tests/helpers/leaks.bash"
		ip link set lo up
		ip link add dl0 type veth peer name dl1
		ip link set dl0 up
		ip link set dl1 up
		ip addr add 192.0.2.2/24 dev dl0
		ip -6 addr add 2001:db8:1::2/64 dev dl0 nodad
		ip -6 route add default via fe80::1 dev dl0 proto ra expires 1800
		ip -6 route add 2001:db8:2::/64 dev dl0 proto ra expires 86400
		ip -6 route add 2001:db8:3::/64 dev dl0 proto kernel expires 300
		leak_snapshot "$2/a"
		# time passes: the countdowns tick, the router changes its mind
		ip -6 route replace default via fe80::1 dev dl0 proto ra expires 1200
		ip -6 route del 2001:db8:2::/64 dev dl0 proto ra
		ip -6 route add 2001:db8:4::/64 dev dl0 proto ra expires 600
		ip -6 route replace 2001:db8:3::/64 dev dl0 proto kernel expires 100
		leak_snapshot "$2/b"
		# a test leaves a route of each family behind
		ip route add 10.98.0.0/24 via 192.0.2.1 dev dl0
		ip -6 route add 2001:db8:9::/64 via 2001:db8:1::1 dev dl0
		leak_snapshot "$2/c"
	' _ "$DL_REPO" "$BATS_TEST_TMPDIR"
	assert_success
	local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b c=$BATS_TEST_TMPDIR/c
	# the routes are the same...
	run leak_diff <(section "$a" routes) <(section "$b" routes)
	assert_output ""
	# ...and the advertised prefix's route is watched, without its countdown
	run section "$b" routes
	assert_line --regexp '^2001:db8:3::/64 dev dl0 proto kernel metric [0-9]+ pref medium$'
	refute_output --partial expires
	refute_output --partial "proto ra"
	# the whole snapshots: nothing about routes differs (other sections may,
	# with a concurrent run on the machine)
	run leak_diff "$a" "$b"
	refute_output --partial "2001:db8"
	refute_output --partial "expires"
	# what the test left shows, both families
	run leak_diff "$b" "$c"
	assert_line "> 10.98.0.0/24 via 192.0.2.1 dev dl0 "
	assert_line --regexp '^> 2001:db8:9::/64 via 2001:db8:1::1 dev dl0 metric [0-9]+ pref medium$'
}

# on_fresh_machine PROPAGATION PREFIX CODE: run bash CODE in a mount
# namespace that plays a fresh machine: an empty /run of its own, "/" shared
# (PROPAGATION shared: systemd makes it so, on the students' machines) or
# private (the project's machines, no systemd). Nothing mounted there
# reaches the real machine ("/" is made private first); the network
# namespaces of its labs (named from PREFIX) are named only in its /run and
# go with it.
on_fresh_machine() {
	# shellcheck disable=SC2016 # code for the inner shell: its own expansions
	unshare -m --propagation unchanged bash -c '
		set -euo pipefail
		mount --make-rprivate /
		# a machine where someone ran `ip netns add` has /run/netns mounted:
		# this namespace drops its copy (private: the machine keeps its own),
		# else the tmpfs below would hide it but mountinfo still list it
		while mountpoint -q /run/netns; do umount -l /run/netns; done
		mount "--make-r$2" /
		mount -t tmpfs dl-fresh-run /run
		mkdir /run/lock
		source "$1/tests/helpers/netlab.bash"
		prefix=$3
		eval "$4"
	' _ "$DL_REPO" "$@"
}

# What is left of the labs' traces in /run: empty when nothing.
# shellcheck disable=SC2016 # code for on_fresh_machine's shell
RUN_TRACES='
	grep -E " /run/netns(/| )" /proc/self/mountinfo || true
	ls -d /run/netns /run/docker-lite-netlab 2>/dev/null || true'

# A process in a mount namespace of its own (a workload: it just waits), in
# HOLDER once its namespace is there.
start_mount_ns_holder() {
	unshare --mount --propagation private sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	HOLDER=$!
	wait_until 50 test "$(readlink "/proc/$HOLDER/ns/mnt")" != "$(readlink /proc/self/ns/mnt)"
}

@test "leaks: a mount namespace that ends during the run is no leak; one left running is" {
	local before=$BATS_TEST_TMPDIR/before after=$BATS_TEST_TMPDIR/after pid
	# a process of the machine's own with a mount namespace, ending meanwhile
	start_mount_ns_holder
	pid=$HOLDER
	leak_snapshot "$before"
	kill "$pid"
	wait "$pid" || true
	leak_snapshot "$after"
	run leak_diff "$before" "$after"
	assert_output ""
	# a new one that is still running: what a container left behind looks
	# like (against the snapshot without it: the kernel reuses the number)
	start_mount_ns_holder
	pid=$HOLDER
	leak_snapshot "$BATS_TEST_TMPDIR/left"
	kill "$pid"
	wait "$pid" || true
	run leak_diff "$after" "$BATS_TEST_TMPDIR/left"
	assert_output --regexp '^> mnt:\[[0-9]+\]$'
}

@test "netlab: on a fresh machine the last lab down takes /run/netns away again, mount and directory" {
	local propagation
	for propagation in shared private; do
		# shellcheck disable=SC2016 # code for on_fresh_machine's shell
		run on_fresh_machine "$propagation" "f$$" '
			netlab_up "${prefix}a" >/dev/null
			mountpoint -q /run/netns
			netlab_up "${prefix}b" >/dev/null
			netlab_down "${prefix}a"
			# still needed by the other lab
			mountpoint -q /run/netns
			netlab_down "${prefix}b"
			echo "left: $('"$RUN_TRACES"')"'
		assert_success
		assert_output "left: "
	done
}

@test "netlab: every layer of a /run/netns mounted twice (two first ip netns add racing) goes" {
	# Two first `ip netns add` (the lab's and anyone's) that race each make
	# /run/netns a mount point: both find it none, both bind-mount it on
	# itself, then mount their namespaces on the top layer. Played by an ip
	# that, the first time, makes both layers before it adds the namespace.
	# Under a shared /run one umount takes every layer (they are peers);
	# under a private one each layer is a umount of its own.
	local propagation
	for propagation in shared private; do
		# shellcheck disable=SC2016 # code for on_fresh_machine's shell
		run on_fresh_machine "$propagation" "g$$" '
			ip() {
				if [[ $1 == netns && $2 == add && -z ${raced:-} ]]; then
					raced=1
					mkdir -p /run/netns
					mount --bind /run/netns /run/netns
					mount --bind /run/netns /run/netns
					mount --make-shared /run/netns
				fi
				command ip "$@"
			}
			netlab_up "$prefix" >/dev/null
			[[ $(grep -c " /run/netns " /proc/self/mountinfo) -ge 2 ]]
			netlab_down "$prefix"
			echo "left: $('"$RUN_TRACES"')"'
		assert_success
		assert_output "left: "
	done
}
