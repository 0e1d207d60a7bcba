#!/usr/bin/env bats
# bats file_tags=task3
# Task 3 networking: addnetwork (--internet, --expose) and peer, all inside
# a network lab made of namespaces (see tests/helpers/netlab.bash): no packet
# of this suite leaves the machine.

load helpers/common
load helpers/conductor
load helpers/netlab

setup_file() {
	# an image made straight from the cached base: this suite tests the
	# network, not the builder
	task3_suite_up netimg
	export LAB=n$$
	netlab_up "$LAB" >&2
	netlab_snapshot_host "$BATS_FILE_TMPDIR/lab-before"
}

teardown_file() {
	task3_suite_down "$LAB"
}

teardown() {
	local pid
	for pid in ${SERVER_PIDS:-}; do kill "$pid" 2>/dev/null || true; done
	local c
	for c in ${STARTED:-}; do netlab_host "$C" stop "$c" >/dev/null 2>&1 || true; done
	# a test's second state root (OTHER_ROOT), with its containers
	[[ -n ${OTHER_ROOT:-} ]] || return 0
	stop_containers "$OTHER_ROOT" lab
	rm -rf "$OTHER_ROOT"
}

# conductor.sh in the lab's host namespace
lab() {
	netlab_host "$C" "$@"
}

# Start a detached container that just waits, remember it for teardown.
start_container() {
	lab run -d netimg "$1" -- sleep infinity
	remember_container "$1"
}

# NAME is stopped by teardown, whatever the test left of it.
remember_container() {
	STARTED="${STARTED:-} $1"
}

# A container's state through inspect, the tool's one interface to it.
container_ip() {
	"$C" inspect -f ip "$1"
}

container_pid() {
	"$C" inspect -f pid "$1"
}

container_veth() {
	"$C" inspect -f veth "$1"
}

# A TCP server in a container's network namespace that answers with a word
# (the image has no server program; the packets are the container's all the
# same).
serve_in() {
	socat_in "$1" "$2" t "TCP-LISTEN:$2,fork,reuseaddr" "SYSTEM:echo $3"
}

# A UDP server in a container's network namespace: each datagram gets one
# back, "WORD got <the datagram's first line>", so an answer shows that the
# datagram itself arrived (socat forks a shell per datagram).
udp_serve_in() {
	socat_in "$1" "$2" u "UDP-RECVFROM:$2,fork" "SYSTEM:read -r line; echo $3 got \$line"
}

# socat_in NAME PORT t|u ADDRESS ACTION: socat serving ADDRESS with ACTION in
# container NAME's network namespace (ended in teardown), once PORT is
# bound there for TCP (t) or UDP (u).
socat_in() {
	nsenter --net="/proc/$(container_pid "$1")/ns/net" socat "$4" "$5" 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	wait_until 50 bound_in "$1" "$2" "$3"
}

# bound_in NAME PORT t|u: a TCP socket listens, or a UDP socket is bound, on
# PORT in container NAME's network namespace.
bound_in() {
	[[ -n $(nsenter --net="/proc/$(container_pid "$1")/ns/net" ss "-Hl$3n" "sport = :$2") ]]
}

# A host program with a UDP socket bound to PORT (on 127.0.0.1 of the lab's
# host namespace), as a DNS server's.
udp_bind_on_lab_host() {
	nsenter --net="$NETLAB_HOST_NS_PATH" socat "UDP-RECVFROM:$1,bind=127.0.0.1" /dev/null 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	wait_until 50 udp_bound_on_lab_host "$1"
}

udp_bound_on_lab_host() {
	[[ -n $(netlab_host ss -Huln "sport = :$1") ]]
}

# Send the datagram "ping" from the given side and print the answer; empty
# when none comes (-t1: socat waits a second for it after sending).
udp_ask_from_outside() { netlab_out socat -t1 -T2 - "UDP:$1" <<<ping 2>/dev/null || true; }
udp_ask_from_host() { netlab_host socat -t1 -T2 - "UDP:$1" <<<ping 2>/dev/null || true; }
# (the image has no socat: bash's /dev/udp, and a bounded wait for the answer)
udp_ask_from_container() {
	lab exec "$1" -- timeout 3 bash -c "exec 3<>/dev/udp/${2%:*}/${2#*:}; echo ping >&3; head -n1 <&3" 2>/dev/null || true
}

