# network.sh - addnetwork and peer: veth pairs, addresses, NAT and port
# forwarding for containers.
# shellcheck shell=bash
#
# Each networked container gets a /30 from NET_POOL: the host side of its
# veth pair (dlh<N>, in the host's namespace) is .1, the container side
# (eth0, created directly inside the container's namespace) is .2.
#
# iptables: every rule lives in docker-lite's own chains, jumped to once from
# the built-in chains, and carries a comment "dl:<veth>:<name>" so `stop`
# deletes exactly that container's rules. The host's chains, policies and
# other rules are never flushed or changed. When the last rule goes, the
# chains and jumps go too.
#   filter DL-FWD  (from FORWARD)      who may be forwarded to/from containers
#   nat    DL-PRE  (from PREROUTING and OUTPUT, for local destinations)  DNAT
#   nat    DL-POST (from POSTROUTING)  MASQUERADE

NET_CHAIN_FWD=DL-FWD
NET_CHAIN_PRE=DL-PRE
NET_CHAIN_POST=DL-POST
NET_VETH_PREFIX=dlh

help_addnetwork() {
	cat <<'HELP'
Usage: conductor.sh addnetwork <name> [-i|--internet] [-e|--expose HOST:CONTAINER]...

Connect a running container with a veth pair: the host reaches the container
and the container reaches the host. Addresses come from NET_POOL (config.sh).
  -i, --internet            default route + NAT (MASQUERADE) out of DEFAULT_IFC,
                            and the container's own /etc/resolv.conf
  -e, --expose HOST:CONTAINER
                            forward TCP port HOST of the host (its interfaces
                            and localhost) to port CONTAINER of the container;
                            repeatable. The original's CONTAINER-HOST form
                            (e.g. 8080-80) is accepted too.
HELP
}

help_peer() {
	cat <<'HELP'
Usage: conductor.sh peer <name1> <name2>

Let two networked containers reach each other by address. Containers that
are not peered cannot. Undone when either container stops.
HELP
}

# ---- addresses ---------------------------------------------------------

ip_to_int() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	printf '%d\n' $(((a << 24) | (b << 16) | (c << 8) | d))
}

int_to_ip() {
	local n=$1
	printf '%d.%d.%d.%d\n' $(((n >> 24) & 255)) $(((n >> 16) & 255)) $(((n >> 8) & 255)) $((n & 255))
}

