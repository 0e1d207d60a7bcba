# bats file_tags=task3
# Task 3 save and load: images as OCI image layout archives. What save
# writes is read by the ecosystem's own tools (skopeo, umoci, crun), what
# they write loads and runs, an image survives save -> load -> run file for
# file (a file deleted by a later RUN stays deleted, a directory replaced by
# a later RUN stays replaced), and a malicious archive is refused with
# nothing left behind.
#
# One image is built (two RUN steps on the shared base: a real whiteout
# and a real opaque directory, made by overlayfs) and saved once, in
# setup_file: the base's blob (~100 MB of gzip) is made once per machine
# and cached beside the base, and every test reuses the archive.

# shellcheck disable=SC2154 # stderr, stderr_lines: set by run --separate-stderr

load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up
	local ctx=$CONDUCTOR_ROOT/ctx
	mkdir -p "$ctx"
	cat >"$ctx/Conductorfile" <<'EOF'
FROM debian:bookworm
RUN mkdir -p /srv/app /srv/old && echo a >/srv/app/a && echo b >/srv/app/b && echo x >/srv/old/x && ln -s a /srv/app/link && chmod 640 /srv/app/a
RUN rm /srv/app/b /etc/issue && rm -rf /srv/old && mkdir /srv/old && echo z >/srv/old/z
ENV GREETING="hello there"
WORKDIR /srv/app
CMD ["cat", "/srv/app/a"]
EXPOSE 8080/tcp
EOF
	"$C" build ociimg "$ctx/Conductorfile" >&2
	export ARCHIVE=$BATS_FILE_TMPDIR/ociimg.tar
	"$C" save ociimg -o "$ARCHIVE" >&2
}

teardown_file() {
	task3_suite_down
}

teardown() {
	local root
	for root in ${OTHER_ROOTS:-}; do
		CONDUCTOR_ROOT=$root stop_containers
		rm -rf --one-file-system "$root"
	done
	stop_containers
}

# other_root: a second, empty state root (the same base cache) in ROOT2,
# removed by teardown.
other_root() {
	ROOT2=$(mktemp -d /tmp/dl-test.XXXXXX)
	OTHER_ROOTS+=" $ROOT2"
}

# What a container sees of its image: every path with its type, mode,
# owner, link target, and the checksum of each file (/proc, /sys and /dev
# are the kernel's, not the image's; a directory's size is its file
# system's business).
TREE_WALK='find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o -printf "%p %y %m %U:%G %l\n" | LC_ALL=C sort
find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum'

tree_of() {
	"$C" run --rm "$1" ocitree -- sh -c "$TREE_WALK"
}

# The files the tests look at, as a container of the image shows them.
PROBE='cat /srv/app/a; ls -A /srv/app /srv/old; test -e /etc/issue && echo issue still there; readlink /srv/app/link'
PROBE_OUT=$'a\n/srv/app:\na\nlink\n\n/srv/old:\nz\na'

# blob_of ARCHIVE JQ: the blob of an archive that the manifest's JQ names.
blob_digest() {
	local manifest
	manifest=$(tar -xOf "$1" index.json | jq -r '.manifests[0].digest')
	tar -xOf "$1" "blobs/sha256/${manifest#sha256:}" | jq -r "$2"
}

@test "save: skopeo inspect reads the archive: the base and each RUN layer by digest, the image's configuration" {
	run skopeo inspect "oci-archive:$ARCHIVE"
	assert_success
	local inspect=$output
	# the base and the two RUN steps
	run jq -r '.Layers | length' <<<"$inspect"
	assert_output 3
	jq -e 'all(.Layers[]; test("^sha256:[0-9a-f]{64}$"))' <<<"$inspect"
	run skopeo inspect --config "oci-archive:$ARCHIVE"
	assert_success
	run jq -c '[.config.Env, .config.WorkingDir, .config.Cmd, .config.ExposedPorts, (.rootfs.diff_ids | length)]' <<<"$output"
	assert_output '[["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hello there"],"/srv/app",["cat","/srv/app/a"],{"8080/tcp":{}},3]'
	# the second RUN's layer: its deletions are OCI whiteouts, its replaced
	# directory opaque, and it has no device node
	local layer
	layer=$(blob_digest "$ARCHIVE" '.layers[2].digest')
	run bash -c 'tar -xOf "$1" "blobs/sha256/${2#sha256:}" | tar -tvz' _ "$ARCHIVE" "$layer"
	assert_success
	assert_line --regexp '^-.* \./srv/app/\.wh\.b$'
	assert_line --regexp '^-.* \./etc/\.wh\.issue$'
	assert_line --regexp '^-.* \./srv/old/\.wh\.\.wh\.\.opq$'
	assert_line --regexp '^-.* \./srv/old/z$'
	refute_line --regexp '^c'
}

