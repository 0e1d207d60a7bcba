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

# Sourced once: conductor.sh sources it for addnetwork and peer, and
# containers.sh for a stop of a container with a network.
[[ -z ${DL_LIB_NETWORK:-} ]] || return 0
DL_LIB_NETWORK=1
# shellcheck source=wait.sh
source "$CONDUCTOR_DIR/lib/wait.sh"

NET_CHAIN_FWD=DL-FWD
NET_CHAIN_PRE=DL-PRE
NET_CHAIN_POST=DL-POST
NET_VETH_PREFIX=dlh

help_addnetwork() {
	cat <<'HELP'
Usage: conductor.sh addnetwork <name> [-i|--internet] [-e|--expose HOST:CONTAINER[/tcp|/udp]]...

Connect a running container with a veth pair: the host reaches the container
and the container reaches the host. Addresses come from NET_POOL (config.sh).
  -i, --internet            default route + NAT (MASQUERADE) out of DEFAULT_IFC,
                            and the container's own /etc/resolv.conf
  -e, --expose HOST:CONTAINER[/tcp|/udp]
                            forward port HOST of the host (its interfaces and
                            localhost) to port CONTAINER of the container, for
                            TCP (the default, or /tcp) or UDP (/udp), as
                            Docker's -p 5353:53/udp; repeatable. A host port
                            is taken per protocol: 53/tcp and 53/udp are two.
                            The original's CONTAINER-HOST form (e.g. 8080-80,
                            53-5353/udp) is accepted too.

As a user (rootless), the container's network is pasta (Debian package
passt), a process of yours: eth0 with the host's address, its connections
carried out as yours (so -i is required: pasta always reaches out), and
-e HOST:CONTAINER listening on the host as you (HOST from
net.ipv4.ip_unprivileged_port_start, 1024, up). stop ends pasta.
HELP
}

