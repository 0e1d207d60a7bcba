# bats file_tags=workbook
# The set-up: scripts/install-deps owns the list of Debian packages, and
# every make target, plain `make` too, calls it first: as root it installs
# what is missing; otherwise `install-deps --check` names what is missing and
# the command that installs it, and make stops before a compiler error would.
# A missing package is played by a dpkg-query that does not know it, and
# apt-get by a stand-in that only logs: nothing is installed here.

load helpers/common

# shellcheck source=../scripts/lib/tree.sh
source "$DL_REPO/scripts/lib/tree.sh"

INSTALL_DEPS=$DL_REPO/scripts/install-deps
HIDDEN=libmicrohttpd-dev # the package the fake dpkg-query does not know

setup() {
	require_root
	# /tmp/dl-test.*: watched by the run's leak check. Readable by all: the
	# unprivileged user below reads the tree copy in it.
	WORK=$(mktemp -d /tmp/dl-test.XXXXXX)
	chmod 755 "$WORK"
	mkdir "$WORK/bin"
	local real
	real=$(command -v dpkg-query)
	cat >"$WORK/bin/dpkg-query" <<EOF
#!/bin/bash
# test stand-in: the real dpkg-query, asked about every package but $HIDDEN
args=()
for arg; do [[ \$arg == $HIDDEN ]] || args+=("\$arg"); done
exec $real "\${args[@]}"
EOF
	cat >"$WORK/bin/apt-get" <<EOF
#!/bin/bash
# test stand-in: log the call, install nothing, fail as apt-get would offline
printf '%s\n' "\$*" >>$WORK/apt-get.log
exit 100
EOF
	chmod 755 "$WORK/bin/dpkg-query" "$WORK/bin/apt-get"
}

teardown() {
	[[ -z ${WORK:-} ]] || rm -rf --one-file-system "$WORK"
}

# A copy of the tree (sources only) in $WORK/tree, for make to build or not.
tree_in_work() {
	tree_copy "$DL_REPO" "$WORK/tree"
}

# True when make built something in the copy.
built_anything() {
	[[ -n $(find "$WORK/tree" -name '*.o' -print -quit) ]]
}

@test "install-deps --check: on this machine nothing is missing" {
	run "$INSTALL_DEPS" --check
	assert_success
	assert_output ""
}

@test "install-deps --check: names what is missing and the command that installs it, and fails" {
	PATH=$WORK/bin:$PATH run "$INSTALL_DEPS" --check
	assert_failure 1
	assert_line "install-deps: missing packages: $HIDDEN"
	assert_line "install-deps: install them with: sudo make deps"
	# it only looked
	[[ ! -e $WORK/apt-get.log ]]
	run "$INSTALL_DEPS" --bogus
	assert_failure
	assert_output --partial "unknown option '--bogus'"
}

@test "make, not as root, with a package missing: says which and how to install it, builds nothing" {
	command -v setpriv >/dev/null || skip "setpriv(1) from util-linux is not installed"
	tree_in_work
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$WORK" PATH="$WORK/bin:$PATH" make -C "$WORK/tree"
	assert_failure
	assert_output --partial "install-deps: missing packages: $HIDDEN"
	assert_output --partial "install them with: sudo make deps"
	refute_output --partial "microhttpd.h"
	refute built_anything
	[[ ! -e $WORK/apt-get.log ]]
}

@test "make, as root, with a package missing: installs it (apt-get) before building anything" {
	tree_in_work
	PATH=$WORK/bin:$PATH run make -C "$WORK/tree"
	assert_failure # the stand-in apt-get fails
	assert_output --partial "install-deps: installing: $HIDDEN"
	assert_output --partial "apt-get update failed"
	assert_equal "$(sed -n 1p "$WORK/apt-get.log")" "update -qq"
	refute built_anything
}
