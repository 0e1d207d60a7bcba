# netlab.bash - a self-contained "network lab" made of network namespaces, so
# that container-networking tests and the demo never touch the machine's real
# network and no packet ever leaves the machine.
# shellcheck shell=bash
#
#   outside ns <prefix>-out                  host ns <prefix>-host
#   +----------------------------+           +------------------------------+
#   | lo  198.51.100.80/32       |           | lo                           |
#   |     ("the internet")       |  uplink   | <prefix>-up  203.0.113.2/24  |
#   | <prefix>-isp 203.0.113.1/24+-----------+ default via 203.0.113.1      |
#   | no route to containers     |   veth    | conductor.sh runs here       |
#   +----------------------------+           +------------------------------+
#
# Only documentation addresses (RFC 5737) are used, and each lab is a pair of
# namespaces of its own, so several labs (parallel tests) can use the same
# addresses without colliding. Everything is named from a PREFIX (default
# "dl"); tests pass a unique one such as "t$$".
#
# API (source this file; it sets no shell options of its own and every
# function returns non-zero with a message on stderr instead of exiting, so it
# is safe in a `set -euo pipefail` script and in bats):
#   netlab_up [PREFIX]                 build the lab (error if it exists) and export its variables
#   netlab_down [PREFIX]               remove the lab completely; idempotent
#   netlab_use [PREFIX]                export the variables of a lab (made or not) without touching it
#   netlab_exists [PREFIX]             true when both of the lab's namespaces exist
#   netlab_status [PREFIX]             print what the lab is made of; non-zero when it is not (fully) up
#   netlab_print_env [PREFIX]          print the variables as shell assignments (for eval)
#   netlab_host CMD...                 run CMD with only its network namespace switched to the lab host
#   netlab_out CMD...                  run CMD in the outside namespace (an outside client)
#   netlab_start_internet_server PORT  TCP/HTTP server on NETLAB_INTERNET_IP:PORT answering the peer address
#   netlab_stop_internet_server PORT   stop it again (netlab_down also does)
#   netlab_http_get_from_outside URL   curl URL from the outside namespace, print the body
#   netlab_http_get_from_host URL      curl URL from the lab host namespace, print the body
#   netlab_snapshot_host FILE          write the lab host's links, routes, iptables and forwarding sysctls
#   netlab_wait_for_listener SIDE PORT wait (bounded) until a TCP port listens in the host/out namespace
# Variables exported by netlab_up / netlab_use:
#   NETLAB_PREFIX NETLAB_HOST_NS NETLAB_OUT_NS NETLAB_HOST_NS_PATH NETLAB_UPLINK
#   NETLAB_HOST_IP NETLAB_OUT_IP NETLAB_INTERNET_IP

# wait_until (bounded polling) and the other shared helpers; common.sh
# defines functions only and sets no shell options
# shellcheck source=../../common/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../common/common.sh"

# Where each lab keeps its server PIDs and logs (removed by netlab_down), and
# the lock that serialises netlab_up/netlab_down of all labs. /run/lock is the
# standard place for a lock file that outlives no boot.
_NETLAB_STATE_ROOT=/run/docker-lite-netlab
_NETLAB_LOCK_FILE=/run/lock/docker-lite-netlab.lock
# Where `ip netns` keeps its namespace handles (bind mounts of nsfs files).
_NETLAB_NETNS_DIR=/run/netns

# The lab's addresses: documentation ranges only (RFC 5737), so nothing in a
# lab can ever be mistaken for, or routed to, a real host.
_NETLAB_UPLINK_LEN=24
_NETLAB_HOST_IP=203.0.113.2
_NETLAB_OUT_IP=203.0.113.1
_NETLAB_INTERNET_IP=198.51.100.80

# Interface names are "<prefix>-up" and "<prefix>-isp": at most 15
# characters (IFNAMSIZ - 1) with a prefix of at most 11.
_NETLAB_PREFIX_MAX=11

_netlab_err() {
	printf 'netlab: %s\n' "$*" >&2
}