help_peer() {
	cat <<'HELP'
Usage: conductor.sh peer <name1> <name2>

Let two networked containers reach each other, by address and by name:
each one's /etc/hosts (in its own root) gets a line for the other
("10.200.0.6  nb  # docker-lite peer"). Containers that are not peered
cannot reach each other. Undone when either container stops (its line
leaves the other's /etc/hosts).
HELP
}

# ---- addresses ---------------------------------------------------------

# The helpers below return their results in variables (IP_INT, IP_STR,
# RANGE_START/RANGE_END, ...), not on stdout: a $(...) around each call is a
# fork, ~1 ms, and allocate_network makes dozens of these calls.

# ip_to_int ADDR: set IP_INT to the dotted-quad ADDR as one 32-bit number.
# (Split with parameter expansions: a "read <<<" here-string costs ~0.1 ms,
# which host_network would pay once per route.)
ip_to_int() {
	local rest=$1 a b c
	a=${rest%%.*} rest=${rest#*.}
	b=${rest%%.*} rest=${rest#*.}
	c=${rest%%.*} rest=${rest#*.}
	IP_INT=$(((a << 24) | (b << 16) | (c << 8) | rest))
}

# int_to_ip N: set IP_STR to the 32-bit number N as a dotted quad.
int_to_ip() {
	local n=$1
	printf -v IP_STR '%d.%d.%d.%d' $(((n >> 24) & 255)) $(((n >> 16) & 255)) $(((n >> 8) & 255)) $((n & 255))
}

# cidr_range PREFIX: set RANGE_START and RANGE_END to the first and last
# address (as numbers) of a CIDR prefix.
cidr_range() {
	local addr=${1%/*} bits=${1#*/} size
	[[ $1 == */* ]] || bits=32
	size=$((1 << (32 - bits)))
	ip_to_int "$addr"
	RANGE_START=$((IP_INT & ~(size - 1) & 0xffffffff))
	RANGE_END=$((RANGE_START + size - 1))
}

# host_network: read the host's interfaces and IPv4 routes, once per
# addnetwork and from one "ip -batch" (one process; each ip costs ~1.5 ms):
#   HOST_LINKS          every interface name, " lo eth0 dlh0 " ("-o" puts
#                       each on one line: "3: dlh0@if2: <...> ...")
#   DEFAULT_ROUTE_DEV   the device of the first default route ("default via
#                       203.0.113.1 dev eth0 ...": the word after "dev")
#   ROUTE_STARTS/ENDS   every other route, as a range of addresses
# Once, because each container adds a route and a link: a process per route
# (or per candidate address) made addnetwork slower with every container.
host_network() {
	local line first link
	ROUTE_STARTS=() ROUTE_ENDS=() DEFAULT_ROUTE_DEV="" HOST_LINKS=" "
	split_lines "$(printf 'link show\nroute show\n' | ip -o -4 -batch -)"
	# Only the first word of a line is looked at, with parameter expansions:
	# this loop runs once per link and route, so it must stay cheap.
	for line in "${LINES[@]}"; do
		first=${line%% *}
		case $first in
		[0-9]*:) # a link
			link=${line#* }
			link=${link%%: *}
			HOST_LINKS+="${link%@*} "
			;;
		default)
			if [[ -z $DEFAULT_ROUTE_DEV && $line == *" dev "* ]]; then
				link=${line#* dev }
				DEFAULT_ROUTE_DEV=${link%% *}
			fi
			;;
		[0-9]*)
			[[ $first != *[!0-9./]* ]] || continue
			cidr_range "$first"
			ROUTE_STARTS+=("$RANGE_START")
			ROUTE_ENDS+=("$RANGE_END")
			;;
		esac
	done
}

# Does [start, end] overlap one of the host's routes (host_network first)?
range_is_routed() {
	local start=$1 end=$2 i
	for ((i = 0; i < ${#ROUTE_STARTS[@]}; i++)); do
		((ROUTE_STARTS[i] <= end && start <= ROUTE_ENDS[i])) && return 0
	done
	return 1
}

# Pick the lowest free /30 of the pool: not used by us, not routed on the
# host (another tool, another state root, a real network) and with a free
# interface name. Sets NET_INDEX NET_SUBNET NET_HOST_IP NET_CONT_IP NET_VETH.
# Needs host_network and state_values_of_all (netindex: the indices taken by
# this state root's containers) first.
allocate_network() {
	local pool_start pool_end i start used=${ALL_VALUES[netindex]}
	cidr_range "$NET_POOL"
	pool_start=$RANGE_START pool_end=$RANGE_END
	for ((i = 0; pool_start + 4 * i + 3 <= pool_end; i++)); do
		[[ $used == *" $i "* ]] && continue
		start=$((pool_start + 4 * i))
		range_is_routed "$start" $((start + 3)) && continue
		[[ $HOST_LINKS == *" $NET_VETH_PREFIX$i "* ]] && continue
		NET_INDEX=$i
		int_to_ip "$start"
		NET_SUBNET=$IP_STR/30
		int_to_ip $((start + 1))
		NET_HOST_IP=$IP_STR
		int_to_ip $((start + 2))
		NET_CONT_IP=$IP_STR
		NET_VETH=$NET_VETH_PREFIX$i
		return 0
	done
	die "no free address left in NET_POOL=$NET_POOL: stop a networked container or widen the pool in config.sh"
}

# default_interface: set IFC to DEFAULT_IFC, or else to the device of the
# host's default route (host_network first).
default_interface() {
	if [[ -n $DEFAULT_IFC ]]; then
		[[ $HOST_LINKS == *" $DEFAULT_IFC "* ]] ||
			die "DEFAULT_IFC=$DEFAULT_IFC does not exist: fix it in config.sh or leave it empty"
		IFC=$DEFAULT_IFC
		return 0
	fi
	IFC=$DEFAULT_ROUTE_DEV
	[[ -n $IFC ]] || die "no default route on this host: set DEFAULT_IFC in config.sh to use --internet"
}

# ---- option parsing ----------------------------------------------------

# parse_expose SPEC: Docker's "HOST:CONTAINER[/PROTO]" (or the original's
# "CONTAINER-HOST[/PROTO]"), PROTO tcp (the default) or udp, validated and
# put into EXPOSE in the form the state's ports= keeps: "HOST:CONTAINER"
# for TCP (as before UDP came, so an older state reads the same) and
# "HOST:CONTAINER/udp" for UDP. expose_fields reads it back.
parse_expose() {
	local spec=$1 host cont
	split_protocol "$spec" ||
		die "invalid --expose '$(shown "$spec")': the protocol after '/' must be tcp or udp (lower case), e.g. 5353:53/udp"
	if [[ $PORT_SPEC =~ ^([^:]*):([^:]*)$ ]]; then
		host=${BASH_REMATCH[1]} cont=${BASH_REMATCH[2]}
	elif [[ $PORT_SPEC =~ ^([^-]*)-([^-]*)$ ]]; then
		cont=${BASH_REMATCH[1]} host=${BASH_REMATCH[2]}
	else
		die "invalid --expose '$(shown "$spec")': use HOST:CONTAINER[/tcp|/udp], e.g. 3000:8080 or 5353:53/udp"
	fi
	validate_port host "$host"
	validate_port container "$cont"
	EXPOSE=$((10#$host)):$((10#$cont))
	[[ $PORT_PROTO == tcp ]] || EXPOSE+=/$PORT_PROTO
}

# expose_fields ENTRY: an entry of ports= (parse_expose) into EXP_HOST,
# EXP_CONT and EXP_PROTO.
expose_fields() {
	local entry=$1
	EXP_PROTO=tcp
	if [[ $entry == */udp ]]; then
		EXP_PROTO=udp entry=${entry%/udp}
	fi
	EXP_HOST=${entry%%:*} EXP_CONT=${entry#*:}
}

# ports_have LIST HOST PROTO: an entry of LIST (space-separated ports=
# entries) exposes host port HOST for PROTO. A host port is one per
# protocol: 3000/tcp and 3000/udp are two, as they are to the kernel.
ports_have() {
	local entry=" $2:[0-9]+ "
	[[ $3 == tcp ]] || entry=" $2:[0-9]+/$3 "
	[[ " $1 " =~ $entry ]]
}

# add_expose SPEC: parse SPEC and add it to PORTS (this addnetwork's
# entries), refusing a host port given twice for one protocol.
add_expose() {
	parse_expose "$1"
	expose_fields "$EXPOSE"
	ports_have "$PORTS" "$EXP_HOST" "$EXP_PROTO" &&
		die "host port $EXP_HOST/$EXP_PROTO is exposed twice"
	PORTS+="${PORTS:+ }$EXPOSE"
}

# port_listened_on PORT PROTO: a socket of this network namespace waits for
# PROTO (tcp or udp) packets on PORT: the sockets `ss -ltn` or `ss -lun`
# list, read from /proc/net/PROTO and PROTO6 without running ss. A line
# whose local address ends in the port (in hex) and whose state is 0A
# (LISTEN) for TCP; for UDP, which has no listening, 07 (a bound socket
# not connected to a peer: a server's).
port_listened_on() {
	local port=$1 proto=$2 hex file laddr st want=0A
	[[ $proto == tcp ]] || want=07
	printf -v hex ':%04X' "$port"
	for file in "/proc/net/$proto" "/proc/net/${proto}6"; do
		[[ -r $file ]] || continue
		while read -r _ laddr _ st _; do
			[[ $st == "$want" && $laddr == *"$hex" ]] && return 0
		done <"$file"
	done
	return 1
}

# host_port_in_use PORT PROTO: the host port is taken for PROTO when one of
# our containers exposes it, any DNAT rule of ours (any state root) uses
# it, or a host socket waits on it. Needs iptables_snapshot and
# state_values_of_all (ports) first.
host_port_in_use() {
	local port=$1 proto=$2 line
	ports_have "${ALL_VALUES[ports]}" "$port" "$proto" && return 0
	# iptables-save writes "-A DL-PRE -p udp -m udp --dport 5353 ..."
	for line in "${IPT_LINES[@]}"; do
		[[ $line == "-A $NET_CHAIN_PRE -p $proto "*" --dport $port "* ]] && return 0
	done
	port_listened_on "$port" "$proto"
}

# ---- iptables ----------------------------------------------------------

# Apply restore-format rules to one table without flushing anything.
iptables_batch() {
	local table=$1 rules=$2
	iptables-restore -w --noflush <<<"*$table"$'\n'"$rules"$'\n'COMMIT
}

# iptables_snapshot: every table's rules, as iptables-save prints them, into
# IPT_SAVED. addnetwork and stop look chains and rules up in it instead of
# asking iptables once per question (each iptables process costs ~1 ms).
iptables_snapshot() {
	IPT_SAVED=$(iptables-save 2>/dev/null) || IPT_SAVED=""
	split_lines "$IPT_SAVED"
	IPT_LINES=("${LINES[@]}")
}

# Is chain $1 in the snapshot? (Our chain names are unique to their table.)
snapshot_has_chain() {
	[[ $'\n'$IPT_SAVED == *$'\n':"$1 "* ]]
}

# Our chains and their jumps, in restore format, for each table where the
# snapshot lacks them. A chain declaration in iptables-restore would flush
# an existing chain, so only missing ones are declared. Sets CHAINS_FILTER
# and CHAINS_NAT (empty when the chains exist); they go in front of the
# container's rules, in the same iptables-restore. The filter chain ends
# with the forwarding mark (FORWARDING_MARK, below): ip_forward as it is now,
# before our chains exist.
missing_chains() {
	local forwarding
	CHAINS_FILTER="" CHAINS_NAT=""
	if ! snapshot_has_chain "$NET_CHAIN_FWD"; then
		read -r forwarding </proc/sys/net/ipv4/ip_forward
		CHAINS_FILTER=":$NET_CHAIN_FWD - [0:0]
-A $NET_CHAIN_FWD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A $NET_CHAIN_FWD -i $NET_VETH_PREFIX+ -j DROP
-A $NET_CHAIN_FWD -o $NET_VETH_PREFIX+ -j DROP
-A $NET_CHAIN_FWD -m comment --comment $FORWARDING_MARK:$forwarding
-I FORWARD 1 -j $NET_CHAIN_FWD"
	fi
	snapshot_has_chain "$NET_CHAIN_PRE" || CHAINS_NAT=":$NET_CHAIN_PRE - [0:0]
:$NET_CHAIN_POST - [0:0]
-I PREROUTING 1 -m addrtype --dst-type LOCAL -j $NET_CHAIN_PRE
-I OUTPUT 1 -m addrtype --dst-type LOCAL -j $NET_CHAIN_PRE
-I POSTROUTING 1 -j $NET_CHAIN_POST"
	return 0
}

# Create our chains and their jumps once (for peer, which adds rules of its
# own after).
ensure_chains() {
	iptables_snapshot
	missing_chains
	[[ -z $CHAINS_FILTER ]] || iptables_batch filter "$CHAINS_FILTER"
	[[ -z $CHAINS_NAT ]] || iptables_batch nat "$CHAINS_NAT"
}

# chains_removal TABLE: set REMOVAL to the removal of our chains and jumps
# in TABLE, in restore format.
chains_removal() {
	case $1 in
	filter)
		REMOVAL="-D FORWARD -j $NET_CHAIN_FWD
-F $NET_CHAIN_FWD
-X $NET_CHAIN_FWD"
		;;
	nat)
		REMOVAL="-D PREROUTING -m addrtype --dst-type LOCAL -j $NET_CHAIN_PRE
-D OUTPUT -m addrtype --dst-type LOCAL -j $NET_CHAIN_PRE
-D POSTROUTING -j $NET_CHAIN_POST
-F $NET_CHAIN_PRE
-X $NET_CHAIN_PRE
-F $NET_CHAIN_POST
-X $NET_CHAIN_POST"
		;;
	esac
}

# clean_table TABLE CHAIN VETH: the deletion of our rules of VETH (none when
# VETH is empty) in TABLE, and of our chains of TABLE (CHAIN tells whether
# they exist) when no rule of ours is left in them, looked up in the
# snapshot and added to CLEANUP (restore format; the caller applies it in
# one iptables-restore for all tables). Sets CHAIN_LEFT=1 when CHAIN stays.
# Comments are "dl:<veth>:<name>" or, for a peering,
# "dl:<veth>+<veth>:<name>+<name>"; only the veth field is matched (veth
# names hold no ':' or '+'), so a container whose *name* looks like another's
# veth (say "x-dlh0") keeps its rules.
clean_table() {
	local table=$1 chain=$2 veth=$3 line in_table=0 ours="" others=0
	local tagged="--comment \"?dl:([^ \":+]+\\+)?$veth(\\+[^ \":+]+)?:"
	for line in "${IPT_LINES[@]}"; do
		case $line in
		"*$table") in_table=1 ;;
		COMMIT) in_table=0 ;;
		*'--comment dl:'* | *'--comment "dl:'*)
			((in_table)) || continue
			if [[ -n $veth && $line =~ $tagged ]]; then
				ours+="-D ${line#-A }"$'\n'
			else
				others=1
			fi
			;;
		esac
	done
	CHAIN_LEFT=0
	if snapshot_has_chain "$chain"; then
		CHAIN_LEFT=$others
		if ((!others)); then
			chains_removal "$table"
			ours+=$REMOVAL
		fi
	fi
	[[ -z $ours ]] || CLEANUP+="*$table"$'\n'"${ours%$'\n'}"$'\n'COMMIT$'\n'
}

