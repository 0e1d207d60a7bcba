# bats file_tags=task3
# Task 3 rootless (DESIGN §11): conductor.sh as an ordinary user, whom the
# suite creates (scripts/rootless-user: a subordinate range, their own copy
# of the tool, the Debian base unpacked under their map) and removes. Build
# with RUN and COPY, run, exec, cp, logs, stop in a user namespace whose
# root is the user; the security promises as attacks that must fail; a
# user without subordinate ids; what needs root refused. Runs as root
# (sudo make test); every command under test runs as the user.

# shellcheck disable=SC2016 # single-quoted code runs in the container
load helpers/common
load helpers/conductor
load helpers/netlab
bats_require_minimum_version 1.5.0

RL=dl-rl-test
RL_FLAT=dl-rl-flat

setup_file() {
	task3_prepare
	local user home
	for user in "$RL" "$RL_FLAT"; do
		"$DL_REPO/scripts/rootless-user" del "$user" # a killed run's
	done
	"$DL_REPO/scripts/rootless-user" add "$RL"
	"$DL_REPO/scripts/rootless-user" add "$RL_FLAT" --no-ranges
	for user in "$RL" "$RL_FLAT"; do
		home=$(home_of "$user")
		"$DL_REPO/scripts/rootless-user" base "$user" "$CONDUCTOR_BASE_CACHE/debian-bookworm" \
			"$home/.local/share/docker-lite/.cache/base/debian-bookworm"
	done
}

teardown_file() {
	local user
	for user in "$RL" "$RL_FLAT"; do
		stop_all_of "$user"
		"$DL_REPO/scripts/rootless-user" del "$user"
	done
}

teardown() {
	stop_all_of "$RL"
	stop_all_of "$RL_FLAT"
	user_manager_stop "$RL"
	[[ -z ${SERVER_PID:-} ]] || kill "$SERVER_PID" 2>/dev/null || true
	netlab_down "rln$$"
}

home_of() { getent passwd "$1" | cut -d: -f6; }

# as USER CMD...: CMD as USER, with a login's plain environment (no
# CONDUCTOR_ROOT: the user's default state root is under test too)
as() {
	local user=$1 home
	home=$(home_of "$user")
	shift
	# from their home: the tree under test may be where they cannot go
	# (/root, in the stock VM), and a shell there would say so on stderr
	(cd "$home" && setpriv --reuid "$user" --regid "$user" --init-groups \
		env -i HOME="$home" USER="$user" LOGNAME="$user" PATH=/usr/local/bin:/usr/bin:/bin \
		STOP_TIMEOUT=2 "$@")
}

# conductor_as USER ARGS...: USER's conductor.sh (their own copy) as USER
conductor_as() {
	local user=$1
	shift
	as "$user" "$(home_of "$user")/docker-lite/task3/conductor.sh" "$@"
}
rl() { conductor_as "$RL" "$@"; }
rl_flat() { conductor_as "$RL_FLAT" "$@"; }

state_root_of() { echo "$(home_of "$1")/.local/share/docker-lite"; }

stop_all_of() {
	id "$1" >/dev/null 2>&1 || return 0
	stop_containers "$(state_root_of "$1")" conductor_as "$1"
}

# the start of USER's subordinate range in FILE (/etc/subuid or /etc/subgid)
range_start() { grep "^$1:" "$2" | head -1 | cut -d: -f2; }

# hand_image USER NAME: an image on the user's base, the user's own, its
# record written as make_image writes one (helpers/conductor.bash)
hand_image() {
	local user=$1 name=$2 root
	root=$(state_root_of "$user")
	as "$user" mkdir -p "$root/.images/$name" "$root/.containers" "$root/.cache/layers"
	image_record | as "$user" sh -c 'cat >"$1"' sh "$root/.images/$name/image"
}

