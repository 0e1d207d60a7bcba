# conductor.bash - what the task 3 and 4 suites share: a suite's own state root with
# images made by hand on the cached base (a suite that does not test build
# needs no build), and stopping what a test left running.
# shellcheck shell=bash

C=$DL_REPO/task3/conductor.sh

# task3_prepare: root, the C helpers built, the shared Debian base.
task3_prepare() {
	require_root
	make -s -C "$DL_REPO/task3" >&2
	ensure_test_base
}

# task3_suite_up [IMAGE...]: task3_prepare, then a state root of the suite's
# own (CONDUCTOR_ROOT, exported; STOP_TIMEOUT=2) holding IMAGE... as plain
# images of the base. For setup_file.
task3_suite_up() {
	task3_prepare
	export CONDUCTOR_ROOT STOP_TIMEOUT=2
	CONDUCTOR_ROOT=$(mktemp -d /tmp/dl-test.XXXXXX)
	mkdir -p "$CONDUCTOR_ROOT/.containers"
	touch "$CONDUCTOR_ROOT/.lock"
	local image
	for image; do make_image "$image"; done
}

# task3_suite_down: stop what is left, remove the state root (never through
# a mount a failed stop left in it). For teardown_file.
task3_suite_down() {
	stop_containers
	[[ -z ${CONDUCTOR_ROOT:-} ]] || rm -rf --one-file-system "$CONDUCTOR_ROOT"
}

# make_image NAME [LAYER_KEY...]: an image record on the base, the layers
# bottom to top (fill them through layer_dir).
make_image() {
	local name=$1
	shift
	mkdir -p "$CONDUCTOR_ROOT/.images/$name"
	printf 'base=debian-bookworm\nlayers=%s\ncreated=%s\n' "$*" "$EPOCHSECONDS" \
		>"$CONDUCTOR_ROOT/.images/$name/image"
}

# layer_dir KEY: make a layer's directory, print its diff/ to fill.
layer_dir() {
	mkdir -p "$CONDUCTOR_ROOT/.cache/layers/$1/diff"
	printf '%s\n' "$CONDUCTOR_ROOT/.cache/layers/$1/diff"
}

# stop_containers: stop every container of CONDUCTOR_ROOT (errors ignored:
# a teardown stops what the test left, whatever state it is in).
stop_containers() {
	local dir
	for dir in "$CONDUCTOR_ROOT"/.containers/*/; do
		if [[ -d $dir ]]; then "$C" stop "$(basename "$dir")" >/dev/null 2>&1 || true; fi
	done
}