# The prefix a function works on: its argument, else the selected lab's, else
# "dl". Fails (with the reason) when it cannot make valid names.
_netlab_prefix() {
	local prefix=${1:-${NETLAB_PREFIX:-dl}}
	if [[ ! $prefix =~ ^[a-z][a-z0-9]*$ ]] || ((${#prefix} > _NETLAB_PREFIX_MAX)); then
		_netlab_err "invalid lab prefix '$prefix': use 1-$_NETLAB_PREFIX_MAX lowercase letters and digits, starting with a letter"
		return 1
	fi
	printf '%s\n' "$prefix"
}

_netlab_state_dir() {
	printf '%s/%s\n' "$_NETLAB_STATE_ROOT" "$1"
}

netlab_use() {
	local prefix
	prefix=$(_netlab_prefix "${1:-}") || return 1
	export NETLAB_PREFIX=$prefix
	export NETLAB_HOST_NS=$prefix-host
	export NETLAB_OUT_NS=$prefix-out
	export NETLAB_HOST_NS_PATH=$_NETLAB_NETNS_DIR/$prefix-host
	export NETLAB_UPLINK=$prefix-up
	export NETLAB_HOST_IP=$_NETLAB_HOST_IP
	export NETLAB_OUT_IP=$_NETLAB_OUT_IP
	export NETLAB_INTERNET_IP=$_NETLAB_INTERNET_IP
}

netlab_print_env() {
	# in a subshell: printing must not change the caller's selected lab
	(
		netlab_use "${1:-}" || exit 1
		local name
		for name in NETLAB_PREFIX NETLAB_HOST_NS NETLAB_OUT_NS NETLAB_HOST_NS_PATH \
			NETLAB_UPLINK NETLAB_HOST_IP NETLAB_OUT_IP NETLAB_INTERNET_IP; do
			printf 'export %s=%q\n' "$name" "${!name}"
		done
	)
}

_netlab_ns_exists() {
	[[ -e $_NETLAB_NETNS_DIR/$1 ]]
}

netlab_exists() {
	local prefix
	prefix=$(_netlab_prefix "${1:-}") || return 1
	_netlab_ns_exists "$prefix-host" && _netlab_ns_exists "$prefix-out"
}

# Run "$@" holding the lock shared by all labs, so two netlab_up/netlab_down
# calls (parallel tests) never interleave their checks and changes. The lock
# is released when the function returns, even on failure.
_netlab_locked() {
	local fd rc=0
	exec {fd}>>"$_NETLAB_LOCK_FILE" || {
		_netlab_err "cannot open the lock $_NETLAB_LOCK_FILE (are you root?)"
		return 1
	}
	if ! flock -w 30 "$fd"; then
		exec {fd}>&-
		_netlab_err "timed out waiting for the lock $_NETLAB_LOCK_FILE"
		return 1
	fi
	"$@" || rc=$?
	exec {fd}>&-
	return "$rc"
}

# --- running things inside the lab -------------------------------------------

# Only the network namespace is switched: the mount namespace (and so the
# container tool's state files, overlay mounts and /run/netns) stays the
# caller's. `ip netns exec` would also unshare the mount namespace and remount
# /sys, which would hide the tool's mounts from the next command.
# (A consequence: /sys/class/net shows the real namespace's interfaces here;
# use `ip link` or /proc/net, which follow the network namespace.)
netlab_host() {
	local prefix
	prefix=$(_netlab_prefix "") || return 1
	if ! _netlab_ns_exists "$prefix-host"; then
		_netlab_err "lab '$prefix' is not up (no $_NETLAB_NETNS_DIR/$prefix-host): run netlab_up first"
		return 1
	fi
	nsenter --net="$_NETLAB_NETNS_DIR/$prefix-host" -- "$@"
}

# The outside namespace is a separate "machine": ip netns exec is fine here
# and its /sys remount makes /sys/class/net match what the command sees.
netlab_out() {
	local prefix
	prefix=$(_netlab_prefix "") || return 1
	if ! _netlab_ns_exists "$prefix-out"; then
		_netlab_err "lab '$prefix' is not up (no $_NETLAB_NETNS_DIR/$prefix-out): run netlab_up first"
		return 1
	fi
	ip netns exec "$prefix-out" "$@"
}

# Short timeouts so an unreachable address fails fast; --noproxy so that a
# proxy set in the caller's environment is never used (it would be outside
# the lab). The body is printed even for an HTTP error status; curl fails
# only when there is no answer at all.
_NETLAB_CURL=(curl -sS --noproxy '*' --connect-timeout 2 --max-time 5)

netlab_http_get_from_outside() {
	netlab_out "${_NETLAB_CURL[@]}" "$1"
}

netlab_http_get_from_host() {
	netlab_host "${_NETLAB_CURL[@]}" "$1"
}

# True when something listens on TCP PORT in the lab's host or out namespace.
_netlab_is_listening() {
	local side=$1 port=$2 lines
	case $side in
	host) lines=$(netlab_host ss -Hltn "sport = :$port") || return 1 ;;
	out) lines=$(netlab_out ss -Hltn "sport = :$port") || return 1 ;;
	*)
		_netlab_err "unknown side '$side': use host or out"
		return 1
		;;
	esac
	[[ -n $lines ]]
}