# the processes of user (or uid) $1 that are alive, zombies not counted
# (defined once, for the bench's clean-up too, in scripts/rootless-user)
live_processes_of() { "$DL_REPO/scripts/rootless-user" procs "$1"; }

# one line per map line, fields single-spaced
squeeze() { tr -s ' ' | sed 's/^ //'; }

@test "rootless build: state in the user's own data directory; RUN and COPY layers whose files belong to the right users" {
	local home ctx
	home=$(home_of "$RL")
	ctx=$home/ctx
	as "$RL" mkdir -p "$ctx"
	as "$RL" sh -c "echo note >'$ctx/note'"
	as "$RL" sh -c "printf '%s\n' 'FROM debian:bookworm' \
		'RUN useradd -u 1234 alice && mkdir /data && touch /data/f && chown alice: /data/f && id -u >/data/builder' \
		'COPY note /note' >'$ctx/Conductorfile'"
	run as "$RL" sh -c "cd '$ctx' && '$home/docker-lite/task3/conductor.sh' build rlimg"
	assert_success
	assert_output --partial "Image rlimg built: 2 layers"
	# the user's own state root, the user's own files
	assert [ -f "$home/.local/share/docker-lite/.images/rlimg/image" ]
	assert_equal "$(stat -c %U "$home/.local/share/docker-lite/.images/rlimg/image")" "$RL"
	# its size, though _apt's directories in it are closed to the user
	run rl images
	assert_line --regexp '^rlimg +[0-9.]+[KMG] +2 '
	# inside: alice's file is alice's, COPY's and RUN's root's
	run rl run --rm rlimg b1 -- sh -c 'stat -c "%U %u" /data/f /note; cat /data/builder'
	assert_success
	assert_output "alice 1234
root 0
0"
	# outside: alice's is the user's subordinate id 1233 (1 is the first),
	# the note the user's own
	local f note
	f=$(find "$home/.local/share/docker-lite/.cache/layers" -path '*/diff/data/f')
	note=$(find "$home/.local/share/docker-lite/.cache/layers" -path '*/diff/note')
	assert_equal "$(stat -c %u "$f")" "$(($(range_start "$RL" /etc/subuid) + 1233))"
	assert_equal "$(stat -c %u "$note")" "$(id -u "$RL")"
}

@test "rootless run: PID 1 and 2, its own hostname, root inside is the user outside (uid_map)" {
	hand_image "$RL" plain
	rl run -d plain r1 -- sleep 600
	local pid uid start
	pid=$(rl inspect -f pid r1)
	uid=$(id -u "$RL")
	start=$(range_start "$RL" /etc/subuid)
	run rl exec r1 -- id
	assert_success
	assert_output "uid=0(root) gid=0(root) groups=0(root)"
	run rl exec r1 -- sh -c 'cat /proc/2/comm; hostname; cat /proc/self/uid_map'
	assert_success
	assert_equal "$(squeeze <<<"$output")" "sleep
r1
0 $uid 1
1 $start 65536"
	# the host's view of the same map, and of who the init is
	assert_equal "$(squeeze </proc/"$pid"/uid_map)" "0 $uid 1
1 $start 65536"
	assert_equal "$(stat -c %u "/proc/$pid")" "$uid"
	run rl ps
	assert_line --regexp "^r1 +plain +$pid +running"
}

