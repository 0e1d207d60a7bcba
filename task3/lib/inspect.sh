# inspect.sh - inspect: one container's state, or one image's configuration,
# as JSON, or one field of it.
# shellcheck shell=bash
#
# The one interface to a container's state for scripts, tests and the
# orchestrator: the state file's keys are private (containers.sh and
# network.sh own them and may change them), the ps table is for people.
# Read from the state file and /proc only, with no lock: state files are
# replaced whole by a rename, so a reader never sees half of one.

# what it uses of other libs: an image's command and the state's printf %q
# words (imageconfig.sh)
# shellcheck source=imageconfig.sh
source "$CONDUCTOR_DIR/lib/imageconfig.sh"

# The fields, in the order they are printed (help_inspect describes them).
INSPECT_FIELDS=(name image status pid starttime exit_code created command hostname rootfs log
	ip gateway veth ports internet peers limits volumes cgroups monitor_pid)
# An image's fields (inspect of an image).
IMAGE_INSPECT_FIELDS=(name created base layers env workdir user entrypoint cmd expose command)

help_inspect() {
	cat <<'HELP'
Usage: conductor.sh inspect [-f|--format KEY] [--type container|image] <name>

Print a container's state, or an image's configuration, as one JSON object
(jq reads it). <name> is a container; when no container has that name, an
image (--type says which one is meant). A container's fields:
  name, image       the container and the image it was made from
  status            "running", "paused" (running, frozen by pause), "exited"
                    (its command ended) or "created"
  pid, starttime    its init's host PID and start time (field 22 of
                    /proc/PID/stat): numbers while it runs, else null
  exit_code         its command's exit code once it has exited, else null
  created           when it was made: ISO 8601 in UTC ("2026-11-26T16:05:00Z")
  command           the command, an array of its words
  hostname          its host name (its name)
  rootfs, log       its root's mount point and its log file on the host
                    (log: null when there is none)
  ip, gateway, veth its address, the host side's address and interface
                    (null until addnetwork)
  ports             exposed ports: ["HOST:CONTAINER", ...] for TCP,
                    "HOST:CONTAINER/udp" for UDP
  internet          true when connected with --internet (null: no network)
  peers             names of the containers it may reach
  limits            {"cpus", "memory", "pids", "io"} as given to run (null:
                    none; io: its I/O options and values, in pairs)
  volumes           ["HOST:CONTAINER[:ro]", ...] as given to run -v
  cgroups           its cgroup directories
  monitor_pid       the dl-run waiting for its init (null when none)
-f KEY prints that field alone ("{{.KEY}}" as Docker writes it works too):
a string as it is, a number or true/false as in JSON, an array one element
per line, limits as JSON; null or an empty array print an empty line.
An unknown field is an error (exit 125). Example:
  conductor.sh inspect -f ip c1
An image's fields:
  name, created     the image and when it was built (ISO 8601, UTC)
  base, layers      its base and its layers' keys, bottom to top
  env               ENV: ["KEY=VALUE", ...]
  workdir, user     WORKDIR and USER (null: none, i.e. / and root)
  entrypoint, cmd   ENTRYPOINT and CMD as arrays (a shell form as
                    ["/bin/sh", "-c", "line"]; null: none)
  expose            EXPOSE: ["8080/tcp", ...]
  command           what 'run <image> <name>' runs with no command given
HELP
}

