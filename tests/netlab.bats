# bats file_tags=netlab
# The network lab itself (tests/helpers/netlab.bash, scripts/netlab): what it
# is made of, that it is sealed off from the real network, that the host side
# switches only the network namespace, that NAT works inside it, and that
# netlab_down leaves nothing behind. Every lab here is named from this suite's
# PID and the test number, so parallel runs cannot collide.

# shellcheck disable=SC2016,SC2030,SC2031 # single-quoted code runs in the lab's own shells; each test's arrays are its own (bats runs each test in a subshell)
load helpers/common
load helpers/netlab
load helpers/leaks

# The machine's real network namespace, as this suite must leave it.
snapshot_real_namespace() {
	{
		echo "## links"
		ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort
		echo "## routes"
		# not the kernel's own (router advertisements, expiry countdowns)
		ip route show table all | leak_routes
		echo "## iptables"
		iptables-save | _netlab_normalize_iptables
		echo "## sysctl"
		cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/all/route_localnet
		echo "## /run/netns mount"
		mountpoint /run/netns || true
	} >"$1"
}

# The namespaces present, less those of netlab suites (this one's or a
# parallel run's, which come and go as they please).
netns_not_of_netlab_suites() {
	ip netns list | awk '{ print $1 }' | grep -v -E '^[tuck][0-9]+x[0-9]+-' | sort || true
}

setup_file() {
	require_root
	export SUITE_ID=$$
	snapshot_real_namespace "$BATS_FILE_TMPDIR/real-before"
	netns_not_of_netlab_suites >"$BATS_FILE_TMPDIR/netns-before"
}

setup() {
	require_root
	LABS=()
	EXTRA_NS=()
	PIDS=()
}

teardown() {
	local lab ns pid
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for ns in "${EXTRA_NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	for lab in "${LABS[@]}"; do netlab_down "$lab" >/dev/null 2>&1 || true; done
}

# A lab for this test: "<letter><suite pid>x<test number>", at most 11 characters.
lab_up() {
	local prefix=${1:-t}${SUITE_ID}x${BATS_TEST_NUMBER}
	LABS+=("$prefix")
	netlab_up "$prefix" >/dev/null
}

# A "container": one more namespace behind a veth from the lab host, with
# 10.99.0.2/24 and a default route via the host side 10.99.0.1.
add_container_ns() {
	local ns=${NETLAB_PREFIX}-c veth=${NETLAB_PREFIX}-c0
	EXTRA_NS+=("$ns")
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$NETLAB_HOST_NS" link add "$veth" type veth peer name eth0 netns "$ns"
	ip -n "$NETLAB_HOST_NS" addr add 10.99.0.1/24 dev "$veth"
	ip -n "$ns" addr add 10.99.0.2/24 dev eth0
	ip -n "$NETLAB_HOST_NS" link set "$veth" up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via 10.99.0.1
	CONTAINER_NS=$ns
}

# A TCP server in namespace NS on PORT that says which address it saw; fd 3
# closed so bats does not wait for it. Killed by PID in teardown.
serve_peer_in() {
	local ns=$1 port=$2
	ip netns exec "$ns" socat "TCP-LISTEN:$port,reuseaddr,fork" 'SYSTEM:echo "$SOCAT_PEERADDR"' \
		</dev/null >/dev/null 2>&1 3>&- &
	PIDS+=("$!")
	wait_until 50 bash -c '[[ -n $(ip netns exec "$1" ss -Hltn "sport = :$2") ]]' _ "$ns" "$port"
}

