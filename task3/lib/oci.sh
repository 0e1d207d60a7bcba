# oci.sh - save and load: images as OCI image layout archives, the format
# podman, skopeo, umoci, crun and Kubernetes read.
# shellcheck shell=bash
#
# An OCI archive is a tar of a directory:
#   oci-layout                    {"imageLayoutVersion": "1.0.0"}
#   index.json                    the manifests, by digest (and a ref name)
#   blobs/sha256/<hex>            every other file, named by its own sha256:
#     a manifest                  the config and the layers, by digest
#     a config                    Env, Cmd, ...; rootfs.diff_ids: the sha256
#                                 of each layer's uncompressed tar
#     a layer per layer           a gzip tar of what that layer changed
# Our layers are overlayfs upper directories, whose deletions are 0/0
# character devices ("whiteouts") and whose replaced directories carry the
# xattr trusted.overlay.opaque=y; OCI writes them as empty files ".wh.NAME"
# and ".wh..wh..opq". save translates one way, load the other.
#
# A layer's blob is made once and kept beside it (<layer>/oci/, and for a
# base $BASEDIR/.<base>.oci/): tar and gzip of the ~230 MB base take many
# seconds; a second save of any image of that base takes none. load keeps
# the blobs it verified the same way, so a layer loaded twice is stored
# once (found by its digest), and a saved image loaded back reuses the
# very base and layers it was saved from.

# Sourced once (build sources it for FROM oci-archive:); then what this lib
# uses of others: the image store (images.sh), image configurations
# (imageconfig.sh), an image's layers (layers.sh).
[[ -z ${DL_LIB_OCI:-} ]] || return 0
DL_LIB_OCI=1
# shellcheck source=images.sh
source "$CONDUCTOR_DIR/lib/images.sh"
# shellcheck source=imageconfig.sh
source "$CONDUCTOR_DIR/lib/imageconfig.sh"
# shellcheck source=layers.sh
source "$CONDUCTOR_DIR/lib/layers.sh"

OCI_MT_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_MT_CONFIG=application/vnd.oci.image.config.v1+json
OCI_MT_LAYER=application/vnd.oci.image.layer.v1.tar+gzip
# The base of an image loaded from a foreign archive: its layers are all
# layers, and overlayfs needs a base under them. Empty, made on demand.
OCI_EMPTY_BASE=oci-empty

help_save() {
	cat <<'HELP'
Usage: conductor.sh save <image> -o FILE.tar

Write <image> as an OCI image layout archive (what 'skopeo inspect
oci-archive:FILE.tar', 'umoci unpack', podman and Kubernetes read): one
gzip tar layer per layer, the base first, a config with the image's ENV,
WORKDIR, USER, CMD, ENTRYPOINT and EXPOSE, and a manifest, each named by
its sha256. Files deleted by a later step are OCI whiteouts (.wh.NAME), a
replaced directory an opaque one (.wh..wh..opq). The base's /dev is left
out (a container gets its own). A layer's blob is made once and cached
beside it, so saving another image of the same base is quick.
  -o, --output FILE   the archive to write (replaced when it exists)
HELP
}

help_load() {
	cat <<'HELP'
Usage: conductor.sh load -i FILE.tar [image]

Make an image from an OCI image layout archive (written by save, skopeo
copy oci-archive:..., umoci, podman save --format oci-archive). [image]
is its name; without it, the archive's own name (the ref name of its
manifest). Layers already stored (same digest) are reused. Everything is
checked before anything is extracted; refused, with nothing left: a blob
whose sha256 is not its name, a member path that is absolute or has "..",
a relative link pointing out of the layer, a member below a symlink,
device nodes, and archives or layers larger than OCI_LOAD_MAX_MB (MiB,
config.sh). Absolute symlinks are kept: they resolve in the container's
root.
  -i, --input FILE    the archive to read
HELP
}

# ---- save ---------------------------------------------------------------------

# oci_arch: the machine's architecture as OCI names it (GOARCH).
oci_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	armv7l) echo arm ;;
	i?86) echo 386 ;;
	*) uname -m ;;
	esac
}

# layer_marks DIR: the whiteouts (0/0 character devices) and opaque
# directories of an overlayfs upper directory, as paths relative to DIR,
# into the arrays WHITEOUTS and OPAQUES; other devices into DEVICES. GNU tar
# reads the xattr (no getfattr needed): the directories and devices alone
# go into a tar keeping that one xattr, whose listing shows it and the
# device numbers (an entry with xattrs has a "*" after its mode).
layer_marks() {
	local dir=$1 line name
	# the mode, then "*" when the entry has the xattr
	local re='^(.)[^ *]*([*]?) +[0-9]+/[0-9]+ +([0-9]+,[0-9]+|[0-9]+) +[^ ]+ [^ ]+ +"(.*)"$'
	WHITEOUTS=() OPAQUES=() DEVICES=()
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		name=${BASH_REMATCH[4]}
		name=${name%/}
		printf -v name '%b' "$name"
		case ${BASH_REMATCH[1]}${BASH_REMATCH[2]}:${BASH_REMATCH[3]} in
		d\*:*) OPAQUES+=("$name") ;;
		c*:0,0) WHITEOUTS+=("$name") ;;
		c*) DEVICES+=("$name") ;;
		esac
	done < <(find "$dir" -mindepth 1 \( -type d -o -type c \) -printf '%P\0' |
		tar -c --null --no-recursion --xattrs --xattrs-include=trusted.overlay.opaque \
			-C "$dir" -T - -f - |
		tar -t -v --numeric-owner --full-time --quoting-style=c --xattrs --xattrs-include='*' -f -)
}