@test "save: the same image saved twice is the same archive, byte for byte (layers cached by digest)" {
	"$C" save ociimg -o "$BATS_TEST_TMPDIR/again.tar"
	cmp "$ARCHIVE" "$BATS_TEST_TMPDIR/again.tar"
}

@test "save -> load -> run: the same file tree; a file deleted by a later RUN stays deleted, a replaced directory stays replaced" {
	other_root
	run env CONDUCTOR_ROOT="$ROOT2" "$C" load -i "$ARCHIVE"
	assert_success
	assert_output --partial "Loaded image ociimg"
	# the RUN layers were unpacked (this root had none), the base found by its digest
	run ls "$ROOT2/.cache/layers"
	assert_equal "${#lines[@]}" 2
	local before after
	before=$(tree_of ociimg)
	after=$(CONDUCTOR_ROOT=$ROOT2 tree_of ociimg)
	[[ $before == *" /srv/app/a"* ]] || fail "the walk saw no /srv/app/a: $before"
	assert_lines_equal "$before" "$after"
	run env CONDUCTOR_ROOT="$ROOT2" "$C" run --rm ociimg probe -- sh -c "$PROBE"
	assert_success
	assert_output "$PROBE_OUT"
	# the configuration came along: CMD, ENV, WORKDIR
	run env CONDUCTOR_ROOT="$ROOT2" "$C" run --rm ociimg cmd
	assert_output a
	# shellcheck disable=SC2016 # expanded in the container
	run env CONDUCTOR_ROOT="$ROOT2" "$C" run --rm ociimg envs -- sh -c 'echo "$GREETING"; pwd'
	assert_output $'hello there\n/srv/app'
}