netlab_wait_for_listener() {
	local side=$1 port=$2
	wait_until 50 _netlab_is_listening "$side" "$port" || {
		_netlab_err "nothing listens on TCP port $port in the lab's $side namespace after 5 s"
		return 1
	}
}

# --- background processes: started detached, recorded, killed by exact PID ---

# The start time (clock ticks since boot, field 22 of /proc/PID/stat) makes a
# recorded PID unambiguous: a PID reused by another process has another one.
_netlab_start_time() {
	local stat rest
	{ stat=$(<"/proc/$1/stat"); } 2>/dev/null || return 1
	# the command name (field 2) may contain spaces and parentheses: skip
	# past its last ')' before splitting
	rest=${stat##*) }
	local -a fields
	read -r -a fields <<<"$rest"
	# fields[0] is field 3 (state); a zombie is already dead
	[[ ${fields[0]:-Z} != Z && -n ${fields[19]:-} ]] || return 1
	printf '%s\n' "${fields[19]}"
}

# True while PID is alive and still the process that had START_TIME.
_netlab_is_same_process() {
	local now
	now=$(_netlab_start_time "$1") || return 1
	[[ $now == "$2" ]]
}

_netlab_is_gone() {
	! _netlab_is_same_process "$1" "$2"
}

# Every descendant of PID (children first found through /proc's children
# lists, then theirs), e.g. the per-connection children of a forking socat.
_netlab_descendants() {
	local pid=$1 task child
	for task in /proc/"$pid"/task/*; do
		[[ -r $task/children ]] || continue
		for child in $(<"$task/children"); do
			printf '%s\n' "$child"
			_netlab_descendants "$child"
		done
	done 2>/dev/null
}

# Stop one process, named by PID and start time, and its descendants: TERM,
# a bounded wait, then KILL for what is left.
_netlab_kill_exact() {
	local pid=$1 start=$2 victims=() victim
	_netlab_is_same_process "$pid" "$start" || return 0
	local -A starts=()
	starts[$pid]=$start
	victims=("$pid")
	for victim in $(_netlab_descendants "$pid"); do
		starts[$victim]=$(_netlab_start_time "$victim") || continue
		victims+=("$victim")
	done
	for victim in "${victims[@]}"; do
		if _netlab_is_same_process "$victim" "${starts[$victim]}"; then
			kill -TERM "$victim" 2>/dev/null || true
		fi
	done
	for victim in "${victims[@]}"; do
		wait_until 30 _netlab_is_gone "$victim" "${starts[$victim]}" && continue
		if _netlab_is_same_process "$victim" "${starts[$victim]}"; then
			kill -KILL "$victim" 2>/dev/null || true
		fi
		wait_until 20 _netlab_is_gone "$victim" "${starts[$victim]}" ||
			_netlab_err "process $victim did not die"
	done
	return 0
}

# Start "$@" in the background, detached from the caller: stdin from
# /dev/null, output to LOG, and every descriptor above 2 closed (bats waits
# for whoever holds its fd 3, so a server holding it would hang the suite).
# Prints the PID; the command must exec (not fork) so the PID is the server's.
_netlab_spawn() {
	local log=$1
	shift
	(
		# close what the caller had open, whatever the numbers
		local fds=() fd
		for fd in /proc/"$BASHPID"/fd/*; do fds+=("${fd##*/}"); done
		for fd in "${fds[@]}"; do
			((fd > 2)) || continue
			[[ -e /proc/$BASHPID/fd/$fd ]] || continue
			exec {fd}>&-
		done
		exec "$@"
	) </dev/null >/dev/null 2>>"$log" 3>&- &
	local pid=$!
	# no job-control chatter ("Terminated") when it is killed later
	disown "$pid" 2>/dev/null || true
	printf '%s\n' "$pid"
}