# mark_entry MARKS PARENT NAME: the empty file MARKS/PARENT/NAME, its path
# as the layer's tar names it into MARK.
mark_entry() {
	mkdir -p "$1/$2"
	: >"$1/$2/$3"
	MARK=./$2/$3
	[[ $2 != . ]] || MARK=./$3
}

# write_layer_blob DIR CACHE [BASE]: tar DIR (whiteouts translated) into
# CACHE/blob (gzip), with CACHE/meta: digest, diffid, size, and the inode
# of DIR (a layer made again is another directory). BASE: DIR is a
# debootstrap base: no whiteouts there, and its /dev is left out.
write_layer_blob() {
	local dir=$1 cache=$2 base=${3:-} tmp marks name parent
	tmp=$(mktemp -d "$cache.tmp.XXXXXX")
	marks=$tmp/marks
	mkdir "$marks"
	local excludes=(--anchored) extra=()
	if [[ -n $base ]]; then
		excludes+=(--exclude=./dev/*)
		WHITEOUTS=() OPAQUES=() DEVICES=()
	else
		layer_marks "$dir"
	fi
	excludes+=(--no-wildcards)
	for name in "${DEVICES[@]}"; do
		warn "left out the device $name of a layer: an OCI layer has no device nodes"
		excludes+=(--exclude="./$name")
	done
	# the OCI names of the marks, as empty files in a small tree of their own
	for name in "${WHITEOUTS[@]}"; do
		excludes+=(--exclude="./$name")
		parent=.
		[[ $name != */* ]] || parent=${name%/*}
		mark_entry "$marks" "$parent" ".wh.${name##*/}"
		extra+=("$MARK")
	done
	for name in "${OPAQUES[@]}"; do
		mark_entry "$marks" "$name" .wh..wh..opq
		extra+=("$MARK")
	done
	# One tar stream: the layer (sorted, owners as numbers, no atime and
	# ctime), then the marks, as tar -r would append them, without a file:
	# with 512-byte records, the end of an archive is its last 1024 bytes.
	# Its sha256 is the diff_id; the gzip's is the digest.
	local common=(--numeric-owner --sort=name --format=posix -b 1
		"--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime")
	mkfifo "$tmp/tar"
	gzip -1 -n <"$tmp/tar" >"$tmp/blob" &
	local gz=$!
	if ! {
		tar -c -f - "${common[@]}" --one-file-system "${excludes[@]}" -C "$dir" . | head -c -1024 &&
			tar -c -f - "${common[@]}" --owner=0 --group=0 --mtime=@0 --no-recursion -C "$marks" \
				--files-from=/dev/null -- "${extra[@]}"
	} | tee "$tmp/tar" | sha256sum | cut -c1-64 >"$tmp/diffid" || ! wait "$gz"; then
		rm -rf -- "$tmp"
		die "cannot write the OCI blob of $dir"
	fi
	local digest size
	digest=$(sha256sum <"$tmp/blob" | cut -c1-64)
	size=$(stat -c %s "$tmp/blob")
	printf 'digest=sha256:%s\ndiffid=sha256:%s\nsize=%s\nsource=%s\n' \
		"$digest" "$(<"$tmp/diffid")" "$size" "$(stat -c %i "$dir")" >"$tmp/meta"
	rm -rf -- "$marks" "$tmp/diffid" "$tmp/tar"
	# a parallel save of the same layer may have won: its blob is as good
	mv -T -- "$tmp" "$cache" 2>/dev/null || rm -rf -- "$tmp"
}

# layer_blob DIR CACHE [BASE]: the cached blob of a layer (made if missing,
# or if its layer was made again since: another inode), into BLOB_FILE,
# BLOB_DIGEST, BLOB_DIFFID and BLOB_SIZE.
layer_blob() {
	local dir=$1 cache=$2
	if [[ -f $cache/meta && $(state_get "$cache/meta" source) != "$(stat -c %i "$dir")" ]]; then
		rm -rf "$cache"
	fi
	[[ -f $cache/meta ]] || write_layer_blob "$@"
	state_read "$cache/meta"
	BLOB_FILE=$cache/blob BLOB_DIGEST=${STATE[digest]} BLOB_DIFFID=${STATE[diffid]} BLOB_SIZE=${STATE[size]}
}