# Read what a TCP server says, from the given side; empty when unreachable.
tcp_read_from_host() { netlab_host socat -T2 - "TCP:$1,connect-timeout=2" </dev/null 2>/dev/null || true; }
tcp_read_from_outside() { netlab_out socat -T2 - "TCP:$1,connect-timeout=2" </dev/null 2>/dev/null || true; }
tcp_read_from_container() {
	lab exec "$1" -- timeout 3 bash -c "exec 3<>/dev/tcp/${2%:*}/${2#*:}; cat <&3" 2>/dev/null || true
}

@test "network: host and container reach each other" {
	start_container h1
	run lab addnetwork h1
	assert_success
	local ip
	ip=$(container_ip h1)
	[[ $ip =~ ^10\.200\. ]]
	# host -> container (TCP: the host of the lab needs no ping)
	serve_in h1 7000 hello-h1
	assert_equal "$(tcp_read_from_host "$ip:7000")" hello-h1
	# container -> host side of its veth (the image has ping)
	run lab exec h1 -- ping -c1 -W2 "${ip%.*}.$((${ip##*.} - 1))"
	assert_success
	assert_output --partial '1 received'
	# only lo and eth0 inside
	run lab exec h1 -- ls /sys/class/net
	assert_output --partial eth0
}

@test "network: the internet is reachable only with --internet, through NAT" {
	netlab_start_internet_server 80
	start_container noi
	lab addnetwork noi
	run tcp_read_from_container noi "$NETLAB_INTERNET_IP:80"
	assert_output ""

	start_container withi
	lab addnetwork withi --internet
	run tcp_read_from_container withi "$NETLAB_INTERNET_IP:80"
	# the server saw the host's uplink address: MASQUERADE did its job
	assert_output --partial "$NETLAB_HOST_IP"
}

@test "network: --internet writes the container's own resolv.conf, never the host's" {
	local before
	before=$(sha256sum /etc/resolv.conf)
	start_container dns
	CONTAINER_DNS="192.0.2.53" lab addnetwork dns --internet
	run lab exec dns -- cat /etc/resolv.conf
	assert_output "nameserver 192.0.2.53"
	assert_equal "$(sha256sum /etc/resolv.conf)" "$before"
}

@test "network: an exposed port answers from outside, the host's address and localhost" {
	start_container web
	lab addnetwork web --expose 3000:8080
	serve_in web 8080 hello-web
	assert_equal "$(tcp_read_from_outside "$NETLAB_HOST_IP:3000")" hello-web
	assert_equal "$(tcp_read_from_host "$NETLAB_HOST_IP:3000")" hello-web
	assert_equal "$(tcp_read_from_host "127.0.0.1:3000")" hello-web
	# route_localnet only on this container's host-side veth (CVE-2020-8558)
	assert_equal "$(netlab_host cat /proc/sys/net/ipv4/conf/all/route_localnet)" 0
	local veth
	veth=$(container_veth web)
	assert_equal "$(netlab_host cat "/proc/sys/net/ipv4/conf/$veth/route_localnet")" 1
}

@test "network: the original's CONTAINER-HOST form works too" {
	start_container web2
	lab addnetwork web2 -e 8080-3001
	serve_in web2 8080 hello-dash
	assert_equal "$(tcp_read_from_outside "$NETLAB_HOST_IP:3001")" hello-dash
}

@test "network: unexposed ports are not reachable from outside" {
	start_container priv
	lab addnetwork priv --internet --expose 3002:8080
	serve_in priv 9090 secret
	assert_equal "$(tcp_read_from_outside "$NETLAB_HOST_IP:9090")" ""
	# even with a route to the container's address, the firewall refuses
	netlab_out ip route add "$(container_ip priv)/32" via "$NETLAB_HOST_IP"
	assert_equal "$(tcp_read_from_outside "$(container_ip priv):9090")" ""
	netlab_out ip route del "$(container_ip priv)/32" via "$NETLAB_HOST_IP"
}

@test "network: containers reach each other only when peered, and stop undoes it" {
	start_container pa
	start_container pb
	lab addnetwork pa --internet
	lab addnetwork pb --internet
	serve_in pb 7000 from-pb
	serve_in pa 7000 from-pa
	assert_equal "$(tcp_read_from_container pa "$(container_ip pb):7000")" ""
	assert_equal "$(tcp_read_from_container pb "$(container_ip pa):7000")" ""
	run lab peer pa pb
	assert_success
	assert_equal "$(tcp_read_from_container pa "$(container_ip pb):7000")" from-pb
	assert_equal "$(tcp_read_from_container pb "$(container_ip pa):7000")" from-pa
	local veth_b
	veth_b=$(container_veth pb)
	lab stop pb
	run netlab_host iptables-save
	refute_output --partial "$veth_b"
}