@test "rootless exec, cp both ways, logs, inspect, stop: nothing of it is left" {
	hand_image "$RL" plain
	local home uid
	home=$(home_of "$RL")
	uid=$(id -u "$RL")
	rl run -d plain r2 -- sh -c 'echo started; exec sleep 600'
	as "$RL" sh -c "echo from-host >'$home/in.txt'"
	rl cp "$home/in.txt" r2:/in.txt
	run rl exec r2 -- stat -c '%U %s' /in.txt
	assert_output "root 10"
	rl exec r2 -- sh -c 'echo from-inside >/out.txt'
	rl cp r2:/out.txt "$home/out.txt"
	assert_equal "$(cat "$home/out.txt")" "from-inside"
	assert_equal "$(stat -c %u "$home/out.txt")" "$uid"
	run rl logs r2
	assert_output "started"
	run rl stop r2
	assert_success
	# no process of the user, nothing mounted from their home anywhere, no
	# state, no file of the host's root in their home
	# (a zombie is not a process left running: where PID 1 reaps no
	# orphans, as on this project's machines, an ended monitor stays one)
	assert_equal "$(live_processes_of "$uid")" ""
	run grep -lsF "$home" /proc/[0-9]*/mountinfo
	assert_output ""
	assert [ ! -e "$home/.local/share/docker-lite/.containers/r2" ]
	run find "$home" -xdev -uid 0
	assert_output ""
}

@test "rootless security: root inside cannot read or change the host's root-owned files through a bind" {
	hand_image "$RL" plain
	run rl run --rm -v /etc:/hostetc plain sec1 -- sh -c 'cat /hostetc/shadow'
	assert_failure
	assert_output --partial "Permission denied"
	run rl run --rm -v /etc:/hostetc plain sec2 -- sh -c 'echo owned >/hostetc/dl-rl-probe'
	assert_failure
	assert [ ! -e /etc/dl-rl-probe ]
	run rl run --rm -v /root:/hostroot plain sec3 -- ls /hostroot
	assert_failure
	assert_output --partial "Permission denied"
}

@test "rootless security: cp reads and writes on the host only what the user may" {
	hand_image "$RL" plain
	rl run -d plain sec4 -- sleep 600
	run rl cp /etc/shadow sec4:/stolen
	assert_failure
	run rl exec sec4 -- test -e /stolen
	assert_failure
	run rl cp sec4:/etc/hostname /etc/dl-rl-probe
	assert_failure
	assert [ ! -e /etc/dl-rl-probe ]
}

@test "rootless security: the container sees none of the host's processes" {
	hand_image "$RL" plain
	# the host has this very test's processes, and many more; inside, when
	# sh expands the glob, there are the init and sh
	run rl run --rm plain sec5 -- sh -c 'echo /proc/[0-9]*; kill -0 '"$$"' 2>/dev/null || echo no-such-process'
	assert_success
	assert_line --index 0 "/proc/1 /proc/2"
	assert_line --index 1 no-such-process
}

@test "rootless without subordinate ids: one id, root, and a warning of what will not work" {
	hand_image "$RL_FLAT" plain
	local uid
	uid=$(id -u "$RL_FLAT")
	# dl-run warns before the container starts: its line comes first
	run rl_flat run --rm plain f1 -- sh -c 'id -u; cat /proc/self/uid_map'
	assert_success
	assert_line --index 0 --partial "no subordinate ids for $RL_FLAT"
	assert_line --index 0 --partial "apt-get and chown to other users fail inside"
	assert_equal "$(tail -n +2 <<<"$output" | squeeze)" "0
0 $uid 1"
}

@test "rootless: what needs root is refused with a clear error, and nothing is made" {
	hand_image "$RL" plain
	run rl peer a b
	assert_output --partial "peer needs root"
	rl run -d plain p1 -- sleep 600
	run rl pause p1
	assert_failure
	assert_output --partial "a rootless container has a cgroup of its own to freeze only when it has limits"
	rl stop p1
	# limits need a cgroup delegated to the user: this machine's cgroups are
	# v1, or (the stock VM) the user's systemd manager is not running here
	run rl run --rm --cpus 1 plain lim1 -- true
	assert_failure
	if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
		assert_output --partial "rootless limits need a cgroup delegated to you, and yours ("
		assert_output --partial "is not: docker-lite asks your systemd user manager for one"
	else
		assert_output --partial "rootless limits need cgroup v2, which can be delegated to a user"
	fi
	assert [ ! -e "$(state_root_of "$RL")/.containers/lim1" ]
	run rl ps
	assert_output "No containers found"
}

