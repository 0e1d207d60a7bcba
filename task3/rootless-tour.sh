#!/usr/bin/env bash
# rootless-tour.sh - rootless containers as an ordinary user sees them, each
# command shown with what it printed (task 3's lesson, "Rootless
# containers"). Needs root only to make that user: "learner" (made with
# scripts/rootless-user, a subordinate range and their own copy of the tool,
# and removed at the end) and the Debian base (CONDUCTOR_BASE_CACHE), which
# learner gets under their own map instead of making it with mmdebstrap.
# Every command shown runs as learner; the network steps run in the network
# lab "lessonrl" (scripts/netlab: its "host" is where learner works, its
# "outside" the rest of the world), with /dev/net/tun open to users as
# udev makes it on a stock machine (scripts/with-tun-mode).
#
#   rootless-tour.sh           the tour (this project's machines: cgroup v1)
#   rootless-tour.sh --limits  limits, on a machine with cgroup v2 and systemd
#                              (a stock Debian or Ubuntu; make test-vm checks
#                              it): learner's systemd manager started as a
#                              login would (loginctl enable-linger)
set -euo pipefail

DL_PROG=rootless-tour
# shellcheck source=../common/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/common.sh"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LEARNER=learner
export NETLAB_PREFIX=lessonrl

# as learner, in their home, with a login's plain environment (--limits:
# with the runtime directory a login sets, where their systemd manager
# listens) and their copy of the tool
RUNTIME_DIR=()
as_learner() {
	local home
	home=$(getent passwd "$LEARNER" | cut -d: -f6)
	setpriv --reuid "$LEARNER" --regid "$LEARNER" --init-groups \
		env -C "$home" -i HOME="$home" USER="$LEARNER" LOGNAME="$LEARNER" STOP_TIMEOUT=2 "${RUNTIME_DIR[@]}" \
		PATH="$home/docker-lite/task3:/usr/sbin:/usr/bin:/bin" "$@"
}

# Show a command as learner types it, then run it; an error is shown, not
# fatal.
step() {
	printf 'learner$ %s\n' "$*"
	as_learner bash -c "$*" 2>&1 || true
}

# The same, in the lab's host, where /dev/net/tun is as udev makes it.
lab_step() {
	printf 'learner$ %s\n' "$*"
	"$REPO/scripts/netlab" host -- "$REPO/scripts/with-tun-mode" 666 \
		"$REPO/task3/rootless-tour.sh" --as-learner bash -c "$*" 2>&1 || true
}

# web's server has bound its port (root looks into its namespace)
web_listens() {
	local pid
	pid=$(as_learner conductor.sh inspect -f pid web) || return 1
	[[ -n $(nsenter --net="/proc/$pid/ns/net" ss -Hltn 'sport = :80') ]]
}

manager_listens() { [[ -S /run/user/$(id -u "$LEARNER")/systemd/private ]]; }

# also on an error or Ctrl-C: learner's containers stopped, their systemd
# manager ended (--limits), learner removed
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	as_learner conductor.sh stop web >/dev/null 2>&1 || true
	as_learner conductor.sh stop lim >/dev/null 2>&1 || true
	if [[ -e /var/lib/systemd/linger/$LEARNER ]]; then
		loginctl disable-linger "$LEARNER" || true
		systemctl stop "user@$(id -u "$LEARNER").service" || true
	fi
	"$REPO/scripts/rootless-user" del "$LEARNER"
	"$REPO/scripts/netlab" down >/dev/null 2>&1 || true
}

# learner, with their image "demo" on the Debian base under their map
make_learner() {
	local base=${CONDUCTOR_BASE_CACHE:-$REPO/task3/.cache/base}/debian-bookworm home
	[[ -d $base ]] || die "no Debian base in $base: build one first (task3/conductor.sh build demo)"
	make -s -C "$REPO/task3" >/dev/null
	"$REPO/scripts/rootless-user" del "$LEARNER"
	trap cleanup EXIT
	"$REPO/scripts/rootless-user" add "$LEARNER"
	home=$(getent passwd "$LEARNER" | cut -d: -f6)
	"$REPO/scripts/rootless-user" base "$LEARNER" "$base" "$home/.local/share/docker-lite/.cache/base/debian-bookworm"
	as_learner bash -c 'mkdir -p ~/.local/share/docker-lite/.images/demo &&
		echo base=debian-bookworm >~/.local/share/docker-lite/.images/demo/image'
}

