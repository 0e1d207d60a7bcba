# bats file_tags=task3
# Task 3 cp: files and directories into and out of a running container,
# docker cp's rules, and the point of it all: a symlink inside the container
# ("/etc -> /", "../../..", an absolute link, one swapped during the copy)
# never makes cp read or write a host file (docker cp's CVE-2018-15664 and
# CVE-2019-14271). A canary file on the host must stay unwritten and unread.

load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up cpimg
}

teardown_file() {
	task3_suite_down
}

# Each test stops the containers it started and the host processes it ran.
teardown() {
	local pid
	for pid in ${HOST_PIDS:-}; do kill "$pid" 2>/dev/null || true; done
	stop_containers
}

in_c() {
	"$C" exec "$1" -- "${@:2}"
}

# A host directory with a canary file whose access time is set in the past
# (before its modification time, so any read would move it, relatime or
# not): CANARY_DIR, CANARY, and CANARY_BEFORE to compare with.
make_canary() {
	CANARY_DIR=$BATS_TEST_TMPDIR/host
	CANARY=$CANARY_DIR/canary
	mkdir -p "$CANARY_DIR"
	echo "host canary $RANDOM" >"$CANARY"
	touch -m -d '2020-01-02 00:00:00' "$CANARY"
	touch -a -d '2020-01-01 00:00:00' "$CANARY"
	CANARY_BEFORE=$(canary_state)
	touch -a -d '2020-01-01 00:00:00' "$CANARY"
}

# The canary's content, times and directory listing (read last: reading
# moves the access time, which was taken first).
canary_state() {
	stat -c '%X %Y %s' "$CANARY"
	stat -c "%Y" "$CANARY_DIR"
	ls -lA --time-style=+%s "$CANARY_DIR"
	cat "$CANARY"
}

canary_untouched() {
	local now
	now=$(canary_state)
	# put the access time back for the next check (cat moved it)
	touch -a -d '2020-01-01 00:00:00' "$CANARY"
	assert_equal "$now" "$CANARY_BEFORE"
}

@test "cp: a directory into a running container, recursively with modes, links as links; and back out" {
	"$C" run -d cpimg cp1 -- sleep infinity
	local src=$BATS_TEST_TMPDIR/d
	mkdir -p "$src/sub"
	echo "a file" >"$src/sub/f"
	printf '#!/bin/sh\necho run me\n' >"$src/tool.sh"
	ln -s /tmp/cp-linked "$src/link"
	chmod 750 "$src/sub"
	chmod 640 "$src/sub/f"
	chmod 755 "$src/tool.sh"
	run "$C" cp "$src" cp1:/opt
	assert_success
	run in_c cp1 stat -c '%a %U %n' /opt/d/sub /opt/d/sub/f /opt/d/tool.sh
	assert_output $'750 root /opt/d/sub\n640 root /opt/d/sub/f\n755 root /opt/d/tool.sh'
	run in_c cp1 /opt/d/tool.sh
	assert_output "run me"
	# the link is a link, followed inside the container
	in_c cp1 sh -c 'echo linked inside >/tmp/cp-linked'
	run in_c cp1 cat /opt/d/link
	assert_output "linked inside"
	# a single file under a new name
	run "$C" cp "$src/sub/f" cp1:/root/renamed
	assert_success
	run in_c cp1 cat /root/renamed
	assert_output "a file"
	# and out again: the same tree, the same modes
	run "$C" cp cp1:/opt/d "$BATS_TEST_TMPDIR/back"
	assert_success
	diff -r --no-dereference "$src" "$BATS_TEST_TMPDIR/back"
	assert_equal "$(cd "$src" && stat -c '%a %n' sub sub/f tool.sh)" \
		"$(cd "$BATS_TEST_TMPDIR/back" && stat -c '%a %n' sub sub/f tool.sh)"
	assert_equal "$(readlink "$BATS_TEST_TMPDIR/back/link")" /tmp/cp-linked
}

@test "cp: a file the container writes comes out; a set-user-ID bit does not" {
	"$C" run -d cpimg cp2 -- sleep infinity
	in_c cp2 sh -c 'echo made inside >/tmp/made; cp /bin/true /tmp/suid; chmod 4755 /tmp/suid'
	run "$C" cp cp2:/tmp/made "$BATS_TEST_TMPDIR/"
	assert_success
	assert_equal "$(cat "$BATS_TEST_TMPDIR/made")" "made inside"
	run "$C" cp cp2:/tmp/suid "$BATS_TEST_TMPDIR/suid"
	assert_success
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/suid")" 755
}