@test "network: peer makes each name resolve in the other container, and stop takes it out" {
	start_container na
	start_container nb
	start_container nc
	lab addnetwork na
	lab addnetwork nb
	lab addnetwork nc
	# nc's image has /etc/hosts pointing at a file that is the host's own
	# path: peer must write inside nc's root, never the host's file
	local canary=$BATS_TEST_TMPDIR/host-hosts
	echo "host canary" >"$canary"
	lab exec nc -- sh -c "mkdir -p \"\$(dirname $canary)\" && echo inside >$canary && ln -sf $canary /etc/hosts"
	run lab exec na -- getent hosts nb
	assert_failure
	lab peer na nb
	run lab exec na -- getent hosts nb
	assert_success
	assert_output --regexp "^$(container_ip nb)[[:space:]]+nb\$"
	run lab exec nb -- getent hosts na
	assert_output --regexp "^$(container_ip na)[[:space:]]+na\$"
	run lab peer na nc
	assert_success
	assert_output --partial "not naming na in nc: its /etc/hosts is not a plain file"
	assert_equal "$(cat "$canary")" "host canary"
	# a stopped peer's name goes; the container's other lines stay
	lab stop nb
	run lab exec na -- getent hosts nb
	assert_failure
	run lab exec na -- getent hosts nc
	assert_output --regexp "^$(container_ip nc)[[:space:]]+nc\$"
	run lab exec na -- getent hosts localhost
	assert_success
}

@test "network: bad ports, conflicts and repeats are refused with nothing changed" {
	start_container bad
	local snap=$BATS_TEST_TMPDIR/snap
	netlab_snapshot_host "$snap.1"
	local p
	for p in 0 65536 abc 80: :80 1:2:3 -5 80:53/sctp 80:53/ 80:53/UDP /udp 80/udp; do
		run lab addnetwork bad --expose "$p"
		assert_failure
		assert_output --partial "invalid"
	done
	run lab addnetwork bad -e 3005:80 -e 3005:81
	assert_failure
	assert_output --partial "exposed twice"
	netlab_snapshot_host "$snap.2"
	assert_equal "$(diff "$snap.1" "$snap.2")" ""

	start_container bad2
	lab addnetwork bad2 -e 3006:80
	# a port a host program listens on (in the lab's host namespace)
	nsenter --net="$NETLAB_HOST_NS_PATH" socat TCP-LISTEN:3007,bind=127.0.0.1,reuseaddr /dev/null 3>&- &
	SERVER_PIDS="${SERVER_PIDS:-} $!"
	netlab_wait_for_listener host 3007
	netlab_snapshot_host "$snap.3"
	run lab addnetwork bad -e 3006:80
	assert_failure 125
	assert_output --partial "already in use"
	run lab addnetwork bad -e 3007:80
	assert_failure 125
	assert_output --partial "already in use"
	run lab addnetwork bad2
	assert_failure 125
	assert_output --partial "already has a network"
	run lab addnetwork bad2 --internet
	assert_failure 125
	run lab addnetwork nosuch
	assert_failure 125
	assert_output --partial "no container named"
	# an exited container has no network namespace left to connect
	lab run netimg badexited -- true
	STARTED="$STARTED badexited"
	run lab addnetwork badexited
	assert_failure 125
	assert_output --partial "not running"
	netlab_snapshot_host "$snap.4"
	assert_equal "$(diff "$snap.3" "$snap.4")" ""
	run container_ip bad
	assert_success
	assert_output ""
}

@test "network: an exposed UDP port answers from outside, the host's address, localhost and the container itself" {
	start_container udp1
	local snap=$BATS_TEST_TMPDIR/snap
	netlab_snapshot_host "$snap.1"
	# Docker's syntax; TCP on the same host port beside it
	lab addnetwork udp1 --expose 5353:53/udp --expose 5353:53/tcp
	udp_serve_in udp1 53 udp1
	serve_in udp1 53 tcp-udp1
	assert_equal "$(udp_ask_from_outside "$NETLAB_HOST_IP:5353")" "udp1 got ping"
	assert_equal "$(udp_ask_from_host "$NETLAB_HOST_IP:5353")" "udp1 got ping"
	assert_equal "$(udp_ask_from_host 127.0.0.1:5353)" "udp1 got ping"
	# hairpin: the container reaches its own exposed port via the host
	assert_equal "$(udp_ask_from_container udp1 "$NETLAB_HOST_IP:5353")" "udp1 got ping"
	assert_equal "$(tcp_read_from_outside "$NETLAB_HOST_IP:5353")" tcp-udp1
	# a UDP port that is not exposed stays closed
	udp_serve_in udp1 54 secret
	assert_equal "$(udp_ask_from_outside "$NETLAB_HOST_IP:54")" ""
	# the state keeps the protocol; ps and inspect show it
	run "$C" inspect -f ports udp1
	assert_output $'5353:53/udp\n5353:53'
	run "$C" ps
	assert_line --regexp '^udp1 .* 5353:53/udp,5353:53 '
	# stop takes the UDP rules out with the rest: the lab host is as before
	lab stop udp1
	netlab_snapshot_host "$snap.2"
	assert_equal "$(diff "$snap.1" "$snap.2")" ""
}