# delete_rules_of VETH: delete the rules of VETH in every table, and our
# chains where no rule of ours is left: one iptables-save, one
# iptables-restore. When our filter chain goes, forwarding is restored
# first, from its mark: removed first, the mark would be lost to a command
# killed in between, and forwarding left on for good.
delete_rules_of() {
	local veth=$1
	CLEANUP=""
	iptables_snapshot
	clean_table filter "$NET_CHAIN_FWD" "$veth"
	((CHAIN_LEFT)) || restore_ip_forward
	clean_table nat "$NET_CHAIN_PRE" "$veth"
	[[ -z $CLEANUP ]] || iptables-restore -w --noflush <<<"$CLEANUP"
}

# ---- forwarding (net.ipv4.ip_forward) -----------------------------------

# The value found before we turned forwarding on is restored when our last
# rule is gone, so the host ends as it was. It is kept where the rest of our
# network state is, in the network namespace itself: the last rule of our
# filter chain is the forwarding mark, a rule with no target (it only counts
# packets) whose comment holds the value, "dl-ip_forward-was:0". So it is
# per network namespace, shared by every state root (as the chains are: the
# first root to make them saves the value, whichever removes them restores
# it), made and removed in the same iptables-restore as the chains, and read
# from the snapshot stop takes anyway - no file, no process of its own.
FORWARDING_MARK=dl-ip_forward-was

