# bats file_tags=task3
# Task 3 containers: run, ps, stop, exec (and the C helpers behind them,
# task3/bin/dl-run and dl-exec). Images are made by hand from the cached
# base (this suite tests containers, not the builder): a plain one, one with
# two hand-made layers, and broken ones whose /proc or /etc/resolv.conf is a
# symlink leading out of the image.

load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up h4img
	# two layers over the base: each rewrites a file the base has
	local l1 l2
	l1=$(layer_dir h4k1)
	l2=$(layer_dir h4k2)
	mkdir -p "$l1/etc" "$l2/etc"
	echo "from layer 1" >"$l1/etc/debian_version"
	echo "only in layer 1" >"$l1/etc/h4-k1-only"
	echo "from layer 2" >"$l2/etc/debian_version"
	make_image h4layered h4k1 h4k2
	# images that try to make the tool mount or write on the host
	ln -s /etc "$(layer_dir h4evilproc)/proc"
	make_image h4evilproc h4evilproc
	mkdir -p "$(layer_dir h4evilresolv)/etc"
	ln -s /etc/hostname "$(layer_dir h4evilresolv)/etc/resolv.conf"
	make_image h4evilresolv h4evilresolv
	# an image bringing its own device node (a harmless one: /dev/zero's)
	mknod "$(layer_dir h4devnode)/h4zero" c 1 5
	make_image h4devnode h4devnode
	# a file only the host has: escapes look for it
	export MARKER=/tmp/dl-h4-marker.$$
	echo "host-only-$$-$RANDOM" >"$MARKER"
}

teardown_file() {
	task3_suite_down
	rm -f "$MARKER"
}

# Each test stops every container it started, even when it failed (the
# tests run one after the other, so all containers of the state root are
# the current test's), and the host processes it started.
teardown() {
	local pid
	stop_containers
	for pid in ${HOST_PIDS:-}; do kill "$pid" 2>/dev/null || true; done
}

crun() {
	"$C" run "$@"
}