@test "cp: docker cp's rules for the destination" {
	"$C" run -d cpimg cp3 -- sleep infinity
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src/inner"
	echo one >"$src/inner/one"
	echo file >"$BATS_TEST_TMPDIR/file"
	in_c cp3 mkdir /dst
	# an existing directory: into it, under the source's name
	"$C" cp "$BATS_TEST_TMPDIR/file" cp3:/dst
	"$C" cp "$src" cp3:/dst/
	# a missing name in an existing directory: copied under that name
	"$C" cp "$src" cp3:/dst/newname
	# "dir/." : the content only
	"$C" cp "$src/." cp3:/dst
	run in_c cp3 find /dst -mindepth 1
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' /dst/file /dst/inner /dst/inner/one /dst/newname \
		/dst/newname/inner /dst/newname/inner/one /dst/src /dst/src/inner /dst/src/inner/one | sort)"
	# an existing file is replaced
	echo newer >"$BATS_TEST_TMPDIR/file"
	"$C" cp "$BATS_TEST_TMPDIR/file" cp3:/dst/file
	assert_equal "$(in_c cp3 cat /dst/file)" newer
	# a directory never replaces a file
	run "$C" cp "$src" cp3:/dst/file
	assert_failure 125
	assert_output --partial "not a directory"
}

@test "cp: a missing source, a bad name, a missing directory are clear errors" {
	"$C" run -d cpimg cp4 -- sleep infinity
	echo x >"$BATS_TEST_TMPDIR/x"
	run "$C" cp cp4:/no/such/file "$BATS_TEST_TMPDIR/out"
	assert_failure 125
	assert_output "conductor.sh: no such file or directory: cp4:/no/such/file"
	run "$C" cp "$BATS_TEST_TMPDIR/nosuch" cp4:/tmp
	assert_failure 125
	assert_output --partial "no such file or directory"
	run "$C" cp "$BATS_TEST_TMPDIR/x" cp4:/no/such/dir/x
	assert_failure 125
	assert_output --partial "destination directory of cp4:/no/such/dir/x does not exist"
	run "$C" cp "$BATS_TEST_TMPDIR/x" cp4:/no-such-dir/
	assert_failure 125
	assert_output --partial "destination directory cp4:/no-such-dir/ does not exist"
	run "$C" cp cp4:/etc/hostname "$BATS_TEST_TMPDIR/no/such/dir/x"
	assert_failure 125
	assert_output --partial "does not exist"
	run "$C" cp "$BATS_TEST_TMPDIR/x" 'bad name:/tmp'
	assert_failure 125
	assert_output --partial "invalid container name"
	run "$C" cp "$BATS_TEST_TMPDIR/x" nosuch:/tmp
	assert_failure 125
	assert_output --partial "no container named 'nosuch'"
	run "$C" cp "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/y"
	assert_failure 125
	assert_output --partial "<name>:<path>"
	run "$C" cp cp4:/etc/hostname cp4:/tmp/x
	assert_failure 125
	# the container's /proc is the kernel's, not the container's files: the
	# live root on the host (what cp copies from) has only the empty mount point
	run "$C" cp cp4:/proc/1/environ "$BATS_TEST_TMPDIR/env"
	assert_failure 125
	assert_output --partial "no such file or directory: cp4:/proc/1/environ"
	[[ ! -e $BATS_TEST_TMPDIR/env && ! -e $BATS_TEST_TMPDIR/out && ! -e $BATS_TEST_TMPDIR/y ]]
}

@test "cp: an exited container is copied while its root is mounted, and refused clearly when it is not" {
	"$C" run cpimg cp5 -- sh -c 'echo left behind >/left'
	echo x >"$BATS_TEST_TMPDIR/x"
	run "$C" cp cp5:/left "$BATS_TEST_TMPDIR/left"
	if mountpoint -q "$CONDUCTOR_ROOT/.containers/cp5/rootfs"; then
		assert_success
		assert_equal "$(cat "$BATS_TEST_TMPDIR/left")" "left behind"
	else
		assert_failure 125
		assert_output --partial "container 'cp5' has exited and its root is not mounted"
		# nor is anything written into the empty mount point
		run "$C" cp "$BATS_TEST_TMPDIR/x" cp5:/x
		assert_failure 125
		assert_equal "$(find "$CONDUCTOR_ROOT/.containers/cp5/rootfs" -mindepth 1)" ""
	fi
}