# The reply of the internet server, run by socat for each connection with the
# connection on stdin/stdout and the client's address in SOCAT_PEERADDR. An
# HTTP request gets an HTTP answer; a client that sends nothing (or no HTTP)
# within half a second gets the bare address. The request is read before the
# answer so that closing never resets a connection with unread data.
_netlab_write_reply_script() {
	cat >"$1" <<'EOF'
# written by netlab.bash: answer with the address the connection came from
peer=${SOCAT_PEERADDR:-unknown}
if IFS= read -r -t 0.5 line && [[ $line == [A-Z]*" HTTP/"* ]]; then
	while IFS= read -r -t 1 line && [[ -n ${line%$'\r'} ]]; do :; done
	printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n' \
		"$((${#peer} + 1))" "$peer"
else
	printf '%s\n' "$peer"
fi
EOF
}

_netlab_valid_port() {
	[[ $1 =~ ^[1-9][0-9]{0,4}$ ]] && (($1 <= 65535))
}

netlab_start_internet_server() {
	local port=${1:-} prefix state pidfile pid start
	if ! _netlab_valid_port "$port"; then
		_netlab_err "invalid port '$port': use 1-65535"
		return 1
	fi
	prefix=$(_netlab_prefix "") || return 1
	netlab_exists "$prefix" || {
		_netlab_err "lab '$prefix' is not up: run netlab_up first"
		return 1
	}
	state=$(_netlab_state_dir "$prefix")
	pidfile=$state/servers/internet-$port.pid
	# already running: nothing to do (tests may each ask for the same server)
	if [[ -f $pidfile ]] && read -r pid start <"$pidfile" && _netlab_is_same_process "$pid" "$start"; then
		return 0
	fi
	mkdir -p "$state/servers" || return 1
	[[ -f $state/reply.bash ]] || _netlab_write_reply_script "$state/reply.bash" || return 1
	# bound to the internet address only: that address is "the internet"
	pid=$(_netlab_spawn "$state/servers/internet-$port.log" \
		ip netns exec "$prefix-out" \
		socat "TCP-LISTEN:$port,bind=$_NETLAB_INTERNET_IP,reuseaddr,fork" \
		"EXEC:bash $state/reply.bash") || return 1
	# record at once, so netlab_down finds it even if the wait below fails
	start=$(_netlab_start_time "$pid") || {
		_netlab_err "the internet server on port $port died at once: $(cat "$state/servers/internet-$port.log")"
		return 1
	}
	printf '%s %s\n' "$pid" "$start" >"$pidfile"
	if ! wait_until 50 _netlab_server_is_ready "$pid" "$start" "$port"; then
		_netlab_err "the internet server on port $port did not start: $(cat "$state/servers/internet-$port.log")"
		netlab_stop_internet_server "$port"
		return 1
	fi
}

# Ready when the server is alive and its port listens.
_netlab_server_is_ready() {
	_netlab_is_same_process "$1" "$2" && _netlab_is_listening out "$3"
}

