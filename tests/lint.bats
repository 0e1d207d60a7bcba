# bats file_tags=lint
# Style rules that a reviewer would otherwise check by hand: every shell
# script of the project is shellcheck-clean (all severities; a finding that
# is intended carries a "shellcheck disable=... # why" next to it).

load helpers/common

# shellcheck source=../scripts/lib/tree.sh
source "$DL_REPO/scripts/lib/tree.sh"

# The files of the project in tree ROOT, one a line:
# tree_list_files, the grader's and the student edition's list. Without .git
# (the student edition's tarball) or without git it applies .gitignore, so
# the state and build directories a `make demo` fills (task3/.cache holds a
# debootstrapped Debian and its shell scripts) are never linted.
project_files() {
	tree_list_files "$1" | tr '\0' '\n'
}

# The project's shell scripts in tree ROOT: *.sh, *.bash, *.bats, and files
# whose first line names bash or sh.
shell_scripts() {
	local root=$1 f
	project_files "$root" | while IFS= read -r f; do
		[[ -f $root/$f ]] || continue
		case $f in
		*.sh | *.bash | *.bats) printf '%s\n' "$f" ;;
		*) if head -n 1 "$root/$f" 2>/dev/null | grep -qE '^#!.*(bash|/sh)'; then printf '%s\n' "$f"; fi ;;
		esac
	done
}

@test "lint: every shell script is shellcheck-clean" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed: run scripts/install-deps"
	local files=()
	mapfile -t files < <(shell_scripts "$DL_REPO")
	((${#files[@]} > 20)) # the scripts were found
	cd "$DL_REPO" || return 1
	run shellcheck "${files[@]}"
	assert_success
	assert_output ""
}

@test "lint: a tree without .git lints the project's scripts, not what make demo left in it" {
	local tree=$BATS_TEST_TMPDIR/tree dir
	tree_copy "$DL_REPO" "$tree"
	[[ ! -e $tree/.git ]] # as in the student edition's tarball
	# what `make demo`, the tests and the student edition leave in a tree
	for dir in task3/.cache/base/debian-bookworm/usr/bin task3/.images/demo task3/.containers/demo \
		dist/student results; do
		mkdir -p "$tree/$dir"
		# shellcheck disable=SC2016 # the unquoted $1 is the finding
		printf '#!/bin/sh\necho $1\n' >"$tree/$dir/planted.sh"
	done
	# a script of the project's own, new and not yet committed: it is linted
	# shellcheck disable=SC2016
	printf '#!/bin/bash\necho $1\n' >"$tree/scripts/planted-new"
	run shell_scripts "$tree"
	assert_success
	assert_line scripts/planted-new
	assert_line tests/lint.bats
	refute_output --partial planted.sh
}
