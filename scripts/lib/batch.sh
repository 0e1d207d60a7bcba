# batch.sh - scripts/grade --batch: grade every submission of a directory,
# in parallel, into one gradebook. Source it from scripts/grade; it defines
# functions only and runs scripts/grade itself once per submission.
# shellcheck shell=bash
#
# Each submission is graded by its own scripts/grade process: its own
# scratch tree (mktemp), and under it the tests' own state roots
# (/tmp/dl-test.*, mktemp), cgroup leaves (tagged with the state root's
# hash), network labs (named after their bats process's PID) and task 2c
# cgroups (named after the launcher's PID). So two gradings never share a
# name. What they do share is the machine: see batch_main for --jobs.

# The submissions of directory $1, one a line as "NAME<TAB>PATH": every
# directory and every .tar, .tar.gz or .tgz file (hidden entries are
# skipped; anything else is reported and skipped).
batch_list_submissions() {
	local dir=$1 path name
	local -A seen=()
	shopt -s nullglob
	for path in "$dir"/*; do
		name=${path##*/}
		if [[ -d $path ]]; then
			:
		elif [[ -f $path && $name =~ ^(.+)\.(tar|tar\.gz|tgz)$ ]]; then
			name=${BASH_REMATCH[1]}
		else
			warn "skipping $path: neither a directory nor a .tar, .tar.gz or .tgz file"
			continue
		fi
		[[ $name != *$'\n'* && $name != *$'\t'* ]] || die "$path: a submission's name may not hold a newline or a tab"
		[[ -z ${seen[$name]:-} ]] || die "two submissions are named '$name' (${seen[$name]} and $path): rename one"
		seen[$name]=$path
		printf '%s\t%s\n' "$name" "$path"
	done
	shopt -u nullglob
}