# Rootless limits need what this project's machines lack: cgroup v2 and a
# systemd whose user manager delegates a cgroup to its user (the stock VM).
systemd_v2() { [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs && -d /run/systemd/system ]] && command -v loginctl >/dev/null; }

# user_manager_start USER: USER's systemd manager, as a login starts it
# (linger: without one); it listens on /run/user/UID/systemd/private
user_manager_start() {
	local uid
	uid=$(id -u "$1")
	loginctl enable-linger "$1"
	wait_until 600 test -S "/run/user/$uid/systemd/private" && return 0
	echo "# $1's user manager did not start: $(systemctl is-active "user@$uid.service")" >&3
	return 1
}

# user_manager_stop USER: no linger, and the manager ended (waits for it)
user_manager_stop() {
	id "$1" >/dev/null 2>&1 && systemd_v2 || return 0
	[[ -e /var/lib/systemd/linger/$1 ]] || return 0
	loginctl disable-linger "$1"
	systemctl stop "user@$(id -u "$1").service"
}

# the cgroup (its directory) process PID is in, on cgroup v2
cgroup_of() { echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$1/cgroup")"; }

# one of the perl processes in cgroup DIR that a perl forked (not the
# command itself, whose end would end the container)
forked_perl_in() {
	local p
	while read -r p; do
		[[ $(ps -o comm= -p "$p") == perl && $(ps -o comm= -p "$(ps -o ppid= -p "$p" | tr -d " ")") == perl ]] || continue
		echo "$p"
		return 0
	done <"$1/cgroup.procs"
	return 1
}

# the pids controller has refused a fork in cgroup DIR
pids_refused() { [[ $(sed -n 's/^max //p' "$1/pids.events") -gt 0 ]]; }

