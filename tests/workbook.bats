# bats file_tags=workbook
# The workbook's own tools: the student edition (scripts/make-student-edition),
# the grader (scripts/grade) and the lesson checker (scripts/check-lessons).
# The grader is trusted because it is tested here: the reference scores full
# marks, the student edition scores 0 and every stubbed region makes a test
# fail, and a submission can change only what a student writes.
# Not shipped in the student edition: it needs the reference answers.

load helpers/common

MSE=$DL_REPO/scripts/make-student-edition
GRADE=$DL_REPO/scripts/grade
LESSONS=$DL_REPO/scripts/check-lessons

setup_file() {
	# what the lessons run; the grader builds its own copies
	local d
	for d in common task1 task2; do
		make -s -C "$DL_REPO/$d" >&2
	done
	# Every scratch tree (the grader's, the student edition's build check)
	# goes under bats' temporary directories, removed when the tests end.
	export TMPDIR=$BATS_FILE_TMPDIR
	# One student edition for the whole file. Writing it is a test of its
	# own (below): a failure here must not hide the other tests' results.
	STUDENT=$BATS_FILE_TMPDIR/student
	STUDENT_LOG=$BATS_FILE_TMPDIR/student.log
	STUDENT_RC=0
	"$MSE" --out "$STUDENT" >"$STUDENT_LOG" 2>&1 || STUDENT_RC=$?
	export STUDENT STUDENT_LOG STUDENT_RC
}

setup() {
	export TMPDIR=$BATS_TEST_TMPDIR
	cgroups_before=$BATS_TEST_TMPDIR/cgroups.before
	docker_lite_cgroups >"$cgroups_before"
	clean_cgroups=0
}

# A test that runs deliberately broken code (a mutant) sets clean_cgroups:
# the code may stop between making its cgroup and removing it, and every
# container has a cgroup (its freezer leaf, for pause). Removed after it.
teardown() {
	[[ -z ${nobody_tmp:-} ]] || rm -rf --one-file-system "$nobody_tmp"
	((clean_cgroups)) || return 0
	remove_new_cgroups "$cgroups_before"
}