# Gone, or a zombie waiting for its parent (or init) to reap it.
is_dead() {
	[[ ! -e /proc/$1 ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

# What a TCP server at ADDR:PORT says to a client in namespace NS; empty
# when it cannot be reached.
tcp_read_in() {
	ip netns exec "$1" socat -T2 - "TCP:$2,connect-timeout=2" </dev/null 2>/dev/null || true
}

@test "netlab: up makes the host and outside namespaces joined by the uplink" {
	lab_up
	assert_equal "$NETLAB_PREFIX" "${LABS[0]}"
	assert_equal "$NETLAB_HOST_NS" "${LABS[0]}-host"
	assert_equal "$NETLAB_OUT_NS" "${LABS[0]}-out"
	assert_equal "$NETLAB_HOST_NS_PATH" "/run/netns/${LABS[0]}-host"
	assert_equal "$NETLAB_UPLINK" "${LABS[0]}-up"
	[[ -e $NETLAB_HOST_NS_PATH && -e /run/netns/$NETLAB_OUT_NS ]]
	run ip -n "$NETLAB_HOST_NS" -br addr show dev "$NETLAB_UPLINK"
	assert_output --regexp "UP +$NETLAB_HOST_IP/24"
	run ip -n "$NETLAB_OUT_NS" -br addr show
	assert_output --partial "$NETLAB_OUT_IP/24"
	assert_output --partial "$NETLAB_INTERNET_IP/32"
	# the tool finds its DEFAULT_IFC from this route
	run ip -n "$NETLAB_HOST_NS" route show default
	assert_output "default via $NETLAB_OUT_IP dev $NETLAB_UPLINK "
	# lo is up on both sides
	run ip -n "$NETLAB_HOST_NS" -o link show lo
	assert_output --partial ",UP,"
	run ip -n "$NETLAB_OUT_NS" -o link show lo
	assert_output --partial ",UP,"
	# and no end of the uplink is in the real namespace
	run ip -o link show
	refute_output --partial "${LABS[0]}-"
}

@test "netlab: the host namespace reaches the outside and the internet server sees its uplink address" {
	lab_up
	netlab_start_internet_server 80
	# asking again for a running server is fine
	netlab_start_internet_server 80
	run netlab_http_get_from_host "http://$NETLAB_INTERNET_IP/"
	assert_success
	assert_output "$NETLAB_HOST_IP"
	# a bare TCP client gets the bare address
	run netlab_host socat -T2 - "TCP:$NETLAB_INTERNET_IP:80,connect-timeout=2" </dev/null
	assert_output "$NETLAB_HOST_IP"
	# the outside's own address answers too (nothing listens there on 80)
	run netlab_host socat -T2 - "TCP:$NETLAB_OUT_IP:80,connect-timeout=2" </dev/null
	assert_failure
	assert_output --partial "Connection refused"
	# and an outside client reaches a server in the host namespace (nsenter
	# itself, not the netlab_host function, so that $! is the server's PID)
	nsenter --net="$NETLAB_HOST_NS_PATH" socat TCP-LISTEN:8000,reuseaddr,fork 'SYSTEM:echo "$SOCAT_PEERADDR"' \
		</dev/null >/dev/null 2>&1 3>&- &
	PIDS+=("$!")
	netlab_wait_for_listener host 8000
	assert_equal "$(netlab_out socat -T2 - "TCP:$NETLAB_HOST_IP:8000,connect-timeout=2" </dev/null)" "$NETLAB_OUT_IP"
}

@test "netlab: the outside namespace reaches nothing that is not in the lab" {
	lab_up
	# exactly lo and its end of the uplink, and no default route
	run netlab_out ip -o link show
	assert_equal "${#lines[@]}" 2
	run netlab_out ip route show
	assert_output "203.0.113.0/24 dev ${LABS[0]}-isp proto kernel scope link src $NETLAB_OUT_IP "
	# a route lookup sends nothing: documentation addresses, a container
	# subnet and the machine's real address are all unreachable
	local real_ip addr
	real_ip=$(ip -o -4 addr show scope global | awk 'NR == 1 { sub(/\/.*/, "", $4); print $4 }')
	for addr in 192.0.2.1 10.99.0.2 10.200.0.2 ${real_ip:+"$real_ip"}; do
		run netlab_out ip route get "$addr"
		assert_failure
		assert_output --partial "unreachable"
	done
	# and it forwards nothing: even a lab host with a wrong route gets no
	# packet out through it
	assert_equal "$(netlab_out cat /proc/sys/net/ipv4/ip_forward)" 0
}

@test "netlab: netlab_host keeps the mount namespace and switches only the network" {
	lab_up
	local file=$BATS_TEST_TMPDIR/written-in-lab
	netlab_host bash -c 'echo from-the-lab >"$1"' _ "$file"
	assert_equal "$(cat "$file")" from-the-lab
	assert_equal "$(netlab_host readlink /proc/self/ns/mnt)" "$(readlink /proc/self/ns/mnt)"
	local lab_net real_net
	lab_net=$(netlab_host readlink /proc/self/ns/net)
	real_net=$(readlink /proc/self/ns/net)
	[[ $lab_net != "$real_net" ]]
	# it is the namespace the lab's handle names
	assert_equal "$lab_net" "net:[$(stat -L -c %i "$NETLAB_HOST_NS_PATH")]"
	run netlab_host ip -o link show
	assert_output --partial "$NETLAB_UPLINK"
	refute_output "$(ip -o link show)"
}

@test "netlab: ip_forward and route_localnet are off in the lab, the real ones untouched" {
	local fwd_before lnet_before
	fwd_before=$(cat /proc/sys/net/ipv4/ip_forward)
	lnet_before=$(cat /proc/sys/net/ipv4/conf/all/route_localnet)
	lab_up
	assert_equal "$(netlab_host cat /proc/sys/net/ipv4/ip_forward)" 0
	assert_equal "$(netlab_host cat /proc/sys/net/ipv4/conf/all/route_localnet)" 0
	assert_equal "$(netlab_out cat /proc/sys/net/ipv4/ip_forward)" 0
	assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd_before"
	assert_equal "$(cat /proc/sys/net/ipv4/conf/all/route_localnet)" "$lnet_before"
}

@test "netlab: servers are detached (no fd beyond stdio but their socket) and recorded" {
	lab_up
	netlab_start_internet_server 8080
	local pidfile=/run/docker-lite-netlab/${LABS[0]}/servers/internet-8080.pid pid fd target
	[[ -f $pidfile ]]
	read -r pid _ <"$pidfile"
	assert_equal "$(readlink "/proc/$pid/fd/0")" /dev/null
	for fd in /proc/"$pid"/fd/*; do
		[[ ${fd##*/} -le 2 ]] && continue
		target=$(readlink "$fd")
		[[ $target == socket:* ]] || fail "server fd ${fd##*/} is open on $target"
	done
}