@test "rootless limits: in a scope the user's systemd delegates, --cpus, --memory and --pids hold, stats, pause and exec work, stop leaves no cgroup; what cannot be delegated is refused by name" {
	hand_image "$RL" plain
	if ! systemd_v2; then
		# this project's machines: cgroup v1, no systemd; nothing to delegate
		run rl run --rm --memory 64M plain lim -- true
		assert_failure
		if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
			assert_output --partial "rootless limits need a cgroup delegated to you"
		else
			assert_output --partial "rootless limits need cgroup v2, which can be delegated to a user"
		fi
		assert [ ! -e "$(state_root_of "$RL")/.containers/lim" ]
		return 0
	fi
	user_manager_start "$RL"
	local uid pid cg scope delegated dev sys disk
	uid=$(id -u "$RL")
	# what the user's manager hands on (stock Debian 12: cpu memory pids)
	delegated=" $(systemctl show -p DelegateControllers --value "user@$uid.service") "
	[[ $delegated == *" memory "* && $delegated == *" pids "* ]] ||
		skip "the user manager here delegates only:$delegated(memory and pids are needed)"
	local cpus=()
	[[ $delegated != *" cpu "* ]] || cpus=(--cpus 0.5)
	# 30 sleepers asked for, 20 pids allowed: the kernel refuses the rest
	# (perl's fork returns undef where sh would die)
	rl run -d "${cpus[@]}" --memory 64M --pids 20 plain lim -- \
		perl -e 'for (1 .. 30) { my $p = fork; if (defined $p && !$p) { sleep 600; exit } } sleep 600'
	pid=$(rl_pid lim)
	cg=$(cgroup_of "$pid")
	# under the user's own manager, in a scope of its own, and the user's
	assert_regex "$cg" "/user@$uid\.service/.+\.scope/docker-lite/lim\.[0-9a-f]{8}\$"
	scope=${cg%/docker-lite/*}
	assert_equal "$(stat -c %U "$cg")" "$RL"
	assert_equal "$(cat "$cg/memory.max")" 67108864
	assert_equal "$(cat "$cg/pids.max")" 20
	((${#cpus[@]} == 0)) || assert_equal "$(cat "$cg/cpu.max")" "50000 100000"
	wait_until 100 pids_refused "$cg" || fail "no fork was refused in 10 s: $(cat "$cg/pids.events")"
	assert_equal "$(cat "$cg/pids.current")" 20
	# exec's command joins the leaf too (from a scope of the user's own);
	# the leaf is full, so one process leaves first
	kill "$(forked_perl_in "$cg")"
	run rl exec lim cat /proc/self/cgroup
	assert_success
	assert_output "0::${cg#/sys/fs/cgroup}"
	run rl stats --no-stream --format json lim
	assert_success
	assert_equal "$(jq -r '[.memory_limit, .pids, .pids_limit] | @tsv' <<<"$output")" "67108864	20	20"
	rl pause lim
	assert_equal "$(cat "$cg/cgroup.freeze")" 1
	run rl ps
	assert_line --regexp "^lim +plain +[0-9]+ +paused"
	rl unpause lim
	assert_equal "$(cat "$cg/cgroup.freeze")" 0
	# an I/O limit needs io, which stock Debian 12 does not delegate: what
	# the scope is not given is refused, by name, and nothing is made
	dev=$(stat -c '%Hd:%Ld' "$(home_of "$RL")")
	sys=$(readlink -f "/sys/dev/block/$dev")
	[[ ! -e $sys/partition ]] || sys=${sys%/*}
	disk=/dev/${sys##*/}
	run rl run --rm --device-read-bps "$disk:1m" plain lim2 -- true
	if [[ $delegated == *" io "* ]]; then
		assert_success
	else
		assert_failure
		assert_output --partial "a controller these limits need is not delegated to you"
		assert_output --partial "Delegate=cpu cpuset io memory pids"
		assert [ ! -e "$(state_root_of "$RL")/.containers/lim2" ]
	fi
	rl stop lim
	# the scope ends with its last process, and systemd removes its cgroup
	wait_until 100 test ! -d "$scope" || fail "the scope $scope was still there after 10 s"
	assert_equal "$(live_processes_of "$RL" | grep -Ev "systemd|sd-pam" || true)" ""
	user_manager_stop "$RL"
}

# in_lab TUN USER CMD...: the user's conductor.sh (as `as` runs it) in the
# lab host's network namespace, where /dev/net/tun has mode TUN
# (scripts/with-tun-mode): 666 as udev makes it on a stock machine (this
# machine, without udev, has 600).
in_lab() {
	local mode=$1 user=$2 home
	home=$(home_of "$user")
	shift 2
	netlab_host "$DL_REPO/scripts/with-tun-mode" "$mode" setpriv --reuid "$user" --regid "$user" --init-groups \
		env -C "$home" -i HOME="$home" USER="$user" LOGNAME="$user" PATH=/usr/local/bin:/usr/bin:/bin \
		STOP_TIMEOUT=2 "$home/docker-lite/task3/conductor.sh" "$@"
}

# the init PID of the user's container NAME
rl_pid() { rl inspect -f pid "$1"; }

# a socket listens on TCP PORT in the network namespace of container NAME
rl_listening() { [[ -n $(nsenter --net="/proc/$(rl_pid "$1")/ns/net" ss -Hltn "sport = :$2") ]]; }

# the user owning the process that listens on TCP PORT in the lab host
lab_listener_user() {
	local pid
	pid=$(netlab_host ss -Hltnp "sport = :$1" | grep -o 'pid=[0-9]*' | head -1)
	[[ -n $pid ]] && ps -o user= -p "${pid#pid=}"
}