# remove_new_cgroups BEFORE: the (empty) cgroups that appeared since the
# list in the file BEFORE, deepest first: a leaf of the docker-lite group
# through dl-run --remove-cgroup, which also puts the v2 root's controllers
# back as they were when the group goes (a plain rmdir would leave them
# enabled); anything else with rmdir.
remove_new_cgroups() {
	local cg
	docker_lite_cgroups | comm -13 "$1" - | sort -r | while read -r cg; do
		[[ -d $cg ]] || continue # v1: the same leaf under another controller, gone already
		if [[ ${cg%/*} == */docker-lite ]]; then
			"$DL_REPO/task3/bin/dl-run" --remove-cgroup "${cg##*/}" >/dev/null 2>&1 || rmdir "$cg" 2>/dev/null || true
		else
			rmdir "$cg" 2>/dev/null || true
		fi
	done
}

# json_has FILE ERE TEXT: a line of FILE matches ERE and holds TEXT. One awk
# that reads it all: `grep | grep -q` stops reading at the first match and
# leaves the first grep writing into a closed pipe.
json_has() {
	awk -v re="$2" -v text="$3" '$0 ~ re && index($0, text) { found = 1 } END { exit !found }' "$1"
}

docker_lite_cgroups() {
	find /sys/fs/cgroup -maxdepth 5 -type d -path '*docker-lite*' 2>/dev/null | sort
}

need_student_edition() {
	((STUDENT_RC == 0)) || fail "the student edition could not be written: see the test 'student edition: it is written ...'"
}

# A copy of the student edition to change, as a submission.
student_copy() {
	local dest=$BATS_TEST_TMPDIR/submission
	need_student_edition
	cp -a "$STUDENT/." "$dest/"
	echo "$dest"
}

# The JSON line of one test: each test is one line of --json's output.
json_test_line() {
	grep -F "\"name\": \"$2\"" "$1"
}

# ---- markers and the student edition -----------------------------------------

@test "workbook: the reference tree's solution markers are well formed" {
	run "$MSE" --check
	assert_success
	assert_output --regexp '^markers ok: [1-9][0-9]* regions in [1-9][0-9]* files$'
}

@test "workbook: every file with a solution region is a student file of its task's manifest" {
	local id place file task pat listed
	while IFS=$'\t' read -r id place _; do
		file=${place%%:*} task=${id%%.*}
		[[ -f $DL_REPO/grading/task$task.manifest ]] || fail "no grading/task$task.manifest for $file"
		listed=0
		while read -r pat; do
			# shellcheck disable=SC2053 # the manifest's patterns are globs
			[[ $file == $pat ]] && listed=1
		done < <(awk '$1 == "file" { for (i = 2; i <= NF; i++) print $i }' "$DL_REPO/grading/task$task.manifest")
		((listed)) || fail "$file has solution regions but grading/task$task.manifest does not list it"
	done < <("$MSE" --list)
}

@test "student edition: it is written, with its own checks (no solution left, builds with -Werror)" {
	run cat "$STUDENT_LOG"
	assert_equal "$STUDENT_RC" 0
	assert_output --regexp 'wrote .*/student: [1-9][0-9]* regions stubbed in [1-9][0-9]* files, builds with -Werror'
}

@test "student edition: every region is a TODO stub, no solution text or marker is left, tests ship" {
	need_student_edition
	local regions
	regions=$("$MSE" --list | wc -l)
	assert_equal "$(grep -rhoE 'TODO\(task [0-9]+\.[^)]+\): not implemented' "$STUDENT" | sort -u | wc -l)" "$regions"
	run grep -rlE '^[[:space:]]*(/\*|#) (BEGIN|END) SOLUTION' "$STUDENT" --include='*.c' --include='*.h' --include='*.sh'
	assert_output ""
	# a sample of solution lines, checked independently of the tool's own check
	run grep -rF 'pid = clone(child1_main' "$STUDENT"
	assert_output ""
	run grep -rF 'rc = cg_attach(&cg, child);' "$STUDENT"
	assert_output ""
	# hints outside the markers stay; tests ship, grader self-tests do not
	grep -qF '/* never outlive the parent, even if it is killed */' "$STUDENT/task1/namespace_prog.c"
	assert [ -f "$STUDENT/tests/task1.bats" ]
	assert [ -f "$STUDENT/grading/task1.manifest" ]
	assert [ ! -e "$STUDENT/tests/workbook.bats" ]
	assert [ -f "$BATS_FILE_TMPDIR/student.tar.gz" ]
	run tar -tzf "$BATS_FILE_TMPDIR/student.tar.gz" student/task1/namespace_prog.c
	assert_success
}

@test "student edition: every line outside the regions is kept (hints, code), and each hint is in its TODO message" {
	need_student_edition
	local id place hint file ranges=() f lost
	local -A file_ranges=()
	while IFS=$'\t' read -r id place hint; do
		file=${place%%:*}
		file_ranges[$file]+=" ${place#*:}"
		[[ -n $hint ]] || continue
		# the message is a C or shell string: compare it unescaped
		grep -F "TODO(task $id): not implemented yet: " "$STUDENT/$file" | sed 's/\\\(.\)/\1/g' |
			grep -qF ": not implemented yet: $hint" ||
			fail "$file: the stub of region $id does not show its hint '$hint'"
	done < <("$MSE" --list)
	((${#file_ranges[@]})) || fail "no regions listed"
	for f in "${!file_ranges[@]}"; do
		read -ra ranges <<<"${file_ranges[$f]}"
		# the reference without its regions may only gain lines (the stubs)
		lost=$(awk -v r="${ranges[*]}" '
			BEGIN { n = split(r, rr, " "); for (i = 1; i <= n; i++) { split(rr[i], be, "-"); B[i] = be[1]; E[i] = be[2] } }
			{ for (i = 1; i <= n; i++) if (FNR >= B[i] && FNR <= E[i]) next; print }' "$DL_REPO/$f" |
			diff - "$STUDENT/$f" | grep '^<' || true)
		[[ -z $lost ]] || fail "$f: the student edition lost lines outside the regions:"$'\n'"$lost"
	done
}

@test "student edition: the generated tree builds with -Werror and a stub fails clearly at run time" {
	require_root
	need_student_edition
	local tree=$BATS_TEST_TMPDIR/built
	cp -a "$STUDENT/." "$tree/"
	run make -s -C "$tree" all
	assert_success
	run "$tree/task1/namespace_prog"
	assert_failure 125
	assert_output --partial "TODO(task 1."
	assert_output --partial ": not implemented yet: "
	run bash -n "$tree/task4/service-orchestrator.sh"
	assert_success
}

# Synthetic trees: one file each, markers written with printf so that this
# file holds no marker line of its own.
synthetic_tree() {
	local tree=$BATS_TEST_TMPDIR/tree
	mkdir -p "$tree/task1"
	echo "$tree"
}

@test "marker checker: nested, unterminated, unpaired and misspelt markers are refused with file and line" {
	local tree
	tree=$(synthetic_tree)
	printf 'int f(void)\n{\n\t/* BEGIN SOLUTION */\n\t/* BEGIN SOLUTION */\n\treturn 1;\n\t/* END SOLUTION */\n}\n' >"$tree/task1/nested.c"
	printf 'int g(void)\n{\n\t/* BEGIN SOLUTION */\n\treturn 1;\n}\n' >"$tree/task1/open.c"
	printf 'f() {\n\t# END SOLUTION\n\ttrue\n}\n' >"$tree/task1/unpaired.sh"
	printf 'f() {\n\t# BEGIN SOLUTIONS\n\ttrue\n\t# END SOLUTION\n}\n' >"$tree/task1/plural.sh"
	printf 'f() {\n\t# BEGIN_SOLUTION\n\ttrue\n}\n' >"$tree/task1/underscore.sh"
	printf 'int h(void)\n{\n\t// BEGIN SOLUTION\n\treturn 1;\n}\n' >"$tree/task1/slashes.c"
	printf 'int k(void)\n{\n\t/* begin solution */\n\treturn 1;\n}\n' >"$tree/task1/lower.c"
	printf 'x = 1\n# BEGIN SOLUTION\nx = 2\n# END SOLUTION\n' >"$tree/task1/other.py"
	run "$MSE" --src "$tree" --check
	assert_failure 125
	assert_line --partial "task1/nested.c:4: nested BEGIN SOLUTION"
	assert_line --partial "task1/open.c:3: unterminated region"
	assert_line --partial "task1/unpaired.sh:2: END SOLUTION without a BEGIN SOLUTION"
	assert_line --partial "task1/plural.sh:2: unknown marker spelling \"# BEGIN SOLUTIONS\""
	assert_line --partial "task1/underscore.sh:2: unknown marker spelling"
	assert_line --partial "task1/slashes.c:3: unknown marker spelling"
	assert_line --partial "task1/lower.c:3: unknown marker spelling"
	assert_line --partial "task1/other.py:2: solution markers only work in C files, shell scripts and Conductorfiles"
	assert_output --partial "nothing was written"
	# and nothing was written
	run "$MSE" --src "$tree" --out "$BATS_TEST_TMPDIR/out" --no-build --no-tar
	assert_failure 125
	assert [ ! -e "$BATS_TEST_TMPDIR/out" ]
}

@test "marker checker: labels, hints and STUB lines; duplicate ids are refused" {
	local tree out=$BATS_TEST_TMPDIR/out
	tree=$(synthetic_tree)
	printf '#include <errno.h>\n\nstatic int helper(int x)\n{\n\treturn x;\n}\n\nint f(int a)\n{\n\tint rc = 0;\n' >"$tree/task1/x.c"
	printf '\t/* BEGIN SOLUTION setup: call helper() */\n\trc = helper(a);\n\t/* END SOLUTION */\n' >>"$tree/task1/x.c"
	printf '\t/* BEGIN SOLUTION */\n\t/* STUB: rc = -ENOSYS; */\n\trc += helper(2);\n\t/* END SOLUTION */\n\treturn rc;\n}\n' >>"$tree/task1/x.c"
	run "$MSE" --src "$tree" --list
	assert_success
	assert_line --regexp $'^1\\.setup\ttask1/x\\.c:11-13\tcall helper\\(\\)$'
	# a labelled region takes no position (grading/README.md): the next
	# unlabelled one is 1.1, so adding a labelled region renumbers nothing
	assert_line --regexp $'^1\\.1\ttask1/x\\.c:14-17'
	run "$MSE" --src "$tree" --out "$out" --no-build --no-tar
	assert_success
	run cat "$out/task1/x.c"
	assert_line --partial 'fputs("TODO(task 1.setup): not implemented yet: call helper()\n", stderr);'
	assert_line --regexp '^	\(void\)helper; \(void\)a;$'
	assert_line '	rc = -ENOSYS;'
	refute_line --partial 'helper(2)'
	# the stubs build warning-free
	run cc -std=c11 -Wall -Wextra -Werror -c -o "$BATS_TEST_TMPDIR/x.o" "$out/task1/x.c"
	assert_success

	printf 'g() {\n\t# BEGIN SOLUTION 1.setup\n\ttrue\n\t# END SOLUTION\n}\n' >"$tree/task1/y.sh"
	run "$MSE" --src "$tree" --check
	assert_failure 125
	assert_output --partial "task1/y.sh:2: region id 1.setup is already used at task1/x.c:11"
}

@test "marker checker: a solution line that would survive elsewhere (a lesson quoting it) is refused" {
	local tree
	tree=$(synthetic_tree)
	printf 'f() {\n\t# BEGIN SOLUTION\n\tsecret_answer --with 42\n\t# END SOLUTION\n}\n' >"$tree/task1/s.sh"
	# shellcheck disable=SC2016 # Markdown fences, not command substitution
	printf '# Lesson\n```sh\nsecret_answer --with 42\n```\n' >"$tree/task1/README.md"
	run "$MSE" --src "$tree" --out "$BATS_TEST_TMPDIR/out" --no-build --no-tar
	assert_failure 125
	assert_output --partial "task1/README.md:3: solution line survived: secret_answer --with 42"
	# the refused tree is not left behind
	assert [ ! -e "$BATS_TEST_TMPDIR/out" ]
}

# ---- the grader ----------------------------------------------------------------

@test "grader: the reference scores full marks on tasks 1 and 2" {
	require_root
	run "$GRADE" --json "$BATS_TEST_TMPDIR/r.json" 1 2
	assert_success
	assert_line --regexp '^Task 1 score: ([1-9][0-9]*)/\1( \(.*)?$'
	assert_line --regexp '^Task 2 score: ([1-9][0-9]*)/\1( \(.*)?$'
	assert_line --regexp '^Score: ([1-9][0-9]*)/\1( \(.*)?$'
	run grep -c '"outcome": "pass"' "$BATS_TEST_TMPDIR/r.json"
	refute_output 0
	# every test passes; the closing machine check (worth 0) is left out: it
	# looks at the whole machine, and the workbook suite's own run has it
	local failed
	failed=$(grep -E '"outcome": "(fail|needs|timeout|environment|not-run|build-failed|missing)"' "$BATS_TEST_TMPDIR/r.json" |
		grep -vF '"name": "the test run left the machine as it found it"' || true)
	assert_equal "$failed" ""
}

@test "grader: --results scores a run already made: timed lines, a failure with its detail, a skip; a run lacking a test is refused" {
	require_root
	local tap=$BATS_TEST_TMPDIR/run.tap names=() i=0 n
	mapfile -t names < <(sed -n -E 's/^@test "(.*)" \{$/\1/p' "$DL_REPO/tests/task1.bats")
	((${#names[@]} >= 3)) || fail "tests/task1.bats has fewer than 3 tests"
	# a run as tests/run prints it with DL_TEST_TIMING (bats --timing)
	for n in "${names[@]}"; do
		i=$((i + 1))
		printf 'ok %d %s in %dms\n' "$i" "$n" "$((i * 7))"
	done >"$tap"
	echo "ok - the test run left the machine as it found it" >>"$tap"
	run "$GRADE" --results "$tap" 1
	assert_success
	assert_line --regexp '^Task 1 score: ([1-9][0-9]*)/\1$'
	# the first test failed (with its detail), the second was skipped
	awk -v a="${names[0]}" -v b="${names[1]}" '
		$0 == "ok 1 " a " in 7ms" { print "not ok 1 " a " in 7ms"; print "# the detail of its failure"; next }
		$0 == "ok 2 " b " in 14ms" { print "ok 2 " b " in 14ms # skip no such thing here"; next }
		{ print }' "$tap" >"$tap.2"
	run "$GRADE" --results "$tap.2" 1
	assert_failure 2
	assert_line --regexp "^ +FAIL +0/[1-9][0-9]* +$(regex_quote "${names[0]}")\$"
	assert_line --regexp "^ +ENV +0/[1-9][0-9]* +$(regex_quote "${names[1]}")\$"
	assert_line --partial "# the detail of its failure"
	assert_line --regexp "^ +pass +[0-9]+/[0-9]+ +$(regex_quote "${names[2]}")\$"
	# a run without one of the task's tests is no grade of it
	grep -vF " ${names[2]} in " "$tap" >"$tap.3"
	run "$GRADE" --results "$tap.3" 1
	assert_failure 125
	assert_output --partial "has no result for: ${names[2]}"
	refute_line --regexp '^Task 1 score'
	# and it is a run of this tree, not of a submission
	run "$GRADE" --results "$tap" --submission "$BATS_TEST_TMPDIR" 1
	assert_failure 125
	assert_output --partial "--results scores a run of this tree"
}

@test "grader: the student edition scores 0 on tasks 1 and 2, and fails every test worth points" {
	require_root
	local json=$BATS_TEST_TMPDIR/s.json
	need_student_edition
	run "$GRADE" --submission "$STUDENT" --json "$json" 1 2
	assert_failure 1
	assert_line --regexp '^Task 1 score: 0/[1-9][0-9]*'
	assert_line --regexp '^Task 2 score: 0/[1-9][0-9]*'
	# where to start: the region every task 1 test stops at (clone) first
	assert_line --regexp '^ +Unwritten regions the failing tests stopped at'
	assert_line --regexp '^ +TODO\(task 1\.2\): [1-9][0-9]* points, [1-9][0-9]* test\(s\)$'
	# a test worth points that a blank submission passes would give free marks
	run grep -E '"outcome": "pass", "points": [0-9]+, "max": [1-9]' "$json"
	assert_output ""
	grep -q '"outcome": "fail"' "$json"
}

@test "grader: each stubbed region of tasks 1 and 2, alone, makes a test fail with its TODO" {
	require_root
	clean_cgroups=1
	local id place task json mutant
	while IFS=$'\t' read -r id place _; do
		task=${id%%.*}
		[[ $task == 1 || $task == 2 ]] || continue
		mutant=$BATS_TEST_TMPDIR/mutant-$id
		json=$BATS_TEST_TMPDIR/mutant-$id.json
		"$MSE" --only "$id" --out "$mutant" --no-build --no-tar 2>/dev/null
		run "$GRADE" --submission "$mutant" --json "$json" "$task"
		assert_failure 1
		json_has "$json" '"outcome": "(fail|timeout)"' "TODO(task $id)" ||
			fail "no test of task $task fails with TODO(task $id) when only region $id ($place) is missing"
	done < <("$MSE" --list)
}

@test "grader: a submission that fixes only task 1 scores full on task 1 and not on task 2" {
	require_root
	local sub
	sub=$(student_copy)
	cp "$DL_REPO/task1/namespace_prog.c" "$sub/task1/namespace_prog.c"
	run "$GRADE" --submission "$sub" 1 2
	assert_failure 1
	assert_line --regexp '^Task 1 score: ([1-9][0-9]*)/\1( \(.*)?$'
	assert_line --regexp '^Task 2 score: 0/[1-9][0-9]*'
}

@test "grader: make grade below full marks ends with the grader's verdict and a non-zero exit, no make 'Error' line" {
	require_root
	local sub
	sub=$(student_copy)
	# as from a terminal: SIGINT as make finds it there (bats runs tests
	# with it ignored, as a script's background jobs have it)
	run env --default-signal=INT make -s -C "$sub" grade TASK=1
	# make-quiet-fail: make ends of SIGINT, silently (130)
	assert_failure 130
	assert_line --regexp '^Task 1 score: 0/[1-9][0-9]*'
	refute_output --regexp 'make(\[[0-9]+\])?: \*\*\*'
	refute_output --partial 'Error 1'
	# a make that ignores SIGINT cannot be ended by it: make's own line
	run env --ignore-signal=INT make -s -C "$sub" grade TASK=1
	assert_failure 2
	assert_output --partial 'Error 1'
	# full marks: 0, as before
	cp "$DL_REPO/task1/namespace_prog.c" "$sub/task1/namespace_prog.c"
	run env --default-signal=INT make -s -C "$sub" grade TASK=1
	assert_success
	assert_line --regexp '^Task 1 score: ([1-9][0-9]*)/\1( \(.*)?$'
}

@test "grader: a wrong line is shown as the first difference, expected and got (child 2 without its UTS join)" {
	require_root
	local sub
	sub=$(student_copy)
	# the reference with one deliberate mistake: child 2 skips setns(CLONE_NEWUTS)
	sed '/sys_setns(pidfd, CLONE_NEWUTS)/,/die_errno/c\	(void)pidfd;' \
		"$DL_REPO/task1/namespace_prog.c" >"$sub/task1/namespace_prog.c"
	! cmp -s "$DL_REPO/task1/namespace_prog.c" "$sub/task1/namespace_prog.c" || fail "the mistake was not made"
	run "$GRADE" --submission "$sub" 1
	assert_failure 1
	assert_line --partial '# -- the output differs from the expected at line 12 --'
	assert_line --partial '# expected: Child2 Hostname: Child1Hostname'
	assert_line --partial "# got     : Child2 Hostname: $(hostname)"
	assert_line --partial '# +Child2 Hostname: '
}

@test "grader: a submission's edits to tests and other files have no effect" {
	require_root
	local sub
	sub=$(student_copy)
	# a student "fixes" the tests, the helpers and the runner to always pass
	printf '@test "task1: output is exactly the assignment'"'"'s blocks when stdout is a pipe" { true; }\n' \
		>"$sub/tests/task1.bats"
	printf 'require_root() { :; }\nskip() { :; }\n' >"$sub/tests/helpers/common.bash"
	printf '#!/bin/sh\necho "ok 1 everything"\n' >"$sub/tests/run"
	printf 'points 100 .\n' >"$sub/grading/task1.manifest"
	run "$GRADE" --submission "$sub" 1
	assert_failure 1
	assert_line --regexp '^Task 1 score: 0/[1-9][0-9]*'
	assert_line --partial 'task1: output is the same when stdout is a file'
}

@test "grader: a file missing from the submission is reported, never replaced by the reference" {
	local empty=$BATS_TEST_TMPDIR/empty
	mkdir -p "$empty"
	run "$GRADE" --submission "$empty" --json "$BATS_TEST_TMPDIR/m.json" 1
	assert_failure 1
	assert_output --partial "the submission lacks: task1/namespace_prog.c"
	assert_line --regexp '^  MISSING +0/[1-9] +task1: output is exactly'
	assert_line --regexp '^Task 1 score: 0/[1-9][0-9]*'
	grep -q '"status": "missing-files"' "$BATS_TEST_TMPDIR/m.json"
}

@test "grader: a build failure is its own outcome, with the compiler's message" {
	local sub=$BATS_TEST_TMPDIR/broken
	mkdir -p "$sub/task1"
	sed 's/^int main(int argc, char \*\*argv)$/int main(int argc, char **argv) oops/' \
		"$DL_REPO/task1/namespace_prog.c" >"$sub/task1/namespace_prog.c"
	run "$GRADE" --submission "$sub" 1
	assert_failure 1
	assert_output --partial "the build failed; its last lines:"
	assert_output --partial "namespace_prog.c"
	assert_line --regexp '^  BUILD +0/[1-9] +task1: output is exactly'
	assert_line --regexp '^Task 1 score: 0/[1-9][0-9]*'
}

@test "grader: a hanging test is stopped at the timeout and reported as TIMEOUT" {
	require_root
	local sub=$BATS_TEST_TMPDIR/hang
	mkdir -p "$sub/task1"
	# hang only when stdout is a regular file: one test, not all of them
	sed -e 's/^int main(int argc, char \*\*argv)$/#include <sys\/stat.h>\n&/' \
		-e 's/^\tset_progname(argv\[0\]);$/&\n\t{ struct stat st; if (fstat(1, \&st) == 0 \&\& S_ISREG(st.st_mode)) for (;;) pause(); }/' \
		"$DL_REPO/task1/namespace_prog.c" >"$sub/task1/namespace_prog.c"
	grep -q 'for (;;) pause();' "$sub/task1/namespace_prog.c"
	run "$GRADE" --submission "$sub" --timeout 3 1
	assert_failure 1
	assert_line --regexp '^  TIMEOUT +0/2 +task1: output is the same when stdout is a file$'
	assert_line --regexp '^  pass +3/3 +task1: output is exactly'
	# nothing of the hung program is left running (the grader's scratch
	# tree, where it ran from, is under this test's TMPDIR)
	run pgrep -f -- "$BATS_TEST_TMPDIR/"
	assert_failure
}

@test "grader: a task with no manifest or no tests is 'not available', not a failure" {
	run "$GRADE" 97
	assert_success
	assert_line "Task 97: not available (no grading/task97.manifest)"
	assert_line "Score: 0/0"
}

@test "grader: not root, tests that need root are ENV (incomplete grade), never a silent pass or zero" {
	require_root
	command -v setpriv >/dev/null || skip "setpriv(1) from util-linux is not installed"
	# The unprivileged grader can enter neither this test's TMPDIR nor,
	# maybe, this tree (a checkout in a home directory: Debian's adduser
	# makes them 0700). It gets a directory of its own, with a copy of the
	# tree and its TMPDIR.
	nobody_tmp=$(mktemp -d -p /tmp dl-workbook-nobody.XXXXXX)
	(
		# shellcheck source=../scripts/lib/tree.sh
		source "$DL_REPO/scripts/lib/tree.sh"
		tree_copy "$DL_REPO" "$nobody_tmp/tree"
	)
	mkdir "$nobody_tmp/tmp"
	chown -R 65534:65534 "$nobody_tmp"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$nobody_tmp/tmp" TMPDIR="$nobody_tmp/tmp" "$nobody_tmp/tree/scripts/grade" 1
	assert_failure 2
	assert_output --partial "not root: tests that need root will be reported as ENV"
	assert_line --regexp '^  ENV +0/3 +task1: output is exactly'
	assert_output --partial "could not run on this machine (ENV): the grade is incomplete"
	# and its scratch tree is gone
	run find "$nobody_tmp/tmp" -mindepth 1 -maxdepth 1
	assert_output ""
}

# ---- grading where courses grade: batches, Gradescope, GitHub Classroom ----------

# The fields of one CSV line as @csv writes them ("text" with "" for a
# quote, or a bare number), one a line.
csv_fields() {
	local line=$1 field re='^("([^"]|"")*"|[^,]*)(,|$)'
	while [[ -n $line ]]; do
		[[ $line =~ $re ]] || return 1
		field=${BASH_REMATCH[1]} line=${line:${#BASH_REMATCH[0]}}
		if [[ $field == \"* ]]; then
			field=${field#\"} field=${field%\"} field=${field//\"\"/\"}
		fi
		printf '%s\n' "$field"
	done
}

# gradebook_cell CSV SUBMISSION COLUMN: the cell of SUBMISSION's row in the
# column whose header starts with COLUMN.
gradebook_cell() {
	local header=() row=() i line
	mapfile -t header < <(csv_fields "$(head -n 1 "$1")")
	while IFS= read -r line; do
		mapfile -t row < <(csv_fields "$line")
		[[ ${row[0]} == "$2" ]] && break
		row=()
	done < <(tail -n +2 "$1")
	((${#row[@]})) || fail "no row for $2 in $1"
	for i in "${!header[@]}"; do
		[[ ${header[i]} == "$3"* ]] && { printf '%s\n' "${row[i]}"; return 0; }
	done
	fail "no column '$3' in $1"
}

# A submission with one deliberate mistake in task 1 (child 2 skips its UTS
# join): the hostname tests pass, the output comparisons fail.
make_task1_mutant() {
	mkdir -p "$1/task1"
	sed '/sys_setns(pidfd, CLONE_NEWUTS)/,/die_errno/c\	(void)pidfd;' \
		"$DL_REPO/task1/namespace_prog.c" >"$1/task1/namespace_prog.c"
	! cmp -s "$DL_REPO/task1/namespace_prog.c" "$1/task1/namespace_prog.c" || fail "the mistake was not made"
}

@test "grader: --batch grades a directory of submissions (tree, tarball, mutant) in parallel into a gradebook, and refuses an escaping tarball" {
	require_root
	need_student_edition
	local subs=$BATS_TEST_TMPDIR/subs out=$BATS_TEST_TMPDIR/grades csv evil=$BATS_TEST_TMPDIR/evil max
	mkdir -p "$subs" "$evil"
	ln -s "$DL_REPO" "$subs/reference"
	tar -C "$(dirname "$STUDENT")" -czf "$subs/student.tar.gz" "$(basename "$STUDENT")"
	make_task1_mutant "$subs/mutant"
	# a tarball whose member would be written outside its directory
	echo owned >"$evil/f"
	tar -C "$evil" -cf "$subs/evil.tar" --transform 's,^f$,../../escaped,' f
	run "$GRADE" --batch "$subs" --jobs 2 --out "$out" 1
	assert_success
	assert_line --regexp '^reference: ([1-9][0-9]*)/\1$'
	assert_line --regexp '^student: 0/[1-9][0-9]*$'
	assert_line --regexp "^evil: not graded: member '\\.\\./\\.\\./escaped' would land outside"
	assert [ ! -e "$BATS_TEST_TMPDIR/escaped" ]
	csv=$out/gradebook.csv
	# a header and one row per submission
	assert_equal "$(wc -l <"$csv")" 5
	max=$(gradebook_cell "$csv" reference "task 1 (max ")
	[[ $max =~ ^[1-9][0-9]*$ ]] || fail "the reference's task 1 total is '$max'"
	assert_equal "$(head -n 1 "$csv" | grep -o '"task 1 (max [0-9]*)"')" "\"task 1 (max $max)\""
	assert_equal "$(gradebook_cell "$csv" reference "state")" graded
	assert_equal "$(gradebook_cell "$csv" reference "total")" "$max"
	assert_equal "$(gradebook_cell "$csv" student "task 1 (max ")" 0
	assert_equal "$(gradebook_cell "$csv" evil "state")" refused
	assert_equal "$(gradebook_cell "$csv" evil "total")" 0
	# the mutant: between, and the cells say which tests
	local m
	m=$(gradebook_cell "$csv" mutant "task 1 (max ")
	((m > 0 && m < max)) || fail "the mutant scored $m of $max"
	assert_equal "$(gradebook_cell "$csv" mutant "1: task1: the host's hostname is unchanged (max 2)")" 2
	assert_equal "$(gradebook_cell "$csv" mutant "1: task1: output is exactly the assignment's blocks when stdout is a pipe (max 3)")" 0
	# each row agrees with its report and results
	assert_equal "$(jq .score "$out/mutant.json")" "$m"
	grep -qx "Task 1 score: $m/$max (.*)" "$out/mutant.txt"
	grep -qF 'expected: Child2 Hostname: Child1Hostname' "$out/mutant.txt"
	grep -qF 'would land outside' "$out/evil.txt"
}

@test "gradescope: make gradescope-autograder's zip grades a submission into a results.json with the documented fields, its total the score line" {
	require_root
	need_student_edition
	local ag=$BATS_TEST_TMPDIR/autograder zip=$BATS_TEST_TMPDIR/autograder.zip results score max
	command -v zip >/dev/null || skip "zip is not installed (make gradescope-autograder needs it)"
	run "$DL_REPO/scripts/make-gradescope-autograder" --student "$STUDENT" --out "$zip"
	assert_success
	# Gradescope's layout: setup.sh and run_autograder at the root
	run unzip -Z1 "$zip"
	assert_line setup.sh
	assert_line run_autograder
	assert_line docker-lite/scripts/grade
	assert_line docker-lite/tests/task1.bats
	refute_line --partial workbook
	mkdir -p "$ag/source" "$ag/submission"
	unzip -q "$zip" -d "$ag/source"
	# a student's upload: a folder holding the tree
	make_task1_mutant "$ag/submission/alice"
	run env AUTOGRADER_ROOT="$ag" GRADE_TASKS=1 "$ag/source/run_autograder"
	assert_success
	results=$ag/results/results.json
	[[ $output =~ (^|$'\n')Score:\ ([0-9]+)/([0-9]+)($'\n'|$) ]] || fail "no score line: $output"
	score=${BASH_REMATCH[2]} max=${BASH_REMATCH[3]}
	((score > 0 && score < max)) || fail "the mutant scored $score/$max"
	# the documented fields, with their types
	jq -e '(.score | type) == "number" and (.execution_time | type) == "number" and (.output | type) == "string"
		and (.tests | length) > 0
		and all(.tests[]; (.name | type) == "string" and (.score | type) == "number"
			and (.max_score | type) == "number" and (.output | type) == "string"
			and (.visibility | IN("hidden", "after_due_date", "after_published", "visible")))' "$results"
	# the total is the grader's, and the sum of the tests
	assert_equal "$(jq .score "$results")" "$score"
	assert_equal "$(jq '[.tests[].score] | add' "$results")" "$score"
	assert_equal "$(jq '[.tests[].max_score] | add' "$results")" "$max"
	# a failing test's output shows the student the first wrong line
	jq -e '.tests[] | select(.name | endswith("when stdout is a pipe")) | .score == 0 and (.output | contains("got     : Child2 Hostname: "))' "$results"
}

# The workflow's steps as "KEY<TAB>VALUE" lines (name, id, uses, if, run; a
# "run: |" block's lines joined with \n): a reader of the small YAML subset
# the file uses, so the test needs no YAML library.
workflow_steps() {
	awk '
		function flush() { if (block != "") { gsub(/\n/, "\\n", text); print "run\t" text; block = ""; text = "" } }
		block != "" {
			if ($0 ~ "^" block || $0 ~ /^[ \t]*$/) { line = $0; sub("^" block, "", line); text = text (text == "" ? "" : "\n") line; next }
			flush()
		}
		/^      - name: / || /^        (name|id|uses|if|run): / {
			line = $0; sub(/^ +(- )?/, "", line)
			key = line; sub(/:.*/, "", key); val = line; sub(/^[a-z-]+: /, "", val)
			if (key == "run" && val == "|") { block = "          "; text = ""; next }
			print key "\t" val
		}
		END { flush() }' "$1"
}

@test "classroom: the student edition's workflow parses, has the expected steps, and each run step works here" {
	require_root
	need_student_edition
	local wf=$STUDENT/.github/workflows/classroom.yml steps tree shim=$BATS_TEST_TMPDIR/bin result
	assert [ -f "$wf" ]
	cmp "$wf" "$DL_REPO/grading/classroom.yml"
	steps=$(workflow_steps "$wf")
	# checkout, deps with sudo, the grade step (id grade), the reporter reading it
	assert_equal "$(grep -c '^name	' <<<"$steps")" 4
	grep -qx 'uses	actions/checkout@v4' <<<"$steps"
	grep -qx 'run	sudo make deps' <<<"$steps"
	grep -qx 'id	grade' <<<"$steps"
	grep -qx 'uses	classroom-resources/autograding-grading-reporter@v1' <<<"$steps"
	grep -qx 'if	always()' <<<"$steps"
	# shellcheck disable=SC2016 # the workflow's own expression
	grep -qxF '          GRADE_RESULTS: "${{ steps.grade.outputs.result }}"' "$wf"
	grep -qxF '          runners: grade' "$wf"
	grep -qx '    runs-on: ubuntu-latest' "$wf"
	grep -qx '  checks: write' "$wf"
	# a YAML parser, where there is one, reads the same steps
	if python3 -c 'import yaml' 2>/dev/null; then
		run python3 -c 'import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
for job in wf["jobs"].values():
    for step in job["steps"]:
        for key, value in step.items():
            if key in ("name", "id", "uses", "if", "run"):
                print("%s\t%s" % (key, value.rstrip("\n").replace("\n", "\\n")))' "$wf"
		assert_success
		assert_equal "$output" "$steps"
	fi
	# each run step, as GitHub runs it (bash -e), in a copy of the student
	# tree with a task 1 mistake. Where sudo is missing (we are root), a
	# stand-in does what sudo does to the environment: a fresh one, with
	# sudo's secure_path (not this bats run's PATH, whose bats-core libexec
	# directory would shadow the bats command).
	tree=$(student_copy)
	make_task1_mutant "$tree"
	mkdir -p "$shim"
	if ! command -v sudo >/dev/null; then
		printf '#!/bin/sh\nexec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"\n' >"$shim/sudo"
		chmod +x "$shim/sudo"
	fi
	local n=0
	while IFS=$'\t' read -r _ script; do
		printf '%b\n' "$script" >"$BATS_TEST_TMPDIR/step.sh"
		(cd "$tree" && PATH=$shim:$PATH GRADE_TASKS=1 GITHUB_OUTPUT=$BATS_TEST_TMPDIR/github-output \
			bash -e "$BATS_TEST_TMPDIR/step.sh") >"$BATS_TEST_TMPDIR/step.log" 2>&1 ||
			fail "run step $n failed:"$'\n'"$(cat "$BATS_TEST_TMPDIR/step.sh" "$BATS_TEST_TMPDIR/step.log")"
		n=$((n + 1))
	done < <(grep '^run	' <<<"$steps")
	assert_equal "$n" 2
	# the grade step's output is the reporter's input: base64 of a runner's
	# result whose test scores add up to the grader's score line
	result=$(sed -n 's/^result=//p' "$BATS_TEST_TMPDIR/github-output" | base64 -d)
	run grep -E '^Score: [0-9]+/[0-9]+$' "$BATS_TEST_TMPDIR/step.log"
	assert_success
	local score=${output#Score: } max
	max=${score#*/} score=${score%/*}
	((score > 0 && score < max)) || fail "the mutant scored $score/$max:"$'\n'"$(cat "$BATS_TEST_TMPDIR/step.log")"
	assert_equal "$(jq '[.tests[].score] | add' <<<"$result")" "$score"
	assert_equal "$(jq .max_score <<<"$result")" "$max"
	assert_equal "$(jq -r .status <<<"$result")" fail
	jq -e 'all(.tests[]; (.name | type) == "string" and (.status | IN("pass", "fail")) and (.score | type) == "number")' <<<"$result"
}

# ---- the grader on tasks 3 and 4 ---------------------------------------------
# Task 3's tests use the shared Debian base (tests/helpers/common.bash) and
# make their own state roots (/tmp/dl-test.*) and network labs (named after
# their bats process), so a grading never collides with another run. Task 4's
# deployment builds two images with apt inside (the Debian mirror).

# Run bats on a tree of ours, as the grader does: with our environment, not
# that of this bats run (its BATS_* variables would confuse the inner one).
inner_bats() {
	local var unset=()
	while IFS= read -r var; do
		[[ $var == BATS_LIB_PATH ]] || unset+=(-u "$var")
	done < <(compgen -e | grep '^BATS_' || true)
	env "${unset[@]}" bats --tap "$@" </dev/null 3>&-
}

# What a grading may leave on the machine, as lines "KIND WHAT": mounts of
# a scratch tree (under $TMPDIR) or of a state root, network namespaces,
# veths, DL-* chains and jumps to them, docker-lite cgroups, processes
# running a program of a scratch tree, and the mount namespaces of live
# processes (a container left running has its own).
machine_traces() {
	findmnt -rn -o TARGET | grep -E "^(${TMPDIR%/}/|/tmp/dl-test\\.)" | sed 's/^/mount /' || true
	ip netns list 2>/dev/null | awk '{ print "netns", $1 }'
	ip -o link show type veth | awk -F': ' '{ sub(/@.*/, "", $2); print "veth", $2 }'
	{ iptables-save 2>/dev/null || true; } | grep -E '^:DL-|-j DL-' | sed 's/\[[0-9]*:[0-9]*\]//; s/^/iptables /' || true
	docker_lite_cgroups | sed 's/^/cgroup /'
	# one find, not readlink forks per process: this runs in polling loops
	{ find /proc/[0-9]*/exe /proc/[0-9]*/ns/mnt -maxdepth 0 -printf '%p\t%l\n' 2>/dev/null || true; } |
		awk -F'\t' -v tmp="${TMPDIR%/}/" '
			$2 == "" { next }
			$1 ~ /\/ns\/mnt$/ { print "mntns", $2; next }
			index($2, tmp) == 1 { split($1, f, "/"); print "process", f[3], $2 }' | sort -u
}

# The traces that appeared since snapshot $1 (empty: nothing was left).
new_traces() {
	machine_traces | sort | comm -13 "$1" -
}

no_new_traces() {
	[[ -z $(new_traces "$1") ]]
}

# Kill what a mutant left running: only processes running a program of our
# own scratch trees (a container's init is dl-run; killing it ends its PID
# namespace).
kill_our_processes() {
	local p exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		[[ $exe == "${TMPDIR%/}/"* ]] && kill -KILL "${p#/proc/}" 2>/dev/null
	done
	return 0
}

# The "score" and "max" of task $2 in the JSON file $1, as "SCORE MAX".
json_task_score() {
	sed -n -E "s/^ *\\{\"task\": $2, .*\"score\": ([0-9]+), \"max\": ([0-9]+), \"tests\": \\[\$/\\1 \\2/p" "$1"
}

@test "grader: the reference scores full marks on tasks 3 and 4" {
	require_root
	local json=$BATS_TEST_TMPDIR/r34.json from=()
	# In a whole run that ran tasks 3 and 4's suites before this one (sudo
	# make test), their results in this run's record are scored: running
	# them again through the grader took 8 of CI's 90 minutes and tells
	# nothing more (the grader's own runs of those suites are checked on
	# the student edition below). Alone, this test grades by running them.
	if [[ -n ${DL_RUN_RESULTS:-} && " ${DL_RUN_SUITES:-} " =~ \ task3\ (.*\ )?task4\ (.*\ )?workbook\  ]]; then
		from=(--results "$DL_RUN_RESULTS")
	fi
	run "$GRADE" "${from[@]}" --json "$json" 3 4
	assert_success
	# (a suffix such as "(1 fail)" can only be the closing machine check,
	# worth 0: it sees the whole machine, whatever else runs there)
	assert_line --regexp '^Task 3 score: ([1-9][0-9]*)/\1( \(.*)?$'
	assert_line --regexp '^Task 4 score: ([1-9][0-9]*)/\1( \(.*)?$'
	assert_line --regexp '^Score: ([1-9][0-9]*)/\1$'
	# the JSON says the same: every task graded at full marks...
	run json_task_score "$json" 3
	assert_output --regexp '^([1-9][0-9]*) \1$'
	run json_task_score "$json" 4
	assert_output --regexp '^([1-9][0-9]*) \1$'
	grep -qE '^ *\{"task": 3, .*"status": "graded"' "$json"
	grep -qE '^ *\{"task": 4, .*"status": "graded"' "$json"
	# ... every deployment test of task 4 is among them and worth points ...
	run grep -cE '"name": "deployment: .*"outcome": "pass", "points": [1-9]' "$json"
	assert_equal "$output" "$(grep -c '^@test "deployment: ' "$DL_REPO/tests/task4-services.bats")"
	# ... and every test passed (the closing machine check, worth 0, is left
	# out: it looks at the whole machine; the workbook suite's run has it)
	local failed
	failed=$(grep -E '"outcome": "(fail|needs|timeout|environment|not-run|build-failed|missing)"' "$json" |
		grep -vF '"name": "the test run left the machine as it found it"' || true)
	assert_equal "$failed" ""
}

@test "grader: the student edition scores 0 on tasks 3 and 4 (with task 1 fixed: full there), fails every test worth points, leaves nothing" {
	require_root
	local json=$BATS_TEST_TMPDIR/s34.json before=$BATS_TEST_TMPDIR/traces.before sub
	sub=$(student_copy)
	clean_cgroups=1
	# a student who has done task 1 only: it scores there and nowhere else
	cp "$DL_REPO/task1/namespace_prog.c" "$sub/task1/namespace_prog.c"
	machine_traces | sort >"$before"
	run "$GRADE" --submission "$sub" --json "$json" 1 3 4
	assert_failure 1
	assert_line --regexp '^Task 1 score: ([1-9][0-9]*)/\1( \(.*)?$'
	assert_line --regexp '^Task 3 score: 0/[1-9][0-9]*'
	assert_line --regexp '^Task 4 score: 0/[1-9][0-9]*'
	run json_task_score "$json" 3
	assert_output --regexp '^0 [1-9][0-9]*$'
	run json_task_score "$json" 4
	assert_output --regexp '^0 [1-9][0-9]*$'
	# a test worth points that a blank submission passes would give free marks
	# (task 1's tests are the done task's: they must pass)
	run bash -c 'grep -E "\"outcome\": \"pass\", \"points\": [0-9]+, \"max\": [1-9]" "$1" | grep -v "\"name\": \"task1: "' _ "$json"
	assert_output ""
	# the stubs are what fails: task 3's TODOs and task 4's
	json_has "$json" '"outcome": "fail"' 'TODO(task 3.'
	json_has "$json" '"name": "deployment: .*"outcome": "fail"' 'TODO(task 4.'
	# a stubbed conductor.sh fails half-way through runs, stops and network
	# set-ups: whatever it made, the tests' clean-up removed (bounded: a
	# stopped container's last process may take a moment to exit)
	wait_until 50 no_new_traces "$before" || fail "the graded student edition left on the machine:"$'\n'"$(new_traces "$before")"
}

# Stub region ID alone in the built work tree $1 (the file of the region is
# replaced by the mutant's, rebuilt), run the bats test named exactly $3 of
# tests/$2 there, and check it fails with TODO(task ID). Restores the file.
# Whatever the mutant left running (a stubbed stop cannot stop) is killed.
region_caught_by() {
	local id=$1 suite=$2 test=$3 work=$4 mutant=$BATS_TEST_TMPDIR/mutant file rc=0 out
	rm -rf "$mutant"
	"$MSE" --only "$id" --out "$mutant" --no-build --no-tar >/dev/null 2>&1 || fail "cannot make the mutant of $id"
	file=$("$MSE" --list | awk -F'\t' -v id="$id" '$1 "" == id "" { sub(/:.*/, "", $2); print $2 }')
	[[ -n $file ]] || fail "no region $id"
	cp "$mutant/$file" "$work/$file"
	out=$BATS_TEST_TMPDIR/region-$id.tap
	{ make -s -C "$work/task3" >/dev/null && (cd "$work" && inner_bats -f "^$(regex_quote "$test")\$" "tests/$suite"); } >"$out" 2>&1 || rc=$?
	cp "$DL_REPO/$file" "$work/$file"
	kill_our_processes
	grep -qE '^ok ' "$out" && fail "region $id stubbed alone, '$test' still passes:"$'\n'"$(cat "$out")"
	grep -qE '^not ok ' "$out" || fail "region $id: '$test' did not run (status $rc):"$'\n'"$(cat "$out")"
	grep -qF "TODO(task $id)" "$out" || fail "region $id: '$test' fails, but not with TODO(task $id):"$'\n'"$(cat "$out")"
}

# A mutant whose stop is the stubbed part leaves its containers' live roots
# mounted on the host (.containers/NAME/rootfs), so its suite's teardown
# could not delete its state root (/tmp/dl-test.*): unmount what appeared
# since the traces snapshot $1, then remove those state roots.
remove_mutant_live_roots() {
	local mp roots=()
	while read -r mp; do
		umount -l "$mp" 2>/dev/null || true
		[[ $mp == /tmp/dl-test.*/.containers/*/rootfs ]] && roots+=("${mp%%/.containers/*}")
	done < <(new_traces "$1" | sed -n 's/^mount //p' | sort -r)
	((${#roots[@]} == 0)) || rm -rf --one-file-system -- "${roots[@]}"
}

# $1 as an extended regex that matches only itself.
regex_quote() {
	# shellcheck disable=SC2001,SC2016 # a bracket class and a literal $
	sed 's/[][\\.*^$()+?{}|]/\\&/g' <<<"$1"
}

# A built copy of the reference tree to make mutants in.
reference_work_tree() {
	local work=$BATS_TEST_TMPDIR/work
	(
		# shellcheck source=../common/common.sh
		source "$DL_REPO/common/common.sh"
		# shellcheck source=../scripts/lib/tree.sh
		source "$DL_REPO/scripts/lib/tree.sh"
		tree_copy "$DL_REPO" "$work"
	)
	make -s -C "$work/common" >/dev/null
	make -s -C "$work/task3" >/dev/null
	echo "$work"
}

# Which test of task 4 must fail when a region is missing: the first
# deployment test deploys (build, up), so it catches every region used on
# the way; `down` is only used by the test of down.
t4_region_test() {
	case $1 in
	4.6) echo "deployment: down leaves nothing behind, and a second down is fine" ;;
	*) echo "deployment: both images built, the second reusing the first one's cached layers" ;;
	esac
}

@test "grader: each stubbed region of task 4, alone, makes a deployment test (worth points) fail with its TODO" {
	require_root
	clean_cgroups=1
	# Every region, but through one bats test each (not the whole graded
	# suite): each needs a deployment, images built with apt and all; the
	# services' own tests are worth 0 and do not depend on the regions.
	local work id test before=$BATS_TEST_TMPDIR/traces.before n=0
	work=$(reference_work_tree)
	machine_traces | sort >"$before"
	while IFS=$'\t' read -r id _; do
		[[ $id == 4.* ]] || continue
		test=$(t4_region_test "$id")
		# the test chosen carries points in the manifest
		run awk -v t="$test" '$1 == "points" && $2 > 0 { re = $0; sub(/^points[ \t]+[0-9]+[ \t]+/, "", re); if (t ~ re) { print "yes"; exit } }' \
			"$DL_REPO/grading/task4.manifest"
		assert_output yes
		region_caught_by "$id" task4-services.bats "$test" "$work"
		n=$((n + 1))
	done < <("$MSE" --list)
	((n > 0)) || fail "task 4 has no regions"
	wait_until 50 no_new_traces "$before" || fail "the task 4 mutants left on the machine:"$'\n'"$(new_traces "$before")"
}

# The cheapest test that needs each task 3 region (a region missing here is
# a failure: say which test exercises it).
t3_region_test() {
	case $1 in
	3.1) echo "task3-containers.bats	layers: later layers shadow earlier ones and the base (lowerdir order)" ;;
	3.2) echo "task3-containers.bats	stop: a command that ignores SIGTERM is killed after STOP_TIMEOUT" ;;
	3.3) echo "task3-containers.bats	run: exit codes pass through (0, 3, 255, 128+N for a signal, 126, 127)" ;;
	3.4) echo "task3-containers.bats	exec: exit codes pass through, and argv is kept" ;;
	3.5) echo "task3-images.bats	build: a failed debootstrap caches nothing" ;;
	3.6) echo "task3-images.bats	build: RUN and COPY make layers; later layers shadow earlier ones and the base" ;;
	3.7) echo "task3-images.bats	build: RUN and COPY make layers; later layers shadow earlier ones and the base" ;;
	3.8) echo "task3-network.bats	network: host and container reach each other" ;;
	3.9) echo "task3-network.bats	network: an exposed port answers from outside, the host's address and localhost" ;;
	3.10) echo "task3-network.bats	network: containers reach each other only when peered, and stop undoes it" ;;
	3.11) echo "task3-containers.bats	exec: sees what the container's command wrote, in all its namespaces" ;;
	3.12) echo "task3-containers.bats	exec: exit codes pass through, and argv is kept" ;;
	3.13) echo "task3-containers.bats	run: ps inside shows PID 1 and only the container's processes" ;;
	3.14) echo "task3-pause.bats	pause: a paused container's counter stops, and unpause makes it go on" ;;
	3.15) echo "task3-containers.bats	run: exit codes pass through (0, 3, 255, 128+N for a signal, 126, 127)" ;;
	3.16 | 3.17 | 3.18 | 3.19 | 3.20) echo "task3-containers.bats	run: ps inside shows PID 1 and only the container's processes" ;;
	3.21) echo "task3-config.bats	run and exec -u: uid, gid, the user's groups and HOME from the image's own files; -u wins over USER" ;;
	3.22) echo "task3-rootless.bats	rootless without subordinate ids: one id, root, and a warning of what will not work" ;;
	3.23) echo "task3-volumes.bats	run -v :ro: writes inside fail, reads work, the host's files stay as they were" ;;
	3.io) echo "task3-resources.bats	io: the limits are in the container's cgroup (io.max or blkio.throttle), and stop removes it" ;;
	*) return 1 ;;
	esac
}

@test "grader: each stubbed region of task 3, alone, makes the test that uses it fail with its TODO" {
	require_root
	clean_cgroups=1
	# Grading a task 3 mutant takes about a minute: instead, each region is
	# stubbed alone in one built tree and only the test chosen for it
	# (t3_region_test) runs, which must fail with the region's TODO.
	local work id pick suite test before=$BATS_TEST_TMPDIR/traces.before n=0
	work=$(reference_work_tree)
	machine_traces | sort >"$before"
	while IFS=$'\t' read -r id _; do
		[[ $id == 3.* ]] || continue
		pick=$(t3_region_test "$id") || fail "region $id: no test chosen for it in t3_region_test"
		suite=${pick%%$'\t'*} test=${pick#*$'\t'}
		grep -qxF "@test \"$test\" {" "$DL_REPO/tests/$suite" || fail "region $id: no test '$test' in tests/$suite"
		region_caught_by "$id" "$suite" "$test" "$work"
		remove_mutant_live_roots "$before"
		# the containers a mutant's killed monitor could not remove
		# leave their cgroup leaves (every container has one: pause)
		remove_new_cgroups "$cgroups_before"
		n=$((n + 1))
	done < <("$MSE" --list)
	((n > 0)) || fail "task 3 has no regions"
	wait_until 50 no_new_traces "$before" || fail "the task 3 mutants left on the machine:"$'\n'"$(new_traces "$before")"
}

# ---- lessons ---------------------------------------------------------------------

@test "lessons: every annotated example of every task README matches a real run" {
	require_root
	run "$LESSONS"
	assert_success
	refute_line --partial "not ok"
	# tasks 1 and 2 show their outputs, so they must be checked
	assert_line --regexp '^ok - task1/README\.md:[0-9]+: '
	assert_line --regexp '^ok - task2/README\.md:[0-9]+: '
}

@test "lessons: the checker fails when a lesson and the code disagree" {
	require_root
	local wrong=$BATS_TEST_TMPDIR/README.md
	# masks must not hide what the lesson teaches: child 2 is PID 2
	sed 's/^Child2 Process PID: 2$/Child2 Process PID: 7/' "$DL_REPO/task1/README.md" >"$wrong"
	run "$LESSONS" "$wrong"
	assert_failure 1
	assert_line --partial "(the lesson and the code disagree)"
	assert_line --partial "#   +Child2 Process PID: 2"
	# and a malformed annotation is an error, not a silent pass
	# shellcheck disable=SC2016 # Markdown fences, not command substitution
	printf '<!-- lesson-check: true | mask: pids -->\n```\n```\n' >"$wrong"
	run "$LESSONS" "$wrong"
	assert_failure 1
	assert_output --partial "unknown mask 'pids'"
}