# Forwarding on: after our chains (and so the mark) exist, so a command
# killed in between never leaves forwarding on with nothing to restore it.
enable_ip_forward() {
	echo 1 >/proc/sys/net/ipv4/ip_forward
}

# restore_ip_forward: set forwarding to the value in the mark of the
# snapshot (delete_rules_of, as our filter chain is about to go). No mark
# (no chain of ours): forwarding is left as it is.
restore_ip_forward() {
	local line
	# iptables-save may quote the comment: --comment "dl-ip_forward-was:0"
	local mark="^-A $NET_CHAIN_FWD .*--comment \"?$FORWARDING_MARK:([01])\"?\$"
	for line in "${IPT_LINES[@]}"; do
		[[ $line =~ $mark ]] || continue
		echo "${BASH_REMATCH[1]}" >/proc/sys/net/ipv4/ip_forward
		return 0
	done
}

# ---- the container side ------------------------------------------------

in_container_netns() {
	local pid=$1
	shift
	nsenter --net="/proc/$pid/ns/net" -- "$@"
}

# Name servers for a container, into NAMESERVERS: configured, else the
# host's non-loopback ones (a 127.x stub resolver is unreachable from inside
# a container), each once.
container_nameservers() {
	NAMESERVERS=()
	if [[ -n $CONTAINER_DNS ]]; then
		read -r -a NAMESERVERS <<<"$CONTAINER_DNS"
		return 0
	fi
	local file word addr seen=" "
	for file in /etc/resolv.conf /run/systemd/resolve/resolv.conf; do
		[[ -r $file ]] || continue
		while read -r word addr _; do
			[[ $word == nameserver && -n $addr && $addr != 127.* && $addr != ::1 ]] || continue
			[[ $seen != *" $addr "* ]] || continue
			seen+="$addr "
			NAMESERVERS+=("$addr")
		done <"$file"
	done
}