# crun_run BUNDLE ID: crun run. On a cgroup v1 host whose cgroup2 tree is
# mounted too (hybrid), crun refuses to run ("cgroups in hybrid mode not
# supported"): there it runs in a mount namespace of its own where that
# cgroup2 mount is covered by an empty tmpfs (as make bench does), so it
# uses the v1 controllers. The host's mounts are untouched.
crun_run() {
	if [[ $(stat -f -c %T /sys/fs/cgroup) == tmpfs && $(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]]; then
		unshare --mount --propagation private -- sh -c \
			'mount -t tmpfs -o size=4k,mode=0555 dl-oci-hide /sys/fs/cgroup/unified && exec "$@"' sh \
			crun run --bundle "$1" "$2"
	else
		# no cgroup: crun would enable every controller at a v2 root
		# (cpuset, cpu, io, hugetlb...) and leave them so
		crun --cgroup-manager=disabled run --bundle "$1" "$2"
	fi
}

@test "umoci unpack and crun run read what save writes: crun sees the files conductor.sh run sees" {
	local dir=$BATS_TEST_TMPDIR/layout bundle=$BATS_TEST_TMPDIR/bundle
	mkdir "$dir"
	tar -xf "$ARCHIVE" -C "$dir"
	run umoci unpack --image "$dir:ociimg" "$bundle"
	assert_success
	# crun runs the bundle with the probe instead of the image's CMD, no terminal
	jq --arg probe "$PROBE" '.process.terminal = false | .process.args = ["/bin/sh", "-c", $probe]' \
		"$bundle/config.json" >"$bundle/config.new"
	mv "$bundle/config.new" "$bundle/config.json"
	run crun_run "$bundle" "dl-oci-test-$$"
	crun delete -f "dl-oci-test-$$" 2>/dev/null || true
	assert_success
	assert_output "$PROBE_OUT"
	run "$C" run --rm ociimg probe -- sh -c "$PROBE"
	assert_output "$PROBE_OUT"
}

@test "load: an archive written by umoci and skopeo from a hand-made root (no base, a static program) loads and runs" {
	local dir=$BATS_TEST_TMPDIR
	mkdir -p "$dir/root/data"
	printf '#include <stdio.h>\nint main(void) { FILE *f = fopen("/data/file", "r"); char s[64] = ""; if (f) fgets(s, sizeof s, f); printf("static says %%s", s); return 0; }\n' >"$dir/hello.c"
	gcc -static -O1 -o "$dir/root/hello" "$dir/hello.c"
	echo "made by hand" >"$dir/root/data/file"
	umoci init --layout "$dir/lay"
	umoci new --image "$dir/lay:tiny"
	umoci unpack --image "$dir/lay:tiny" "$dir/bundle" >/dev/null
	cp -a "$dir/root/." "$dir/bundle/rootfs/"
	umoci repack --image "$dir/lay:tiny" "$dir/bundle"
	umoci config --image "$dir/lay:tiny" --config.cmd /hello
	skopeo copy -q "oci:$dir/lay:tiny" "oci-archive:$dir/tiny.tar:handmade"
	run "$C" load -i "$dir/tiny.tar"
	assert_success
	assert_output --partial "Loaded image handmade"
	run "$C" run --rm handmade tiny
	assert_success
	assert_output "static says made by hand"
	# loaded again under another name: its layer is stored once
	local before
	before=$(find "$CONDUCTOR_ROOT/.cache/layers" -mindepth 1 -maxdepth 1 | wc -l)
	run "$C" load -i "$dir/tiny.tar" handmade2
	assert_success
	assert_equal "$(find "$CONDUCTOR_ROOT/.cache/layers" -mindepth 1 -maxdepth 1 | wc -l)" "$before"
	run "$C" run --rm handmade2 tiny
	assert_output "static says made by hand"
}

@test "build: FROM oci-archive:PATH starts from the archive's layers and configuration" {
	local ctx=$BATS_TEST_TMPDIR/ctx
	mkdir -p "$ctx"
	cp "$ARCHIVE" "$ctx/saved.tar"
	# shellcheck disable=SC2016 # expanded by the RUN step
	printf '%s\n' 'FROM oci-archive:saved.tar' \
		'RUN { cat a; test -e b || echo b is gone; ls /srv/old; echo "$GREETING"; } >/srv/seen' >"$ctx/Conductorfile"
	run "$C" build fromarchive "$ctx/Conductorfile"
	assert_success
	assert_line --regexp '^ ---> 2 layer\(s\) on the base debian-bookworm, manifest [0-9a-f]{12}$'
	# the RUN step ran in the archive's image, with its WORKDIR and ENV
	run "$C" run --rm fromarchive seen -- cat /srv/seen
	assert_output $'a\nb is gone\nz\nhello there'
	# its CMD is the archive's
	run "$C" run --rm fromarchive cmd
	assert_output a
	# the same archive again: the RUN step is cached
	run "$C" build fromarchive "$ctx/Conductorfile"
	assert_success
	assert_line " ---> Using cache"
}

@test "export -> import: a running container's files, as it changed them, become a one-layer image" {
	"$C" run -d ociimg ocitree -- sleep infinity
	"$C" exec ocitree -- sh -c 'rm /srv/app/a && echo live >/srv/live && mkdir /srv/old/new'
	local before after
	before=$("$C" exec ocitree -- sh -c "$TREE_WALK")
	run "$C" export ocitree -o "$BATS_TEST_TMPDIR/c.tar"
	assert_success
	"$C" stop ocitree
	# a plain tarball: no whiteouts, nothing of /proc
	run bash -c 'tar -tf "$1" | grep -E "(\.wh\.|^\./proc/.)"' _ "$BATS_TEST_TMPDIR/c.tar"
	assert_failure
	run "$C" import "$BATS_TEST_TMPDIR/c.tar" imported
	assert_success
	after=$(tree_of imported)
	[[ $before == *" /srv/live"* && $before != *" /srv/app/a "* ]] || fail "the walk did not see the change: $before"
	assert_lines_equal "$before" "$after"
	run "$C" run --rm imported cat -- cat /srv/live
	assert_output live
}

# ---- refused archives ----------------------------------------------------------

# make_archive OUT LAYER.tar...: an OCI archive of the given (uncompressed)
# layer tars, digests and diff_ids right, so only what the test put in a
# layer is wrong.
make_archive() {
	local out=$1 lay layer hex diffids=() layers=() config manifest
	shift
	lay=$(mktemp -d "$BATS_TEST_TMPDIR/lay.XXXXXX")
	mkdir -p "$lay/blobs/sha256"
	for layer; do
		diffids+=("sha256:$(sha256sum <"$layer" | cut -c1-64)")
		gzip -n -c "$layer" >"$lay/blob"
		hex=$(sha256sum <"$lay/blob" | cut -c1-64)
		mv "$lay/blob" "$lay/blobs/sha256/$hex"
		layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$hex\",\"size\":$(stat -c %s "$lay/blobs/sha256/$hex")}")
	done
	config=$(jq -cn '{architecture: "amd64", os: "linux", config: {Cmd: ["/bin/true"]}, rootfs: {type: "layers", diff_ids: $ARGS.positional}}' --args -- "${diffids[@]}")
	put_blob_json "$lay" "$config"
	manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$BLOB_DIGEST\",\"size\":$BLOB_SIZE},\"layers\":[$(IFS=,; echo "${layers[*]}")]}"
	put_blob_json "$lay" "$manifest"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"evil"}}]}' \
		"$BLOB_DIGEST" "$BLOB_SIZE" >"$lay/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$lay/oci-layout"
	tar -cf "$out" -C "$lay" oci-layout index.json blobs
}