@test "netlab: down removes namespaces, servers, stray processes and state, and is idempotent" {
	lab_up
	netlab_start_internet_server 80
	local pidfile=/run/docker-lite-netlab/${LABS[0]}/servers/internet-80.pid server stray
	read -r server _ <"$pidfile"
	# a process someone left in the lab would keep its namespace alive
	nsenter --net="$NETLAB_HOST_NS_PATH" sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	stray=$!
	PIDS+=("$stray")
	run netlab_down "${LABS[0]}"
	assert_success
	assert_output --partial "stopping process $stray"
	[[ ! -e /run/netns/${LABS[0]}-host && ! -e /run/netns/${LABS[0]}-out ]]
	[[ ! -e /run/docker-lite-netlab/${LABS[0]} ]]
	is_dead "$server"
	is_dead "$stray"
	run netlab_down "${LABS[0]}"
	assert_success
	assert_output ""
	run netlab_exists "${LABS[0]}"
	assert_failure
}

@test "netlab: up refuses an existing lab and leaves it as it is" {
	lab_up
	netlab_start_internet_server 80
	run netlab_up "${LABS[0]}"
	assert_failure
	assert_output --partial "already exists"
	assert_equal "$(netlab_http_get_from_host "http://$NETLAB_INTERNET_IP/")" "$NETLAB_HOST_IP"
}

@test "netlab: bad prefixes are refused, the longest one fits IFNAMSIZ" {
	local p
	for p in Upper 9lives a-b "a b" abcdefghijkl ../x; do
		run netlab_up "$p"
		assert_failure
		assert_output --partial "invalid lab prefix"
	done
	# 11 characters: "<prefix>-isp" is 15, the kernel's limit
	local long=k${SUITE_ID}x${BATS_TEST_NUMBER}
	long=${long}zzzzzzzzzzz
	long=${long:0:11}
	LABS+=("$long")
	netlab_up "$long" >/dev/null
	run netlab_out ip -o link show
	assert_output --partial "$long-isp"
}

@test "netlab: two labs with different prefixes coexist" {
	lab_up t
	local a=$NETLAB_PREFIX
	netlab_start_internet_server 80
	lab_up u
	local b=$NETLAB_PREFIX
	netlab_start_internet_server 80
	# same addresses, separate worlds
	netlab_use "$a"
	assert_equal "$(netlab_http_get_from_host "http://$NETLAB_INTERNET_IP/")" "$NETLAB_HOST_IP"
	netlab_use "$b"
	assert_equal "$(netlab_http_get_from_host "http://$NETLAB_INTERNET_IP/")" "$NETLAB_HOST_IP"
	netlab_down "$a"
	run netlab_status "$b"
	assert_success
	assert_output --partial "internet server: $NETLAB_INTERNET_IP:80"
	assert_equal "$(netlab_http_get_from_host "http://$NETLAB_INTERNET_IP/")" "$NETLAB_HOST_IP"
}

