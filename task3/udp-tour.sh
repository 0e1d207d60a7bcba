#!/usr/bin/env bash
# udp-tour.sh - a UDP port exposed with addnetwork --expose HOST:CONTAINER/udp,
# in a network lab, each command shown with what it printed (task 3's
# lesson, "Networking: addnetwork and peer"). Needs root and the Debian base
# (CONDUCTOR_BASE_CACHE); it uses the lab "lessonudp" and a throw-away state
# root with an image "demo" made from the base, and removes all of it at the
# end.
set -euo pipefail

DL_PROG=udp-tour
# shellcheck source=../common/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/common.sh"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export NETLAB_PREFIX=lessonudp
# a fixed place, so what the tool prints is the same in every run
export CONDUCTOR_ROOT=/tmp/lesson-udp

# Show a command as typed, then run it; an error is shown, not fatal.
step() {
	printf '# %s\n' "$*"
	bash -c "$*" 2>&1 || true
}

# also on an error or Ctrl-C: the container stopped, the lab and the root
# removed
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	"$REPO/scripts/netlab" host -- "$REPO/task3/conductor.sh" stop dns >/dev/null 2>&1 || true
	"$REPO/scripts/netlab" down >/dev/null 2>&1 || true
	rm -rf "$CONDUCTOR_ROOT"
}

# The server in the container has bound its UDP port.
dns_bound() {
	local pid
	pid=$("$REPO/task3/conductor.sh" inspect -f pid dns) || return 1
	[[ -n $(nsenter --net="/proc/$pid/ns/net" ss -Huln 'sport = :53') ]]
}

main() {
	require_root
	local base=${CONDUCTOR_BASE_CACHE:-$REPO/task3/.cache/base}/debian-bookworm
	[[ -d $base ]] || die "no Debian base in $base: build one first (task3/conductor.sh build demo)"
	rm -rf "$CONDUCTOR_ROOT"
	trap cleanup EXIT
	mkdir -p "$CONDUCTOR_ROOT/.images/demo"
	echo base=debian-bookworm >"$CONDUCTOR_ROOT/.images/demo/image"
	cd "$REPO"
	scripts/netlab up >/dev/null
	# a UDP server of the container's own: each datagram gets an answer
	# (the base has perl, not socat)
	# shellcheck disable=SC2016 # perl code
	step 'scripts/netlab host -- task3/conductor.sh run -d demo dns -- perl -MIO::Socket::INET -e '\''$s = IO::Socket::INET->new(LocalPort => 53, Proto => "udp") or die "$!"; while ($s->recv($m, 512)) { $s->send("dns got: $m") }'\'
	wait_until 50 dns_bound || die "the UDP server in dns did not start"
	step scripts/netlab host -- task3/conductor.sh addnetwork dns --expose 5353:53/UDP
	step scripts/netlab host -- task3/conductor.sh addnetwork dns --expose 5353:53/udp
	step scripts/netlab host -- task3/conductor.sh inspect -f ports dns
	step 'scripts/netlab outside -- socat -t1 -T2 - UDP:203.0.113.2:5353 <<<hello'
	step scripts/netlab host -- iptables -t nat -S DL-PRE
	step scripts/netlab host -- iptables -S DL-FWD
	step scripts/netlab host -- task3/conductor.sh stop dns
	step scripts/netlab host -- iptables -t nat -S
}

main "$@"
