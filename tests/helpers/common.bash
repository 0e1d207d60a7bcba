# common.bash - loaded by every bats suite: libraries, root checks, and the
# shared locations tests use.
# shellcheck shell=bash

export BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}
bats_load_library bats-support
bats_load_library bats-assert

DL_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export DL_REPO
# die, log, validate_name, wait_until (bounded polling), ...
# shellcheck source=../../common/common.sh
source "$DL_REPO/common/common.sh"

# One debootstrap per machine for every suite (and the graders): the base
# cache lives outside any test's state root.
export CONDUCTOR_BASE_CACHE=${CONDUCTOR_BASE_CACHE:-/var/cache/docker-lite-test/base}

# Skip (with the reason printed) when not root. In grader mode a skip
# counts as not passed, so this never hides a failure from a grade.
require_root() {
	[[ $EUID -eq 0 ]] || skip "needs root (namespaces, mounts, cgroups): run with sudo"
}

# Make sure the shared Debian base exists: the first suite of a run that
# needs it builds it (debootstrap, from the machine's Debian mirror), the
# others find it cached. Called from setup_file, so its output goes to
# stderr where bats shows it only on failure.
ensure_test_base() {
	[[ -d $CONDUCTOR_BASE_CACHE/debian-bookworm ]] && return 0
	local root
	root=$(mktemp -d /tmp/dl-test.XXXXXX)
	CONDUCTOR_ROOT=$root "$DL_REPO/task3/conductor.sh" build base-probe >&2 || {
		rm -rf "$root"
		return 1
	}
	rm -rf "$root"
}

# assert_lines_equal EXPECTED ACTUAL: two texts are equal, line for line.
# When they are not, the failure starts with where they first differ (the
# line number, the expected line and the line got), then a unified diff of
# at most 10 lines around it: a student sees the wrong line itself, where
# bats-assert's assert_equal shows the whole expected text first (and a
# grader's report, which keeps the first lines, would show nothing else).
assert_lines_equal() {
	local expected=$1 actual=$2 n=0
	[[ $expected == "$actual" ]] && return 0
	local -a want got
	mapfile -t want <<<"$expected"
	mapfile -t got <<<"$actual"
	while [[ ${want[n]-@none} == "${got[n]-@none}" ]]; do
		n=$((n + 1))
	done
	{
		echo "-- the output differs from the expected at line $((n + 1)) --"
		echo "expected: ${want[n]-(nothing: the output should go on)}"
		echo "got     : ${got[n]-(nothing: the output ended here)}"
		echo "-- diff (- expected, + got) --"
		diff -U 2 <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") | sed '1,2d' | head -n 10
		echo "--"
	} | fail
}