@test "rootless addnetwork: pasta, the user's own process, takes the container to the lab's internet and an exposed port in; stop ends it" {
	hand_image "$RL" plain
	netlab_up "rln$$"
	netlab_start_internet_server 8000
	rl run -d plain rn -- sleep 600
	run in_lab 666 "$RL" addnetwork rn -i -e 8080:80
	assert_success
	assert_output --partial "rn: $NETLAB_HOST_IP through pasta (rootless), ports 8080:80"
	# the host port listens as the user: nothing of root's was used
	assert_equal "$(lab_listener_user 8080)" "$RL"
	# out: the lab's internet sees the connection come from the lab host,
	# as any connection of the user's (pasta's own socket)
	run rl exec rn -- bash -c 'exec 3<>/dev/tcp/198.51.100.80/8000 && echo hello >&3 && cat <&3'
	assert_success
	assert_output "$NETLAB_HOST_IP"
	# in: a server in the container answers a client outside the lab host
	nsenter --net="/proc/$(rl_pid rn)/ns/net" socat TCP-LISTEN:80,fork,reuseaddr "SYSTEM:echo rootless-hello" 3>&- &
	SERVER_PID=$!
	wait_until 50 rl_listening rn 80
	run netlab_out socat -T2 - "TCP:$NETLAB_HOST_IP:8080,connect-timeout=2"
	assert_output "rootless-hello"
	run rl ps
	assert_line --regexp "^rn +plain +[0-9]+ +running +$NETLAB_HOST_IP +8080:80 "
	# stop ends pasta: the port is free at once, no process of the user's
	rl stop rn
	assert_equal "$(netlab_host ss -Hltn 'sport = :8080')" ""
	assert_equal "$(live_processes_of "$RL")" ""
}

@test "rootless addnetwork: what pasta or the machine cannot do is refused clearly, and nothing is made" {
	hand_image "$RL" plain
	netlab_up "rln$$"
	rl run -d plain rn -- sleep 600
	# pasta always reaches out as the user does: never unasked
	run in_lab 666 "$RL" addnetwork rn -e 8080:80
	assert_failure
	assert_output --partial "always reaches out as you do: add -i/--internet"
	run in_lab 666 "$RL" addnetwork rn -i -e 80:80
	assert_failure
	assert_output --partial "host port 80 is below"
	# a machine without udev's mode for the tun device
	run in_lab 600 "$RL" addnetwork rn -i
	assert_failure
	assert_output --partial "rootless networking needs /dev/net/tun open to users (crw-rw-rw-, as udev makes it; here crw-------)"
	run rl ps
	assert_line --regexp "^rn +plain +[0-9]+ +running +- +- "
	# (pasta runs as passt.avx2 where the CPU has AVX2: its argv is kept)
	assert_equal "$(pgrep -u "$RL" -f '^pasta ' --runstates R,S,D,T || true)" ""
}

@test "rootless build of a base: mmdebstrap --mode=unshare, under the containers' map" {
	[[ -z ${DL_STOCK_VM:-} ]] || skip "mmdebstrap from the mirror takes many minutes under emulation; the host run checks it"
	local home root
	home=$(home_of "$RL")
	root=$home/mm
	as "$RL" mkdir -p "$root"
	as "$RL" sh -c "printf 'FROM debian:bookworm\n' >'$home/Conductorfile.base'"
	run as "$RL" env CONDUCTOR_ROOT="$root" "$home/docker-lite/task3/conductor.sh" build mmimg "$home/Conductorfile.base"
	assert_success
	assert_output --partial "mmdebstrap --mode=unshare bookworm"
	local base=$root/.cache/base/debian-bookworm
	# root's files are the user's, shadow's group the subordinate gid 42
	assert_equal "$(stat -c %u "$base/root")" "$(id -u "$RL")"
	assert_equal "$(stat -c %g "$base/etc/shadow")" "$(($(range_start "$RL" /etc/subgid) + 41))"
	run as "$RL" env CONDUCTOR_ROOT="$root" "$home/docker-lite/task3/conductor.sh" run --rm mmimg m1 -- stat -c %G /etc/shadow
	assert_success
	assert_output "shadow"
}
