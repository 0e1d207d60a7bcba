# bats file_tags=task3
# Task 3: working with a running container from the host. The live root
# (.containers/<name>/rootfs on the host *is* the container's root while it
# exists, mounted so that it propagates nowhere, gone after stop), run --rm
# (foreground and -d) and rm, and the CS695 guide's task 4 walk-through,
# which copies the services into the live roots with cp -r.
# Images are made by hand from the cached base, as in task3-containers.bats.

load helpers/common
load helpers/conductor
load helpers/netlab
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up lvimg
	echo "from the layer" >"$(layer_dir lvk1)/lv-layer-file"
	make_image lvlayered lvk1
	# an image the child refuses after the parent mounted the live root
	ln -s /etc "$(layer_dir lvevil)/proc"
	make_image lvevil lvevil
}

teardown_file() {
	task3_suite_down
}

# Each test stops its containers and ends the host processes it started
# (by PID), even when it failed.
teardown() {
	local pid
	# a networked container is stopped where its network is: in the lab
	if [[ -n ${LAB:-} ]] && netlab_exists "$LAB"; then
		stop_containers "$CONDUCTOR_ROOT" netlab_host "$C"
	fi
	stop_containers
	for pid in ${HOST_PIDS:-}; do
		wait_until 50 is_dead "$pid" || kill "$pid" 2>/dev/null || true
	done
	if [[ -n ${LAB:-} ]]; then netlab_down "$LAB" >/dev/null 2>&1 || true; fi
	# what a failed dl-run of a test left mounted in the test's directory
	local mp
	while read -r mp; do
		umount -l "$mp" || true
	done < <(awk -v d="$BATS_TEST_TMPDIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

# Gone, or a zombie waiting for its reaper.
is_dead() {
	[[ ! -e /proc/$1 ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

is_running() {
	"$C" ps | awk -v n="$1" '$1 == n && $4 == "running" { found = 1 } END { exit !found }'
}

# Every mount of any process (any mount namespace) under this state root.
mounts_of_root() {
	cat /proc/[0-9]*/mountinfo 2>/dev/null | grep -F "$CONDUCTOR_ROOT" | sort -u || true
}

# The host's own mount table has an overlay at the container's rootfs.
host_has_overlay_at() {
	grep -qE " $CONDUCTOR_ROOT/.containers/$1/rootfs .* - overlay overlay " /proc/self/mountinfo
}

gone() {
	[[ ! -e $CONDUCTOR_ROOT/.containers/$1 ]]
}

@test "live root: a file copied into .containers/<name>/rootfs appears inside at once, and the container's writes appear there" {
	"$C" run -d lvimg lvboth -- sleep infinity
	local root=$CONDUCTOR_ROOT/.containers/lvboth/rootfs
	host_has_overlay_at lvboth
	# host -> container: a file and a whole directory, as the guide copies
	echo "from the host $$" >"$root/lv-in"
	mkdir -p "$BATS_TEST_TMPDIR/svc/sub"
	echo deep >"$BATS_TEST_TMPDIR/svc/sub/f"
	cp -r "$BATS_TEST_TMPDIR/svc" "$root/"
	run "$C" exec lvboth -- cat /lv-in /svc/sub/f
	assert_success
	assert_output "from the host $$"$'\n'"deep"
	# container -> host
	# shellcheck disable=SC2016 # expanded inside the container
	"$C" exec lvboth -- sh -c 'echo "from $(hostname)" >/tmp/lv-out'
	assert_equal "$(cat "$root/tmp/lv-out")" "from lvboth"
	# what the host sees is the image's root, not an empty directory
	[[ -f $root/etc/debian_version ]]
}

@test "live root: an exited container keeps it until stop; stop unmounts it from every mount table" {
	run "$C" run lvimg lvexited -- sh -c 'echo kept >/lv-kept'
	assert_success
	refute is_running lvexited
	assert_equal "$(cat "$CONDUCTOR_ROOT/.containers/lvexited/rootfs/lv-kept")" kept
	host_has_overlay_at lvexited
	run "$C" stop lvexited
	assert_success
	assert_equal "$(mounts_of_root)" ""
	gone lvexited
}

@test "live root: after SIGKILL of dl-run and the init, stop still unmounts everything" {
	"$C" run -d lvimg lvkilled -- sleep infinity
	local pid monitor
	pid=$(state_of lvkilled pid)
	monitor=$(state_of lvkilled monitor_pid)
	[[ $pid =~ ^[0-9]+$ && $monitor =~ ^[0-9]+$ ]]
	kill -KILL "$monitor" "$pid"
	wait_until 50 is_dead "$pid"
	wait_until 50 is_dead "$monitor"
	# no process of it is left, its root still is: an exited container
	run "$C" ps
	assert_line --regexp '^lvkilled +lvimg +- +exited '
	host_has_overlay_at lvkilled
	run "$C" stop lvkilled
	assert_success
	assert_equal "$(mounts_of_root)" ""
	gone lvkilled
}

@test "live root: a container that fails to start leaves nothing mounted" {
	# the parent mounts the live root, then the child refuses the image
	run "$C" run lvevil lvfail -- true
	assert_failure 125
	assert_output --partial "symlink"
	assert_equal "$(mounts_of_root)" ""
	gone lvfail
	# dl-run undoes it itself (conductor.sh's clean-up is a second net)
	local d=$BATS_TEST_TMPDIR/direct
	run "$DL_REPO/task3/bin/dl-run" --live-root --rootfs "$d/rootfs" --upper "$d/upper" --work "$d/work" \
		--lower "$CONDUCTOR_ROOT/.cache/layers/lvevil/diff:$CONDUCTOR_BASE_CACHE/debian-bookworm" -- true
	assert_failure 125
	assert_output --partial "symlink"
	run grep -F "$d" /proc/self/mountinfo
	assert_failure
}

# The propagation test runs in a mount namespace of its own (so nothing of
# it can reach the machine's mounts), where a tmpfs area is made shared and
# bound to a second place, a peer: what is mounted under one appears under
# the other, as under systemd's shared /. The state root is under the first.
# The script prints what the peer received, and a control mount made
# directly under the shared parent, which the peer must receive (else the
# test could not fail).
propagation_script() {
	cat <<'SCRIPT'
set -euo pipefail
area=$1
mount -t tmpfs -o size=64m dl-lv-prop "$area"
mkdir "$area/a" "$area/peer"
mount --bind "$area/a" "$area/a"
mount --make-shared "$area/a"
mount --bind "$area/a" "$area/peer"
export CONDUCTOR_ROOT=$area/a/root
# the suite's lvimg (make_image), copied
mkdir -p "$CONDUCTOR_ROOT/.images"
cp -r "$SUITE_IMAGES/lvimg" "$CONDUCTOR_ROOT/.images/"
trap '"$C" stop lvprop >/dev/null 2>&1 || true' EXIT
"$C" run -d lvimg lvprop -- sleep infinity 2>/dev/null
"$C" exec lvprop -- sh -c 'echo inside >/lv-prop'
echo "own: $(cat "$area/a/root/.containers/lvprop/rootfs/lv-prop")"
echo "peer overlays: $(grep -cE " $area/peer/.* - overlay " /proc/self/mountinfo || true)"
echo "peer file: $(cat "$area/peer/root/.containers/lvprop/rootfs/lv-prop" 2>&1 || true)"
mkdir "$area/a/control"
mount -t tmpfs dl-lv-control "$area/a/control"
echo "peer control: $(grep -c " $area/peer/control " /proc/self/mountinfo || true)"
umount "$area/a/control"
"$C" stop lvprop 2>/dev/null
echo "after stop: $(grep -c " $area/\(a\|peer\)/root/" /proc/self/mountinfo || true)"
SCRIPT
}

@test "live root: it does not propagate to a peer of a shared parent mount" {
	local area
	area=$(mktemp -d /tmp/dl-test.XXXXXX)
	run env C="$C" SUITE_IMAGES="$CONDUCTOR_ROOT/.images" unshare --mount --propagation private -- bash -c "$(propagation_script)" bash "$area"
	rmdir "$area"
	assert_success
	assert_line "own: inside"
	assert_line "peer overlays: 0"
	assert_line --regexp '^peer file: .*No such file or directory$'
	assert_line "peer control: 1"
	assert_line "after stop: 0"
}

@test "rmcache and rmi keep what a live root stands on" {
	"$C" run -d lvlayered lvcache -- sleep infinity
	run "$C" rmi lvlayered
	assert_failure
	assert_output --partial "used by the container(s) lvcache"
	run "$C" rmcache
	assert_success
	[[ -d $CONDUCTOR_ROOT/.cache/layers/lvk1/diff ]]
	assert_equal "$(cat "$CONDUCTOR_ROOT/.containers/lvcache/rootfs/lv-layer-file")" "from the layer"
	run "$C" exec lvcache -- cat /lv-layer-file
	assert_output "from the layer"
}

@test "run --rm: in the foreground the exit code is the command's, and nothing is left" {
	local leaf_tag
	run "$C" run --rm --pids 20 lvimg lvrmfg -- sh -c 'echo out; echo err >&2; exit 3'
	assert_failure 3
	assert_line out
	assert_line err
	gone lvrmfg
	assert_equal "$(mounts_of_root)" ""
	leaf_tag=$(printf '%s' "$CONDUCTOR_ROOT" | sha256sum)
	run find /sys/fs/cgroup -maxdepth 4 -path '*/docker-lite/*' -name "lvrmfg.${leaf_tag:0:8}"
	assert_output ""
	run "$C" run --rm lvimg lvrmfg0 -- true
	assert_success
	gone lvrmfg0
}

@test "run --rm -d: removed as soon as its command ends, with no second command" {
	local leaf_tag monitor
	run "$C" run --rm -d --pids 20 lvimg lvrmd -- sh -c 'echo bye; sleep 0.5; exit 4'
	assert_success
	assert_output --partial "removed when it ends"
	monitor=$(state_of lvrmd monitor_pid)
	[[ $monitor =~ ^[0-9]+$ ]] || fail "no monitor recorded (ended too soon?)"
	HOST_PIDS=$monitor
	wait_until 100 gone lvrmd
	# the monitor (which removed it) ends too
	wait_until 50 is_dead "$monitor"
	assert_equal "$(mounts_of_root)" ""
	leaf_tag=$(printf '%s' "$CONDUCTOR_ROOT" | sha256sum)
	run find /sys/fs/cgroup -maxdepth 4 -path '*/docker-lite/*' -name "lvrmd.${leaf_tag:0:8}"
	assert_output ""
	# a command over before run returns is removed as well
	run "$C" run --rm -d lvimg lvrmquick -- true
	assert_success
	wait_until 100 gone lvrmquick
}

@test "run --rm -d: stop ends it early, and only its own monitor's remover removes it" {
	"$C" run --rm -d lvimg lvrmstop -- sleep infinity
	local pid
	pid=$(state_of lvrmstop pid)
	# "stop --from-monitor" from any process but the container's monitor
	# does nothing: a remover that comes late never removes a new container
	run "$C" stop --from-monitor lvrmstop
	assert_success
	assert_output ""
	is_running lvrmstop
	assert_equal "$(state_of lvrmstop pid)" "$pid"
	run "$C" stop lvrmstop
	assert_success
	gone lvrmstop
	assert_equal "$(mounts_of_root)" ""
}

@test "rm: is stop's alias, and is listed in the help" {
	"$C" run -d lvimg lvrm -- sleep infinity
	run "$C" rm lvrm
	assert_success
	assert_output --partial "container lvrm stopped and removed"
	gone lvrm
	run "$C" rm lvrm
	assert_success
	assert_output --partial "no container named 'lvrm'"
	run "$C" rm '../x'
	assert_failure 125
	run "$C" help
	assert_line --regexp '^  rm \[-f\] <name> +the same as stop( |$)'
	assert_output --partial "[--rm]"
	run "$C" rm -h
	assert_output --partial "The same as 'conductor.sh stop <name>'"
	run "$C" run -h
	assert_output --partial "--rm"
}

# The CS695 guide's task 4, word for word as far as it does not need a
# network: a plain Debian image from a build with no Conductorfile, two
# containers running "sleep infinity" in the foreground (the guide uses a
# terminal each), the services copied in with cp -r from the host, and
# started with exec.
@test "guide task 4: build with no Conductorfile, two sleep-infinity containers, cp -r into their rootfs, exec sees it" {
	local guide=$BATS_TEST_TMPDIR/guide
	mkdir -p "$guide/external-service" "$guide/counter-service"
	# shellcheck disable=SC2016 # run inside the container
	printf '%s\n' '#!/bin/bash' 'echo "external-service on $(hostname), counter at $1"' \
		>"$guide/external-service/run.sh"
	# shellcheck disable=SC2016
	printf '%s\n' '#!/bin/bash' 'echo "counter-service on $(hostname)"' >"$guide/counter-service/run.sh"
	cd "$CONDUCTOR_ROOT"
	run "$C" build service-image
	assert_success
	"$C" run service-image c1 -- sleep infinity </dev/null >/dev/null 2>&1 3>&- &
	HOST_PIDS=$!
	"$C" run service-image c2 -- sleep infinity </dev/null >/dev/null 2>&1 3>&- &
	HOST_PIDS+=" $!"
	wait_until 100 is_running c1
	wait_until 100 is_running c2
	cp -r "$guide/external-service" .containers/c1/rootfs/
	cp -r "$guide/counter-service" .containers/c2/rootfs/
	run "$C" exec c2 -- bash /counter-service/run.sh
	assert_success
	assert_output "counter-service on c2"
	run "$C" exec c1 -- bash /external-service/run.sh "http://c2:8080/"
	assert_success
	assert_output "external-service on c1, counter at http://c2:8080/"
	run "$C" exec c1 -- ls /counter-service
	assert_failure
	"$C" stop c1
	"$C" stop c2
	assert_equal "$(mounts_of_root)" ""
}

# The guide's two services, small enough for the base image (perl-base):
# the counter answers each request with the next number, the external
# service asks the counter at $1 for each request it gets.
guide_services() {
	local guide=$1
	mkdir -p "$guide/external-service" "$guide/counter-service"
	cat >"$guide/counter-service/run.sh" <<'RUN'
#!/bin/bash
exec perl -MIO::Socket::INET -e '
$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "$!";
for ($n = 1; $c = $s->accept; $n++) { <$c>; print $c "HTTP/1.0 200 OK\r\n\r\n$n\n"; close $c }'
RUN
	cat >"$guide/external-service/run.sh" <<'RUN'
#!/bin/bash
exec perl -MIO::Socket::INET -e '
($url, $me) = @ARGV; ($h, $p) = $url =~ m{^http://([^:/]+):(\d+)/} or die "bad URL $url";
$s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "$!";
while ($c = $s->accept) {
  <$c>; $u = IO::Socket::INET->new("$h:$p") or die "$!";
  print $u "GET / HTTP/1.0\r\n\r\n"; @r = <$u>; close $u;
  print $c "HTTP/1.0 200 OK\r\n\r\nHello from $me: counter says $r[-1]"; close $c }' "$1" "$(hostname)"
RUN
}

# Something listens on TCP 8080 in container NAME's network namespace.
listening_8080() {
	[[ -n $(nsenter --net="/proc/$(state_of "$1" pid)/ns/net" ss -Hltn "sport = :8080") ]]
}

# The same walk-through with the guide's network steps, in a network lab
# (tests/helpers/netlab.bash): the tool runs in the lab's host namespace,
# the request comes from the lab's outside host.
@test "guide task 4 with its network: addnetwork, peer, the counter's IP from 'ip route get 1', a request from outside" {
	export LAB=lv$$
	netlab_up "$LAB" >&2
	local guide=$BATS_TEST_TMPDIR/guide C2_IP
	guide_services "$guide"
	cd "$CONDUCTOR_ROOT"
	netlab_host "$C" build service-image >/dev/null 2>&1
	netlab_host "$C" run service-image c1 -- sleep infinity </dev/null >/dev/null 2>&1 3>&- &
	HOST_PIDS=$!
	netlab_host "$C" run service-image c2 -- sleep infinity </dev/null >/dev/null 2>&1 3>&- &
	HOST_PIDS+=" $!"
	wait_until 100 is_running c1
	wait_until 100 is_running c2
	cp -r "$guide/external-service" .containers/c1/rootfs/
	cp -r "$guide/counter-service" .containers/c2/rootfs/
	netlab_host "$C" addnetwork c1 --internet --expose 3000:8080
	netlab_host "$C" addnetwork c2 --internet
	netlab_host "$C" peer c1 c2
	C2_IP=$(netlab_host "$C" exec c2 -- ip route get 1 | grep -oP 'src \K\S+')
	[[ $C2_IP =~ ^[0-9.]+$ ]]
	netlab_host "$C" exec c2 -- bash /counter-service/run.sh </dev/null >/dev/null 2>&1 3>&- &
	HOST_PIDS+=" $!"
	netlab_host "$C" exec c1 -- bash /external-service/run.sh "http://$C2_IP:8080/" </dev/null >/dev/null 2>&1 3>&- &
	HOST_PIDS+=" $!"
	wait_until 50 listening_8080 c2
	wait_until 50 listening_8080 c1
	run netlab_http_get_from_outside "http://$NETLAB_HOST_IP:3000/"
	assert_success
	assert_output "Hello from c1: counter says 1"
	run netlab_http_get_from_outside "http://$NETLAB_HOST_IP:3000/"
	assert_output "Hello from c1: counter says 2"
	netlab_host "$C" stop c1
	netlab_host "$C" stop c2
	assert_equal "$(mounts_of_root)" ""
}

@test "suite: nothing of this suite is left mounted, in a cgroup or in its state" {
	run find "$CONDUCTOR_ROOT/.containers" -mindepth 1
	assert_output ""
	assert_equal "$(mounts_of_root)" ""
	local tag
	tag=$(printf '%s' "$CONDUCTOR_ROOT" | sha256sum)
	run find /sys/fs/cgroup -maxdepth 4 -path '*/docker-lite/*' -name "*.${tag:0:8}"
	assert_output ""
}
