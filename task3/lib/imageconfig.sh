# imageconfig.sh - an image's configuration (ENV, WORKDIR, USER, CMD,
# ENTRYPOINT, EXPOSE) and the environment options of run and exec.
# shellcheck shell=bash
#
# build records the configuration in the image record, beside base and
# layers:
#   env=<printf %q words>         KEY=VALUE entries, in order (a later one wins)
#   workdir=/path                 the command's working directory (empty: /)
#   user=SPEC                     name|uid[:group|gid] (empty: root)
#   cmd=<printf %q words>         CMD (a shell form as /bin/sh -c "line")
#   entrypoint=<printf %q words>  ENTRYPOINT, the same way
#   entrypoint_form=exec|shell    how ENTRYPOINT was written (Docker's rules
#                                 for combining it with CMD depend on it)
#   expose=80/tcp 53/udp          EXPOSE, documentation only
# printf %q words are read back with eval: the record is the tool's own,
# written by build in the root-owned state directory, so eval sees only
# what printf %q made. run copies the container's environment, working
# directory and user into its state the same way, for exec.

# Sourced once, by the libs of the commands that use it (see conductor.sh).
[[ -z ${DL_LIB_IMAGECONFIG:-} ]] || return 0
DL_LIB_IMAGECONFIG=1

# check_env_key KEY WHERE: KEY is a name a shell can use ([A-Za-z_][A-Za-z0-9_]*).
# Checked here, before anything is made, so a bad key is one clear line
# naming where it came from; dl-run and dl-exec check again (env.c).
check_env_key() {
	[[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
		die "$2: invalid environment variable name '$(shown "$1")': use letters, digits and _, not starting with a digit"
}

# check_workdir DIR: -w's directory is absolute, and one line (it is kept
# in the container's state, whose values are lines).
check_workdir() {
	[[ $1 == /* && $1 != *$'\n'* ]] ||
		die "invalid -w '$(shown "$1")': the working directory must be an absolute path"
}

# check_user SPEC [WHERE]: USER's and -u's name|uid[:group|gid] is one word
# (kept in a state line); dl-run and dl-exec parse it and look it up in
# the image's own /etc/passwd and /etc/group (task3/src/user.h).
check_user() {
	[[ -n $1 && $1 != *[[:space:]]* ]] ||
		die "${2:-invalid -u}: USER '$(shown "$1")': use one name|uid[:group|gid], e.g. nobody or 1000:1000"
}

# env_take ENTRY WHERE: a -e or --env-file entry, KEY=VALUE or KEY alone
# (the caller's value of KEY: of its environment, i.e. exported, never a
# variable of this script; not set there: nothing, as Docker), appended to
# the array ENV_TAKEN.
env_take() {
	local entry=$1 key=${1%%=*}
	check_env_key "$key" "$2"
	if [[ $entry == *=* ]]; then
		ENV_TAKEN+=("$entry")
	elif [[ -v $key && ${!key@a} == *x* ]]; then
		ENV_TAKEN+=("$key=${!key}")
	fi
}

# env_file_take FILE: Docker's --env-file: KEY=VALUE lines taken as they are
# (no quotes removed), KEY alone for the caller's value, blank lines and
# lines starting with "#" skipped. Appended to ENV_TAKEN.
env_file_take() {
	local file=$1 line n=0
	[[ -f $file && -r $file ]] || die "cannot read the --env-file '$(shown "$file")': give the path of a readable file"
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		line=${line%$'\r'}
		# leading blanks are layout
		line=${line#"${line%%[![:space:]]*}"}
		[[ -n $line && $line != \#* ]] || continue
		env_take "$line" "$file:$n"
	done <"$file"
}

# words_of WORDS: the printf %q words of a record into the array WORDS.
words_of() {
	WORDS=()
	eval "WORDS=($1)"
}

# quoted WORD...: set QUOTED to the words as printf %q words.
quoted() {
	QUOTED=""
	(($# == 0)) || printf -v QUOTED '%q ' "$@"
	QUOTED=${QUOTED% }
}

# image_command ARG...: set COMMAND to what a container of the image in
# STATE runs, given the command after its name (ARG..., maybe none), by
# Docker's rules ("Understand how CMD and ENTRYPOINT interact"):
#   ENTRYPOINT exec form   its words, then ARG... if any, else CMD's words
#   ENTRYPOINT shell form  /bin/sh -c "line": CMD and ARG... are ignored
#   no ENTRYPOINT          ARG... if any, else CMD, else /bin/bash
image_command() {
	# (args, not cmd: shellcheck, following this lib from images.sh, takes
	# a local's name as one variable across files, and cmd is a string there)
	local entry=() args=()
	words_of "${STATE[entrypoint]:-}"
	entry=("${WORDS[@]}")
	words_of "${STATE[cmd]:-}"
	args=("${WORDS[@]}")
	(($# == 0)) || args=("$@")
	if ((${#entry[@]})) && [[ ${STATE[entrypoint_form]:-} == shell ]]; then
		COMMAND=("${entry[@]}")
	else
		COMMAND=("${entry[@]}" "${args[@]}")
	fi
	((${#COMMAND[@]})) || COMMAND=(/bin/bash)
}