@test "netlab: iptables DNAT and MASQUERADE work inside the lab's host namespace" {
	lab_up
	netlab_start_internet_server 80
	netlab_snapshot_host "$BATS_TEST_TMPDIR/before"
	add_container_ns
	serve_peer_in "$CONTAINER_NS" 8080
	netlab_host tee /proc/sys/net/ipv4/ip_forward <<<1 >/dev/null
	netlab_host iptables -w -t nat -A PREROUTING -i "$NETLAB_UPLINK" -p tcp --dport 3000 \
		-j DNAT --to-destination 10.99.0.2:8080
	# DNAT: the outside reaches the container through the host's port 3000,
	# and the container sees the outside client's address
	assert_equal "$(tcp_read_in "$NETLAB_OUT_NS" "$NETLAB_HOST_IP:3000")" "$NETLAB_OUT_IP"
	# without MASQUERADE the internet cannot answer a container address...
	assert_equal "$(tcp_read_in "$CONTAINER_NS" "$NETLAB_INTERNET_IP:80")" ""
	# ...with it, the internet server sees the host's uplink address
	netlab_host iptables -w -t nat -A POSTROUTING -s 10.99.0.0/24 -o "$NETLAB_UPLINK" -j MASQUERADE
	assert_equal "$(tcp_read_in "$CONTAINER_NS" "$NETLAB_INTERNET_IP:80")" "$NETLAB_HOST_IP"

	# undone, the lab host is as before (empty nat table = no nat table)
	netlab_host iptables -w -t nat -D POSTROUTING -s 10.99.0.0/24 -o "$NETLAB_UPLINK" -j MASQUERADE
	netlab_host iptables -w -t nat -D PREROUTING -i "$NETLAB_UPLINK" -p tcp --dport 3000 \
		-j DNAT --to-destination 10.99.0.2:8080
	netlab_host tee /proc/sys/net/ipv4/ip_forward <<<0 >/dev/null
	kill "${PIDS[@]}"
	ip netns del "$CONTAINER_NS"
	# the host-side veth goes when the namespace is gone (asynchronously)
	wait_until 50 bash -c '! ip -n "$1" link show "$2" >/dev/null 2>&1' _ "$NETLAB_HOST_NS" "${NETLAB_PREFIX}-c0"
	netlab_snapshot_host "$BATS_TEST_TMPDIR/after"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_success
}

@test "netlab: snapshots of the lab host see a leftover route and rule" {
	lab_up
	netlab_snapshot_host "$BATS_TEST_TMPDIR/a"
	netlab_snapshot_host "$BATS_TEST_TMPDIR/b"
	run diff "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	assert_success
	netlab_host ip route add 10.98.0.0/24 via "$NETLAB_OUT_IP"
	netlab_host iptables -w -A FORWARD -s 10.98.0.0/24 -j DROP
	netlab_snapshot_host "$BATS_TEST_TMPDIR/c"
	run diff "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/c"
	assert_failure
	assert_output --partial "10.98.0.0/24 via $NETLAB_OUT_IP"
	assert_output --partial "-A FORWARD -s 10.98.0.0/24 -j DROP"
}

@test "netlab: the scripts/netlab command line" {
	local cli=$DL_REPO/scripts/netlab p=c${SUITE_ID}x${BATS_TEST_NUMBER}
	LABS+=("$p")
	run "$cli" --help
	assert_success
	assert_output --partial "Usage: scripts/netlab"
	run "$cli" up "$p"
	assert_success
	run "$cli" status "$p"
	assert_success
	assert_output --partial "lab $p: up"
	run "$cli" env "$p"
	assert_line "export NETLAB_UPLINK=$p-up"
	assert_line "export NETLAB_HOST_NS_PATH=/run/netns/$p-host"
	run "$cli" serve "$p" 80
	assert_success
	run "$cli" host "$p" -- curl -s --noproxy '*' --max-time 5 http://198.51.100.80/
	assert_output 203.0.113.2
	run "$cli" outside "$p" -- ip -o addr show dev "$p-isp"
	assert_output --partial 203.0.113.1/24
	# the command's exit status comes through
	run "$cli" host "$p" -- bash -c 'exit 7'
	assert_equal "$status" 7
	run "$cli" host "$p" ip link
	assert_failure
	assert_output --partial "expected '--'"
	run "$cli" down "$p"
	assert_success
	run "$cli" status "$p"
	assert_equal "$status" 1
	run "$cli" down "$p"
	assert_success
}

@test "netlab: the suite left the real network namespace and ip netns as it found them" {
	snapshot_real_namespace "$BATS_TEST_TMPDIR/real-after"
	run diff "$BATS_FILE_TMPDIR/real-before" "$BATS_TEST_TMPDIR/real-after"
	assert_success
	# none of this suite's labs is left, and nobody else's namespace was removed
	run bash -c "ip netns list | awk '{ print \$1 }' | grep -E '^[tuck]${SUITE_ID}x'"
	assert_output ""
	run comm -23 "$BATS_FILE_TMPDIR/netns-before" <(netns_not_of_netlab_suites)
	assert_output ""
	[[ ! -e /run/docker-lite-netlab ]] || [[ -z $(compgen -G "/run/docker-lite-netlab/[tuck]${SUITE_ID}x*") ]]
}
