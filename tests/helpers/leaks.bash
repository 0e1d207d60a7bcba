# leaks.bash - snapshot what docker-lite may touch on a machine, so a suite
# (or the whole run) can prove it left the machine as it found it.
# shellcheck shell=bash
#
#   leak_snapshot FILE   write the snapshot of the current network namespace
#   leak_diff A B        print what differs (empty: nothing leaked)
#   leak_routes          filter `ip route show table all` to what a test can leave

leak_snapshot() {
	local out=$1
	{
		echo "## mounts"
		# mount point, fs type and source; IDs change, these do not
		awk '{ sep = 0; for (i = 7; i <= NF; i++) if ($i == "-") { sep = i; break }
		       print $5, $(sep + 1), $(sep + 2) }' /proc/self/mountinfo | sort
		echo "## netns"
		ip netns list 2>/dev/null | awk '{ print $1 }' | sort
		echo "## links"
		ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort
		echo "## routes"
		{ ip route show table all 2>/dev/null || true; } | leak_routes
		echo "## iptables"
		# counters and timestamps vary; an empty table is the same as none
		{ iptables-save 2>/dev/null || true; } | sed -e 's/\[[0-9]*:[0-9]*\]//' -e '/^#/d' |
			awk '/^\*/ { t = $0; n = 0; next } /^COMMIT/ { next }
			     /^:/ { if ($2 != "ACCEPT" && $2 != "-") print t, $0; else if ($1 !~ /^:(INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING)$/) print t, $0; next }
			     { print t, $0 }' | sort
		echo "## cgroups"
		# every hierarchy's group: v2's /sys/fs/cgroup/docker-lite, v1's
		# <controller>/docker-lite, the freezer's (pause) among them; a leaf
		# left behind keeps its group
		find /sys/fs/cgroup -maxdepth 4 -type d -name '*docker-lite*' 2>/dev/null | sort
		# on v2 docker-lite enables controllers at the root for its group, and
		# must disable them again with the last group (common/cgroup.c)
		if [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]]; then
			printf 'root cgroup.subtree_control: %s\n' "$(cat /sys/fs/cgroup/cgroup.subtree_control)"
		fi
		echo "## sysctl"
		for f in /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/all/route_localnet; do
			printf '%s %s\n' "$f" "$(cat "$f")"
		done
		echo "## resolv.conf"
		sha256sum /etc/resolv.conf 2>/dev/null || echo "no /etc/resolv.conf"
		echo "## state dirs"
		compgen -G '/tmp/dl-test.*' || true
		# the unit tests' scratch directories (cmocka teardowns remove them)
		compgen -G '/tmp/dl-unit-*' || true
		compgen -G '/tmp/dl-h4-*' || true
		# the record of what docker-lite enabled at a v2 root: gone with it
		compgen -G '/run/docker-lite' || true
		echo "## mount namespaces of live processes"
		# a container left running has its own mount namespace
		{ find /proc/[0-9]*/ns/mnt -maxdepth 0 -printf '%l\n' 2>/dev/null || true; } | awk 'NF' | sort -u
	} >"$out"
}

# Routes as a test could leave them, without the kernel's own bookkeeping,
# which changes while a run goes on: the local table (an entry per address;
# privacy addresses come and go), IPv6 link-local and multicast routes, and
# routes learned from router advertisements ("proto ra": they come and go
# with the router). What is left loses its "expires Nsec" countdown: older
# kernels make an advertised prefix's route "proto kernel" with a lifetime.
leak_routes() {
	awk '/ table local / || $1 ~ /^(local|broadcast|multicast|anycast)$/ { next }
	     $1 ~ /^(fe80:|ff[0-9a-f][0-9a-f]:)/ || / proto ra / { next }
	     { sub(/ expires -?[0-9]+sec/, ""); print }' | sort
}

# A mount namespace that was there before and is gone after is no leak: a
# process of the machine's own (on a stock system, a systemd service with
# PrivateTmp=, such as logrotate at boot) ended meanwhile. One that is new
# is: a container left running.
leak_diff() {
	diff "$1" "$2" | grep -E '^[<>]' | grep -v '^< mnt:\[' || true
}