# batch_unpack TARBALL DEST: unpack a submission's tarball into the new
# directory DEST, refusing (before writing anything) members that could
# land outside it: absolute names, ".." components, and anything but plain
# files and directories (a symlink could point outside and be written
# through; the grader takes only plain files anyway). Prints the reason.
batch_unpack() {
	local tarball=$1 dest=$2 names=() kinds=() i
	tar -tf "$tarball" >/dev/null 2>&1 || { echo "not a readable tar archive"; return 1; }
	mapfile -t names < <(tar -tf "$tarball" 2>/dev/null)
	mapfile -t kinds < <(tar -tvf "$tarball" 2>/dev/null | cut -c1)
	((${#names[@]} == ${#kinds[@]})) || { echo "the archive's listing is inconsistent"; return 1; }
	for i in "${!names[@]}"; do
		if [[ ${names[i]} == /* || ${names[i]} =~ (^|/)\.\.(/|$) ]]; then
			echo "member '${names[i]}' would land outside the submission's directory"
			return 1
		fi
		if [[ ${kinds[i]} != - && ${kinds[i]} != d ]]; then
			echo "member '${names[i]}' is a link or a special file (only plain files and directories are graded)"
			return 1
		fi
	done
	mkdir "$dest"
	tar -xf "$tarball" -C "$dest" --no-same-owner --no-same-permissions 2>&1 || return 1
}

# batch_grade_one NAME PATH OUT TASKS...: grade one submission; its report
# is OUT/NAME.txt, its results OUT/NAME.json, and OUT/.NAME.status says how
# it went: the grader's exit status, or "refused REASON" for a tarball that
# could not be unpacked safely.
batch_grade_one() {
	local name=$1 path=$2 out=$3 sub=$2 tmp="" why rc=0
	shift 3
	if [[ -f $path ]]; then
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/dl-batch.XXXXXX")
		# this runs in a background subshell: an interrupted batch removes
		# the unpacked tree too
		trap 'rm -rf --one-file-system "$tmp"' EXIT
		trap 'exit 130' INT TERM
		if ! why=$(batch_unpack "$path" "$tmp/sub"); then
			printf 'grade: %s: not graded: %s\n' "$path" "$why" >"$out/$name.txt"
			printf 'refused %s\n' "$why" >"$out/.$name.status"
			rm -rf --one-file-system "$tmp"
			return 0
		fi
		sub=$tmp/sub
	fi
	"$SCRIPT_DIR/grade" --submission "$sub" --json "$out/$name.json" "$@" >"$out/$name.txt" 2>&1 </dev/null || rc=$?
	printf '%s\n' "$rc" >"$out/.$name.status"
	[[ -z $tmp ]] || rm -rf --one-file-system "$tmp"
}

# batch_stop PID...: stop the gradings (each PID leads its process group)
# and wait for them to clean up.
batch_stop() {
	local pid
	log "interrupted: stopping the gradings"
	for pid in "$@"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	wait
}

# One JSON object per submission, for the gradebook: name, how it went, and
# the grader's results (null when there are none).
batch_record() {
	local name=$1 out=$2 status doc=$2/$1.json
	status=$(<"$out/.$name.status")
	if [[ -s $doc ]] && jq -e . "$doc" >/dev/null 2>&1; then
		jq -c --arg name "$name" --arg status "$status" '{name: $name, status: $status, doc: .}' "$doc"
	else
		jq -nc --arg name "$name" --arg status "$status" '{name: $name, status: $status, doc: null}'
	fi
}

# The gradebook: a header, then one row per submission. Columns: the
# submission, its state (graded, incomplete, build-failed, missing-files,
# refused, grader-failed), the total, each task's total, then each test's
# points; every header names the maximum. A submission without results
# (refused, grader failed) gets zeros.
# shellcheck disable=SC2016 # jq code, not shell
BATCH_CSV_JQ='
def tests_of($doc): [($doc // {tasks: []}).tasks[] as $t | $t.tests[]
	| select(.name | test("^(setup_file|teardown_file) failed$") | not)
	| {key: "\($t.task): \(.name)", points, max}];
def state($r):
	if ($r.status | startswith("refused")) then "refused"
	elif $r.doc == null or ($r.status | IN("0", "1", "2") | not) then "grader-failed"
	else ([$r.doc.tasks[].status | select(. != "graded" and . != "not-available")] | first)
		// (if $r.status == "2" then "incomplete" else "graded" end)
	end;
. as $rows
| ([$rows[] | select(.doc != null) | .doc.tasks[] | {key: "\(.task)", value: .max}] | from_entries) as $taskmax
| ([$rows[] | tests_of(.doc)[]] | reduce .[] as $c ({order: [], max: {}};
	if .max[$c.key] == null then .order += [$c.key] | .max[$c.key] = $c.max else . end)) as $cols
| ($tasks | map(tostring)) as $tasklist
| ([$tasklist[] | $taskmax[.] // 0] | add // 0) as $totalmax
| (["submission", "state", "total (max \($totalmax))"]
	+ [$tasklist[] | "task \(.) (max \($taskmax[.] // 0))"]
	+ [$cols.order[] | "\(.) (max \($cols.max[.]))"]) as $header
| $header, ($rows[] | . as $r
	| (tests_of($r.doc) | map({key, value: .points}) | from_entries) as $pts
	| ([($r.doc // {tasks: []}).tasks[] | {key: "\(.task)", value: .score}] | from_entries) as $ts
	| [$r.name, state($r), ($r.doc.score // 0)]
		+ [$tasklist[] | $ts[.] // 0]
		+ [$cols.order[] | $pts[.] // 0])
| @csv'

# batch_main DIR JOBS OUT TASKS...: grade every submission of DIR, JOBS at
# a time, into OUT (gradebook.csv, NAME.txt, NAME.json). Exit status 0 when
# every submission got its row (whatever the scores), 1 when the grader
# failed on some (their rows are zeros and their reports say why).
batch_main() {
	local dir=$1 jobs=$2 out=$3 name path running=0 failed=0 subs=()
	shift 3
	local tasks=("$@")
	[[ -d $dir ]] || die "no such directory of submissions: $dir"
	command -v jq >/dev/null || die "jq is not installed: run scripts/install-deps (as root)"
	local list
	list=$(batch_list_submissions "$dir")
	[[ -n $list ]] && mapfile -t subs <<<"$list"
	((${#subs[@]})) || die "$dir holds no submissions (directories, or .tar/.tar.gz/.tgz files)"
	if [[ -e $out ]]; then
		[[ -d $out && -z $(ls -A "$out") ]] || die "$out exists and is not empty: choose another --out"
	fi
	mkdir -p "$out" || die "cannot make $out"
	out=$(cd "$out" && pwd)
	((${#tasks[@]})) || mapfile -t tasks < <(all_tasks)
	log "grading ${#subs[@]} submission(s) of $dir, $jobs at a time, into $out"
	# Each grading in a process group of its own (job control): a
	# non-interactive shell's background jobs ignore SIGINT, so Ctrl-C would
	# not stop them; on INT or TERM the batch sends TERM to every group, and
	# each grader cleans up as it does when interrupted alone.
	local line pids=()
	set -m
	trap 'trap - INT TERM; batch_stop "${pids[@]}"; exit 130' INT TERM
	for line in "${subs[@]}"; do
		name=${line%%$'\t'*} path=${line#*$'\t'}
		if ((running >= jobs)); then
			wait -n || true
			running=$((running - 1))
		fi
		batch_grade_one "$name" "$path" "$out" "${tasks[@]}" &
		pids+=("$!")
		running=$((running + 1))
	done
	wait
	trap - INT TERM
	set +m
	local records=() status score
	for line in "${subs[@]}"; do
		name=${line%%$'\t'*}
		if [[ ! -f $out/.$name.status ]]; then
			echo "grader-failed the batch lost this submission's grading" >"$out/.$name.status"
		fi
		status=$(<"$out/.$name.status")
		records+=("$(batch_record "$name" "$out")")
		case $status in
		0 | 1 | 2)
			score=$(jq -r '"\(.score)/\(.max)"' "$out/$name.json" 2>/dev/null) || score="?"
			[[ $status == 2 ]] && score+=" (incomplete: some tests could not run here)"
			echo "$name: $score"
			;;
		refused*) echo "$name: not graded: ${status#refused }" ;;
		*)
			echo "$name: the grader failed (exit status $status): see $out/$name.txt"
			failed=1
			;;
		esac
		rm -f "$out/.$name.status"
	done
	printf '%s\n' "${records[@]}" |
		jq -rs --argjson tasks "$(printf '%s\n' "${tasks[@]}" | jq -s 'map(tonumber)')" "$BATCH_CSV_JQ" \
			>"$out/gradebook.csv" || die "could not write $out/gradebook.csv"
	echo "Gradebook: $out/gradebook.csv (reports: $out/NAME.txt, results: $out/NAME.json)"
	return "$failed"
}