netlab_stop_internet_server() {
	local port=${1:-} prefix pidfile pid start
	prefix=$(_netlab_prefix "") || return 1
	pidfile=$(_netlab_state_dir "$prefix")/servers/internet-$port.pid
	[[ -f $pidfile ]] || return 0
	read -r pid start <"$pidfile" && _netlab_kill_exact "$pid" "$start"
	rm -f "$pidfile"
}

# --- building and removing a lab ----------------------------------------------

# `ip netns add` turns /run/netns into a mount point the first time it is used
# on a machine. When a lab makes that mount, a marker remembers it, and the
# last netlab_down removes it again, so a run leaves the mount table as found.
_netlab_note_netns_mount() {
	local marker=$_NETLAB_STATE_ROOT/netns-mount-made-by-netlab
	[[ -e $marker ]] && return 0
	mountpoint -q "$_NETLAB_NETNS_DIR" 2>/dev/null && return 0
	if [[ -d $_NETLAB_NETNS_DIR ]]; then
		echo mount >"$marker"
	else
		echo mount+dir >"$marker"
	fi
}

_netlab_forget_netns_mount() {
	local marker=$_NETLAB_STATE_ROOT/netns-mount-made-by-netlab what layer
	[[ -f $marker ]] || return 0
	# someone's namespaces are still there: keep the mount for them
	[[ -z $(ls -A "$_NETLAB_NETNS_DIR" 2>/dev/null) ]] || return 0
	what=$(<"$marker")
	# Every layer: it was no mount point before, so all of them are `ip netns
	# add`'s, and two first ones racing each other (a lab's and anyone's)
	# both bind-mount the directory on itself. A plain (not lazy) umount: it
	# refuses while anything is mounted below; the bound stops a loop.
	for ((layer = 0; layer < 8; layer++)); do
		mountpoint -q "$_NETLAB_NETNS_DIR" || break
		umount "$_NETLAB_NETNS_DIR" 2>/dev/null || return 0
	done
	mountpoint -q "$_NETLAB_NETNS_DIR" && return 0
	if [[ $what == mount+dir ]]; then
		rmdir "$_NETLAB_NETNS_DIR" 2>/dev/null || true
	fi
	rm -f "$marker"
}

# Write a sysctl of the namespace the command runs in: /proc/sys/net follows
# the network namespace of the process that opens it.
_netlab_ns_sysctl() {
	local path=$1 key=$2 value=$3
	nsenter --net="$path" -- tee "/proc/sys/net/$key" <<<"$value" >/dev/null
}

_netlab_link_is_up() {
	local ns=$1 ifc=$2
	[[ $(ip -n "$ns" -o link show dev "$ifc" 2>/dev/null) == *LOWER_UP* ]]
}

