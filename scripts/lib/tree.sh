# tree.sh - which files make up a docker-lite tree, for the student edition
# and the grader. Source it; it defines functions only.
# shellcheck shell=bash
#
#   tree_list_files ROOT        print ROOT's files (paths relative to ROOT),
#                               NUL-separated: git-tracked files and untracked
#                               ones that .gitignore does not ignore; never
#                               .git, dist/ or results/
#   tree_copy ROOT DEST         copy those files to DEST, modes kept

# Generated output and test results are never part of a tree, whatever
# .gitignore says (dist/ holds the student edition we are making).
TREE_ALWAYS_EXCLUDED_RE='^(\.git|dist|results)(/|$)'

tree_list_files() {
	local root=$1
	if tree_is_git_toplevel "$root"; then
		git -C "$root" ls-files -z --cached --others --exclude-standard
	else
		tree_list_files_without_git "$root"
	fi | tree_keep_existing_files "$root"
}

tree_is_git_toplevel() {
	local root=$1 top
	command -v git >/dev/null || return 1
	top=$(git -C "$root" rev-parse --show-toplevel 2>/dev/null) || return 1
	[[ $(cd "$top" && pwd -P) == "$(cd "$root" && pwd -P)" ]]
}

# --cached also lists tracked files deleted in the work tree: drop them, and
# anything that is not a plain file or a symlink.
tree_keep_existing_files() {
	local root=$1 path
	while IFS= read -r -d '' path; do
		[[ $path =~ $TREE_ALWAYS_EXCLUDED_RE ]] && continue
		[[ -f $root/$path || -L $root/$path ]] || continue
		printf '%s\0' "$path"
	done
}

# A tree without .git (a tarball, the student edition): apply the top
# .gitignore with find, so ignored directories (task 3's image cache can be
# hundreds of megabytes) are pruned, not walked. The last matching rule wins
# in .gitignore; find stops at the first match, so the rules go in reverse.
# Supported: comments, "!" negation, a leading "/" (anchored), a trailing
# "/" (directories only), globs. That covers what this project writes.
tree_list_files_without_git() {
	local root=$1 line rules=() expr=() i pat neg anchored dironly
	if [[ -f $root/.gitignore ]]; then
		while IFS= read -r line || [[ -n $line ]]; do
			line=${line%$'\r'}
			[[ -z $line || $line == \#* ]] && continue
			rules+=("$line")
		done <"$root/.gitignore"
	fi
	expr=(\( -path ./.git -o -path ./dist -o -path ./results \) -prune)
	for ((i = ${#rules[@]} - 1; i >= 0; i--)); do
		pat=${rules[i]} neg=0 anchored=0 dironly=0
		[[ $pat == !* ]] && neg=1 pat=${pat#!}
		[[ $pat == */ ]] && dironly=1 pat=${pat%/}
		[[ $pat == /* ]] && anchored=1 pat=${pat#/}
		[[ $pat == */* ]] && anchored=1
		local match=()
		if ((anchored)); then
			match=(-path "./$pat")
		else
			match=(-name "$pat")
		fi
		((dironly)) && match+=(-type d)
		if ((neg)); then
			expr+=(-o \( "${match[@]}" \) \( -type f -o -type l \) -print0)
		else
			expr+=(-o \( "${match[@]}" \) -prune)
		fi
	done
	expr+=(-o \( -type f -o -type l \) -print0)
	(cd "$root" && find . "${expr[@]}") | tree_strip_dot_slash
}

tree_strip_dot_slash() {
	local path
	while IFS= read -r -d '' path; do
		printf '%s\0' "${path#./}"
	done
}

tree_copy() {
	local root=$1 dest=$2
	mkdir -p "$dest"
	tree_list_files "$root" | tar -C "$root" --null --no-recursion -T - -cf - |
		tar -C "$dest" -xf -
}