# json_string TEXT: set JSON to TEXT as a JSON string: quoted, with the
# backslash, the quote and every control character escaped, as RFC 8259
# requires (a command or a path may hold any of them).
json_string() {
	local s=$1 out="" head code
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	while [[ $s == *[[:cntrl:]]* ]]; do
		head=${s%%[[:cntrl:]]*}
		s=${s:${#head}}
		printf -v code '\\u%04x' "'${s:0:1}"
		out+=$head$code
		s=${s:1}
	done
	JSON="\"$out$s\""
}

# ---- building the object: each field as JSON and as -f prints it ---------

declare -gA INSPECT_JSON=() INSPECT_TEXT=()

inspect_put() {
	INSPECT_JSON[$1]=$2
	INSPECT_TEXT[$1]=$3
}

# A string; null when empty.
put_string() {
	if [[ -z $2 ]]; then
		inspect_put "$1" null ""
	else
		json_string "$2"
		inspect_put "$1" "$JSON" "$2"
	fi
}

# A whole number; null when empty. Anything else would make invalid JSON:
# refused.
put_number() {
	if [[ -z $2 ]]; then
		inspect_put "$1" null ""
	elif [[ $2 =~ ^-?(0|[1-9][0-9]*)$ ]]; then
		inspect_put "$1" "$2" "$2"
	else
		die "the state of this container is damaged: $1 is '$(shown "$2")', not a number"
	fi
}

# put_list KEY WORD...: an array of strings.
put_list() {
	local key=$1 word json="" text=""
	shift
	for word; do
		json_string "$word"
		json+=${json:+, }$JSON
		text+=${text:+$'\n'}$word
	done
	inspect_put "$key" "[$json]" "$text"
}

# The command, which run records as printf %q words: eval undoes that
# quoting. The value is the tool's own record, written by run in the
# root-owned state directory, so this evaluates nothing a user typed raw.
put_command() {
	local words=()
	eval "words=(${STATE[cmd]:-})"
	put_list command "${words[@]}"
}

# The limits as given to run; "io": its I/O options as pairs
# ["--device-read-bps", "DEV:RATE", ...] (the state's printf %q words, as
# put_command reads them), null without any.
put_limits() {
	local key json="" words=() word io=""
	if [[ -z ${STATE[cpus]:-}${STATE[memory]:-}${STATE[pids]:-}${STATE[io]:-} ]]; then
		inspect_put limits null ""
		return 0
	fi
	for key in cpus memory pids; do
		if [[ -n ${STATE[$key]:-} ]]; then json_string "${STATE[$key]}"; else JSON=null; fi
		json+="${json:+, }\"$key\": $JSON"
	done
	eval "words=(${STATE[io]:-})"
	for word in "${words[@]}"; do
		json_string "$word"
		io+=${io:+, }$JSON
	done
	json+=", \"io\": ${io:+[$io]}"
	[[ -n $io ]] || json+=null
	inspect_put limits "{$json}" "{$json}"
}

# The network keys, as network.sh writes them ("ip" last: complete).
put_network() {
	local words=() ip=${STATE[ip]:-}
	put_string ip "$ip"
	put_string gateway "${STATE[gateway]:-}"
	put_string veth "${STATE[veth]:-}"
	read -r -a words <<<"${STATE[ports]:-}"
	put_list ports "${words[@]}"
	if [[ -z $ip ]]; then
		inspect_put internet null ""
	elif [[ ${STATE[internet]:-0} == 1 ]]; then
		inspect_put internet true true
	else
		inspect_put internet false false
	fi
	read -r -a words <<<"${STATE[peers]:-}"
	put_list peers "${words[@]}"
}

# Every cgroup= line (state_read keeps only a key's first line).
put_cgroups() {
	local line dirs=()
	while IFS= read -r line; do
		[[ $line != cgroup=* ]] || dirs+=("${line#cgroup=}")
	done <"$1"
	put_list cgroups "${dirs[@]}"
}

# inspect_collect NAME: every field of INSPECT_FIELDS into INSPECT_JSON
# and INSPECT_TEXT.
inspect_collect() {
	local name=$1 dir=$CONTAINERDIR/$1 created=""
	container_status "$name"
	put_string name "$name"
	put_string image "${STATE[image]:-}"
	put_string status "$CONTAINER_STATUS"
	if [[ $CONTAINER_STATUS == running || $CONTAINER_STATUS == paused ]]; then
		put_number pid "${STATE[pid]}"
		put_number starttime "${STATE[starttime]}"
	else
		put_number pid ""
		put_number starttime ""
	fi
	put_number exit_code "${STATE[exitcode]:-}"
	[[ -z ${STATE[created]:-} ]] || TZ=UTC0 printf -v created '%(%Y-%m-%dT%H:%M:%SZ)T' "${STATE[created]}"
	put_string created "$created"
	put_command
	# run gives every container its name as its host name
	put_string hostname "$name"
	put_string rootfs "$dir/rootfs"
	if [[ -f $dir/log ]]; then put_string log "$dir/log"; else put_string log ""; fi
	put_network
	put_limits
	words_of "${STATE[volumes]:-}"
	# shellcheck disable=SC2153 # WORDS is words_of's result
	put_list volumes "${WORDS[@]}"
	put_cgroups "$dir/state"
	put_number monitor_pid "${STATE[parent]:-}"
}

# put_words KEY RECORD: printf %q words as an array; null when there are none.
# shellcheck disable=SC2153 # WORDS is words_of's result
put_words() {
	words_of "$2"
	if ((${#WORDS[@]})); then put_list "$1" "${WORDS[@]}"; else inspect_put "$1" null ""; fi
}

# image_collect NAME: every field of IMAGE_INSPECT_FIELDS into INSPECT_JSON
# and INSPECT_TEXT.
image_collect() {
	local created="" words=()
	state_read "$IMAGEDIR/$1/image"
	put_string name "$1"
	[[ -z ${STATE[created]:-} ]] || TZ=UTC0 printf -v created '%(%Y-%m-%dT%H:%M:%SZ)T' "${STATE[created]}"
	put_string created "$created"
	put_string base "${STATE[base]:-}"
	read -r -a words <<<"${STATE[layers]:-}"
	put_list layers "${words[@]}"
	words_of "${STATE[env]:-}"
	put_list env "${WORDS[@]}"
	put_string workdir "${STATE[workdir]:-}"
	put_string user "${STATE[user]:-}"
	put_words entrypoint "${STATE[entrypoint]:-}"
	put_words cmd "${STATE[cmd]:-}"
	read -r -a words <<<"${STATE[expose]:-}"
	put_list expose "${words[@]}"
	# shellcheck disable=SC2119 # no arguments: what the image runs by itself
	image_command
	put_list command "${COMMAND[@]}"
}

# inspect_print_json FIELD...: the fields as one JSON object.
inspect_print_json() {
	local key sep=""
	printf '{'
	for key; do
		printf '%s\n  "%s": %s' "$sep" "$key" "${INSPECT_JSON[$key]}"
		sep=,
	done
	printf '\n}\n'
}

cmd_inspect() {
	local field="" type=""
	while (($#)); do
		case $1 in
		-f | --format | --type)
			(($# >= 2)) || die "option $1 needs a value: see 'conductor.sh inspect -h'"
			if [[ $1 == --type ]]; then type=$2; else field=$2; fi
			shift
			;;
		--format=*) field=${1#*=} ;;
		--type=*) type=${1#*=} ;;
		-?*) die "unknown option '$1' for inspect: see 'conductor.sh inspect -h'" ;;
		*) break ;;
		esac
		shift
	done
	(($# == 1)) || die "usage: inspect [-f KEY] [--type container|image] <name>"
	local name=$1 fields=()
	validate_name container "$name"
	case $type in
	"" | container | image) ;;
	*) die "unknown --type '$(shown "$type")': use container or image" ;;
	esac
	# a container first, then an image of that name (Docker's order)
	if [[ $type != image && -f $CONTAINERDIR/$name/state ]]; then
		type=container fields=("${INSPECT_FIELDS[@]}")
	elif [[ $type != container ]] && image_exists "$name"; then
		type=image fields=("${IMAGE_INSPECT_FIELDS[@]}")
	elif [[ $type == image ]]; then
		die "no image named '$name': see 'conductor.sh images'"
	elif [[ $type == container ]]; then
		die "no container named '$name': see 'conductor.sh ps'"
	else
		die "no container named '$name' (nor an image): see 'conductor.sh ps' and 'conductor.sh images'"
	fi
	# Docker's template form of a field: {{.ip}}
	if [[ $field =~ ^\{\{\ *\.([A-Za-z_]+)\ *\}\}$ ]]; then field=${BASH_REMATCH[1]}; fi
	if [[ -n $field && " ${fields[*]} " != *" $field "* ]]; then
		die "unknown field '$(shown "$field")' (for this $type): use one of ${fields[*]}"
	fi
	if [[ $type == image ]]; then image_collect "$name"; else inspect_collect "$name"; fi
	if [[ -z $field ]]; then
		inspect_print_json "${fields[@]}"
	elif [[ -n ${INSPECT_TEXT[$field]} ]]; then
		printf '%s\n' "${INSPECT_TEXT[$field]}"
	else
		echo
	fi
}