# Every step of building the lab; the caller removes the lab if one fails.
_netlab_build() {
	local prefix=$1 state ns path
	state=$(_netlab_state_dir "$prefix")
	local host=$prefix-host out=$prefix-out up=$prefix-up isp=$prefix-isp
	mkdir -p "$state/servers" || return 1
	_netlab_note_netns_mount || return 1
	ip netns add "$host" || return 1
	ip netns add "$out" || return 1
	for ns in "$host" "$out"; do
		path=$_NETLAB_NETNS_DIR/$ns
		# IPv4 only, like the container tool: without IPv6 no link-local
		# addresses, DAD or router solicitations come and go, so snapshots
		# of the lab are stable. Set before any interface exists.
		_netlab_ns_sysctl "$path" ipv6/conf/all/disable_ipv6 1 || return 1
		_netlab_ns_sysctl "$path" ipv6/conf/default/disable_ipv6 1 || return 1
		# A new namespace copies IPv4 forwarding from the real one, which may
		# have it on (e.g. Docker). The lab starts with it off: turning it on
		# in the host namespace is the container tool's job, and tests check
		# that it does.
		_netlab_ns_sysctl "$path" ipv4/ip_forward 0 || return 1
		# copied from the real namespace too; on is what CVE-2020-8558 is
		# about, and the tool must set it on its own veths only
		_netlab_ns_sysctl "$path" ipv4/conf/all/route_localnet 0 || return 1
		_netlab_ns_sysctl "$path" ipv4/conf/default/route_localnet 0 || return 1
		ip -n "$ns" link set lo up || return 1
	done
	# Made from inside the host namespace with the peer put straight into the
	# outside one: neither end ever exists in the real namespace.
	ip -n "$host" link add "$up" type veth peer name "$isp" netns "$out" || return 1
	ip -n "$host" addr add "$_NETLAB_HOST_IP/$_NETLAB_UPLINK_LEN" dev "$up" || return 1
	ip -n "$out" addr add "$_NETLAB_OUT_IP/$_NETLAB_UPLINK_LEN" dev "$isp" || return 1
	# "the internet": an address that exists only in the outside namespace
	ip -n "$out" addr add "$_NETLAB_INTERNET_IP/32" dev lo || return 1
	ip -n "$host" link set "$up" up || return 1
	ip -n "$out" link set "$isp" up || return 1
	# the route the container tool finds its DEFAULT_IFC from; the outside
	# namespace gets no default route and none to container subnets
	ip -n "$host" route add default via "$_NETLAB_OUT_IP" dev "$up" || return 1
	wait_until 50 _netlab_link_is_up "$host" "$up" || {
		_netlab_err "the uplink $up did not come up"
		return 1
	}
	wait_until 50 _netlab_link_is_up "$out" "$isp" || {
		_netlab_err "the uplink's outside end $isp did not come up"
		return 1
	}
}

_netlab_up_locked() {
	local prefix=$1 state
	state=$(_netlab_state_dir "$prefix")
	# Never reuse or silently replace a lab: it may be another test's.
	if _netlab_ns_exists "$prefix-host" || _netlab_ns_exists "$prefix-out" || [[ -e $state ]]; then
		_netlab_err "lab '$prefix' already exists (or a half-removed one is left): run 'scripts/netlab down $prefix' first"
		return 1
	fi
	if ! _netlab_build "$prefix"; then
		_netlab_err "could not build lab '$prefix'; removing what was made"
		_netlab_down_locked "$prefix" || true
		return 1
	fi
}

netlab_up() {
	local prefix
	prefix=$(_netlab_prefix "${1:-}") || return 1
	_netlab_locked _netlab_up_locked "$prefix" || return 1
	netlab_use "$prefix"
	printf 'netlab: lab %s is up: %s %s (%s/%s) <-> %s (%s), internet %s\n' \
		"$prefix" "$NETLAB_HOST_NS" "$NETLAB_UPLINK" "$NETLAB_HOST_IP" "$_NETLAB_UPLINK_LEN" \
		"$NETLAB_OUT_NS" "$NETLAB_OUT_IP" "$NETLAB_INTERNET_IP"
}

# Processes still in one of the lab's namespaces would keep it (and its
# veths) alive after `ip netns del`: stop them, by exact PID.
_netlab_stop_processes_in() {
	local ns=$1 pid start
	_netlab_ns_exists "$ns" || return 0
	for pid in $(ip netns pids "$ns" 2>/dev/null); do
		[[ $pid != "$$" && $pid != "$BASHPID" ]] || continue
		start=$(_netlab_start_time "$pid") || continue
		_netlab_err "stopping process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) left in $ns"
		_netlab_kill_exact "$pid" "$start"
	done
}