put_blob_json() {
	local hex
	hex=$(printf '%s' "$2" | sha256sum | cut -c1-64)
	printf '%s' "$2" >"$1/blobs/sha256/$hex"
	BLOB_DIGEST=sha256:$hex BLOB_SIZE=$(stat -c %s "$1/blobs/sha256/$hex")
}

# A fresh state root for a refusal, and what it holds before.
refusal_root() {
	other_root
	mkdir -p "$ROOT2/.images" "$ROOT2/.containers" "$ROOT2/.cache/layers"
	touch "$ROOT2/.lock" "$ROOT2/.cache/.build.lock"
	ROOT2_BEFORE=$(find "$ROOT2" | sort)
}

# refused ARCHIVE MESSAGE-REGEX [ENV...]: load fails with one line matching,
# and leaves the state root as it was (no image, no layer, no temp dir).
refused() {
	local archive=$1 regex=$2
	shift 2
	run --separate-stderr env CONDUCTOR_ROOT="$ROOT2" "$@" "$C" load -i "$archive" evil
	assert_failure
	assert_output ""
	[[ $stderr =~ $regex ]] || fail "load's error was: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(find "$ROOT2" | sort)" "$ROOT2_BEFORE"
}

@test "load: a blob that does not match its digest is refused, nothing left" {
	refusal_root
	local dir=$BATS_TEST_TMPDIR/t config
	mkdir "$dir"
	tar -xf "$ARCHIVE" -C "$dir"
	# the config says another command: its content no longer has its name
	config=$(blob_digest "$ARCHIVE" '.config.digest')
	sed -i 's|"/srv/app/a"|"/etc/shadow"|' "$dir/blobs/sha256/${config#sha256:}"
	tar -cf "$dir.tar" -C "$dir" oci-layout index.json blobs
	refused "$dir.tar" "refused .*: the blob $config does not match its digest"
}