@test "cp: symlinks in the container (/etc -> /, ../../.., absolute) never reach a host file" {
	make_canary
	"$C" run -d cpimg cp6 -- sleep infinity
	# every kind of link out, pointing at the canary's host path
	# shellcheck disable=SC2016 # $1, $2: the container's shell expands them
	in_c cp6 sh -c 'ln -s / /evil-root; ln -s ../../../../../../.. /evil-up; ln -s "$1" /evil-abs;
		ln -s "$2" /evil-dir; mkdir /box; ln -s ../../../../../.. /box/up' sh "$CANARY" "$CANARY_DIR"
	echo "from the host" >"$BATS_TEST_TMPDIR/payload"
	local dst
	# writes: each lands inside the container or fails; none reaches the canary
	for dst in "/evil-root$CANARY" "/evil-up$CANARY" "/evil-dir/canary" "/box/up$CANARY" "/box/up/evil-dir/canary"; do
		run "$C" cp "$BATS_TEST_TMPDIR/payload" "cp6:$dst"
		assert_failure 125 # the canary's directories exist only on the host
		assert_output --partial "does not exist"
	done
	# a link as the destination is replaced by the file, inside the container
	run "$C" cp "$BATS_TEST_TMPDIR/payload" cp6:/evil-abs
	assert_success
	run in_c cp6 cat /evil-abs
	assert_output "from the host"
	# through /etc -> / into a directory the container has: its own /tmp
	run "$C" cp "$BATS_TEST_TMPDIR/payload" "cp6:/evil-root/evil-root/tmp/canary"
	assert_success
	run in_c cp6 cat /tmp/canary
	assert_output "from the host"
	# reads: nothing of the canary comes out
	mkdir "$BATS_TEST_TMPDIR/out"
	for dst in "/evil-root$CANARY" "/evil-up$CANARY" "/evil-dir/canary" "/box/up$CANARY"; do
		run "$C" cp "cp6:$dst" "$BATS_TEST_TMPDIR/out/"
		assert_failure 125
		assert_output --partial "no such file or directory"
	done
	# a link copied out is a link (its text), not its target's content
	in_c cp6 ln -s "$CANARY" /evil-abs2
	run "$C" cp cp6:/evil-abs2 "$BATS_TEST_TMPDIR/out/link"
	assert_success
	[[ -L $BATS_TEST_TMPDIR/out/link ]]
	# a whole directory holding the links: copied as links
	run "$C" cp cp6:/box "$BATS_TEST_TMPDIR/out/box"
	assert_success
	assert_equal "$(readlink "$BATS_TEST_TMPDIR/out/box/up")" ../../../../../..
	canary_untouched
}

@test "cp: a directory swapped for a symlink during the copy never leads out" {
	make_canary
	"$C" run -d cpimg cp7 -- sleep infinity
	# inside: /race/dir is a directory, then a link to the canary's directory
	# (a host path), then a link to /, over and over, for at most 60 s
	# shellcheck disable=SC2016 # the container's shell expands them
	"$C" exec cp7 -- sh -c 'mkdir -p /race; end=$(($(date +%s) + 60)); while [ "$(date +%s)" -lt $end ]; do
		mkdir /race/dir 2>/dev/null; echo inside >/race/dir/canary 2>/dev/null; rm -rf /race/dir
		ln -s "$1" /race/dir; rm -f /race/dir; ln -s / /race/dir; rm -f /race/dir; done 2>/dev/null' \
		sh "$CANARY_DIR" 3>&- &
	HOST_PIDS=$!
	echo "from the host" >"$BATS_TEST_TMPDIR/payload"
	mkdir -p "$BATS_TEST_TMPDIR/tree/dir"
	echo tree >"$BATS_TEST_TMPDIR/tree/dir/canary"
	mkdir "$BATS_TEST_TMPDIR/out"
	local i
	for ((i = 0; i < 40; i++)); do
		"$C" cp "$BATS_TEST_TMPDIR/payload" cp7:/race/dir/canary 2>/dev/null || true
		"$C" cp "$BATS_TEST_TMPDIR/tree/." cp7:/race 2>/dev/null || true
		"$C" cp cp7:/race/dir/canary "$BATS_TEST_TMPDIR/out/c$i" 2>/dev/null || true
		"$C" cp cp7:/race "$BATS_TEST_TMPDIR/out/r$i" 2>/dev/null || true
	done
	canary_untouched
	# nothing that came out holds the canary's content
	run grep -rlF "$(tail -n 1 <<<"$CANARY_BEFORE")" "$BATS_TEST_TMPDIR/out"
	assert_failure 1
}