_netlab_down_locked() {
	local prefix=$1 state pidfile pid start ns rc=0
	state=$(_netlab_state_dir "$prefix")
	# 1. the servers this lab started
	if [[ -d $state/servers ]]; then
		for pidfile in "$state"/servers/*.pid; do
			[[ -f $pidfile ]] || continue
			read -r pid start <"$pidfile" && _netlab_kill_exact "$pid" "$start"
			rm -f "$pidfile"
		done
	fi
	# 2. anything else still inside, 3. the namespaces (the veths go with them)
	for ns in "$prefix-host" "$prefix-out"; do
		_netlab_stop_processes_in "$ns"
		if _netlab_ns_exists "$ns" && ! ip netns del "$ns"; then
			_netlab_err "could not delete namespace $ns"
			rc=1
		fi
	done
	# 4. its state, and what only labs used
	rm -rf -- "$state" || rc=1
	_netlab_forget_netns_mount
	# the last lab gone: no empty directory left in /run either
	rmdir "$_NETLAB_STATE_ROOT" 2>/dev/null || true
	return "$rc"
}

netlab_down() {
	local prefix
	prefix=$(_netlab_prefix "${1:-}") || return 1
	_netlab_locked _netlab_down_locked "$prefix"
}

netlab_status() {
	local prefix ns state pidfile pid start port up=0
	prefix=$(_netlab_prefix "${1:-}") || return 1
	state=$(_netlab_state_dir "$prefix")
	for ns in "$prefix-host" "$prefix-out"; do
		if _netlab_ns_exists "$ns"; then
			printf '%s: present\n' "$ns"
			ip -n "$ns" -br addr show | sed 's/^/    /'
			ip -n "$ns" route show | sed 's/^/    route: /'
			up=$((up + 1))
		else
			printf '%s: absent\n' "$ns"
		fi
	done
	if _netlab_ns_exists "$prefix-host"; then
		printf 'ip_forward in %s: %s\n' "$prefix-host" \
			"$(nsenter --net="$_NETLAB_NETNS_DIR/$prefix-host" -- cat /proc/sys/net/ipv4/ip_forward)"
	fi
	for pidfile in "$state"/servers/*.pid; do
		[[ -f $pidfile ]] || continue
		port=${pidfile##*/internet-}
		port=${port%.pid}
		read -r pid start <"$pidfile" || continue
		if _netlab_is_same_process "$pid" "$start"; then
			printf 'internet server: %s:%s (pid %s)\n' "$_NETLAB_INTERNET_IP" "$port" "$pid"
		else
			printf 'internet server: %s:%s (dead, pid was %s)\n' "$_NETLAB_INTERNET_IP" "$port" "$pid"
		fi
	done
	case $up in
	2) printf 'lab %s: up\n' "$prefix" ;;
	0)
		printf 'lab %s: down\n' "$prefix"
		return 1
		;;
	*)
		printf "lab %s: half made: run 'scripts/netlab down %s'\n" "$prefix" "$prefix"
		return 2
		;;
	esac
}

# --- comparing the lab host before and after ------------------------------------

# iptables-save without what varies between two equal states: comments with
# dates, packet counters, and tables that hold nothing but the built-in chains
# with their default ACCEPT policy (iptables-nft creates those on first use).
_netlab_normalize_iptables() {
	awk '
		/^#/ { next }
		/^\*/ { table = $0; n = 0; keep = 0; next }
		/^COMMIT/ {
			if (keep) { print table; for (i = 1; i <= n; i++) print line[i]; print "COMMIT" }
			next
		}
		{
			sub(/ \[[0-9]+:[0-9]+\]$/, "")
			line[++n] = $0
			if ($0 !~ /^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) ACCEPT$/) keep = 1
		}'
}

# Write the lab host's network state to FILE, so a test can diff two
# snapshots (e.g. before a container is networked and after it stops).
netlab_snapshot_host() {
	local file=${1:-} key
	if [[ -z $file ]]; then
		_netlab_err "usage: netlab_snapshot_host FILE"
		return 1
	fi
	{
		echo "## links"
		netlab_host ip -o link show
		echo "## addresses"
		netlab_host ip -o addr show
		echo "## routes"
		netlab_host ip route show table all
		echo "## iptables"
		netlab_host iptables-save | _netlab_normalize_iptables
		echo "## sysctl"
		for key in ipv4/ip_forward ipv4/conf/all/route_localnet; do
			printf '%s %s\n' "$key" "$(netlab_host cat "/proc/sys/net/$key")"
		done
	} >"$file"
}
