# images.sh - build, images, rmi, rmcache: images made from Conductorfiles.
# shellcheck shell=bash
#
# An image is a base root filesystem (debootstrap output, one per
# <distro>-<suite>, shared by every image of that suite) plus a stack of
# layers, one per RUN or COPY instruction:
#
#   .images/<name>/image          base=debian-bookworm
#                                 layers=<key1> <key2> ...   (bottom to top)
#                                 created=<epoch>
#   .cache/layers/<key>/diff/     what that one instruction changed
#
# A layer's key chains its parent's key with the instruction (and, for COPY,
# the content of what is copied), so a changed step rebuilds that layer and
# every layer above it, and an unchanged Conductorfile reuses them all.
# The original course code hashed each instruction alone: two Conductorfiles
# sharing a line shared a layer built on a different parent.
#
# Nothing half-made ever gets a final name: a base or layer is made in a
# ".tmp-*" directory beside its final place and renamed only on success.
# A killed build leaves a ".tmp-*" directory, which the next build (or
# rmcache) removes; the cache itself is never poisoned.

# Sourced once (oci.sh, for save, load and import, uses the image store):
# a guard, then what this lib uses of others. oci.sh is sourced by build
# itself, and only for FROM oci-archive: (see cmd_build).
[[ -z ${DL_LIB_IMAGES:-} ]] || return 0
DL_LIB_IMAGES=1
# shellcheck source=imageconfig.sh
source "$CONDUCTOR_DIR/lib/imageconfig.sh"
# shellcheck source=layers.sh
source "$CONDUCTOR_DIR/lib/layers.sh"