# Print "start end" (as integers) of a CIDR prefix.
cidr_range() {
	local addr=${1%/*} bits=${1#*/} start size
	[[ $1 == */* ]] || bits=32
	size=$((1 << (32 - bits)))
	start=$(($(ip_to_int "$addr") & ~(size - 1) & 0xffffffff))
	printf '%d %d\n' "$start" $((start + size - 1))
}

# Does [start, end] overlap any IPv4 route of the host (default excluded)?
range_is_routed() {
	local start=$1 end=$2 dest rs re
	while read -r dest _; do
		[[ $dest == default ]] && continue
		[[ $dest =~ ^[0-9.]+(/[0-9]+)?$ ]] || continue
		read -r rs re < <(cidr_range "$dest")
		((rs <= end && start <= re)) && return 0
	done < <(ip -4 route show)
	return 1
}

# Network indices taken by this state root's containers.
used_net_indices() {
	local state
	for state in "$CONTAINERDIR"/*/state; do
		[[ -f $state ]] && state_get "$state" netindex
	done
}

# Pick the lowest free /30 of the pool: not used by us, not routed on the
# host (another tool, another state root, a real network) and with a free
# interface name. Sets NET_INDEX NET_SUBNET NET_HOST_IP NET_CONT_IP NET_VETH.
allocate_network() {
	local pool_start pool_end i start used
	read -r pool_start pool_end < <(cidr_range "$NET_POOL")
	used=" $(used_net_indices | tr '\n' ' ') "
	for ((i = 0; pool_start + 4 * i + 3 <= pool_end; i++)); do
		[[ $used == *" $i "* ]] && continue
		start=$((pool_start + 4 * i))
		range_is_routed "$start" $((start + 3)) && continue
		ip link show "$NET_VETH_PREFIX$i" >/dev/null 2>&1 && continue
		NET_INDEX=$i
		NET_SUBNET=$(int_to_ip "$start")/30
		NET_HOST_IP=$(int_to_ip $((start + 1)))
		NET_CONT_IP=$(int_to_ip $((start + 2)))
		NET_VETH=$NET_VETH_PREFIX$i
		return 0
	done
	die "no free address left in NET_POOL=$NET_POOL: stop a networked container or widen the pool in config.sh"
}

default_interface() {
	if [[ -n $DEFAULT_IFC ]]; then
		ip link show "$DEFAULT_IFC" >/dev/null 2>&1 ||
			die "DEFAULT_IFC=$DEFAULT_IFC does not exist: fix it in config.sh or leave it empty"
		printf '%s\n' "$DEFAULT_IFC"
		return 0
	fi
	local dev
	dev=$(ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
	[[ -n $dev ]] || die "no default route on this host: set DEFAULT_IFC in config.sh to use --internet"
	printf '%s\n' "$dev"
}

# ---- option parsing ----------------------------------------------------

# Normalise "HOST:CONTAINER" or the original's "CONTAINER-HOST" to
# "HOST:CONTAINER", validating both ports.
parse_expose() {
	local spec=$1 host cont
	if [[ $spec =~ ^([^:]*):([^:]*)$ ]]; then
		host=${BASH_REMATCH[1]} cont=${BASH_REMATCH[2]}
	elif [[ $spec =~ ^([^-]*)-([^-]*)$ ]]; then
		cont=${BASH_REMATCH[1]} host=${BASH_REMATCH[2]}
	else
		die "invalid --expose '$spec': use HOST:CONTAINER, e.g. 3000:8080"
	fi
	validate_port host "$host"
	validate_port container "$cont"
	printf '%s:%s\n' "$((10#$host))" "$((10#$cont))"
}

# A host port is taken when one of our containers exposes it, any DNAT rule
# of ours (any state root) uses it, or a host socket listens on it.
host_port_in_use() {
	local port=$1 state
	for state in "$CONTAINERDIR"/*/state; do
		[[ -f $state ]] || continue
		[[ " $(state_get "$state" ports) " == *" $port:"* ]] && return 0
	done
	iptables -w -t nat -S "$NET_CHAIN_PRE" 2>/dev/null | grep -q -- "--dport $port " && return 0
	[[ -n $(ss -Hltn "sport = :$port") ]]
}

# ---- iptables ----------------------------------------------------------

# Apply restore-format rules to one table without flushing anything.
iptables_batch() {
	local table=$1 rules=$2
	printf '*%s\n%s\nCOMMIT\n' "$table" "$rules" | iptables-restore -w --noflush
}

chain_exists() {
	iptables -w -t "$1" -n -L "$2" >/dev/null 2>&1
}

# Create our chains and their jumps once. A chain declaration in
# iptables-restore would flush an existing chain, so only missing ones are
# declared.
ensure_chains() {
	if ! chain_exists filter "$NET_CHAIN_FWD"; then
		iptables_batch filter ":$NET_CHAIN_FWD - [0:0]
-A $NET_CHAIN_FWD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A $NET_CHAIN_FWD -i $NET_VETH_PREFIX+ -j DROP
-A $NET_CHAIN_FWD -o $NET_VETH_PREFIX+ -j DROP
-I FORWARD 1 -j $NET_CHAIN_FWD"
	fi
	if ! chain_exists nat "$NET_CHAIN_PRE"; then
		iptables_batch nat ":$NET_CHAIN_PRE - [0:0]
:$NET_CHAIN_POST - [0:0]
-I PREROUTING 1 -m addrtype --dst-type LOCAL -j $NET_CHAIN_PRE
-I OUTPUT 1 -m addrtype --dst-type LOCAL -j $NET_CHAIN_PRE
-I POSTROUTING 1 -j $NET_CHAIN_POST"
	fi
}

# Our rules of the veth $2 in table $1, turned into deletions. Comments are
# "dl:<veth>:<name>" or, for a peering, "dl:<veth>+<veth>:<name>+<name>";
# only the veth field is matched (veth names hold no ':' or '+'), so a
# container whose *name* looks like another's veth (say "x-dlh0") keeps
# its rules.
rules_tagged() {
	local table=$1 veth=$2
	iptables-save -t "$table" 2>/dev/null |
		grep -E -- "--comment \"?dl:([^ \":+]+\+)?$veth(\+[^ \":+]+)?:" |
		sed 's/^-A /-D /' || true
}

delete_rules_tagged() {
	local tag=$1 table rules
	for table in filter nat; do
		rules=$(rules_tagged "$table" "$tag")
		[[ -z $rules ]] || iptables_batch "$table" "$rules"
	done
}

# Remove our chains and jumps when no container rule is left in them.
remove_chains_if_unused() {
	if chain_exists filter "$NET_CHAIN_FWD" &&
		! iptables-save -t filter | grep -q -- '--comment "\?dl:'; then
		iptables_batch filter "-D FORWARD -j $NET_CHAIN_FWD
-F $NET_CHAIN_FWD
-X $NET_CHAIN_FWD"
	fi
	if chain_exists nat "$NET_CHAIN_PRE" &&
		! iptables-save -t nat | grep -q -- '--comment "\?dl:'; then
		iptables_batch nat "-D PREROUTING -m addrtype --dst-type LOCAL -j $NET_CHAIN_PRE
-D OUTPUT -m addrtype --dst-type LOCAL -j $NET_CHAIN_PRE
-D POSTROUTING -j $NET_CHAIN_POST
-F $NET_CHAIN_PRE
-X $NET_CHAIN_PRE
-F $NET_CHAIN_POST
-X $NET_CHAIN_POST"
	fi
}

# ---- forwarding (net.ipv4.ip_forward) -----------------------------------

# The value we found is kept per network namespace and restored when our
# last rule is gone, so the host ends as it was.
ip_forward_saved_file() {
	printf '%s/.net/ip_forward.%s\n' "$CONDUCTOR_ROOT" "$(stat -L -c %i /proc/self/ns/net)"
}

enable_ip_forward() {
	local saved
	saved=$(ip_forward_saved_file)
	mkdir -p "${saved%/*}"
	[[ -f $saved ]] || cat /proc/sys/net/ipv4/ip_forward >"$saved"
	echo 1 >/proc/sys/net/ipv4/ip_forward
}

restore_ip_forward_if_unused() {
	local saved
	saved=$(ip_forward_saved_file)
	[[ -f $saved ]] || return 0
	chain_exists filter "$NET_CHAIN_FWD" && return 0
	cat "$saved" >/proc/sys/net/ipv4/ip_forward
	rm -f "$saved"
	rmdir "${saved%/*}" 2>/dev/null || true
}

# ---- the container side ------------------------------------------------

in_container_netns() {
	local pid=$1
	shift
	nsenter --net="/proc/$pid/ns/net" -- "$@"
}

# Name servers for a container: configured, else the host's non-loopback
# ones (a 127.x stub resolver is unreachable from inside a container).
container_nameservers() {
	if [[ -n $CONTAINER_DNS ]]; then
		local servers
		read -r -a servers <<<"$CONTAINER_DNS"
		printf '%s\n' "${servers[@]}"
		return 0
	fi
	local file
	for file in /etc/resolv.conf /run/systemd/resolve/resolv.conf; do
		[[ -r $file ]] || continue
		awk '$1 == "nameserver" && $2 !~ /^127\./ && $2 != "::1" { print $2 }' "$file"
	done | awk '!seen[$0]++'
}

# Write the container's own /etc/resolv.conf from inside it (dl-exec runs
# the write with the container's root and hardening, so a symlink planted
# in the image can never point the write at a host file).
write_container_resolv_conf() {
	local name=$1 state=$CONTAINERDIR/$1/state servers
	servers=$(container_nameservers)
	[[ -n $servers ]] || warn "no usable name server found for $name: set CONTAINER_DNS in config.sh"
	# shellcheck disable=SC2016 # expanded by the shell inside the container
	awk '{ print "nameserver " $0 }' <<<"$servers" |
		"$HELPER_DIR/dl-exec" --pid "$(state_get "$state" pid)" \
			--starttime "$(state_get "$state" starttime)" -- \
			/bin/sh -c 'cat > /etc/resolv.conf' ||
		die "could not write /etc/resolv.conf inside $name"
}

# ---- addnetwork ----------------------------------------------------------

# BEGIN SOLUTION
# veth pair with the container end created directly in its namespace
# (moving an interface between namespaces is slow on some kernels).
create_veth_pair() {
	local pid=$1
	ip link add "$NET_VETH" type veth peer name eth0 netns "$pid" ||
		return 1
	ip -batch - <<IP || return 1
addr add $NET_HOST_IP/30 dev $NET_VETH
link set $NET_VETH up
IP
	in_container_netns "$pid" ip -batch - <<IP || return 1
link set lo up
addr add $NET_CONT_IP/30 dev eth0
link set eth0 up
IP
}
# END SOLUTION

# The rules for one container, in restore format, per table.
build_filter_rules() {
	local tag=$1 internet=$2 ifc=$3 ports=$4 p cport
	[[ $internet == 1 ]] &&
		echo "-I $NET_CHAIN_FWD 1 -i $NET_VETH -o $ifc -m comment --comment $tag -j ACCEPT"
	for p in $ports; do
		cport=${p#*:}
		echo "-I $NET_CHAIN_FWD 1 -o $NET_VETH -d $NET_CONT_IP -p tcp --dport $cport -m conntrack --ctstate DNAT -m comment --comment $tag -j ACCEPT"
	done
}

build_nat_rules() {
	local tag=$1 internet=$2 ifc=$3 ports=$4 p hport cport
	# BEGIN SOLUTION
	[[ $internet == 1 ]] &&
		echo "-A $NET_CHAIN_POST -s $NET_CONT_IP/32 -o $ifc -m comment --comment $tag -j MASQUERADE"
	for p in $ports; do
		hport=${p%%:*} cport=${p#*:}
		echo "-A $NET_CHAIN_PRE -p tcp --dport $hport -m comment --comment $tag -j DNAT --to-destination $NET_CONT_IP:$cport"
		# hairpin: the container reaching its own port through the host
		echo "-A $NET_CHAIN_POST -s $NET_CONT_IP/32 -d $NET_CONT_IP/32 -p tcp --dport $cport -m comment --comment $tag -j MASQUERADE"
	done
	# localhost: 127.0.0.1 cannot be a source on a real link; the packet is
	# given the host side's address (route_localnet lets it be routed at all)
	[[ -n $ports ]] &&
		echo "-A $NET_CHAIN_POST -s 127.0.0.0/8 -o $NET_VETH -m comment --comment $tag -j MASQUERADE"
	# END SOLUTION
	return 0
}

# Undo a half-made network (called on any failure of addnetwork).
undo_network() {
	local name=$1
	delete_rules_tagged "$NET_VETH" 2>/dev/null || true
	ip link del "$NET_VETH" 2>/dev/null || true
	remove_chains_if_unused 2>/dev/null || true
	restore_ip_forward_if_unused 2>/dev/null || true
	forget_network "$CONTAINERDIR/$name/state" 2>/dev/null || true
	warn "addnetwork $name failed: nothing was changed"
}

# Drop the keys addnetwork writes before it makes anything.
forget_network() {
	local key
	for key in netindex veth subnet; do
		state_set "$1" "$key" ""
	done
}

cmd_addnetwork() {
	(($# >= 1)) || die "usage: addnetwork <name> [-i|--internet] [-e|--expose HOST:CONTAINER]..."
	local name=$1 internet=0 ports="" spec host
	shift
	validate_name container "$name"
	while (($#)); do
		case $1 in
		-i | --internet) internet=1 ;;
		-e | --expose)
			(($# >= 2)) || die "--expose needs HOST:CONTAINER, e.g. --expose 3000:8080"
			spec=$(parse_expose "$2") || exit
			host=${spec%%:*}
			[[ " $ports " != *" $host:"* ]] || die "host port $host is exposed twice"
			ports+="${ports:+ }$spec"
			shift
			;;
		--expose=*)
			spec=$(parse_expose "${1#*=}") || exit
			host=${spec%%:*}
			[[ " $ports " != *" $host:"* ]] || die "host port $host is exposed twice"
			ports+="${ports:+ }$spec"
			;;
		*) die "unknown option '$1' for addnetwork: see 'conductor.sh addnetwork -h'" ;;
		esac
		shift
	done

	lock_acquire "$LOCKFILE"
	local state=$CONTAINERDIR/$name/state
	container_exists "$name" || die "no container named '$name': see 'conductor.sh ps'"
	container_is_running "$name" || die "container '$name' is not running: start it with 'conductor.sh run'"
	[[ -z $(state_get "$state" ip) ]] || die "container '$name' already has a network ($(state_get "$state" ip))"
	# a veth but no ip: an addnetwork killed half-way; clear what it left
	if [[ -n $(state_get "$state" veth) ]]; then
		network_cleanup "$name"
		forget_network "$state"
	fi
	local p ifc=""
	for p in $ports; do
		host_port_in_use "${p%%:*}" && die "host port ${p%%:*} is already in use: choose another"
	done
	[[ $internet == 1 ]] && ifc=$(default_interface)
	allocate_network

	local pid tag
	pid=$(state_get "$state" pid)
	tag=dl:$NET_VETH:$name
	# Written before anything is made: if this command is killed half-way
	# (no trap runs on SIGKILL), stop still knows which veth, rules and
	# address to remove. "ip" is written last and means "complete".
	state_set "$state" netindex "$NET_INDEX"
	state_set "$state" veth "$NET_VETH"
	state_set "$state" subnet "$NET_SUBNET"
	# from here on, any failure (die or set -e) undoes what was made
	trap 'undo_network "$name"' EXIT
	create_veth_pair "$pid" || die "could not create the veth pair for $name"
	if [[ $internet == 1 || -n $ports ]]; then
		# replies to the outside (and, with --internet, new connections)
		# leave through the host side
		in_container_netns "$pid" ip route add default via "$NET_HOST_IP"
		enable_ip_forward
		ensure_chains
		iptables_batch filter "$(build_filter_rules "$tag" "$internet" "$ifc" "$ports")"
		iptables_batch nat "$(build_nat_rules "$tag" "$internet" "$ifc" "$ports")"
	fi
	# only this interface may route 127.0.0.0/8 (never "all": CVE-2020-8558)
	[[ -z $ports ]] || echo 1 >"/proc/sys/net/ipv4/conf/$NET_VETH/route_localnet"
	[[ $internet == 0 ]] || write_container_resolv_conf "$name"
	trap - EXIT

	state_set "$state" gateway "$NET_HOST_IP"
	state_set "$state" internet "$internet"
	state_set "$state" ports "$ports"
	state_set "$state" ip "$NET_CONT_IP"
	log "$name: $NET_CONT_IP on $NET_VETH${ports:+, ports $ports}$([[ $internet == 1 ]] && echo ", internet via $ifc")"
}

# ---- peer --------------------------------------------------------------

cmd_peer() {
	(($# == 2)) || die "usage: peer <name1> <name2>"
	local a=$1 b=$2 n
	validate_name container "$a"
	validate_name container "$b"
	[[ $a != "$b" ]] || die "a container cannot be peered with itself"
	lock_acquire "$LOCKFILE"
	for n in "$a" "$b"; do
		container_exists "$n" || die "no container named '$n'"
		container_is_running "$n" || die "container '$n' is not running"
		[[ -n $(state_get "$CONTAINERDIR/$n/state" ip) ]] ||
			die "container '$n' has no network: run 'conductor.sh addnetwork $n' first"
	done
	local sa=$CONTAINERDIR/$a/state sb=$CONTAINERDIR/$b/state va vb
	[[ " $(state_get "$sa" peers) " != *" $b "* ]] || die "'$a' and '$b' are already peered"
	va=$(state_get "$sa" veth) vb=$(state_get "$sb" veth)
	local tag=dl:$va+$vb:$a+$b
	# BEGIN SOLUTION
	enable_ip_forward
	ensure_chains
	iptables_batch filter "-I $NET_CHAIN_FWD 1 -i $va -o $vb -m comment --comment $tag -j ACCEPT
-I $NET_CHAIN_FWD 1 -i $vb -o $va -m comment --comment $tag -j ACCEPT"
	in_container_netns "$(state_get "$sa" pid)" ip route replace "$(state_get "$sb" subnet)" via "$(state_get "$sa" gateway)"
	in_container_netns "$(state_get "$sb" pid)" ip route replace "$(state_get "$sa" subnet)" via "$(state_get "$sb" gateway)"
	# END SOLUTION
	state_set "$sa" peers "$(state_get "$sa" peers) $b"
	state_set "$sb" peers "$(state_get "$sb" peers) $a"
	log "$a ($(state_get "$sa" ip)) and $b ($(state_get "$sb" ip)) can now reach each other"
}

# ---- stop hook -----------------------------------------------------------

# Called by `stop` (under the lock) before the state goes: remove exactly
# this container's rules, its veth, its peers' routes to it, and our chains
# when they are no longer used.
network_cleanup() {
	local name=$1 state=$CONTAINERDIR/$1/state veth subnet peer ps
	veth=$(state_get "$state" veth)
	if [[ -n $veth ]]; then
		subnet=$(state_get "$state" subnet)
		delete_rules_tagged "$veth"
		ip link del "$veth" 2>/dev/null || true
		for peer in $(state_get "$state" peers); do
			ps=$CONTAINERDIR/$peer/state
			[[ -f $ps ]] || continue
			if container_is_running "$peer"; then
				in_container_netns "$(state_get "$ps" pid)" ip route del "$subnet" 2>/dev/null || true
			fi
			state_set "$ps" peers "$(state_get "$ps" peers | tr ' ' '\n' | grep -vx -- "$name" | tr '\n' ' ' | sed 's/ *$//')"
		done
	fi
	# every stop, networked or not: a killed addnetwork of another
	# container may have left the chains or forwarding on with no rule
	remove_chains_if_unused
	restore_ip_forward_if_unused
}