@test "network: TCP and UDP on one host port reach their own containers" {
	start_container pro1
	start_container pro2
	# each host port: TCP to one container, UDP to the other
	lab addnetwork pro1 -e 3030:8080 -e 3031:53/udp
	lab addnetwork pro2 -e 3030:53/udp -e 3031:8080
	serve_in pro1 8080 tcp-pro1
	serve_in pro2 8080 tcp-pro2
	udp_serve_in pro1 53 udp-pro1
	udp_serve_in pro2 53 udp-pro2
	assert_equal "$(tcp_read_from_outside "$NETLAB_HOST_IP:3030")" tcp-pro1
	assert_equal "$(udp_ask_from_outside "$NETLAB_HOST_IP:3030")" "udp-pro2 got ping"
	assert_equal "$(tcp_read_from_outside "$NETLAB_HOST_IP:3031")" tcp-pro2
	assert_equal "$(udp_ask_from_outside "$NETLAB_HOST_IP:3031")" "udp-pro1 got ping"
	assert_equal "$(jq -c .ports <<<"$("$C" inspect pro2)")" '["3030:53/udp","3031:8080"]'
}

@test "network: a UDP host port is taken by a container, another state root or a host socket; TCP beside it is free" {
	start_container uta
	start_container utb
	lab addnetwork uta -e 3040:53/udp
	# another state root's container holds 3043/udp: only its DNAT rule says so
	OTHER_ROOT=$(mktemp -d /tmp/dl-test.XXXXXX)
	mkdir -p "$OTHER_ROOT/.images/netimg"
	cp "$CONDUCTOR_ROOT/.images/netimg/image" "$OTHER_ROOT/.images/netimg/"
	CONDUCTOR_ROOT=$OTHER_ROOT lab run -d netimg utc -- sleep infinity
	CONDUCTOR_ROOT=$OTHER_ROOT lab addnetwork utc -e 3043:53/udp
	# a host program's UDP socket (in the lab's host namespace)
	udp_bind_on_lab_host 3042
	local snap=$BATS_TEST_TMPDIR/snap
	netlab_snapshot_host "$snap.1"
	run lab addnetwork utb -e 3041:53/udp -e 3041:54/udp
	assert_failure 125
	assert_output "conductor.sh: host port 3041/udp is exposed twice"
	local p
	for p in 3040 3042 3043; do
		run lab addnetwork utb -e "$p:53/udp"
		assert_failure 125
		assert_output "conductor.sh: host port $p/udp is already in use: choose another"
	done
	netlab_snapshot_host "$snap.2"
	assert_equal "$(diff "$snap.1" "$snap.2")" ""
	run container_ip utb
	assert_output ""
	# the same ports for TCP, and a UDP port beside a TCP one, are free
	lab addnetwork utb -e 3040:8080 -e 3042:8081 -e 3043:8082/tcp -e 3041:53/udp -e 3041:8083
	assert_equal "$("$C" inspect -f ports utb | tr '\n' ' ')" "3040:8080 3042:8081 3043:8082 3041:53/udp 3041:8083 "
}

@test "network: stop removes exactly its own rules, even when another's name looks like its veth" {
	start_container tagA
	lab addnetwork tagA --internet -e 3010:8080
	local veth_a
	veth_a=$(container_veth tagA)
	# a valid container name that contains tagA's interface name
	start_container "x-$veth_a"
	lab addnetwork "x-$veth_a" --internet -e 3011:8080
	serve_in "x-$veth_a" 8080 still-here
	local rules_b
	rules_b=$(netlab_host iptables-save | grep -F -- ":x-$veth_a" | sort)
	[[ -n $rules_b ]]
	lab stop tagA
	run netlab_host iptables-save
	refute_output --partial "dl:$veth_a:"
	assert_equal "$(netlab_host iptables-save | grep -F -- ":x-$veth_a" | sort)" "$rules_b"
	assert_equal "$(tcp_read_from_outside "$NETLAB_HOST_IP:3011")" still-here
}