help_build() {
	cat <<'HELP'
Usage: conductor.sh build <image> [Conductorfile]

Build <image> from a Conductorfile (default: ./Conductorfile; without one,
a plain Debian image: FROM debian:bookworm). Instructions, one per line
(a line ending in "\" continues on the next; "#" starts a comment line):
  FROM <distro>:<suite>    first instruction, exactly once: debian:bookworm,
                           or ubuntu:<suite> when UBUNTU_MIRROR is set
  FROM oci-archive:PATH    or an OCI archive's image (see 'conductor.sh
                           load -h'), its layers and configuration
  RUN <shell command>      run in a throwaway container (host network, so
                           apt-get works); a non-zero exit fails the build
  COPY <src>... <dest>     copy files of the Conductorfile's directory into
                           the image (a directory's contents are copied)
  COPY ["<src>", ..., "<dest>"]
                           the same in JSON form, for paths with blanks
  ENV KEY=VALUE [KEY2=VALUE2 ...]   (or the old ENV KEY VALUE)
                           set for later RUN steps and every container of
                           the image; a value may be "double-quoted";
                           $VAR is not expanded (refused: write \$ for a $)
  WORKDIR /path            the working directory of later RUN steps and of
                           the container's command (made if missing); a
                           relative path is relative to the WORKDIR before
  USER name|uid[:group|gid]
                           later RUN steps and the container's command run
                           as that user of the image's /etc/passwd
  CMD ["exe", "arg", ...]  the default command (JSON form), or
  CMD command line         the same run by /bin/sh -c
  ENTRYPOINT ["exe", ...]  what always runs: the command given to run (else
                           CMD) is appended to it; in the shell form,
  ENTRYPOINT command line  /bin/sh -c runs it, and CMD and run's command
                           are ignored (Docker's rules)
  EXPOSE port[/tcp|/udp]... recorded and shown by inspect (documentation)
The base is made once per distro and suite with debootstrap and cached;
each RUN and COPY is a cached overlay layer ("Using cache" on a rebuild).
The other instructions make no layer but are part of the cache key: a
changed ENV re-runs the RUN steps after it, none before. See the image's
configuration with 'conductor.sh inspect <image>'.
HELP
}

help_images() {
	cat <<'HELP'
Usage: conductor.sh images

List images: NAME, SIZE (base plus layers, on disk), LAYERS (RUN and COPY
steps), CREATED, COMMAND (what 'run <image> <name>' runs: its ENTRYPOINT
and CMD, or /bin/bash). 'conductor.sh inspect <image>' shows the whole
configuration.
HELP
}

help_rmi() {
	cat <<'HELP'
Usage: conductor.sh rmi <image>

Remove an image. Refused while a container made from it exists (stop it
first). Its base and layers stay cached until 'conductor.sh rmcache'.
HELP
}

help_rmcache() {
	cat <<'HELP'
Usage: conductor.sh rmcache

Remove every cached base and layer that no image and no container uses
(and what killed builds left behind). Images and containers keep working:
the layers under a container's root stay, even when its image was rebuilt
since. Refused while a build runs.
HELP
}

# ---- Conductorfile parsing ----------------------------------------------------

# parse_conductorfile FILE: fill the global arrays STEP_LINE (line numbers),
# STEP_OP (FROM/RUN/COPY/ENV/...) and STEP_ARG (the rest of the line, continuation
# lines joined), after checking the whole file: one FROM, first; known
# instructions only, each with arguments. Errors name the line.
parse_conductorfile() {
	local file=$1 line n=0 start=0 text="" op arg
	STEP_LINE=() STEP_OP=() STEP_ARG=()
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		line=${line%$'\r'}
		if [[ -z $text ]]; then
			# comments and blank lines between instructions
			[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
			start=$n
		fi
		# a continuation line's indentation is layout, not part of the command
		[[ -z $text ]] || line=${line#"${line%%[![:space:]]*}"}
		if [[ $line == *\\ ]]; then
			text+=${line%\\}
			continue
		fi
		text+=$line
		read -r op arg <<<"$text"
		op=${op^^}
		case $op in
		FROM | RUN | COPY | ENV | WORKDIR | CMD | ENTRYPOINT | USER | EXPOSE)
			[[ -n $arg ]] || die "$file:$start: $op needs an argument"
			;;
		*) die "$file:$start: unknown instruction '${text%% *}': use FROM, RUN, COPY, ENV, WORKDIR, CMD, ENTRYPOINT, USER or EXPOSE" ;;
		esac
		STEP_LINE+=("$start") STEP_OP+=("$op") STEP_ARG+=("$arg")
		text=""
	done <"$file"
	[[ -z $text ]] || die "$file:$start: the last line ends in '\\' but nothing follows"
	((${#STEP_OP[@]})) || die "$file: no instructions: start it with 'FROM debian:bookworm'"
	[[ ${STEP_OP[0]} == FROM ]] ||
		die "$file:${STEP_LINE[0]}: the first instruction must be FROM (e.g. FROM debian:bookworm)"
	local i
	for ((i = 1; i < ${#STEP_OP[@]}; i++)); do
		[[ ${STEP_OP[i]} != FROM ]] ||
			die "$file:${STEP_LINE[i]}: a second FROM: an image has exactly one base"
	done
}

# parse_from DISTRO:SUITE: set BASE_DISTRO, BASE_SUITE and BASE_MIRROR, or
# die saying why this base cannot be made here.
parse_from() {
	local ref=$1 where=$2
	[[ $ref =~ ^([a-z]+):([a-z0-9][a-z0-9.-]{0,31})$ ]] ||
		die "$where: FROM '$ref': use <distro>:<suite>, e.g. debian:bookworm"
	BASE_DISTRO=${BASH_REMATCH[1]} BASE_SUITE=${BASH_REMATCH[2]}
	case $BASE_DISTRO in
	debian) BASE_MIRROR=${DEBIAN_MIRROR:-$(host_debian_mirror)} ;;
	ubuntu)
		BASE_MIRROR=$UBUNTU_MIRROR
		[[ -n $BASE_MIRROR ]] ||
			die "$where: FROM $ref needs an Ubuntu mirror: set UBUNTU_MIRROR in config.sh"
		;;
	*) die "$where: FROM '$ref': unknown distro '$BASE_DISTRO': use debian (or ubuntu with UBUNTU_MIRROR set)" ;;
	esac
	# debootstrap knows a suite by its script; check before any download
	[[ -e ${DEBOOTSTRAP_SCRIPTS:-/usr/share/debootstrap/scripts}/$BASE_SUITE ]] ||
		die "$where: FROM '$ref': debootstrap does not know the suite '$BASE_SUITE' (see /usr/share/debootstrap/scripts)"
}

# ---- the configuration: ENV, WORKDIR, USER, CMD, ENTRYPOINT, EXPOSE ------------

# config_reset: the configuration of an image before its first instruction.
config_reset() {
	IMG_ENV=() IMG_WORKDIR="" IMG_USER="" IMG_CMD=() IMG_ENTRY=() IMG_ENTRY_FORM="" IMG_EXPOSE=()
}

# env_pairs ARG WHERE: ENV's arguments into IMG_ENV: KEY=VALUE pairs, a
# value unquoted (a backslash keeps the next character), "double-quoted"
# (\" and \\ inside) or 'single-quoted', as Docker reads them; or the old
# form KEY VALUE, the value the rest of the line. Dies on a bad form.
# Docker would replace $VAR in a value by an earlier ENV's value; that is
# not done here, so a "$" that Docker would expand is refused rather than
# kept as it is (ENV PATH=/app/bin:$PATH would silently lose /usr/bin).
env_pairs() {
	local rest=$1 where=$2 key value part
	local pair='^([^=[:space:]]+)=(.*)$'
	local dq='^"(([^"\\]|\\.)*)"(.*)$' sq="^'([^']*)'(.*)$" esc='^\\(.)(.*)$' bare='^([^[:space:]"'"'"'\\]+)(.*)$'
	if [[ ${rest%%[[:space:]]*} != *=* ]]; then
		key=${rest%%[[:space:]]*}
		value=${rest:${#key}}
		value=${value#"${value%%[![:space:]]*}"}
		check_env_key "$key" "$where"
		[[ -n $value ]] || die "$where: ENV $key has no value: use ENV $key=value"
		no_expansion "$value" "$where"
		IMG_ENV+=("$key=$value")
		return 0
	fi
	while [[ -n $rest ]]; do
		[[ $rest =~ $pair ]] || die "$where: ENV '$(shown "${rest%%[[:space:]]*}")' has no value: use ENV KEY=value [KEY2=value2 ...]"
		key=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]} value=""
		check_env_key "$key" "$where"
		while [[ -n $rest && $rest != [[:space:]]* ]]; do
			if [[ $rest =~ $dq ]]; then
				part=${BASH_REMATCH[1]} rest=${BASH_REMATCH[3]}
				no_expansion "$part" "$where"
				part=${part//\\\\/$'\1'}
				part=${part//\\\"/\"}
				value+=${part//$'\1'/\\}
			elif [[ $rest =~ $sq ]]; then
				value+=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]}
			elif [[ $rest =~ $esc ]]; then
				value+=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]}
			elif [[ $rest =~ $bare ]]; then
				value+=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]}
				no_expansion "${BASH_REMATCH[1]}" "$where"
			else
				die "$where: ENV $key: unbalanced quote: close it, or use \\\" for a quote in the value"
			fi
		done
		IMG_ENV+=("$key=$value")
		rest=${rest#"${rest%%[![:space:]]*}"}
	done
}

# no_expansion TEXT WHERE: TEXT has no $NAME or ${NAME} that Docker would
# expand (see env_pairs); a "\$" is a plain "$".
no_expansion() {
	local dollar='(^|[^\\])\$[{A-Za-z_]'
	[[ ! $1 =~ $dollar ]] ||
		die "$2: ENV: \$VAR in a value is not expanded here: write the value out, or escape the \$ as \\\$"
}

# command_words OP ARG WHERE: CMD's or ENTRYPOINT's words into WORDS: the
# JSON (exec) form as it is, the shell form as /bin/sh -c "line". Sets
# FORM to exec or shell.
command_words() {
	if [[ $2 == \[* ]]; then
		json_words "$2" ||
			die "$3: malformed $1 [...]: use [\"<executable>\", \"<arg>\", ...], double quotes, escapes \\\" and \\\\ only"
		WORDS=("${JSON_WORDS[@]}") FORM=exec
	else
		WORDS=(/bin/sh -c "$2") FORM=shell
	fi
}

# config_step OP ARG WHERE: apply one configuration instruction to the IMG_*
# variables, or die (naming WHERE) when it is malformed. build runs it over
# the whole file before building anything, then again step by step (for
# the RUN steps' environment, directory and user).
config_step() {
	local op=$1 arg=$2 where=$3 port ports
	case $op in
	ENV) env_pairs "$arg" "$where" ;;
	WORKDIR)
		if [[ $arg == /* ]]; then
			IMG_WORKDIR=$arg
		else
			[[ -n $IMG_WORKDIR ]] ||
				die "$where: WORKDIR '$arg' is relative and no WORKDIR came before: use an absolute path, e.g. WORKDIR /$arg"
			IMG_WORKDIR=${IMG_WORKDIR%/}/$arg
		fi
		;;
	USER)
		check_user "$arg" "$where"
		IMG_USER=$arg
		;;
	CMD)
		command_words CMD "$arg" "$where"
		IMG_CMD=("${WORDS[@]}")
		;;
	ENTRYPOINT)
		command_words ENTRYPOINT "$arg" "$where"
		IMG_ENTRY=("${WORDS[@]}") IMG_ENTRY_FORM=$FORM
		;;
	EXPOSE)
		read -r -a ports <<<"$arg"
		for port in "${ports[@]}"; do
			if ! split_protocol "$port" || ! is_port "$PORT_SPEC"; then
				die "$where: EXPOSE '$(shown "$port")': use a port from 1 to 65535, optionally /tcp or /udp, e.g. EXPOSE 8080/tcp"
			fi
			IMG_EXPOSE+=("$PORT_SPEC/$PORT_PROTO")
		done
		;;
	*) return 1 ;;
	esac
}

# step_is_config OP: the instruction only changes the configuration.
step_is_config() {
	case $1 in
	ENV | WORKDIR | USER | CMD | ENTRYPOINT | EXPOSE) return 0 ;;
	*) return 1 ;;
	esac
}

# ---- cache keys -----------------------------------------------------------------

sha256() { sha256sum | cut -c1-64; }

# layer_key PARENT_KEY INSTRUCTION [CONTENT_HASH]
layer_key() {
	printf '%s\n%s\n%s\n' "$1" "$2" "${3:-}" | sha256
}

# copy_content_hash CONTEXT DEST SRC...: names, modes, link targets and
# bytes of the sources, in a fixed order with fixed times and owners, so the
# hash changes exactly when what COPY would put in the image changes.
copy_content_hash() {
	local context=$1 dest=$2
	shift 2
	{
		printf 'dest=%s\n' "$dest"
		tar -C "$context" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
			-cf - -- "$@" || die "cannot read the COPY sources $*"
	} | sha256
}

# ---- the base ---------------------------------------------------------------------

base_name() { printf '%s-%s\n' "$1" "$2"; }

# Remove what killed builds left: ".tmp-*" directories (and anything still
# mounted in them) next to bases or layers. Only called with that cache's
# lock held, so no live build's directory is touched.
remove_stale_tmp() {
	local dir
	for dir in "$1"/.tmp-"${2:-}"*; do
		[[ -d $dir ]] || continue
		remove_tree "$dir"
	done
}

# debootstrap_base DISTRO SUITE DIR MIRROR: as root, the base into DIR.
debootstrap_base() {
	local distro=$1 suite=$2 tmp=$3 mirror=$4
	echo " ---> debootstrap $suite into the base cache (a few minutes, once per machine)"
	# BEGIN SOLUTION: debootstrap --variant=minbase with BASE_PACKAGES into $tmp (from $mirror if set); on failure die "debootstrap of $distro:$suite failed ..."
	local args=(--variant=minbase "--include=$BASE_PACKAGES" "$suite" "$tmp")
	[[ -z $mirror ]] || args+=("$mirror")
	# its I: lines are the progress. It inherits the lock on purpose: if this
	# script is killed, the lock is held until debootstrap has ended too, so
	# no other build removes the directory under a debootstrap still running.
	if ! debootstrap "${args[@]}" 2>&1 | sed -u 's/^/     /'; then
		die "debootstrap of $distro:$suite failed (see the lines above): nothing was cached; check the mirror (${mirror:-the default of debootstrap}) and try again"
	fi
	# END SOLUTION
}

# mmdebstrap_base SUITE DIR MIRROR: rootless, the base made by mmdebstrap
# in a user namespace of its own (--mode=unshare). Its map is not the
# containers' (its root is the first subordinate id, ours is the user:
# userns.h), so it writes a tar, whose owners are the ids inside, and
# root of a user namespace with our map unpacks it: each file then belongs
# to the right user inside. /dev is left out: nobody may make device nodes
# there, and a container gets its own /dev.
mmdebstrap_base() {
	local suite=$1 tmp=$2 mirror=$3
	command -v mmdebstrap >/dev/null ||
		die "a rootless build makes its base with mmdebstrap: install it (sudo apt-get install mmdebstrap uidmap), or build as root"
	echo " ---> mmdebstrap --mode=unshare $suite into the base cache (a minute or more, once per user)"
	local args=(--mode=unshare --variant=minbase "--include=$BASE_PACKAGES" --format=tar "$suite" -)
	[[ -z $mirror ]] || args+=("$mirror")
	if ! mmdebstrap "${args[@]}" 2> >(sed -u 's/^/     /' >&2) |
		"$HELPER_DIR/dl-run" --unshare -- tar -x -f - -C "$tmp" --numeric-owner --exclude='./dev/*'; then
		die "mmdebstrap of $suite failed (see the lines above): nothing was cached; it needs subordinate ids (/etc/subuid, /etc/subgid) and the mirror (${mirror:-the default of mmdebstrap})"
	fi
}

# ensure_base DISTRO SUITE MIRROR: the base rootfs exists afterwards.
# debootstrap runs in a temporary directory renamed only on success, under
# a lock of its own so that two builds needing the same base make it once.
ensure_base() {
	local distro=$1 suite=$2 mirror=$3 name dir tmp fd
	name=$(base_name "$distro" "$suite")
	dir=$BASEDIR/$name
	if [[ -d $dir ]]; then
		echo " ---> Using cache ($dir)"
		return 0
	fi
	mkdir -p "$BASEDIR"
	exec {fd}>>"$BASEDIR/.$name.lock"
	flock -w 3600 "$fd" || die "timed out waiting for another build of the base $name"
	if [[ -d $dir ]]; then
		exec {fd}>&-
		echo " ---> Using cache ($dir, made by another build meanwhile)"
		return 0
	fi
	remove_stale_tmp "$BASEDIR" "$name."
	tmp=$(mktemp -d "$BASEDIR/.tmp-$name.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $tmp is local
	trap "remove_tree $(printf '%q' "$tmp")" EXIT
	if ((EUID)); then
		mmdebstrap_base "$suite" "$tmp" "$mirror"
	else
		debootstrap_base "$distro" "$suite" "$tmp" "$mirror"
	fi
	mv -T "$tmp" "$dir"
	trap - EXIT
	exec {fd}>&-
	echo " ---> base $name cached"
}

# ---- layers -----------------------------------------------------------------------

layer_exists() { [[ -d $LAYERDIR/$1/diff ]]; }

# new_layer_tmp KEY: a fresh ".tmp-KEY.*" directory with diff/ (and, for
# RUN, overlayfs's work/ and the mount point rootfs/), removed on exit
# unless publish_layer renames it first.
new_layer_tmp() {
	local tmp
	mkdir -p "$LAYERDIR"
	tmp=$(mktemp -d "$LAYERDIR/.tmp-$1.XXXXXX")
	mkdir "$tmp/diff" "$tmp/work" "$tmp/rootfs"
	# shellcheck disable=SC2064 # expand now
	trap "remove_tree $(printf '%q' "$tmp")" EXIT
	printf '%s\n' "$tmp"
}

# publish_layer TMP KEY: keep only diff/, then give it its final name. If a
# parallel build published the same key first, its layer is as good as ours.
publish_layer() {
	local tmp=$1 key=$2
	rm -rf "$tmp/work" "$tmp/rootfs"
	if ! mv -T "$tmp" "$LAYERDIR/$key" 2>/dev/null; then
		layer_exists "$key" || die "cannot store the layer $key in $LAYERDIR"
		remove_tree "$tmp"
	fi
	trap - EXIT
}

# run_step KEY LOWERDIR COMMAND: run COMMAND with /bin/sh -c in a throwaway
# container whose root is the image so far, with the ENV, WORKDIR and USER
# so far (IMG_*); what it changes becomes the layer. The host network is
# kept so apt-get reaches the mirror.
run_step() {
	local key=$1 lower=$2 cmd=$3 tmp rc=0 entry config=()
	for entry in "${IMG_ENV[@]}"; do
		config+=(--env "$entry")
	done
	[[ -z $IMG_WORKDIR ]] || config+=(--workdir "$IMG_WORKDIR")
	[[ -z $IMG_USER ]] || config+=(--user "$IMG_USER")
	tmp=$(new_layer_tmp "$key")
	# BEGIN SOLUTION: run the step: bin/dl-run with the host's network (--share-net) over lower, upper/work/rootfs under $tmp, then "${config[@]}" (ENV, WORKDIR, USER so far), /bin/sh -c "$cmd"; rc on failure
	"$HELPER_DIR/dl-run" --share-net --hostname build \
		--lower "$lower" --upper "$tmp/diff" --work "$tmp/work" --rootfs "$tmp/rootfs" \
		--env DEBIAN_FRONTEND=noninteractive "${config[@]}" -- /bin/sh -c "$cmd" </dev/null || rc=$?
	# END SOLUTION
	if ((rc != 0)); then
		remove_tree "$tmp"
		trap - EXIT
		return "$rc"
	fi
	publish_layer "$tmp" "$key"
}

# image_path_is_dir LOWERDIR PATH: PATH is a directory in the image, i.e. in
# the topmost layer that has it.
image_path_is_dir() {
	local lower=$1 path=$2 dir
	local IFS=:
	for dir in $lower; do
		if [[ -e $dir$path || -L $dir$path ]]; then
			[[ -d $dir$path && ! -L $dir$path ]]
			return
		fi
	done
	return 1
}

# copy_step KEY LOWERDIR CONTEXT DEST SRC...: the layer holds the sources at
# DEST, as Docker's COPY puts them: a directory's contents go into DEST; a
# file goes into DEST when DEST ends in "/", is a directory in the image, or
# several sources are given, and becomes DEST otherwise.
copy_step() {
	local key=$1 lower=$2 context=$3 dest=$4 tmp src into
	shift 4
	tmp=$(new_layer_tmp "$key")
	into=0
	if [[ $dest == */ || $# -gt 1 ]] || image_path_is_dir "$lower" "$dest"; then
		into=1
	fi
	# BEGIN SOLUTION: copy each source into the layer ($tmp/diff + dest): a directory's contents, a file into dest or as dest; modes and times kept
	local target=$tmp/diff${dest%/}
	for src in "$@"; do
		if [[ -d $context/$src ]]; then
			mkdir -p "$target"
			cp -R --preserve=mode,timestamps,links -- "$context/$src/." "$target/"
		elif ((into)); then
			mkdir -p "$target"
			cp -P --preserve=mode,timestamps -- "$context/$src" "$target/"
		else
			mkdir -p "${target%/*}"
			cp -P --preserve=mode,timestamps -- "$context/$src" "$target"
		fi
	done
	# END SOLUTION
	publish_layer "$tmp" "$key"
}

# json_words ARG: Docker's JSON form of an instruction's arguments,
# ["word", "word with blanks"] (strings with \" and \\ escapes), into the
# array JSON_WORDS. Fails when it is malformed. The one parser of the JSON
# form: COPY, CMD and ENTRYPOINT all use it.
json_words() {
	local rest=$1 word out sep
	local string='^[[:space:]]*"(([^"\\]|\\["\\])*)"[[:space:]]*([],])(.*)$'
	JSON_WORDS=()
	[[ $rest == \[* ]] || return 1
	rest=${rest#[}
	while [[ $rest =~ $string ]]; do
		word=${BASH_REMATCH[1]} sep=${BASH_REMATCH[3]} rest=${BASH_REMATCH[4]} out=""
		# undo the escapes: the character after each backslash stands
		while [[ $word == *\\* ]]; do
			out+=${word%%\\*}
			word=${word#*\\}
			out+=${word:0:1}
			word=${word:1}
		done
		JSON_WORDS+=("$out$word")
		if [[ $sep == "]" ]]; then
			# nothing may follow the closing bracket
			[[ -z ${rest//[[:space:]]/} ]]
			return
		fi
	done
	return 1
}

# copy_args ARG: the sources and the destination of a COPY into COPY_ARGS:
# words split on blanks, or Docker's JSON form for paths with blanks,
# COPY ["my notes.txt", "/srv/my dir/"]. Fails when the JSON form is
# malformed.
copy_args() {
	COPY_ARGS=()
	if [[ $1 != \[* ]]; then
		read -r -a COPY_ARGS <<<"$1"
		return 0
	fi
	json_words "$1" || return 1
	COPY_ARGS=("${JSON_WORDS[@]}")
}

# check_copy_sources CONTEXT WHERE SRC...: each source exists inside the
# build context (symlinks resolved): "COPY ../../etc/shadow /x" is refused.
check_copy_sources() {
	local context=$1 where=$2 src real
	shift 2
	for src in "$@"; do
		[[ $src != /* ]] || die "$where: COPY source '$src' is absolute: use a path relative to the Conductorfile's directory"
		real=$(realpath -e -- "$context/$src" 2>/dev/null) ||
			die "$where: COPY source '$src' does not exist in $context"
		[[ $real == "$context" || $real == "$context"/* ]] ||
			die "$where: COPY source '$src' is outside the build context $context: copy it into that directory first"
	done
}

# ---- commands -----------------------------------------------------------------

# The base of `build <image>` without a Conductorfile.
PLAIN_BASE=debian:bookworm

cmd_build() {
	(($# == 1 || $# == 2)) || die "usage: build <image> [Conductorfile]"
	local image=$1 file=${2:-} context label
	validate_name image "$image"
	if [[ -z $file && -f Conductorfile ]]; then
		file=Conductorfile
	fi
	if [[ -n $file ]]; then
		[[ -f $file && -r $file ]] || die "cannot read the Conductorfile '$file': give the path of a readable file"
		context=$(cd "$(dirname -- "$file")" && pwd -P)
		label=$file
		parse_conductorfile "$file"
	else
		# the first spec's `build <image>`: a plain Debian image
		context=$PWD label="(no Conductorfile)"
		STEP_LINE=(1) STEP_OP=(FROM) STEP_ARG=("$PLAIN_BASE")
	fi
	# FROM oci-archive:PATH (Docker's spelling): the layers and
	# configuration of an OCI archive (oci.sh), checked when the build starts
	OCI_FROM=""
	if [[ ${STEP_ARG[0]} == oci-archive:* ]]; then
		OCI_FROM=${STEP_ARG[0]#oci-archive:}
		[[ $OCI_FROM == /* ]] || OCI_FROM=$context/$OCI_FROM
		[[ -f $OCI_FROM && -r $OCI_FROM ]] ||
			die "$label:${STEP_LINE[0]}: FROM ${STEP_ARG[0]}: cannot read $OCI_FROM: give an OCI archive's path, relative to the Conductorfile's directory or absolute"
	else
		parse_from "${STEP_ARG[0]}" "$label:${STEP_LINE[0]}"
	fi

	# check every COPY and every configuration instruction before building
	# anything
	local i args
	config_reset
	for ((i = 1; i < ${#STEP_OP[@]}; i++)); do
		! config_step "${STEP_OP[i]}" "${STEP_ARG[i]}" "$label:${STEP_LINE[i]}" || continue
		[[ ${STEP_OP[i]} == COPY ]] || continue
		copy_args "${STEP_ARG[i]}" ||
			die "$label:${STEP_LINE[i]}: malformed COPY [...]: use [\"<src>\", ..., \"<dest>\"], double quotes, escapes \\\" and \\\\ only"
		args=("${COPY_ARGS[@]}")
		((${#args[@]} >= 2)) || die "$label:${STEP_LINE[i]}: COPY needs a source and a destination: COPY <src>... <dest>"
		check_copy_sources "$context" "$label:${STEP_LINE[i]}" "${args[@]:0:${#args[@]}-1}"
	done

	ensure_state_dirs
	hold_build_lock
	local total=${#STEP_OP[@]} base key layers=() lower
	echo "Step 1/$total : FROM ${STEP_ARG[0]}"
	if [[ -n $OCI_FROM ]]; then
		# its layers and configuration (IMG_*); the chain of keys starts
		# from its manifest's digest: what is in it, not where it is
		# shellcheck disable=SC2034 # the prefix of oci.sh's refusals
		LOAD_WHAT="$label:${STEP_LINE[0]}: FROM ${STEP_ARG[0]}"
		# oci.sh sources this file (its guard ends that loop; shellcheck,
		# following both, would not end: it checks oci.sh on its own)
		# shellcheck source=/dev/null
		source "$CONDUCTOR_DIR/lib/oci.sh"
		oci_import "$OCI_FROM" ""
		base=$OCI_BASE layers=("${OCI_KEYS[@]}")
		key=$(layer_key "FROM oci-archive $OCI_MANIFEST" "")
		echo " ---> ${#layers[@]} layer(s) on the base $base, manifest ${OCI_MANIFEST:7:12}"
	else
		base=$(base_name "$BASE_DISTRO" "$BASE_SUITE")
		ensure_base "$BASE_DISTRO" "$BASE_SUITE" "$BASE_MIRROR"
		key=$(layer_key "FROM $BASE_DISTRO:$BASE_SUITE" "")
		config_reset
	fi
	for ((i = 1; i < total; i++)); do
		local op=${STEP_OP[i]} arg=${STEP_ARG[i]} where="$label:${STEP_LINE[i]}" content="" dest
		echo "Step $((i + 1))/$total : $op $arg"
		# A configuration instruction makes no layer (there is nothing to
		# store), but it is part of the chain: the running key takes it in,
		# so every layer after it is keyed on it (a changed ENV re-runs the
		# steps after it, and none before), while the layers before it and
		# the image's layer list are as if it were not there.
		if config_step "$op" "$arg" "$where"; then
			key=$(layer_key "$key" "$op $arg")
			echo " ---> configuration only: no layer"
			continue
		fi
		layers_lowerdir "$base" "${layers[@]}"
		lower=$LOWERDIR
		if [[ $op == COPY ]]; then
			copy_args "$arg"
			args=("${COPY_ARGS[@]}")
			dest=${args[-1]}
			[[ $dest == /* ]] || dest=/$dest
			content=$(copy_content_hash "$context" "$dest" "${args[@]:0:${#args[@]}-1}")
		fi
		key=$(layer_key "$key" "$op $arg" "$content")
		if layer_exists "$key"; then
			echo " ---> Using cache"
		elif [[ $op == RUN ]]; then
			local rc=0
			run_step "$key" "$lower" "$arg" || rc=$?
			((rc == 0)) || die "$where: RUN failed with exit code $rc: no layer and no image were made; fix the command and build again"
		else
			copy_step "$key" "$lower" "$context" "$dest" "${args[@]:0:${#args[@]}-1}"
		fi
		echo " ---> ${key:0:12}"
		layers+=("$key")
	done
	save_image "$image" "$base" "${layers[@]}"
	local plural=s
	((${#layers[@]} != 1)) || plural=""
	echo "Image $image built: ${#layers[@]} layer$plural"
}

# containers_layers_used_in ARRAY: mark in the associative array ARRAY the
# base and layer directories under every container's root (its "lower",
# recorded by run). A state without that record (written by an older
# conductor.sh) makes rmcache refuse: what it uses is unknown. A directory
# without a state is a run killed before it started anything: it uses no
# layer.
containers_layers_used_in() {
	local -n marks=$1
	local state name dir dirs
	for state in "$CONTAINERDIR"/*/state; do
		[[ -f $state ]] || continue
		name=${state%/state}
		name=${name##*/}
		state_read "$state"
		[[ -n ${STATE[lower]:-} ]] ||
			die "container '$name' has no record of its layers yet: try rmcache again, or stop it first"
		IFS=: read -r -a dirs <<<"${STATE[lower]}"
		for dir in "${dirs[@]}"; do
			# shellcheck disable=SC2034 # marks names the caller's array
			marks[${dir%/diff}]=1
		done
	done
}

# Builds hold a shared lock for as long as they run; rmcache takes it
# exclusively, so it never removes the ".tmp-*" directory of a live build.
BUILD_LOCKFILE=$CACHEDIR/.build.lock

hold_build_lock() {
	exec {DL_BUILD_LOCK_FD}>>"$BUILD_LOCKFILE" || die "cannot open $BUILD_LOCKFILE"
	flock -s -w "${DL_LOCK_TIMEOUT:-60}" "$DL_BUILD_LOCK_FD" ||
		die "timed out waiting for rmcache to finish"
}

# save_image NAME BASE KEY...: write the image record whole, with the
# configuration (IMG_*, see imageconfig.sh), then rename it.
save_image() {
	local image=$1 base=$2 dir env cmd entry
	shift 2
	dir=$(image_dir "$image")
	quoted "${IMG_ENV[@]}"
	env=$QUOTED
	quoted "${IMG_CMD[@]}"
	cmd=$QUOTED
	quoted "${IMG_ENTRY[@]}"
	entry=$QUOTED
	lock_acquire "$LOCKFILE"
	mkdir -p "$dir"
	printf 'base=%s\nlayers=%s\ncreated=%s\nenv=%s\nworkdir=%s\nuser=%s\ncmd=%s\nentrypoint=%s\nentrypoint_form=%s\nexpose=%s\n' \
		"$base" "$*" "$(date +%s)" "$env" "$IMG_WORKDIR" "$IMG_USER" "$cmd" "$entry" "$IMG_ENTRY_FORM" \
		"${IMG_EXPOSE[*]}" >"$dir/image.new"
	mv -f "$dir/image.new" "$dir/image"
	lock_release
}

# The bases and layers an image needs, one per line, as paths.
image_paths() {
	local file=$IMAGEDIR/$1/image key keys=()
	printf '%s\n' "$BASEDIR/$(state_get "$file" base)"
	read -r -a keys <<<"$(state_get "$file" layers)"
	for key in "${keys[@]}"; do
		printf '%s\n' "$LAYERDIR/$key"
	done
}

# Disk space of an image's base and layers (what exists of them).
image_size() {
	local paths=() path
	while IFS= read -r path; do
		[[ ! -d $path ]] || paths+=("$path")
	done < <(image_paths "$1")
	((${#paths[@]})) || { echo 0; return 0; }
	# rootless: directories of the image's other users (_apt's, mode 700)
	# are closed to the user; root of a namespace with the map reads them
	local as=()
	((EUID == 0)) || as=("$HELPER_DIR/dl-run" --unshare --)
	"${as[@]}" du -sch --one-file-system -- "${paths[@]}" 2>/dev/null | tail -n 1 | cut -f1 || echo "?"
}

cmd_images() {
	(($# == 0)) || die "usage: images (it takes no arguments)"
	local file name rows=() size nlayers keys
	for file in "$IMAGEDIR"/*/image; do
		[[ -f $file ]] || continue
		name=${file%/image}
		name=${name##*/}
		size=$(image_size "$name")
		state_read "$file"
		read -r -a keys <<<"${STATE[layers]:-}"
		nlayers=${#keys[@]}
		# what 'run <image> <name>' runs, by CMD and ENTRYPOINT
		# shellcheck disable=SC2119 # no arguments: what the image runs by itself
		image_command
		rows+=("$name" "${size:-?}" "$nlayers" "$(format_time "${STATE[created]:-0}")" "${COMMAND[*]}")
	done
	if ((${#rows[@]} == 0)); then
		echo "No images found"
		return 0
	fi
	local w=4 i
	for ((i = 0; i < ${#rows[@]}; i += 5)); do
		((${#rows[i]} <= w)) || w=${#rows[i]}
	done
	printf "%-${w}s  %6s  %6s  %-19s  %s\n" NAME SIZE LAYERS CREATED COMMAND
	printf "%-${w}s  %6s  %6s  %-19s  %s\n" "${rows[@]}"
}

# containers_of_image IMAGE: names of the containers made from it.
containers_of_image() {
	local state name
	for state in "$CONTAINERDIR"/*/state; do
		[[ -f $state ]] || continue
		[[ $(state_get "$state" image) == "$1" ]] || continue
		name=${state%/state}
		printf '%s\n' "${name##*/}"
	done
}

cmd_rmi() {
	(($# == 1)) || die "usage: rmi <image>"
	local image=$1 users
	validate_name image "$image"
	lock_acquire "$LOCKFILE"
	image_exists "$image" || die "no image named '$image': see 'conductor.sh images'"
	users=$(containers_of_image "$image" | paste -sd ' ')
	[[ -z $users ]] ||
		die "image '$image' is used by the container(s) $users: stop them first ('conductor.sh stop <name>')"
	rm -rf -- "$(image_dir "$image")"
	lock_release
	echo "Removed image $image (its layers stay cached until 'conductor.sh rmcache')"
}

cmd_rmcache() {
	(($# == 0)) || die "usage: rmcache (it takes no arguments)"
	ensure_state_dirs
	local build_fd
	exec {build_fd}>>"$BUILD_LOCKFILE" || die "cannot open $BUILD_LOCKFILE"
	flock -n "$build_fd" || die "a build is running: try rmcache again when it has finished"
	lock_acquire "$LOCKFILE"
	local -A used=()
	local file path
	for file in "$IMAGEDIR"/*/image; do
		[[ -f $file ]] || continue
		local name=${file%/image}
		while IFS= read -r path; do used[$path]=1; done < <(image_paths "${name##*/}")
	done
	containers_layers_used_in used
	# a base cache outside the state root is shared with other roots (the
	# test suites, graders): their images are not ours to see, so it stays
	local dirs=("$LAYERDIR"/*) removed=0
	if [[ $BASEDIR == "$CONDUCTOR_ROOT"/* ]]; then
		dirs+=("$BASEDIR"/*)
	else
		log "keeping the bases in $BASEDIR: that cache is shared beyond $CONDUCTOR_ROOT"
	fi
	for path in "${dirs[@]}"; do
		[[ -d $path && -z ${used[$path]:-} ]] || continue
		remove_tree "$path"
		# a base's OCI blob, cached beside it by save (oci.sh)
		[[ $path != "$BASEDIR"/* ]] || rm -rf -- "$BASEDIR/.${path##*/}.oci"
		removed=$((removed + 1))
	done
	# what killed builds left (a base being made right now holds its lock)
	remove_stale_tmp "$LAYERDIR"
	local lockf bname base_fd
	for lockf in "$BASEDIR"/.*.lock; do
		[[ -f $lockf ]] || continue
		exec {base_fd}>>"$lockf"
		if flock -n "$base_fd"; then
			bname=${lockf##*/.}
			remove_stale_tmp "$BASEDIR" "${bname%.lock}."
		fi
		exec {base_fd}>&-
	done
	lock_release
	echo "Removed $removed cached base(s) and layer(s) no image or container uses"
}
