# bats file_tags=task3
# Task 3 run -v HOST:CONTAINER[:ro]: a host directory or file bound into a
# container, seen both ways, really read-only with :ro, its mount point
# found inside the container's root even when the image's symlinks point
# at the host (a host canary must stay untouched), and gone with the
# container. Bad -v options are refused before anything is made.

# shellcheck disable=SC2016,SC2154 # single-quoted code runs in the container; stderr, stderr_lines: set by run --separate-stderr
load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up volimg
}

teardown_file() {
	task3_suite_down
}

teardown() {
	stop_containers
}

in_c() {
	"$C" exec "$1" -- "${@:2}"
}

# No process of the machine has a mount whose source is under DIR.
nothing_mounted_from() {
	! grep -qsF -- "$1" /proc/[0-9]*/mountinfo
}

@test "run -v: a host directory is shared both ways, exec sees it, inspect lists it" {
	local host=$BATS_TEST_TMPDIR/share-$RANDOM
	mkdir -p "$host"
	echo "from the host" >"$host/hello"
	"$C" run -d -v "$host:/srv/data" volimg v1 -- sleep 600
	run in_c v1 cat /srv/data/hello
	assert_success
	assert_output "from the host"
	in_c v1 sh -c 'echo "from the container" >/srv/data/reply'
	assert_equal "$(cat "$host/reply")" "from the container"
	echo "later" >"$host/later"
	run in_c v1 cat /srv/data/later
	assert_output "later"
	run "$C" inspect -f volumes v1
	assert_output "$host:/srv/data"
}

@test "run -v :ro: writes inside fail, reads work, the host's files stay as they were" {
	local host=$BATS_TEST_TMPDIR/ro-$RANDOM rw=$BATS_TEST_TMPDIR/rw-$RANDOM
	mkdir -p "$host" "$rw"
	echo "keep me" >"$host/file"
	"$C" run -d -v "$host:/ro:ro" -v "$rw:/rw" volimg v2 -- sleep 600
	run in_c v2 cat /ro/file
	assert_output "keep me"
	run in_c v2 sh -c 'echo changed >/ro/file'
	assert_failure
	assert_output --partial "Read-only file system"
	run in_c v2 touch /ro/new
	assert_failure
	assert_equal "$(cat "$host/file")" "keep me"
	[[ ! -e $host/new ]]
	# the other volume of the same container stays writable
	in_c v2 touch /rw/new
	[[ -f $rw/new ]]
	# the mount inside says ro, not only the permission check
	run in_c v2 sh -c 'grep " /ro " /proc/self/mountinfo'
	assert_output --regexp ' /ro ro[, ]'
}

@test "run -v: a host file is bound on a file, made empty first in the container when missing" {
	local host=$BATS_TEST_TMPDIR/app-$RANDOM.conf
	echo "port=8080" >"$host"
	"$C" run -d -v "$host:/etc/app/app.conf:ro" volimg v3 -- sleep 600
	run in_c v3 cat /etc/app/app.conf
	assert_output "port=8080"
	# the mount point is in the container's own layer, an empty file
	[[ -f $CONDUCTOR_ROOT/.containers/v3/upper/etc/app/app.conf ]]
	[[ ! -s $CONDUCTOR_ROOT/.containers/v3/upper/etc/app/app.conf ]]
}

@test "run -v: the image's symlinks lead the mount point inside its root, never onto the host" {
	# an image layer with "/data -> <host dir>" (absolute) and "/up -> ../../.."
	local canary=$BATS_TEST_TMPDIR/canary-$RANDOM src=$BATS_TEST_TMPDIR/src-$RANDOM
	local layer
	layer=$(layer_dir evil)
	mkdir -p "$canary" "$src"
	echo "host canary" >"$canary/file"
	touch -d '2020-01-01 00:00:00' "$canary" "$canary/file"
	local before
	before=$(stat -c '%Y %s' "$canary" "$canary/file"; ls -A "$canary")
	echo "volume" >"$src/file"
	mkdir -p "$layer$canary"
	ln -s "$canary" "$layer/data"
	ln -s ../../.. "$layer/up"
	make_image evilimg evil
	"$C" run -d -v "$src:/data/mnt" -v "$src:/up/up/tmp/x" evilimg v4 -- sleep 600
	# inside, the mount is where the link leads in the container's root
	run in_c v4 cat "$canary/mnt/file"
	assert_output "volume"
	run in_c v4 cat /tmp/x/file
	assert_output "volume"
	# on the host, the directory the link names got nothing
	assert_equal "$(stat -c '%Y %s' "$canary" "$canary/file"; ls -A "$canary")" "$before"
	[[ ! -e /tmp/x/file || $(cat /tmp/x/file) != volume ]]
	nothing_mounted_from_host_view "$canary"
}

# The host's own mount table has nothing at or under DIR.
nothing_mounted_from_host_view() {
	! grep -qF -- " $1" /proc/self/mountinfo
}

@test "run -v: the mount lives only in the container, and is gone after stop and after --rm" {
	local host=$BATS_TEST_TMPDIR/gone-$RANDOM
	mkdir -p "$host"
	"$C" run -d -v "$host:/data" volimg v5 -- sleep 600
	local pid
	pid=$("$C" inspect -f pid v5)
	grep -qF " /data " "/proc/$pid/mountinfo"
	# not in the host's table, not under the live root on the host
	run ! grep -qF " $CONDUCTOR_ROOT/.containers/v5/rootfs/data " /proc/self/mountinfo
	[[ -z $(ls -A "$CONDUCTOR_ROOT/.containers/v5/rootfs/data") ]]
	"$C" stop v5
	nothing_mounted_from "$host"
	run "$C" run --rm -v "$host:/data" volimg v6 -- sh -c 'echo made >/data/by-rm; grep -c " /data " /proc/self/mountinfo'
	assert_success
	assert_output "1"
	[[ -f $host/by-rm ]]
	nothing_mounted_from "$host"
	[[ ! -e $CONDUCTOR_ROOT/.containers/v6 ]]
}

@test "run -v: bad volumes are refused with a clear error, and nothing is left" {
	local host=$BATS_TEST_TMPDIR/bad-$RANDOM spec
	mkdir -p "$host"
	: >"$host/file"
	for spec in "$host/missing:/data" "relative:/data" "$host:data" "$host" "$host:/data:rx" \
		"$host:/" "$host:/proc/x" "$host:/dev" "$host/file:/etc" ":/data"; do
		run --separate-stderr "$C" run -v "$spec" volimg bad -- true
		[[ $status -ne 0 ]] || fail "-v '$spec' was accepted"
		assert_equal "${#stderr_lines[@]}" 1
		[[ $stderr == *"$spec"* || $stderr == *"-v"* ]] || fail "the error does not name -v: $stderr"
		[[ ! -e $CONDUCTOR_ROOT/.containers/bad ]] || fail "-v '$spec' left the container's state"
	done
	run "$C" ps
	assert_output "No containers found"
	nothing_mounted_from "$host"
	# a missing host path is not made (docker run --mount's rule)
	[[ ! -e $host/missing ]]
}