# Write the container's own /etc/resolv.conf from inside it (dl-exec runs
# the write with the container's root and hardening, so a symlink planted
# in the image can never point the write at a host file). tee writes it:
# one process, where "sh -c 'cat > FILE'" is two.
write_container_resolv_conf() {
	local name=$1 pid=$2 start=$3 content=""
	container_nameservers
	((${#NAMESERVERS[@]})) || warn "no usable name server found for $name: set CONTAINER_DNS in config.sh"
	((${#NAMESERVERS[@]} == 0)) || printf -v content 'nameserver %s\n' "${NAMESERVERS[@]}"
	"$HELPER_DIR/dl-exec" --pid "$pid" --starttime "$start" -- \
		tee /etc/resolv.conf <<<"${content%$'\n'}" >/dev/null ||
		die "could not write /etc/resolv.conf inside $name"
}

# ---- addnetwork ----------------------------------------------------------

# create_veth_pair PID ROUTE: the veth pair NET_VETH (host side, with
# NET_HOST_IP) and eth0 (in PID's network namespace, with NET_CONT_IP), both
# up, and the container's lo up. With ROUTE=1 the container also gets its
# default route via the host side.
# BEGIN SOLUTION: create_veth_pair PID ROUTE: a veth pair, eth0 in PID's network namespace, the /30 addresses, links up (man 8 ip-link)
# The container end is created directly in its namespace (moving an
# interface between namespaces is slow on some kernels). Each side's
# commands go in one "ip -batch": one process per namespace.
create_veth_pair() {
	local pid=$1 route=""
	[[ $2 != 1 ]] || route="route add default via $NET_HOST_IP"
	ip -batch - <<IP || return 1
link add $NET_VETH type veth peer name eth0 netns $pid
addr add $NET_HOST_IP/30 dev $NET_VETH
link set $NET_VETH up
IP
	in_container_netns "$pid" ip -batch - <<IP || return 1
link set lo up
addr add $NET_CONT_IP/30 dev eth0
link set eth0 up
$route
IP
}
# END SOLUTION

# The rules for one container, in restore format, per table.
build_filter_rules() {
	local tag=$1 internet=$2 ifc=$3 ports=$4 p
	[[ $internet == 1 ]] &&
		echo "-I $NET_CHAIN_FWD 1 -i $NET_VETH -o $ifc -m comment --comment $tag -j ACCEPT"
	for p in $ports; do
		expose_fields "$p"
		echo "-I $NET_CHAIN_FWD 1 -o $NET_VETH -d $NET_CONT_IP -p $EXP_PROTO --dport $EXP_CONT -m conntrack --ctstate DNAT -m comment --comment $tag -j ACCEPT"
	done
}

build_nat_rules() {
	local tag=$1 internet=$2 ifc=$3 ports=$4 p
	# BEGIN SOLUTION: print the rules: MASQUERADE out of ifc for --internet; per port (expose_fields: host port, container port, protocol) a DNAT, a hairpin MASQUERADE; localhost MASQUERADE (man 8 iptables-extensions)
	[[ $internet == 1 ]] &&
		echo "-A $NET_CHAIN_POST -s $NET_CONT_IP/32 -o $ifc -m comment --comment $tag -j MASQUERADE"
	for p in $ports; do
		expose_fields "$p"
		echo "-A $NET_CHAIN_PRE -p $EXP_PROTO --dport $EXP_HOST -m comment --comment $tag -j DNAT --to-destination $NET_CONT_IP:$EXP_CONT"
		# hairpin: the container reaching its own port through the host
		echo "-A $NET_CHAIN_POST -s $NET_CONT_IP/32 -d $NET_CONT_IP/32 -p $EXP_PROTO --dport $EXP_CONT -m comment --comment $tag -j MASQUERADE"
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
	delete_rules_of "$NET_VETH" 2>/dev/null || true
	ip link del "$NET_VETH" 2>/dev/null || true
	forget_network "$CONTAINERDIR/$name/state" 2>/dev/null || true
	warn "addnetwork $name failed: nothing was changed"
}

# Drop the keys addnetwork writes before it makes anything.
forget_network() {
	state_set "$1" netindex "" veth "" subnet ""
}

cmd_addnetwork() {
	(($# >= 1)) || die "usage: addnetwork <name> [-i|--internet] [-e|--expose HOST:CONTAINER[/tcp|/udp]]..."
	local name=$1 internet=0 ports
	shift
	validate_name container "$name"
	PORTS=""
	while (($#)); do
		case $1 in
		-i | --internet) internet=1 ;;
		-e | --expose)
			(($# >= 2)) || die "--expose needs HOST:CONTAINER[/tcp|/udp], e.g. --expose 3000:8080"
			add_expose "$2"
			shift
			;;
		--expose=*) add_expose "${1#*=}" ;;
		*) die "unknown option '$1' for addnetwork: see 'conductor.sh addnetwork -h'" ;;
		esac
		shift
	done
	ports=$PORTS
	((EUID == 0)) || rootless_network_checks "$internet" "$ports"

	lock_acquire "$LOCKFILE"
	local state=$CONTAINERDIR/$name/state
	container_exists "$name" || die "no container named '$name': see 'conductor.sh ps'"
	# reads the state into STATE (once: every $(state_get ...) is a fork)
	container_alive "$name" || die "container '$name' is not running: start it with 'conductor.sh run'"
	local pid=${STATE[pid]} start=${STATE[starttime]}
	[[ -z ${STATE[ip]:-} ]] || die "container '$name' already has a network (${STATE[ip]})"
	if ((EUID)); then
		start_pasta "$name" "$pid" "$start" "$ports"
		return
	fi
	# a veth but no ip: an addnetwork killed half-way; clear what it left
	if [[ -n ${STATE[veth]:-} ]]; then
		network_cleanup "$name"
		forget_network "$state"
	fi
	# the ports and network indices our containers use: one pass for both
	state_values_of_all ports netindex
	host_network
	local ifc="" via_ifc=""
	if [[ $internet == 1 ]]; then
		default_interface
		ifc=$IFC via_ifc=", internet via $IFC"
	fi
	allocate_network
	# replies to the outside (and, with --internet, new connections) leave
	# through the host side: a default route, forwarding and our rules
	local routed=0 p
	[[ $internet == 0 && -z $ports ]] || routed=1
	# One look at iptables serves both the port check and our chains, taken
	# as late as it can be: the rules go in right after it. (Another state
	# root may make the chains meanwhile, and declaring an existing chain
	# would flush it: the later the look, the smaller that window.)
	if ((routed)); then
		iptables_snapshot
		for p in $ports; do
			expose_fields "$p"
			host_port_in_use "$EXP_HOST" "$EXP_PROTO" &&
				die "host port $EXP_HOST/$EXP_PROTO is already in use: choose another"
		done
	fi

	local tag=dl:$NET_VETH:$name
	# Written before anything is made: if this command is killed half-way
	# (no trap runs on SIGKILL), stop still knows which veth, rules and
	# address to remove. "ip" is written at the end and means "complete".
	state_set "$state" netindex "$NET_INDEX" veth "$NET_VETH" subnet "$NET_SUBNET"
	# from here on, any failure (die or set -e) undoes what was made
	trap 'undo_network "$name"' EXIT
	if ((routed)); then
		# our chains where missing, then the container's rules, both
		# tables in one iptables-restore; rules may name the veth before
		# it exists (-i/-o match names), and none can match until it does
		missing_chains
		{
			printf '*filter\n%s' "${CHAINS_FILTER:+$CHAINS_FILTER$'\n'}"
			build_filter_rules "$tag" "$internet" "$ifc" "$ports"
			printf 'COMMIT\n*nat\n%s' "${CHAINS_NAT:+$CHAINS_NAT$'\n'}"
			build_nat_rules "$tag" "$internet" "$ifc" "$ports"
			echo COMMIT
		} | iptables-restore -w --noflush
	fi
	create_veth_pair "$pid" "$routed" || die "could not create the veth pair for $name"
	((routed == 0)) || enable_ip_forward
	# only this interface may route 127.0.0.0/8 (never "all": CVE-2020-8558)
	[[ -z $ports ]] || echo 1 >"/proc/sys/net/ipv4/conf/$NET_VETH/route_localnet"
	[[ $internet == 0 ]] || write_container_resolv_conf "$name" "$pid" "$start"
	trap - EXIT

	# one rename: "ip" (complete) appears together with the rest
	state_set "$state" gateway "$NET_HOST_IP" internet "$internet" ports "$ports" ip "$NET_CONT_IP"
	log "$name: $NET_CONT_IP on $NET_VETH${ports:+, ports $ports}$via_ifc"
}

# ---- rootless: a user-mode network stack (pasta) --------------------------
# A user can make neither a veth on the host nor an iptables rule: both are
# the host's. pasta (Debian package passt) is a process of the user's own:
# it joins the container's user and network namespaces, gives the container
# a tap eth0 with the host's address and routes, and carries each of its
# connections out through an ordinary socket of the user's. -t/-u
# HOST:CONTAINER listen on the host port as the user and forward into the
# container. So a rootless container reaches what its user can, no more.
# pasta rather than slirp4netns: a port is one option (slirp4netns needs
# its API socket and a JSON request per port), it copies no packets through
# a second TCP/IP stack, and podman 5 made it its default.

# rootless_network_checks INTERNET PORTS: what pasta cannot do, or this
# machine does not let a user do, refused before anything is made.
rootless_network_checks() {
	local internet=$1 ports=$2 low p
	# pasta always reaches out as its user does: say so, never do it unasked
	((internet)) ||
		die "a rootless container's network is pasta's, which always reaches out as you do: add -i/--internet"
	command -v pasta >/dev/null ||
		die "rootless networking needs pasta: install the Debian package passt (sudo apt install passt)"
	[[ -r /dev/net/tun && -w /dev/net/tun ]] ||
		die "rootless networking needs /dev/net/tun open to users (crw-rw-rw-, as udev makes it; here $(stat -c %A /dev/net/tun 2>/dev/null || echo 'it is missing')): ask an admin"
	low=$(</proc/sys/net/ipv4/ip_unprivileged_port_start)
	for p in $ports; do
		expose_fields "$p"
		((EXP_HOST >= low)) ||
			die "host port $EXP_HOST is below $low (net.ipv4.ip_unprivileged_port_start): a user cannot listen there; choose $low or above"
		# pasta would only log a port it cannot bind, and go on without it
		! port_listened_on "$EXP_HOST" "$EXP_PROTO" ||
			die "host port $EXP_HOST/$EXP_PROTO is already in use: choose another"
	done
}

# start_pasta NAME PID START PORTS: pasta for the container whose init is
# PID (the lock held, the init checked alive). pasta returns once the
# container's eth0 is up and the host ports listen (it daemonizes after
# setting up), so the network is ready when addnetwork says so.
start_pasta() {
	local name=$1 pid=$2 start=$3 ports=$4 dir=$CONTAINERDIR/$1 tcp=() udp=() p
	for p in $ports; do
		expose_fields "$p"
		if [[ $EXP_PROTO == tcp ]]; then tcp+=("$EXP_HOST:$EXP_CONT"); else udp+=("$EXP_HOST:$EXP_CONT"); fi
	done
	# "none" everywhere else: pasta's default forwards every port bound
	# on either side (-t/-u auto, -T/-U auto: the host's loopback
	# services into the container). --no-map-gw: the gateway address is
	# not the host's loopback either (slirp4netns's --disable-host-loopback).
	# Its PID file goes to a directory of our own under /tmp: the AppArmor
	# profile Debian ships for passt lets it write files only there and in
	# home directories (and not read them: so no --log-file, which it
	# opens read-write), and a state root may be elsewhere.
	local pidfile
	pidfile=$(mktemp -d /tmp/dl-pasta.XXXXXX)/pid
	# The same profile lets pasta open a network namespace only as a file
	# under /run/user/UID/netns/ (where podman puts them), not another
	# process's /proc/PID/ns/ (a ptrace read it does not grant). So pasta
	# runs inside the container's user namespace (yours: you may join it),
	# in a mount namespace of its own where the container's network
	# namespace is bound at that path; --runas 0:0 keeps it root there
	# (you), where it would switch to nobody, unmapped in a one-id map.
	local nsfile=/run/user/$EUID/netns/net
	local IFS=,
	local args=(--config-net --quiet --no-map-gw -T none -U none
		-t "${tcp[*]:-none}" -u "${udp[*]:-none}"
		--runas 0:0 --netns "$nsfile" -P "$pidfile")
	unset IFS
	# The daemon must not inherit the state root's lock: it would hold it
	# for as long as it runs, and every later command would time out.
	# SIGPIPE back to its default: a systemd service (a CI runner, a
	# grader) starts us with it ignored, Bash cannot undo that, and this
	# pasta (Debian 12's) then refuses to start ("Couldn't install signal
	# handlers": it takes signal()'s old SIG_IGN for an error).
	local netpid=""
	# an addnetwork killed half-way left its pasta: end it first
	stop_pasta
	# shellcheck disable=SC2016 # the inner shell's arguments
	if env --default-signal=PIPE nsenter --user="/proc/$pid/ns/user" -- \
		unshare --mount --propagation private -- sh -c \
		'mount -t tmpfs -o mode=0755 dl-pasta /run && mkdir -p "${1%/*}" && : >"$1" &&
			mount --bind "/proc/$2/ns/net" "$1" && shift 2 && exec pasta "$@"' \
		sh "$nsfile" "$pid" "${args[@]}" </dev/null >/dev/null 2>"$dir/pasta.err" {DL_LOCK_FD}>&-; then
		netpid=$(cat "$pidfile" 2>/dev/null) || true
	fi
	rm -rf "${pidfile%/pid}"
	[[ -n $netpid ]] ||
		die "pasta could not connect $name: $(sed 's/^[0-9.]*: //' "$dir/pasta.err" 2>/dev/null | tail -n 1)"
	read_proc_stat "$netpid" || die "pasta of $name ended at once: $(tail -n 1 "$dir/pasta.err")"
	# stop ends pasta by this record (PID and start time: never another's)
	state_set "$dir/state" netpid "$netpid" netstart "${PROC_STAT[19]}"
	# from here on, a failure ends pasta again
	trap 'undo_pasta "$name"' EXIT
	write_container_resolv_conf "$name" "$pid" "$start"
	host_network
	default_interface
	# the container has the host's address on the default route's link
	local addr
	addr=$(ip -4 -o addr show dev "$IFC" | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
	addr=${addr:-"the host's address"}
	trap - EXIT
	state_set "$dir/state" internet 1 ports "$ports" ip "$addr"
	log "$name: $addr through pasta (rootless)${ports:+, ports $ports}"
}

undo_pasta() {
	state_read "$CONTAINERDIR/$1/state"
	stop_pasta
	state_set "$CONTAINERDIR/$1/state" netpid "" netstart ""
	warn "addnetwork $1 failed: nothing was changed"
}

# stop_pasta: end the pasta recorded in STATE (state_read first), if it
# is still the one addnetwork started, and wait (bounded) until it is gone
# so its host ports are free when stop returns.
stop_pasta() {
	local netpid=${STATE[netpid]:-} netstart=${STATE[netstart]:-}
	[[ -n $netpid ]] || return 0
	init_alive "$netpid" "$netstart" || return 0
	kill -TERM "$netpid" 2>/dev/null || true
	wait_init_gone "$netpid" "$netstart" 5 || warn "pasta (PID $netpid) did not end"
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
		container_alive "$n" || die "container '$n' is not running"
		[[ -n $(state_get "$CONTAINERDIR/$n/state" ip) ]] ||
			die "container '$n' has no network: run 'conductor.sh addnetwork $n' first"
	done
	local sa=$CONTAINERDIR/$a/state sb=$CONTAINERDIR/$b/state va vb
	[[ " $(state_get "$sa" peers) " != *" $b "* ]] || die "'$a' and '$b' are already peered"
	va=$(state_get "$sa" veth) vb=$(state_get "$sb" veth)
	local tag=dl:$va+$vb:$a+$b
	# BEGIN SOLUTION: let the two veths forward to each other (tagged ACCEPT rules in NET_CHAIN_FWD), and give each container a route to the other's subnet
	ensure_chains
	enable_ip_forward
	iptables_batch filter "-I $NET_CHAIN_FWD 1 -i $va -o $vb -m comment --comment $tag -j ACCEPT
-I $NET_CHAIN_FWD 1 -i $vb -o $va -m comment --comment $tag -j ACCEPT"
	in_container_netns "$(state_get "$sa" pid)" ip route replace "$(state_get "$sb" subnet)" via "$(state_get "$sa" gateway)"
	in_container_netns "$(state_get "$sb" pid)" ip route replace "$(state_get "$sa" subnet)" via "$(state_get "$sb" gateway)"
	# END SOLUTION
	state_set "$sa" peers "$(state_get "$sa" peers) $b"
	state_set "$sb" peers "$(state_get "$sb" peers) $a"
	# and by name, as on a Docker network
	hosts_entry "$a" "$b" "$(state_get "$sb" ip)"
	hosts_entry "$b" "$a" "$(state_get "$sa" ip)"
	log "$a ($(state_get "$sa" ip)) and $b ($(state_get "$sb" ip)) can now reach each other, by name too"
}

# The tag of the /etc/hosts lines peer writes: only these are removed.
HOSTS_TAG="# docker-lite peer"

# hosts_entry NAME PEER [IP]: in NAME's /etc/hosts, replace the line for
# PEER that peer wrote with "IP PEER" (no IP: remove it). The file is
# read and written with dl-cp, which resolves /etc/hosts inside the
# container's root (copy.h), so an image whose /etc/hosts is a symlink
# cannot make us write a host file; such a link, copied out as a link,
# is left alone (reading it here would read a host file).
hosts_entry() {
	local name=$1 peer=$2 ip=${3:-} tmp root=(--root "$CONTAINERDIR/$1/rootfs" --name "$1")
	tmp=$(mktemp -d) || return 1
	if "$HELPER_DIR/dl-cp" "${root[@]}" --out /etc/hosts "$tmp/hosts" 2>/dev/null; then
		if [[ -L $tmp/hosts || ! -f $tmp/hosts ]]; then
			warn "not naming $peer in $name: its /etc/hosts is not a plain file"
			rm -rf "$tmp"
			return 0
		fi
	fi
	# none yet (a debootstrapped base has none): start it as Docker's does
	[[ -f $tmp/hosts ]] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$tmp/hosts"
	{
		awk -v peer="$peer" -v tag="$HOSTS_TAG" 'index($0, tag) && $2 == peer { next } { print }' "$tmp/hosts"
		[[ -z $ip ]] || printf '%s\t%s\t%s\n' "$ip" "$peer" "$HOSTS_TAG"
	} >"$tmp/new"
	chmod 644 "$tmp/new"
	"$HELPER_DIR/dl-cp" "${root[@]}" --in "$tmp/new" /etc/hosts ||
		warn "could not write $peer's address in $name's /etc/hosts"
	rm -rf "$tmp"
}

# ---- stop hook -----------------------------------------------------------

# Called by `stop` (under the lock) before the state goes, for a container
# with a veth or a pasta (containers.sh: network_of): remove exactly this
# container's rules, its veth, its peers' routes to it, and our chains
# when they are no longer used.
#
# Such a stop also checks the chains and forwarding: a killed addnetwork
# of another container may have left them on with no rule. One
# iptables-save shows all of it; each table then takes one
# iptables-restore (this container's rules, and the chains if no rule of
# ours is left), instead of an iptables process per question.
network_cleanup() {
	local name=$1 state=$CONTAINERDIR/$1/state veth subnet peers peer ps
	state_read "$state"
	# a rootless container's network is its pasta process, and no more
	stop_pasta
	veth=${STATE[veth]:-} subnet=${STATE[subnet]:-} peers=${STATE[peers]:-}
	# addnetwork records the veth before it makes anything: without one
	# there is no rule, route or link of this container to remove
	[[ -n $veth ]] || return 0
	delete_rules_of "$veth"
	ip link del "$veth" 2>/dev/null || true
	for peer in $peers; do
		ps=$CONTAINERDIR/$peer/state
		[[ -f $ps ]] || continue
		# container_alive reads the peer's state into STATE
		if container_alive "$peer"; then
			in_container_netns "${STATE[pid]}" ip route del "$subnet" 2>/dev/null || true
		fi
		# shellcheck disable=SC2086 # the peers are words
		state_set "$ps" peers "$(without_word "$name" ${STATE[peers]:-})"
		hosts_entry "$peer" "$name"
	done
}

# without_word WORD LIST...: the words of LIST but WORD, space-separated.
without_word() {
	local word=$1 out=() w
	shift
	for w in "$@"; do
		[[ $w == "$word" ]] || out+=("$w")
	done
	printf '%s' "${out[*]}"
}