# put_blob LAYOUT FILE DIGEST: FILE into the layout as blobs/sha256/<hex>
# (a hard link when on the same file system).
put_blob() {
	local to=$1/blobs/sha256/${3#sha256:}
	[[ -e $to ]] || ln -- "$2" "$to" 2>/dev/null || cp -- "$2" "$to"
}

# put_json LAYOUT JSON: a JSON blob; its digest into JSON_DIGEST, size JSON_SIZE.
put_json() {
	local hex
	hex=$(printf '%s' "$2" | sha256sum | cut -c1-64)
	printf '%s' "$2" >"$1/blobs/sha256/$hex"
	JSON_DIGEST=sha256:$hex JSON_SIZE=$(stat -c %s "$1/blobs/sha256/$hex")
}

# json_array WORD...: the words as a JSON array of strings.
json_array() {
	jq -cn '$ARGS.positional' --args -- "$@"
}

# image_config_json CREATED DIFFID...: the OCI config of the image in STATE.
image_config_json() {
	local created=$1
	shift
	local env cmd entry expose
	words_of "${STATE[env]:-}"
	env=("${WORDS[@]}")
	# Docker's images carry PATH; without one, crun and podman run the
	# command with none at all
	[[ " ${env[*]%%=*} " == *" PATH "* ]] ||
		env=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "${env[@]}")
	words_of "${STATE[cmd]:-}"
	cmd=("${WORDS[@]}")
	words_of "${STATE[entrypoint]:-}"
	entry=("${WORDS[@]}")
	read -r -a expose <<<"${STATE[expose]:-}"
	jq -cn --arg created "$(date -u -d "@$created" +%Y-%m-%dT%H:%M:%SZ)" --arg arch "$(oci_arch)" \
		--arg workdir "${STATE[workdir]:-}" --arg user "${STATE[user]:-}" \
		--argjson env "$(json_array "${env[@]}")" \
		--argjson cmd "$(json_array "${cmd[@]}")" \
		--argjson entry "$(json_array "${entry[@]}")" \
		--argjson expose "$(json_array "${expose[@]}")" \
		--argjson diffids "$(json_array "$@")" '
		{created: $created, architecture: $arch, os: "linux",
		 config: ({Env: $env}
			+ (if $workdir != "" then {WorkingDir: $workdir} else {} end)
			+ (if $user != "" then {User: $user} else {} end)
			+ (if ($cmd | length) > 0 then {Cmd: $cmd} else {} end)
			+ (if ($entry | length) > 0 then {Entrypoint: $entry} else {} end)
			+ (if ($expose | length) > 0 then {ExposedPorts: ($expose | map({(.): {}}) | add)} else {} end)),
		 rootfs: {type: "layers", diff_ids: $diffids}}'
}