# --limits: what a cgroup delegated by learner's own systemd manager holds
# shellcheck disable=SC2016 # the steps expand in learner's shell
limits_tour() {
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs && -d /run/systemd/system ]] ||
		die "--limits needs cgroup v2 and systemd (a stock Debian or Ubuntu): here rootless limits are refused"
	make_learner
	RUNTIME_DIR=("XDG_RUNTIME_DIR=/run/user/$(id -u "$LEARNER")")
	loginctl enable-linger "$LEARNER"
	wait_until 300 manager_listens || die "learner's systemd manager did not start"
	step 'conductor.sh run -d --cpus 0.5 --memory 64M --pids 20 demo lim -- sleep 600'
	step 'cat /proc/$(conductor.sh inspect -f pid lim)/cgroup'
	step 'cd /sys/fs/cgroup$(cut -d: -f3 /proc/$(conductor.sh inspect -f pid lim)/cgroup); stat -c "%U %n" . memory.max; cat cpu.max memory.max pids.max ../../cgroup.controllers; wc -l <../../cgroup.procs; wc -l <../../supervisor/cgroup.procs'
	step 'conductor.sh stats --no-stream --format json lim | jq -c "{memory_limit, pids, pids_limit}"'
	step 'conductor.sh pause lim; conductor.sh inspect -f status lim; conductor.sh unpause lim'
	step 'conductor.sh stop lim'
}

# shellcheck disable=SC2016 # the steps expand in learner's shell
main() {
	require_root
	if [[ ${1:-} == --limits ]]; then
		limits_tour
		return
	fi
	make_learner
	step 'id -un; grep "^$USER:" /etc/subuid'
	step 'conductor.sh run --rm demo box -- id'
	# a tiny server of the container's own (the base has perl, not socat)
	step 'conductor.sh run -d demo web -- perl -MIO::Socket::INET -e '\''$s = IO::Socket::INET->new(LocalPort => 80, Listen => 5, ReuseAddr => 1) or die "$!"; while ($c = $s->accept) { print $c "hello from web\n"; close $c }'\'
	wait_until 50 web_listens || die "the server in web did not start"
	step 'cat /proc/$(conductor.sh inspect -f pid web)/uid_map'
	step 'ps -o user,comm -p $(conductor.sh inspect -f pid web)'
	step 'conductor.sh exec web -- sh -c "cat /proc/self/uid_map; stat -c \"%U %G %n\" /etc/shadow"'
	step 'stat -c "%u %g %n" ~/.local/share/docker-lite/.cache/base/debian-bookworm/etc/shadow'
	step 'conductor.sh run --rm -v /etc:/hostetc demo box -- cat /hostetc/shadow'
	step 'conductor.sh run --rm --memory 64M demo box -- true'
	"$REPO/scripts/netlab" up >/dev/null
	"$REPO/scripts/netlab" serve 8000 >/dev/null
	lab_step 'conductor.sh addnetwork web --internet --expose 8080:80'
	lab_step 'conductor.sh inspect -f ip web; conductor.sh inspect -f ports web'
	lab_step 'ss -Hltn "sport = :8080"; ps -o user,args -p $(pgrep -u "$USER" -f "^pasta ") | cut -c1-50'
	lab_step 'conductor.sh exec web -- bash -c "exec 3<>/dev/tcp/198.51.100.80/8000; echo hi >&3; cat <&3"'
	printf '(outside)$ socat - TCP:203.0.113.2:8080\n'
	"$REPO/scripts/netlab" outside -- socat -T2 - TCP:203.0.113.2:8080,connect-timeout=2 2>&1 </dev/null || true
	step 'conductor.sh peer web web2'
	step 'conductor.sh stop web'
}

# --as-learner CMD...: the tour's own way into the lab's namespaces as
# learner (lab_step): one program for netlab host and with-tun-mode to run
if [[ ${1:-} == --as-learner ]]; then
	shift
	as_learner "$@"
	exit
fi
main "$@"