@test "network: 20 containers get 20 distinct addresses, and stopping frees them" {
	local i ips=()
	for i in $(seq 1 20); do
		start_container "many$i"
		lab addnetwork "many$i" >/dev/null 2>&1
		ips+=("$(container_ip "many$i")")
	done
	assert_equal "$(printf '%s\n' "${ips[@]}" | sort -u | wc -l)" 20
	for i in $(seq 1 20); do lab stop "many$i" >/dev/null; done
	# every address and interface is free again
	run netlab_host ip -o addr show
	refute_output --partial ' 10.200.'
	refute grep -qsh '^netindex=' "$CONDUCTOR_ROOT"/.containers/*/state
	run netlab_host ip -o link show
	refute_output --partial ' dlh'
	start_container again
	lab addnetwork again
	assert_equal "$(container_ip again)" "${ips[0]}"
}

@test "inspect: the network fields match the lab: the ip answers, gateway, ports, internet, peers" {
	start_container ia
	start_container ib
	lab addnetwork ia --internet -e 3020:8080
	lab addnetwork ib
	lab peer ia ib
	local ja jb ip
	ja=$("$C" inspect ia)
	jb=$("$C" inspect ib)
	jq -e . <<<"$ja" >/dev/null
	assert_equal "$(jq -c '[.ports, .internet, .peers]' <<<"$ja")" '[["3020:8080"],true,["ib"]]'
	assert_equal "$(jq -c '[.ports, .internet, .peers]' <<<"$jb")" '[[],false,["ia"]]'
	# the address is the container's eth0's, and it answers from the host
	ip=$(jq -r .ip <<<"$ja")
	run lab exec ia -- ip -4 -o addr show dev eth0
	assert_output --partial " $ip/"
	serve_in ia 8080 hello-ia
	assert_equal "$(tcp_read_from_host "$ip:8080")" hello-ia
	# the gateway is the host side of the veth inspect names
	run netlab_host ip -4 -o addr show dev "$(jq -r .veth <<<"$ja")"
	assert_output --partial " $(jq -r .gateway <<<"$ja")/"
	# -f prints the same
	assert_equal "$("$C" inspect -f ip ia)" "$ip"
	assert_equal "$("$C" inspect -f peers ia)" ib
}

@test "addnetwork -h: the help names --expose with its protocols" {
	run "$C" addnetwork -h
	assert_success
	assert_output --partial "-e, --expose HOST:CONTAINER[/tcp|/udp]"
	assert_output --partial "5353:53/udp"
}

# NAME is running
container_running() {
	[[ $(state_of "$1" status) == running ]]
}

# NAME's directory is gone, and with it everything of it
container_gone() {
	[[ ! -e $CONDUCTOR_ROOT/.containers/$1 ]]
}

@test "network: run --rm undoes a network added while it ran, in the foreground and with -d" {
	# dl-run removes a --rm container itself, but not one with a network
	# (addnetwork's link and rules): that is left to conductor.sh
	local waiter='while [ ! -e /go ]; do sleep 0.05; done' veth_fg veth_d pid
	lab run --rm netimg rmnetfg -- sh -c "$waiter" &
	pid=$!
	remember_container rmnetfg
	wait_until 100 container_running rmnetfg
	lab addnetwork rmnetfg --internet -e 3020:8080
	veth_fg=$(container_veth rmnetfg)
	lab run --rm -d netimg rmnetd -- sh -c "$waiter"
	remember_container rmnetd
	lab addnetwork rmnetd --internet -e 3021:8080
	veth_d=$(container_veth rmnetd)
	[[ -n $veth_fg && -n $veth_d ]]
	netlab_host iptables-save | grep -qF "dl:$veth_fg:"
	"$C" exec rmnetfg -- touch /go
	"$C" exec rmnetd -- touch /go
	wait "$pid"
	wait_until 100 container_gone rmnetd
	container_gone rmnetfg
	run netlab_host iptables-save
	refute_output --partial "dl:$veth_fg:"
	refute_output --partial "dl:$veth_d:"
	run netlab_host ip -o link show
	refute_output --partial "$veth_fg"
	refute_output --partial "$veth_d"
}

@test "network: after every container stops, the lab host is exactly as before" {
	stop_containers "$CONDUCTOR_ROOT" lab
	STARTED=
	# each stop removed its container (one that failed would be left)
	run ls "$CONDUCTOR_ROOT/.containers"
	assert_output ""
	netlab_snapshot_host "$BATS_TEST_TMPDIR/after"
	run diff "$BATS_FILE_TMPDIR/lab-before" "$BATS_TEST_TMPDIR/after"
	assert_success
	assert_equal "$(netlab_host cat /proc/sys/net/ipv4/ip_forward)" 0
}