# parse_io_option CMD OPTION_SHORT OPTION_LONG ARG...: the file after -o/-i
# into IO_FILE, the other words into IO_ARGS.
parse_io_option() {
	local what=$1 short=$2 long=$3
	shift 3
	IO_FILE="" IO_ARGS=()
	while (($#)); do
		case $1 in
		"$short" | "$long")
			(($# >= 2)) || die "$what: $1 needs a file name: see '$DL_PROG $what -h'"
			IO_FILE=$2
			shift 2
			;;
		"$long"=*) IO_FILE=${1#*=} && shift ;;
		-*) die "$what: unknown option '$(shown "$1")': see '$DL_PROG $what -h'" ;;
		*) IO_ARGS+=("$1") && shift ;;
		esac
	done
}

cmd_save() {
	parse_io_option save -o --output "$@"
	if ((${#IO_ARGS[@]} != 1)) || [[ -z $IO_FILE ]]; then
		die "usage: save <image> -o FILE.tar"
	fi
	local image=${IO_ARGS[0]} out=$IO_FILE
	validate_name image "$image"
	image_exists "$image" || die "no image named '$image': see 'conductor.sh images'"
	[[ -d $(dirname -- "$out") && ! -d $out ]] ||
		die "save: cannot write '$(shown "$out")': give a file in an existing directory"
	ensure_state_dirs
	hold_build_lock
	image_lowerdirs "$image"
	local base=${STATE[base]} keys=() key created=${STATE[created]:-$EPOCHSECONDS}
	read -r -a keys <<<"${STATE[layers]:-}"
	local -A image_state=()
	for key in "${!STATE[@]}"; do image_state[$key]=${STATE[$key]}; done

	local layout
	layout=$(mktemp -d "$CACHEDIR/.tmp-save.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $layout is local
	trap "rm -rf -- $(printf '%q' "$layout") $(printf '%q' "$out.tmp$$")" EXIT
	mkdir -p "$layout/blobs/sha256"
	local diffids=() layers=()
	if [[ $base != "$OCI_EMPTY_BASE" ]]; then
		layer_blob "$BASEDIR/$base" "$BASEDIR/.$base.oci" base
		put_blob "$layout" "$BLOB_FILE" "$BLOB_DIGEST"
		diffids+=("$BLOB_DIFFID") layers+=("$BLOB_DIGEST" "$BLOB_SIZE")
	fi
	for key in "${keys[@]}"; do
		layer_blob "$LAYERDIR/$key/diff" "$LAYERDIR/$key/oci"
		put_blob "$layout" "$BLOB_FILE" "$BLOB_DIGEST"
		diffids+=("$BLOB_DIFFID") layers+=("$BLOB_DIGEST" "$BLOB_SIZE")
	done

	STATE=()
	for key in "${!image_state[@]}"; do STATE["$key"]=${image_state["$key"]}; done
	put_json "$layout" "$(image_config_json "$created" "${diffids[@]}")"
	local config_digest=$JSON_DIGEST config_size=$JSON_SIZE
	put_json "$layout" "$(jq -cn --arg mt "$OCI_MT_MANIFEST" --arg cmt "$OCI_MT_CONFIG" --arg lmt "$OCI_MT_LAYER" \
		--arg cd "$config_digest" --argjson cs "$config_size" \
		--argjson layers "$(json_array "${layers[@]}")" '
		{schemaVersion: 2, mediaType: $mt,
		 config: {mediaType: $cmt, digest: $cd, size: $cs},
		 layers: [range(0; $layers | length; 2) as $i
			| {mediaType: $lmt, digest: $layers[$i], size: ($layers[$i + 1] | tonumber)}]}')"
	jq -cn --arg mt "$OCI_MT_MANIFEST" --arg d "$JSON_DIGEST" --argjson s "$JSON_SIZE" --arg name "$image" '
		{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		 manifests: [{mediaType: $mt, digest: $d, size: $s,
			annotations: {"org.opencontainers.image.ref.name": $name}}]}' >"$layout/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
	tar -c -f "$out.tmp$$" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=posix \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-C "$layout" oci-layout index.json blobs || die "save: cannot write $(shown "$out")"
	mv -f -- "$out.tmp$$" "$out"
	rm -rf -- "$layout"
	trap - EXIT
	echo "Saved image $image to $out: ${#diffids[@]} layer(s), manifest $JSON_DIGEST"
}

# ---- load ---------------------------------------------------------------------

# The bound of OCI_LOAD_MAX_MB, in bytes.
oci_max_bytes() {
	[[ $OCI_LOAD_MAX_MB =~ ^[1-9][0-9]{0,6}$ ]] ||
		die "OCI_LOAD_MAX_MB='$(shown "$OCI_LOAD_MAX_MB")' is not a number of MiB (1 to 9999999): fix config.sh or the environment"
	OCI_MAX_BYTES=$((OCI_LOAD_MAX_MB << 20))
}

# A line of `tar -tv --numeric-owner --full-time --quoting-style=c`: type,
# size (or major,minor), name, and a symlink's (" -> ") or hard link's
# (" link to ") target, each C-quoted, so no name can fake the layout.
TAR_LINE='^(.)[^ ]* +[0-9]+/[0-9]+ +([0-9]+|[0-9]+,[0-9]+) +[^ ]+ [^ ]+ +"(([^"\\]|\\.)*)"(( -> | link to )"(([^"\\]|\\.)*)")?$'

# tar_list FILE [DECOMPRESS]: the listing of an archive, names as they are
# (-P: a leading "/" is shown, not stripped).
tar_list() {
	tar -t -v -P --numeric-owner --full-time --quoting-style=c ${2:+"$2"} -f "$1"
}

# path_escapes PATH: PATH (relative to a root) is absolute or leaves the
# root through "..", read lexically.
path_escapes() {
	local part depth=0 parts
	[[ $1 != /* ]] || return 0
	IFS=/ read -r -a parts <<<"$1"
	for part in "${parts[@]}"; do
		case $part in
		"" | .) ;;
		..) ((--depth >= 0)) || return 0 ;;
		*) depth=$((depth + 1)) ;;
		esac
	done
	return 1
}

# check_outer_listing FILE: the archive holds the OCI layout only (regular
# files and directories by their fixed names), within the bound.
check_outer_listing() {
	local line total=0 name
	local names='^(\./)?(oci-layout|index\.json|blobs/?|blobs/sha256/?|blobs/sha256/[0-9a-f]{64})$'
	while IFS= read -r line; do
		[[ $line =~ $TAR_LINE ]] || load_refuse "an entry tar cannot list plainly: $line"
		name=${BASH_REMATCH[3]}
		total=$((total + BASH_REMATCH[2]))
		[[ ${BASH_REMATCH[1]} == [-d] && $name =~ $names ]] ||
			load_refuse "'$(shown "$name")' is not part of an OCI image layout (oci-layout, index.json, blobs/sha256/<hex>)"
		((total <= OCI_MAX_BYTES)) || load_refuse "its files are larger than OCI_LOAD_MAX_MB=$OCI_LOAD_MAX_MB MiB"
	done < <(tar_list "$1" || echo "unreadable")
}

# check_layer_listing BLOB DECOMPRESS: every member of a layer stays in the
# layer: no absolute or ".." path, no relative symlink out of it, no hard
# link to outside, no member below a symlink of the layer (extraction
# would follow it), no devices; the total within the bound. Prints the
# whiteouts' paths (".wh." entries) for extract_layer, NUL-separated.
check_layer_listing() {
	local blob=$1 z=$2 line kind name target size dir total=0 depth
	local -A links=()
	local names=()
	while IFS= read -r line; do
		[[ $line =~ $TAR_LINE ]] || load_refuse "a layer has an entry tar cannot list plainly: $line"
		kind=${BASH_REMATCH[1]} size=${BASH_REMATCH[2]} name=${BASH_REMATCH[3]} target=${BASH_REMATCH[7]}
		# (umoci names the layer's root "/")
		[[ $kind$name == d/ ]] && name=.
		path_escapes "$name" && load_refuse "a layer's member '$(shown "$name")' is absolute or leaves the layer with '..'"
		# tar's C quoting escapes only unprintable bytes, '"' and '\\': a "/"
		# or "." is itself in both forms, so the checks above hold for both
		printf -v name '%b' "$name"
		printf -v target '%b' "$target"
		name=${name#./}
		name=${name%/}
		case $kind in
		- | d | p) ;;
		l)
			dir=.
			[[ $name != */* ]] || dir=${name%/*}
			[[ $target == /* ]] || ! path_escapes "$dir/$target" ||
				load_refuse "a layer's symlink '$(shown "$name")' points out of the layer ('$(shown "$target")')"
			links[$name]=1
			;;
		h)
			path_escapes "$target" && load_refuse "a layer's hard link '$(shown "$name")' points out of the layer"
			;;
		*) load_refuse "a layer's member '$(shown "$name")' is a device or special file (type $kind): only files, directories, links and fifos are allowed" ;;
		esac
		[[ $kind != - ]] || total=$((total + size))
		((total <= OCI_MAX_BYTES)) || load_refuse "a layer is larger than OCI_LOAD_MAX_MB=$OCI_LOAD_MAX_MB MiB unpacked"
		names+=("$name")
		[[ ${name##*/} != .wh.* ]] || printf '%s\0' "$name"
	done < <(tar_list "$blob" "$z" 2>/dev/null || echo "unreadable")
	# a member whose parent directory is a symlink of the layer
	((${#links[@]})) || return 0
	for name in "${names[@]}"; do
		depth=$name
		while [[ $depth == */* ]]; do
			depth=${depth%/*}
			[[ -z ${links[$depth]:-} ]] ||
				load_refuse "a layer's member '$(shown "$name")' lies below its symlink '$(shown "$depth")'"
		done
	done
}

# check_diff_id BLOB DECOMPRESS DIFFID: the uncompressed layer is what the
# config says (its diff_id): the config names the layers it describes.
check_diff_id() {
	local sum
	if [[ -n $2 ]]; then
		sum=$(gzip -dc <"$1" | sha256sum | cut -c1-64)
	else
		sum=$(sha256sum <"$1" | cut -c1-64)
	fi
	[[ sha256:$sum == "$3" ]] || load_refuse "a layer's content does not match its diff_id $3 in the config"
}

# load_refuse MESSAGE: refuse the archive (what load made is removed by its
# EXIT trap).
load_refuse() {
	die "$LOAD_WHAT: refused $LOAD_FILE: $*"
}

# blob_path LAYOUT DIGEST: the verified blob of DIGEST into BLOB (each
# blob's sha256 is computed once).
declare -gA BLOB_OK=()
blob_path() {
	[[ $2 =~ ^sha256:([0-9a-f]{64})$ ]] || load_refuse "'$(shown "$2")' is not a sha256 digest"
	BLOB=$1/blobs/sha256/${BASH_REMATCH[1]}
	[[ -f $BLOB ]] || load_refuse "the blob $2 is missing"
	if [[ -z ${BLOB_OK[$2]:-} ]]; then
		[[ $(sha256sum <"$BLOB" | cut -c1-64) == "${BASH_REMATCH[1]}" ]] ||
			load_refuse "the blob $2 does not match its digest (damaged or tampered with)"
		BLOB_OK[$2]=1
	fi
}

# verify_json LAYOUT DIGEST: the blob of DIGEST is verified and a JSON
# object. In this shell, not in $(...): a refusal there would end only the
# subshell.
verify_json() {
	blob_path "$1" "$2"
	jq -e 'type == "object"' "$BLOB" >/dev/null 2>&1 || load_refuse "the blob $2 is not the JSON object expected"
}

# json_of LAYOUT DIGEST FILTER...: jq FILTER over a blob verify_json
# checked; false (and nothing printed) when the filter fails on it.
json_of() {
	blob_path "$1" "$2"
	jq -r "${@:3}" "$BLOB" 2>/dev/null
}

# decompressor MEDIATYPE: tar's option for a layer of that type.
decompressor() {
	case $1 in
	*.tar+gzip | *.tar.gzip | *.tar.gz) DECOMPRESS=-z ;;
	*.tar) DECOMPRESS="" ;;
	*) load_refuse "a layer of type '$(shown "$1")': gzip or plain tar layers only" ;;
	esac
}

# stored_layer DIGEST: the cached layer or base whose blob has DIGEST
# (saved from it or loaded before) into STORED_KIND (base|layer) and
# STORED_NAME; false when there is none.
stored_layer() {
	local meta
	meta=$(grep -lx -F "digest=$1" -- "$BASEDIR"/.*.oci/meta "$LAYERDIR"/*/oci/meta 2>/dev/null | head -n 1) || true
	[[ -n $meta ]] || return 1
	meta=${meta%/meta}
	if [[ $meta == "$BASEDIR"/* ]]; then
		STORED_KIND=base STORED_NAME=${meta#"$BASEDIR"/.}
		STORED_NAME=${STORED_NAME%.oci}
		[[ -d $BASEDIR/$STORED_NAME ]]
	else
		STORED_KIND=layer STORED_NAME=${meta%/oci}
		STORED_NAME=${STORED_NAME##*/}
		[[ -d $LAYERDIR/$STORED_NAME/diff ]]
	fi
}

# extract_layer BLOB DECOMPRESS DIR WHITEOUTS: the layer into DIR/diff,
# OCI whiteouts turned into overlayfs's (a 0/0 character device; the
# opaque xattr), and the verified blob kept in DIR/oci.
extract_layer() {
	local blob=$1 z=$2 dir=$3 wh=$4 name parent opaques=()
	mkdir -p "$dir/diff" "$dir/oci"
	tar -x -p --numeric-owner --same-owner ${z:+"$z"} -f "$blob" -C "$dir/diff" \
		--exclude='.wh.*' --exclude='*/.wh.*' ||
		load_refuse "a layer does not unpack"
	while IFS= read -r -d '' name; do
		parent=.
		[[ $name != */* ]] || parent=${name%/*}
		mkdir -p "$dir/diff/$parent"
		if [[ ${name##*/} == .wh..wh..opq ]]; then
			opaques+=("$parent")
		else
			mknod "$dir/diff/$parent/${name##*/.wh.}" c 0 0
		fi
	done <"$wh"
	# the opaque xattr, set by tar itself from a pax header (no setfattr
	# needed): a tar of those directories alone, extracted over them
	if ((${#opaques[@]})); then
		tar -c -f - --format=posix --no-recursion --pax-option='SCHILY.xattr.trusted.overlay.opaque:=y' \
			-C "$dir/diff" -- "${opaques[@]}" |
			tar -x -p -f - --xattrs --xattrs-include=trusted.overlay.opaque -C "$dir/diff" ||
			load_refuse "cannot mark the opaque directories of a layer"
	fi
}

# image_from_config LAYOUT DIGEST: the image configuration into IMG_* (as
# build leaves it for save_image), Docker's names to ours.
image_from_config() {
	local line
	config_reset
	while IFS= read -r -d '' line; do IMG_ENV+=("$line"); done < <(json_of "$1" "$2" -j '.config.Env // [] | .[] | "\(.)\u0000"')
	while IFS= read -r -d '' line; do IMG_CMD+=("$line"); done < <(json_of "$1" "$2" -j '.config.Cmd // [] | .[] | "\(.)\u0000"')
	while IFS= read -r -d '' line; do IMG_ENTRY+=("$line"); done < <(json_of "$1" "$2" -j '.config.Entrypoint // [] | .[] | "\(.)\u0000"')
	# shellcheck disable=SC2034 # read by images.sh's save_image
	((${#IMG_ENTRY[@]} == 0)) || IMG_ENTRY_FORM="exec"
	IMG_WORKDIR=$(json_of "$1" "$2" '.config.WorkingDir // ""')
	IMG_USER=$(json_of "$1" "$2" '.config.User // ""')
	# shellcheck disable=SC2034 # read by images.sh's save_image
	read -r -a IMG_EXPOSE <<<"$(json_of "$1" "$2" '.config.ExposedPorts // {} | keys | join(" ")')"
	[[ $IMG_WORKDIR != *$'\n'* && $IMG_USER != *[[:space:]]* && ${IMG_ENV[*]} != *$'\n'* ]] ||
		load_refuse "its configuration has a line break in WorkingDir, User or Env"
}

# oci_import FILE IMAGE [named]: the layers of the OCI archive FILE into the cache
# (what is stored already reused), after checking all of it: OCI_BASE and
# OCI_KEYS, the image's configuration into IMG_*, its manifest's digest
# into OCI_MANIFEST, the archive's name for it into OCI_REF_NAME. IMAGE
# picks the manifest when the archive has several; "named": without IMAGE,
# the archive's name must do as a name here. Dies (LOAD_WHAT says
# who) leaving nothing, when anything is wrong. Holds the build lock.
oci_import() {
	LOAD_FILE=$1
	local image=$2
	[[ -f $LOAD_FILE && -r $LOAD_FILE ]] || die "$LOAD_WHAT: cannot read '$(shown "$LOAD_FILE")': give an OCI archive (conductor.sh save, skopeo copy ... oci-archive:FILE)"
	oci_max_bytes
	(($(stat -c %s -- "$LOAD_FILE") <= OCI_MAX_BYTES)) ||
		load_refuse "it is larger than OCI_LOAD_MAX_MB=$OCI_LOAD_MAX_MB MiB (raise it in config.sh if you trust it)"
	check_outer_listing "$LOAD_FILE"
	ensure_state_dirs
	hold_build_lock
	local tmp layout
	tmp=$(mktemp -d "$LAYERDIR/.tmp-load.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $tmp is local
	trap "remove_tree $(printf '%q' "$tmp")" EXIT
	layout=$tmp/layout
	mkdir "$layout"
	tar -x -f "$LOAD_FILE" -C "$layout" --no-same-owner --no-same-permissions ||
		load_refuse "it does not unpack"
	[[ $(jq -r '.imageLayoutVersion' "$layout/oci-layout" 2>/dev/null) == 1.0.0 ]] ||
		load_refuse "it has no oci-layout file of version 1.0.0: not an OCI image layout"

	# the manifest: the only one, or the one named as the image
	local manifests manifest
	manifests=$(jq -r --arg name "$image" '[.manifests[]? | select(.mediaType == null or (.mediaType | endswith("manifest.v1+json")))]
		| (if length > 1 and $name != "" then map(select(.annotations["org.opencontainers.image.ref.name"] == $name)) else . end)
		| map("\(.digest)\t\(.annotations["org.opencontainers.image.ref.name"] // "")") | .[]' "$layout/index.json" 2>/dev/null) ||
		load_refuse "its index.json is not an OCI index"
	[[ -n $manifests ]] || load_refuse "its index.json lists no image manifest${image:+ named $image}"
	[[ $manifests != *$'\n'* ]] || load_refuse "it holds several images: name the one to load (load -i FILE <ref name>)"
	manifest=${manifests%%$'\t'*}
	# shellcheck disable=SC2034 # for build's FROM oci-archive: (images.sh)
	OCI_MANIFEST=$manifest
	OCI_REF_NAME=${manifests#*$'\t'}
	if [[ -z $image && -n ${3:-} ]]; then
		[[ -n $OCI_REF_NAME ]] || load_refuse "its image has no name (no org.opencontainers.image.ref.name): give one (load -i FILE <image>)"
		[[ $OCI_REF_NAME =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$ ]] ||
			load_refuse "its image is named '$(shown "$OCI_REF_NAME")', not a name for an image here: give one (load -i FILE <image>)"
	fi

	# every blob verified and every layer's listing checked before anything
	# is extracted
	local config digests=() types=() diffids=() i
	verify_json "$layout" "$manifest"
	config=$(json_of "$layout" "$manifest" '.config.digest') || load_refuse "its manifest names no config"
	verify_json "$layout" "$config"
	mapfile -t digests < <(json_of "$layout" "$manifest" '.layers[].digest')
	mapfile -t types < <(json_of "$layout" "$manifest" '.layers[].mediaType')
	mapfile -t diffids < <(json_of "$layout" "$config" '.rootfs.diff_ids[]')
	((${#digests[@]} && ${#digests[@]} == ${#diffids[@]} && ${#digests[@]} == ${#types[@]})) ||
		load_refuse "its config lists ${#diffids[@]} layer(s), its manifest ${#digests[@]} (with ${#types[@]} media types)"
	image_from_config "$layout" "$config"
	# stored[i]: the base (only as the first layer) or layer with that blob
	local stored=()
	for i in "${!digests[@]}"; do
		blob_path "$layout" "${digests[i]}"
		if stored_layer "${digests[i]}" && [[ $STORED_KIND == layer || $i == 0 ]]; then
			stored[i]=$STORED_KIND:$STORED_NAME
			continue
		fi
		decompressor "${types[i]}"
		check_layer_listing "$BLOB" "$DECOMPRESS" >"$tmp/wh$i"
		check_diff_id "$BLOB" "$DECOMPRESS" "${diffids[i]}"
	done
	# the layers, into ".tmp-load" until all are there, then published
	local key
	OCI_BASE=$OCI_EMPTY_BASE OCI_KEYS=()
	for i in "${!digests[@]}"; do
		case ${stored[i]:-} in
		base:*) OCI_BASE=${stored[i]#base:} && continue ;;
		layer:*) OCI_KEYS+=("${stored[i]#layer:}") && continue ;;
		esac
		blob_path "$layout" "${digests[i]}"
		decompressor "${types[i]}"
		key=oci-${digests[i]#sha256:}
		extract_layer "$BLOB" "$DECOMPRESS" "$tmp/$key" "$tmp/wh$i"
		ln -- "$BLOB" "$tmp/$key/oci/blob"
		printf 'digest=%s\ndiffid=%s\nsize=%s\nsource=%s\n' "${digests[i]}" "${diffids[i]}" \
			"$(stat -c %s "$BLOB")" "$(stat -c %i "$tmp/$key/diff")" >"$tmp/$key/oci/meta"
		OCI_KEYS+=("$key")
	done
	[[ $OCI_BASE != "$OCI_EMPTY_BASE" ]] || mkdir -p "$BASEDIR/$OCI_EMPTY_BASE"
	for key in "${OCI_KEYS[@]}"; do
		[[ -d $tmp/$key ]] || continue
		mv -T "$tmp/$key" "$LAYERDIR/$key" 2>/dev/null || layer_exists "$key" ||
			die "cannot store the layer $key in $LAYERDIR"
	done
	remove_tree "$tmp"
	trap - EXIT
}

cmd_load() {
	parse_io_option load -i --input "$@"
	if ((${#IO_ARGS[@]} > 1)) || [[ -z $IO_FILE ]]; then
		die "usage: load -i FILE.tar [image]"
	fi
	local image=${IO_ARGS[0]:-}
	[[ -z $image ]] || validate_name image "$image"
	LOAD_WHAT=load
	oci_import "$IO_FILE" "$image" named
	image=${image:-$OCI_REF_NAME}
	save_image "$image" "$OCI_BASE" "${OCI_KEYS[@]}"
	local n=$((${#OCI_KEYS[@]} + 1)) plural=s
	[[ $OCI_BASE != "$OCI_EMPTY_BASE" ]] || n=${#OCI_KEYS[@]}
	((n != 1)) || plural=""
	echo "Loaded image $image: $n layer$plural (on the base $OCI_BASE)"
}

# ---- export, import: a container's files as a plain tarball ---------------------

help_export() {
	cat <<'HELP'
Usage: conductor.sh export <container> -o FILE.tar

Write the files of a running container, as its processes see them (its
image's layers and what it changed, flattened), as a plain tar (Docker's
export: no layers, no configuration). /proc, /sys and /dev hold the
kernel's files, not the container's: only the directories are kept.
'conductor.sh import FILE.tar <image>' makes an image of it again.
  -o, --output FILE   the tarball to write (replaced when it exists)
HELP
}

help_import() {
	cat <<'HELP'
Usage: conductor.sh import FILE.tar <image>

Make an image of one layer from a plain tarball of a root file system (as
'conductor.sh export' or 'docker export' write it, gzipped or not). It is
checked as load checks a layer (see 'conductor.sh load -h') before anything
is extracted. The image has no configuration: its command is /bin/bash.
HELP
}

cmd_export() {
	parse_io_option export -o --output "$@"
	if ((${#IO_ARGS[@]} != 1)) || [[ -z $IO_FILE ]]; then
		die "usage: export <container> -o FILE.tar"
	fi
	local name=${IO_ARGS[0]} out=$IO_FILE root
	validate_name container "$name"
	[[ -d $(dirname -- "$out") && ! -d $out ]] ||
		die "export: cannot write '$(shown "$out")': give a file in an existing directory"
	container_alive "$name" ||
		die "no running container named '$name': export reads a running container's files (see 'conductor.sh ps')"
	root=$CONTAINERDIR/$name/rootfs
	mounts_under "$root"
	((${#MOUNTS[@]})) || die "container '$name' has no root mounted at $root: is it still starting?"
	# The container's root as the host sees it: its overlay alone (what the
	# container mounts on it is in its own mount namespace). GNU tar never
	# follows a symlink of it: it stores links as links and walks each
	# directory from the one above (openat, O_NOFOLLOW), so a link the
	# container swaps in meanwhile leads nowhere on the host.
	# shellcheck disable=SC2064 # expand now
	trap "rm -f -- $(printf '%q' "$out.tmp$$")" EXIT
	tar -c -f "$out.tmp$$" --numeric-owner --sort=name --format=posix --one-file-system \
		"--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime" \
		--anchored --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -C "$root" . ||
		die "export: cannot read the files of '$name'"
	mv -f -- "$out.tmp$$" "$out"
	trap - EXIT
	echo "Exported container $name to $out"
}

cmd_import() {
	(($# == 2)) || die "usage: import FILE.tar <image>"
	local file=$1 image=$2 z="" sum key tmp
	validate_name image "$image"
	LOAD_WHAT=import LOAD_FILE=$file
	[[ -f $file && -r $file ]] || die "import: cannot read '$(shown "$file")': give a tarball (conductor.sh export, docker export)"
	oci_max_bytes
	(($(stat -c %s -- "$file") <= OCI_MAX_BYTES)) ||
		load_refuse "it is larger than OCI_LOAD_MAX_MB=$OCI_LOAD_MAX_MB MiB (raise it in config.sh if you trust it)"
	[[ $(head -c 2 -- "$file" | od -An -tx1) != " 1f 8b" ]] || z=-z
	ensure_state_dirs
	hold_build_lock
	tmp=$(mktemp -d "$LAYERDIR/.tmp-import.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $tmp is local
	trap "remove_tree $(printf '%q' "$tmp")" EXIT
	check_layer_listing "$file" "$z" >"$tmp/wh"
	# one layer per tarball: the same tarball imported twice is stored once
	sum=$(sha256sum <"$file" | cut -c1-64)
	key=import-$sum
	if ! layer_exists "$key"; then
		extract_layer "$file" "$z" "$tmp/$key" "$tmp/wh"
		rm -rf -- "$tmp/$key/oci"
		mkdir -p "$BASEDIR/$OCI_EMPTY_BASE"
		mv -T "$tmp/$key" "$LAYERDIR/$key" 2>/dev/null || layer_exists "$key" ||
			die "cannot store the layer $key in $LAYERDIR"
	fi
	config_reset
	save_image "$image" "$OCI_EMPTY_BASE" "$key"
	remove_tree "$tmp"
	trap - EXIT
	echo "Imported $file as image $image (one layer, ${key:0:19})"
}
