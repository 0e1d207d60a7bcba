# bats file_tags=lint
# Style rules that a reviewer would otherwise check by hand: every shell
# script of the project is shellcheck-clean (all severities; a finding that
# is intended carries a "shellcheck disable=... # why" next to it).

load helpers/common

# The files of the project: git's list, or (a tree without .git, such as
# the student edition) every file.
project_files() {
	if git -C "$DL_REPO" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$DL_REPO" ls-files
	else
		(cd "$DL_REPO" && find . -type f -printf '%P\n')
	fi
}

# The project's shell scripts: *.sh, *.bash, *.bats, and files whose first
# line names bash or sh.
shell_scripts() {
	local f
	project_files | while IFS= read -r f; do
		[[ -f $DL_REPO/$f ]] || continue
		case $f in
		*.sh | *.bash | *.bats) printf '%s\n' "$f" ;;
		*) head -n 1 "$DL_REPO/$f" 2>/dev/null | grep -qE '^#!.*(bash|/sh)' && printf '%s\n' "$f" ;;
		esac
	done
}

@test "lint: every shell script is shellcheck-clean" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed: run scripts/install-deps"
	local files=()
	mapfile -t files < <(shell_scripts)
	((${#files[@]} > 20)) # the scripts were found
	cd "$DL_REPO" || return 1
	run shellcheck "${files[@]}"
	assert_success
	assert_output ""
}
