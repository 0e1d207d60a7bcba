# conductor.bash - what the suites that drive task3/conductor.sh share: a
# state root of a suite's (or a test's) own, images made by hand on the
# cached base (a suite that does not test build needs no build), stopping
# every container of a state root, and reading a container's state.
# shellcheck shell=bash

C=$DL_REPO/task3/conductor.sh

# task3_prepare: root, the C helpers built, the shared Debian base.
task3_prepare() {
	require_root
	make -s -C "$DL_REPO/task3" >&2
	ensure_test_base
}

# new_state_root: CONDUCTOR_ROOT (exported) set to a new, empty state root
# under /tmp, and STOP_TIMEOUT=2 (a container that ignores SIGTERM must not
# hold a teardown up for the default 5 s).
new_state_root() {
	export CONDUCTOR_ROOT STOP_TIMEOUT=2
	CONDUCTOR_ROOT=$(mktemp -d /tmp/dl-test.XXXXXX)
}

# task3_suite_up [IMAGE...]: task3_prepare, then a state root of the suite's
# own holding IMAGE... as plain images of the base. For setup_file.
task3_suite_up() {
	task3_prepare
	new_state_root
	mkdir -p "$CONDUCTOR_ROOT/.containers"
	touch "$CONDUCTOR_ROOT/.lock"
	local image
	for image; do make_image "$image"; done
}

# task3_test_up: a state root of the test's own with an empty build
# context in it, CTX, the working directory. For setup, in suites whose
# tests build; task3_suite_down (after cd /) removes it.
task3_test_up() {
	require_root
	new_state_root
	CTX=$CONDUCTOR_ROOT/ctx
	mkdir -p "$CTX"
	cd "$CTX" || return
}

# task3_suite_down [LAB]: stop what is left (in the network lab LAB first,
# where the containers' networks are, when the suite has one; LAB is then
# taken down), remove the state root (never through a mount a failed stop
# left in it). For teardown_file.
task3_suite_down() {
	if [[ -n ${1:-} ]]; then
		stop_containers "${CONDUCTOR_ROOT:-}" netlab_host "$C"
		netlab_down "$1" >/dev/null 2>&1 || true
	fi
	stop_containers "${CONDUCTOR_ROOT:-}"
	[[ -z ${CONDUCTOR_ROOT:-} ]] || rm -rf --one-file-system "$CONDUCTOR_ROOT"
}

# image_record [LAYER_KEY...]: the record of a plain image on the base, the
# layers bottom to top. The format is conductor.sh's private one: written by
# save_image in task3/lib/images.sh (described at the top of that file and
# of task3/lib/state.sh). This is the tests' one writer of it, a fixture
# that spares a build: when that format changes, change this with it.
image_record() {
	printf 'base=debian-bookworm\nlayers=%s\ncreated=%s\n' "$*" "$EPOCHSECONDS"
}

# make_image NAME [LAYER_KEY...]: the image NAME in CONDUCTOR_ROOT (fill its
# layers through layer_dir).
make_image() {
	local name=$1
	shift
	mkdir -p "$CONDUCTOR_ROOT/.images/$name"
	image_record "$@" >"$CONDUCTOR_ROOT/.images/$name/image"
}

# layer_dir KEY: make a layer's directory, print its diff/ to fill.
layer_dir() {
	mkdir -p "$CONDUCTOR_ROOT/.cache/layers/$1/diff"
	printf '%s\n' "$CONDUCTOR_ROOT/.cache/layers/$1/diff"
}

# stop_containers [ROOT [CMD...]]: stop every container of the state root
# ROOT (default: CONDUCTOR_ROOT) with `CMD stop NAME`, CMD run with
# CONDUCTOR_ROOT=ROOT. CMD is $C unless given: a networked container is
# stopped where its network is (netlab_host "$C"), a user's containers by
# their own conductor.sh as that user. Errors are ignored: a teardown stops
# what the test left, whatever state it is in.
stop_containers() {
	local root=${1:-${CONDUCTOR_ROOT:-}} dir
	local cmd=("${@:2}")
	((${#cmd[@]})) || cmd=("$C")
	[[ -n $root ]] || return 0
	for dir in "$root"/.containers/*/; do
		[[ -d $dir ]] || continue
		CONDUCTOR_ROOT=$root "${cmd[@]}" stop "$(basename "$dir")" >/dev/null 2>&1 || true
	done
}

# state_of NAME KEY: one field of container NAME's state, through inspect
# -f (the tool's one interface to it: the state file's keys are private);
# empty when there is no such container or the field is null.
state_of() {
	"$C" inspect -f "$2" "$1" 2>/dev/null || true
}