@test "load: member paths with '..' or absolute, a symlink out of the layer, a member below a symlink, a device: refused, nothing left" {
	refusal_root
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/l/etc"
	echo evil >"$d/l/etc/evil"
	# ../etc/evil
	tar -cPf "$d/dotdot.tar" -C "$d/l" --transform 's,^etc,../etc,' etc/evil
	make_archive "$d/dotdot.oci" "$d/dotdot.tar"
	refused "$d/dotdot.oci" "member '\.\./etc/evil' is absolute or leaves the layer"
	# /etc/evil
	tar -cPf "$d/abs.tar" -C "$d/l" --transform 's,^etc,/etc,' etc/evil
	make_archive "$d/abs.oci" "$d/abs.tar"
	refused "$d/abs.oci" "member '/etc/evil' is absolute"
	# a relative link that climbs out of the layer
	ln -s ../../../../../etc/shadow "$d/l/etc/out"
	tar -cf "$d/link.tar" -C "$d/l" etc/out
	make_archive "$d/link.oci" "$d/link.tar"
	refused "$d/link.oci" "symlink 'etc/out' points out of the layer"
	# a link to the host's /etc, then a file through it
	ln -s /etc "$d/l/hostetc"
	mkdir -p "$d/l2/hostetc"
	echo pwned >"$d/l2/hostetc/dl-oci-test"
	tar -cf "$d/through.tar" -C "$d/l" hostetc
	tar -rf "$d/through.tar" -C "$d/l2" hostetc/dl-oci-test
	make_archive "$d/through.oci" "$d/through.tar"
	refused "$d/through.oci" "member 'hostetc/dl-oci-test' lies below its symlink 'hostetc'"
	[[ ! -e /etc/dl-oci-test ]]
	# a device node (not a whiteout: OCI has none)
	mknod "$d/l/null" c 1 3
	tar -cf "$d/dev.tar" -C "$d/l" null
	make_archive "$d/dev.oci" "$d/dev.tar"
	refused "$d/dev.oci" "member 'null' is a device"
	# not an OCI layout at all
	tar -cf "$d/other.tar" -C "$d/l" etc/evil
	refused "$d/other.tar" "'etc/evil' is not part of an OCI image layout"
}

@test "load: an archive, or a layer unpacked, larger than OCI_LOAD_MAX_MB is refused, nothing left" {
	refusal_root
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/big" "$d/bomb"
	head -c 3M /dev/urandom >"$d/big/noise"
	tar -cf "$d/big.tar" -C "$d/big" noise
	make_archive "$d/big.oci" "$d/big.tar"
	refused "$d/big.oci" "larger than OCI_LOAD_MAX_MB=2 MiB" OCI_LOAD_MAX_MB=2
	# 3 MiB of zeros: a few KiB of gzip, too large unpacked
	head -c 3M /dev/zero >"$d/bomb/zeros"
	tar -cf "$d/bomb.tar" -C "$d/bomb" zeros
	make_archive "$d/bomb.oci" "$d/bomb.tar"
	(($(stat -c %s "$d/bomb.oci") < 1024 * 1024))
	refused "$d/bomb.oci" "a layer is larger than OCI_LOAD_MAX_MB=2 MiB unpacked" OCI_LOAD_MAX_MB=2
}

@test "save, load, export, import: help, bad arguments and a missing image are one clear line" {
	run "$C" save -h
	assert_success
	assert_output --partial "Usage: conductor.sh save <image> -o FILE.tar"
	run "$C" load --help
	assert_output --partial "OCI_LOAD_MAX_MB"
	run "$C" help
	assert_output --partial "save <image> -o FILE.tar"
	run --separate-stderr "$C" save ociimg
	assert_failure
	assert_equal "$stderr" "conductor.sh: usage: save <image> -o FILE.tar"
	run --separate-stderr "$C" save nosuchimage -o "$BATS_TEST_TMPDIR/x.tar"
	assert_failure
	assert_equal "$stderr" "conductor.sh: no image named 'nosuchimage': see 'conductor.sh images'"
	[[ ! -e $BATS_TEST_TMPDIR/x.tar ]]
	run --separate-stderr "$C" load -i "$BATS_TEST_TMPDIR/none.tar"
	assert_failure
	assert_output ""
	[[ $stderr == *"load: cannot read"* ]]
	run --separate-stderr "$C" load -x
	assert_failure
	[[ $stderr == *"unknown option '-x'"* ]]
	run "$C" export -h
	assert_output --partial "Usage: conductor.sh export <container> -o FILE.tar"
	run "$C" import --help
	assert_output --partial "Usage: conductor.sh import FILE.tar <image>"
	run --separate-stderr "$C" export nosuch -o "$BATS_TEST_TMPDIR/x.tar"
	assert_failure
	[[ $stderr == *"no running container named 'nosuch'"* ]]
	[[ ! -e $BATS_TEST_TMPDIR/x.tar ]]
	run --separate-stderr "$C" import "$BATS_TEST_TMPDIR/x.tar"
	assert_failure
	assert_equal "$stderr" "conductor.sh: usage: import FILE.tar <image>"
}