# The cgroup layout: v2 (one tree, a container has one leaf holding every
# limit) or v1/hybrid (one tree per controller, a leaf in each). Tests read a
# container's leaves from its state and check what the layout puts there.
cgroup_v2() {
	[[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]
}

# The one of the directories after KNOB that has KNOB: on v1 each
# controller's files are in its own hierarchy ("cpu" or "cpu,cpuacct").
dir_with() {
	local knob=$1 dir
	shift
	for dir; do
		[[ -e $dir/$knob ]] && printf '%s\n' "$dir" && return 0
	done
	return 1
}

has_pid() {
	[[ -n $(state_of "$1" pid) ]]
}

is_running() {
	[[ $(state_of "$1" status) == running ]]
}

# every mount of any process that mentions this container's directory
mounts_of_container() {
	cat /proc/[0-9]*/mountinfo 2>/dev/null | grep -F "$CONDUCTOR_ROOT/.containers/$1" | sort -u || true
}

@test "run: ps inside shows PID 1 and only the container's processes" {
	run crun h4img h4ps -- ps -e -o pid=,comm=
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^ *1 dl-run$'
	assert_line --index 1 --regexp '^ *2 ps$'
}

@test "run: the hostname is the container's name, the host's is unchanged" {
	local before
	before=$(hostname)
	run crun h4img h4host -- hostname
	assert_success
	assert_output h4host
	assert_equal "$(hostname)" "$before"
}

@test "run: the container's network namespace holds only lo" {
	run crun h4img h4net -- ls /sys/class/net
	assert_success
	assert_output lo
	run crun h4img h4net2 -- ip -o link show
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_output --partial ': lo:'
}

@test "run: argv is passed exactly (spaces, quotes, empty words, the command's own flags)" {
	run crun h4img h4argv1 -- sh -c 'echo "a  b"'
	assert_success
	assert_output 'a  b'
	run crun h4img h4argv2 -- /bin/echo -e 'x\ty'
	assert_success
	assert_output "$(printf 'x\ty')"
	# without "--" too: options are only read before the image
	run crun h4img h4argv3 ls -d /
	assert_success
	assert_output /
	# shellcheck disable=SC2016 # a literal $HOME, not expanded anywhere
	run crun h4img h4argv4 -- printf '[%s]' 'a b' '' "it's" '$HOME'
	assert_success
	assert_output "[a b][][it's][\$HOME]"
	# a flag conductor.sh does not know goes to the command, not to run
	run crun h4img h4argv5 -- ls -e /
	assert_failure 2
	assert_output --partial "invalid option -- 'e'"
	# and one it does know (-h, help) too, once after "--"
	run crun h4img h4argv6 -- ls -d -h /
	assert_success
	assert_output /
}

@test "run: exit codes pass through (0, 3, 255, 128+N for a signal, 126, 127)" {
	run crun h4img h4ex0 -- true
	assert_success
	run crun h4img h4ex3 -- sh -c 'exit 3'
	assert_failure 3
	run crun h4img h4ex255 -- sh -c 'exit 255'
	assert_failure 255
	run crun h4img h4exsig -- sh -c 'kill -TERM $$'
	assert_failure 143
	run crun h4img h4exkill -- sh -c 'kill -KILL $$'
	assert_failure 137
	run -127 crun h4img h4ex127 -- no-such-command
	assert_failure 127
	assert_output --partial 'not found'
	run crun h4img h4ex126 -- /etc/passwd
	assert_failure 126
}

@test "exec: exit codes pass through, and argv is kept" {
	crun -d h4img h4exec -- sleep infinity
	run "$C" exec h4exec -- true
	assert_success
	run "$C" exec h4exec -- sh -c 'exit 3'
	assert_failure 3
	run "$C" exec h4exec -- sh -c 'exit 255'
	assert_failure 255
	run "$C" exec h4exec -- sh -c 'kill -KILL $$'
	assert_failure 137
	run -127 "$C" exec h4exec -- no-such-command
	assert_failure 127
	run "$C" exec h4exec -- sh -c 'echo "a  b"'
	assert_output 'a  b'
	run "$C" exec h4exec hostname
	assert_output h4exec
}

@test "exec: sees what the container's command wrote, in all its namespaces" {
	crun -d h4img h4share -- sh -c 'echo hello >/tmp/h4file; exec sleep infinity'
	wait_until 50 "$C" exec h4share -- test -f /tmp/h4file
	run "$C" exec h4share -- cat /tmp/h4file
	assert_success
	assert_output hello
	# the same namespaces as the init: PID (sleep is PID 2), UTS, net, mnt, ipc
	local pid ns
	pid=$(state_of h4share pid)
	run "$C" exec h4share -- ps -e -o pid=,comm=
	assert_line --regexp '^ *2 sleep$'
	for ns in mnt pid net uts ipc; do
		run "$C" exec h4share -- readlink "/proc/self/ns/$ns"
		assert_output "$(readlink "/proc/$pid/ns/$ns")"
		[[ $output != "$(readlink "/proc/self/ns/$ns")" ]]
	done
}

@test "exec: a container that is not running is refused clearly" {
	crun h4img h4gone -- true
	run "$C" ps
	assert_line --regexp '^h4gone +h4img +- +exited '
	run "$C" exec h4gone -- true
	assert_failure 125
	assert_output --partial "not running"
	run "$C" exec h4nosuch -- true
	assert_failure 125
	assert_output --partial "no container named 'h4nosuch'"
}

@test "stop: removes every mount, the state and the directory; a second stop is fine" {
	local before pid
	before=$(cat /proc/self/mountinfo)
	crun -d h4img h4stop -- sleep infinity
	pid=$(state_of h4stop pid)
	# the overlay is the container's / in its own mount namespace, and its
	# live root on the host (tests/task3-live.bats)
	grep -qE " / .* - overlay overlay .*upperdir=$CONDUCTOR_ROOT/.containers/h4stop/upper" "/proc/$pid/mountinfo"
	grep -qE " $CONDUCTOR_ROOT/.containers/h4stop/rootfs .* - overlay overlay " /proc/self/mountinfo
	run "$C" stop h4stop
	assert_success
	run kill -0 "$pid"
	assert_failure
	# nothing of it is mounted anywhere, in any process's namespace
	run grep -F "$CONDUCTOR_ROOT" /proc/self/mountinfo
	assert_failure
	assert_equal "$(mounts_of_container h4stop)" ""
	# and the host's own mounts are those of before (up to what other
	# programs did meanwhile: compare only what could be ours)
	assert_equal "$(grep -E 'overlay|/tmp/dl-|proc|sysfs|devpts' /proc/self/mountinfo)" \
		"$(grep -E 'overlay|/tmp/dl-|proc|sysfs|devpts' <<<"$before")"
	[[ ! -e $CONDUCTOR_ROOT/.containers/h4stop ]]
	run "$C" stop h4stop
	assert_success
	assert_output --partial "no container named 'h4stop'"
}

@test "stop: an exited container is removed too" {
	crun h4img h4stopped -- sh -c 'echo data >/h4data'
	[[ -f $CONDUCTOR_ROOT/.containers/h4stopped/upper/h4data ]]
	run "$C" stop h4stopped
	assert_success
	[[ ! -e $CONDUCTOR_ROOT/.containers/h4stopped ]]
}

@test "stop: a command that ignores SIGTERM is killed after STOP_TIMEOUT" {
	crun -d h4img h4stubborn -- sh -c 'trap "" TERM; while :; do sleep 1; done'
	local pid start end
	pid=$(state_of h4stubborn pid)
	start=$(date +%s)
	STOP_TIMEOUT=1 run "$C" stop h4stubborn
	end=$(date +%s)
	assert_success
	assert_output --partial "killing it"
	((end - start <= 5))
	run kill -0 "$pid"
	assert_failure
}

@test "names: bad container and image names are refused before anything is made" {
	local before n long
	long=$(printf 'a%.0s' {1..33})
	before=$(find "$CONDUCTOR_ROOT" | sort)
	for n in '../x' 'a/b' '-x' '' "$long" 'a b' '.hidden' 'x;y' $'a\nb' '..'; do
		run "$C" run h4img "$n" -- true
		assert_failure 125
		assert_output --partial "invalid container name"
		run "$C" run -d h4img "$n" -- true
		assert_failure 125
		run "$C" run "$n" h4okname -- true
		assert_failure 125
	done
	# 32 characters is the longest name allowed
	run "$C" run h4img "${long:1}" -- true
	assert_success
	"$C" stop "${long:1}" 2>/dev/null
	assert_equal "$(find "$CONDUCTOR_ROOT" | sort)" "$before"
	run "$C" stop '../x'
	assert_failure 125
	run "$C" exec 'a/b'
	assert_failure 125
	run "$C" run h4nosuchimage h4okname -- true
	assert_failure 125
	assert_output --partial "no image named 'h4nosuchimage'"
	[[ ! -e $CONDUCTOR_ROOT/.containers/h4okname ]]
}

@test "names: a duplicate name is refused and the first container keeps running" {
	crun -d h4img h4dup -- sleep infinity
	local pid
	pid=$(state_of h4dup pid)
	run "$C" run -d h4img h4dup -- sleep 1
	assert_failure 125
	assert_output --partial "already exists"
	run "$C" run h4img h4dup -- true
	assert_failure 125
	assert_equal "$(state_of h4dup pid)" "$pid"
	is_running h4dup
	run "$C" exec h4dup -- true
	assert_success
}

@test "run -d: ps shows it running with its PID, stop ends it" {
	run "$C" ps
	crun -d h4img h4det -- sleep infinity
	local pid
	pid=$(state_of h4det pid)
	run "$C" ps
	assert_success
	assert_line --index 0 --regexp '^NAME +IMAGE +PID +STATUS +IP +PORTS +CREATED$'
	assert_line --regexp "^h4det +h4img +$pid +running +- +- +[0-9]{4}-"
	# the monitor (the dl-run waiting for the init) is recorded too...
	local monitor
	monitor=$(state_of h4det monitor_pid)
	[[ $monitor =~ ^[0-9]+$ && $(cat "/proc/$monitor/comm") == dl-run ]]
	run "$C" stop h4det
	assert_success
	run "$C" ps
	refute_line --partial h4det
	# ...and gone (or a zombie waiting for its reaper) when stop returns
	local st
	st=$(awk '{ print $3 }' "/proc/$monitor/stat" 2>/dev/null || true)
	[[ -z $st || $st == Z ]] || fail "the monitor $monitor outlived stop (state $st)"
}

@test "run: no containers means 'No containers found'" {
	local other
	other=$(mktemp -d /tmp/dl-test.XXXXXX)
	CONDUCTOR_ROOT=$other run "$C" ps
	rm -rf "$other"
	assert_success
	assert_output "No containers found"
}

@test "layers: later layers shadow earlier ones and the base (lowerdir order)" {
	run crun h4layered h4layer -- cat /etc/debian_version /etc/h4-k1-only
	assert_success
	assert_line --index 0 "from layer 2"
	assert_line --index 1 "only in layer 1"
	# the base itself is never written
	local base
	base=$(cat "$CONDUCTOR_BASE_CACHE/debian-bookworm/etc/debian_version")
	run crun h4layered h4layerw -- sh -c 'echo changed >/etc/debian_version; cat /etc/debian_version'
	assert_output changed
	assert_equal "$(cat "$CONDUCTOR_ROOT/.cache/layers/h4k2/diff/etc/debian_version")" "from layer 2"
	assert_equal "$(cat "$CONDUCTOR_BASE_CACHE/debian-bookworm/etc/debian_version")" "$base"
	[[ $base != "from layer"* ]]
}

@test "escape: the classic chroot escape from inside stays in the container" {
	# chroot into a subdirectory WITHOUT chdir, climb with "..", chroot
	# there: this leaves a chroot-based container, not a pivot_root one
	# shellcheck disable=SC2016 # perl code
	local escape='mkdir "/x"; chroot "/x" or die "chroot: $!"; chdir ".." for 1..64; chroot "." or die; print -e $ARGV[0] ? "REACHED HOST\n" : "stayed inside\n"; print -e "/etc/debian_version" ? "container root\n" : "other root\n"'
	run crun h4img h4escape -- perl -e "$escape" "$MARKER"
	assert_success
	assert_output "stayed inside
container root"
	# with the hardening off too: the pivot_root does the work
	CONDUCTOR_HARDEN=0 run crun h4img h4escape2 -- perl -e "$escape" "$MARKER"
	assert_success
	assert_output "stayed inside
container root"
	refute_output --partial "$(cat "$MARKER")"
}

@test "escape: the host's processes and /proc/1/root are out of reach" {
	run crun h4img h4proc -- sh -c "cat /proc/1/root$MARKER; ls /proc | grep -c '^[0-9]'; test -e /proc/$$ && echo host-pid-visible; readlink /proc/1/exe"
	refute_output --partial "$(cat "$MARKER")"
	refute_output --partial host-pid-visible
	refute_output --partial /work
	assert_line --regexp '^[1-4]$'
}

@test "fds: the container's PID 1 and its command hold only fds 0-2, even when the caller leaks some" {
	crun -d h4img h4fds -- sleep infinity 7</ 8>"$BATS_TEST_TMPDIR/leak"
	# (the init's cwd is unreadable from inside: it is not dumpable)
	run "$C" exec h4fds -- sh -c 'ls /proc/1/fd; echo --; ls /proc/2/fd; echo --; readlink /proc/2/cwd /proc/self/cwd'
	assert_success
	assert_output "0
1
2
--
0
1
2
--
/
/"
	run "$C" exec h4fds -- ls -l /proc/self/fd/ 9</
	refute_output --partial ' 9 ->'
}

@test "cgroups: --cpus, --memory and --pids make the right cgroup, exec joins it, stop removes it" {
	crun -d --cpus 0.5 --memory 64M --pids 20 h4img h4cg -- sleep infinity
	local dirs=() d
	mapfile -t dirs < <(state_of h4cg cgroups)
	for d in "${dirs[@]}"; do
		[[ -d $d && $d == */docker-lite/h4cg.* ]]
		grep -qx "$(state_of h4cg pid)" "$d/cgroup.procs"
	done
	if cgroup_v2; then
		# one leaf, every limit in it
		assert_equal "${#dirs[@]}" 1
		assert_equal "$(cat "${dirs[0]}/cpu.max")" "50000 100000"
		assert_equal "$(cat "${dirs[0]}/memory.max")" $((64 << 20))
		assert_equal "$(cat "${dirs[0]}/pids.max")" 20
	else
		# a leaf in each controller's hierarchy, the freezer's (pause), and
		# the accounting ones this machine mounts (cpuacct, blkio: stats)
		((${#dirs[@]} >= 4))
		[[ -n $(dir_with freezer.state "${dirs[@]}") ]]
		[[ -n $(dir_with cpuacct.usage "${dirs[@]}") ]]
		d=$(dir_with cpu.cfs_quota_us "${dirs[@]}")
		assert_equal "$(cat "$d/cpu.cfs_quota_us")" 50000
		assert_equal "$(cat "$d/cpu.cfs_period_us")" 100000
		d=$(dir_with memory.limit_in_bytes "${dirs[@]}")
		assert_equal "$(cat "$d/memory.limit_in_bytes")" $((64 << 20))
		d=$(dir_with pids.max "${dirs[@]}")
		assert_equal "$(cat "$d/pids.max")" 20
	fi
	run "$C" exec h4cg -- cat /proc/self/cgroup
	if cgroup_v2; then
		assert_line --regexp '^0::/docker-lite/h4cg\.[0-9a-f]+$'
	else
		assert_line --regexp '^[0-9]+:([^:]*,)?cpu(,[^:]*)?:/docker-lite/h4cg\.[0-9a-f]+$'
		assert_line --regexp '^[0-9]+:memory:/docker-lite/h4cg\.[0-9a-f]+$'
		assert_line --regexp '^[0-9]+:pids:/docker-lite/h4cg\.[0-9a-f]+$'
		assert_line --regexp '^[0-9]+:freezer:/docker-lite/h4cg\.[0-9a-f]+$'
	fi
	run "$C" stop h4cg
	assert_success
	for d in "${dirs[@]}"; do [[ ! -e $d ]]; done
}

@test "cgroups: the pids limit holds, and a foreground container's cgroup goes when it ends" {
	# the init and sleep make 2 of 3; exec's sh makes 3, its first fork fails
	crun -d --pids 3 h4img h4pids -- sleep infinity
	local cg dirs=()
	# v2 one leaf; v1 the pids hierarchy's and the freezer's
	mapfile -t dirs < <(state_of h4pids cgroups)
	cg=$(dir_with pids.max "${dirs[@]}")
	run "$C" exec h4pids -- sh -c 'sleep 1 & sleep 1 & wait'
	assert_failure
	assert_output --partial fork
	grep -q '^max [1-9]' "$cg/pids.events"
	(($(cat "$cg/pids.current") <= 3))
	run crun --pids 8 h4img h4pids2 -- sh -c 'cat /proc/self/cgroup'
	assert_success
	# the container's own line: v2 "0::/docker-lite/<leaf>", v1 "N:pids:/docker-lite/<leaf>"
	local re line leaf=""
	if cgroup_v2; then re='^0::(/docker-lite/h4pids2\.[0-9a-f]+)$'; else re='^[0-9]+:pids:(/docker-lite/h4pids2\.[0-9a-f]+)$'; fi
	for line in "${lines[@]}"; do
		if [[ $line =~ $re ]]; then leaf=${BASH_REMATCH[1]}; fi
	done
	[[ -n $leaf ]] || fail "no docker-lite line in the container's /proc/self/cgroup: $output"
	# gone from every hierarchy, whatever the layout
	run find /sys/fs/cgroup -maxdepth 3 -path "*$leaf"
	assert_output ""
	run "$C" run --pids 0 h4img h4badpids -- true
	assert_failure 125
	run "$C" run --cpus lots h4img h4badcpus -- true
	assert_failure 125
	run "$C" run --memory 1M h4img h4badmem -- true
	assert_failure 125
	[[ ! -e $CONDUCTOR_ROOT/.containers/h4badpids && ! -e $CONDUCTOR_ROOT/.containers/h4badmem ]]
}

# Gone, or a zombie waiting for its reaper.
is_dead() {
	[[ ! -e /proc/$1 ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

@test "cgroups: stop removes the cgroup of a container whose monitor was killed, and puts the root back" {
	local before="" monitor dirs=() d
	if cgroup_v2; then before=$(cat /sys/fs/cgroup/cgroup.subtree_control); fi
	crun -d --cpus 0.5 --pids 10 h4img h4orphan -- sleep infinity
	mapfile -t dirs < <(state_of h4orphan cgroups)
	((${#dirs[@]} > 0))
	# the monitor, the dl-run that removes the cgroup when the container ends
	monitor=$(state_of h4orphan monitor_pid)
	kill -KILL "$monitor"
	wait_until 50 is_dead "$monitor"
	run "$C" stop h4orphan
	assert_success
	for d in "${dirs[@]}"; do [[ ! -e $d ]]; done
	# v2: stop went through common/cgroup.c, which disabled at the root what
	# docker-lite had enabled there (a plain rmdir of the group would not)
	if cgroup_v2; then assert_equal "$(cat /sys/fs/cgroup/cgroup.subtree_control)" "$before"; fi
}

@test "pid reuse: stop never kills a process whose start time does not match" {
	sleep 1000 3>&- &
	local victim=$!
	HOST_PIDS=$victim
	mkdir -p "$CONDUCTOR_ROOT/.containers/h4fake"
	printf 'image=h4img\ncreated=%s\npid=%s\nstarttime=1\n' "$(date +%s)" "$victim" \
		>"$CONDUCTOR_ROOT/.containers/h4fake/state"
	run "$C" ps
	assert_line --regexp '^h4fake +h4img +- +exited '
	run "$C" exec h4fake -- true
	assert_failure 125
	run "$C" stop h4fake
	assert_success
	kill -0 "$victim"
	[[ ! -e $CONDUCTOR_ROOT/.containers/h4fake ]]
	# dl-exec refuses it as well, whatever the state says
	run "$DL_REPO/task3/bin/dl-exec" --pid "$victim" --starttime 1 -- true
	assert_failure 125
	assert_output --partial "no longer the container's init"
}

@test "init: zombies are reaped and the command starts with no blocked or ignored signals" {
	# 100 orphans: each subshell exits at once, its sleep is re-parented to
	# the container's init, which must reap it when it ends. Poll (bounded)
	# until no sleep is left: one the init fails to reap stays as a zombie.
	# shellcheck disable=SC2016 # expanded by the container's sh
	run crun h4img h4zombie -- sh -c 'i=0; while [ $i -lt 100 ]; do (sleep 0.2 &); i=$((i + 1)); done
		i=0; while ps -e -o comm= | grep -qx sleep && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		ps -e -o stat=,comm='
	assert_success
	refute_line --regexp '^Z'
	refute_line --regexp ' sleep$'
	# a background job of a script has SIGINT and SIGQUIT ignored: the
	# container's command must not inherit that
	run bash -c '"$1" run h4img h4sigs -- grep -E "^Sig(Blk|Ign)" /proc/self/status 3>&- & wait $!' _ "$C"
	assert_success
	assert_line "SigBlk:	0000000000000000"
	assert_line "SigIgn:	0000000000000000"
}

@test "init: no signal the caller ignored (glibc's own 32 and 33 too) is ignored in the command" {
	cc -std=c11 -Wall -Werror -o "$BATS_TEST_TMPDIR/ignore-all-signals" "$DL_REPO/tests/helpers/ignore-all-signals.c"
	run "$BATS_TEST_TMPDIR/ignore-all-signals" "$C" run h4img h4ign -- grep SigIgn /proc/self/status
	assert_success
	assert_output "SigIgn:	0000000000000000"
	crun -d h4img h4ign2 -- sleep infinity
	run "$BATS_TEST_TMPDIR/ignore-all-signals" "$C" exec h4ign2 -- grep SigIgn /proc/self/status
	assert_output "SigIgn:	0000000000000000"
}

@test "init: SIGTERM to a foreground run reaches the command and the exit code says so" {
	"$C" run h4img h4term -- sleep 1000 3>&- &
	local runner=$! pid rc=0
	wait_until 50 has_pid h4term
	pid=$(state_of h4term pid)
	kill -TERM "$pid"
	wait "$runner" || rc=$?
	assert_equal "$rc" 143
	assert_equal "$(state_of h4term exit_code)" 143
	run "$C" ps
	assert_line --regexp '^h4term +h4img +- +exited '
}

@test "hardening: no dangerous capabilities, no_new_privs, masked and read-only /proc; off with CONDUCTOR_HARDEN=0" {
	# Docker's default set (0xa80425fb) less MKNOD (bit 27), less what the
	# host itself lacks
	local host_bnd expected
	host_bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
	expected=$(printf '%016x' $((0x$host_bnd & 0xa80425fb & ~(1 << 27))))
	run crun h4img h4hard -- sh -c 'grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status; echo x >/proc/sys/kernel/hostname && echo wrote; mount -t tmpfs t /mnt && echo mounted; ls /dev'
	assert_line "CapBnd:	$expected"
	assert_line "NoNewPrivs:	1"
	refute_line wrote
	refute_line mounted
	refute_output --partial sda
	refute_output --partial vda
	CONDUCTOR_HARDEN=0 run crun h4img h4soft -- sh -c 'grep -E "^NoNewPrivs" /proc/self/status; mount -t tmpfs t /mnt && echo mounted'
	assert_line "NoNewPrivs:	0"
	assert_line mounted
	# exec is as hardened as its container, whatever CONDUCTOR_HARDEN says now
	crun -d h4img h4hardx -- sleep infinity
	CONDUCTOR_HARDEN=0 crun -d h4img h4softx -- sleep infinity
	CONDUCTOR_HARDEN=0 run "$C" exec h4hardx -- grep NoNewPrivs /proc/self/status
	assert_output "NoNewPrivs:	1"
	run "$C" exec h4softx -- grep NoNewPrivs /proc/self/status
	assert_output "NoNewPrivs:	0"
}

@test "images: a /proc or /etc/resolv.conf symlink leading out of the image is refused" {
	local mounts_before
	mounts_before=$(grep -E ' /etc(/| )' /proc/self/mountinfo || true)
	run crun h4evilproc h4evil1 -- true
	assert_failure 125
	assert_output --partial "/proc is a symlink"
	[[ ! -e $CONDUCTOR_ROOT/.containers/h4evil1 ]]
	run crun h4evilresolv h4evil2 -- true
	assert_failure 125
	assert_output --partial "resolv.conf"
	[[ ! -e $CONDUCTOR_ROOT/.containers/h4evil2 ]]
	# nothing was mounted on the host's /etc
	assert_equal "$(grep -E ' /etc(/| )' /proc/self/mountinfo || true)" "$mounts_before"
}

@test "hardening: device nodes can be neither made nor used (there is no devices cgroup)" {
	run crun h4devnode h4dev -- sh -c 'head -c 1 /h4zero | wc -c; mknod /h4new c 1 5 && echo made; ls -l /dev | grep -c "^b"'
	assert_line --index 0 --partial "Permission denied"
	assert_line 0
	refute_line made
	assert_line --partial "Operation not permitted"
	# the same image without the hardening: the node works (so the test can tell)
	CONDUCTOR_HARDEN=0 run crun h4devnode h4dev2 -- sh -c 'head -c 1 /h4zero | wc -c'
	assert_output 1
}

@test "suite: after the last stop no mount, cgroup or state of this suite is left anywhere" {
	crun -d --pids 10 h4img h4last -- sleep infinity
	local pid leaf
	pid=$(state_of h4last pid)
	leaf=$(state_of h4last cgroups | head -n 1)
	[[ -n $pid && -d $leaf ]]
	run "$C" stop h4last
	assert_success
	# every container of the suite is gone, with its directory
	run find "$CONDUCTOR_ROOT/.containers" -mindepth 1
	assert_output ""
	# a live container of this state root would show its overlay (upperdir
	# under $CONDUCTOR_ROOT) in some process's mountinfo: none does
	run grep -lsF "$CONDUCTOR_ROOT" /proc/[0-9]*/mountinfo
	assert_output ""
	# no cgroup leaf of this state root (leaves are <name>.<tag of the root>)
	[[ ! -e $leaf ]]
	run find /sys/fs/cgroup -maxdepth 3 -path '*/docker-lite/*' -name "*.${leaf##*.}"
	assert_output ""
	run kill -0 "$pid"
	assert_failure
}
