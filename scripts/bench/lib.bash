# lib.bash - what every benchmark case uses: timing with hyperfine, one
# results table (CSV) with ratios to the case's baseline, the targets, and
# the final report and chart.
# shellcheck shell=bash
#
# Every measurement is one row of $OUT/results.csv:
#   case,variant,kind,runs,median,mean,stddev,min,max,unit,ratio,status,note
# kind: baseline (what the case's ratios divide by), ours, peer or info.
# status: ok, or failed/skipped with the exact error in note.
# A bench never asserts a time: a missed target is reported, not an error.

BENCH_RUNS=${BENCH_RUNS:-30}
BENCH_WARMUP=${BENCH_WARMUP:-3}

declare -A MEDIAN=()   # "case/variant" -> median, in the row's unit
declare -A BASELINE=() # case -> the variant its ratios divide by

bench_init_results() {
	mkdir -p "$OUT/raw"
	echo 'case,variant,kind,runs,median,mean,stddev,min,max,unit,ratio,status,note' >"$OUT/results.csv"
	echo 'target,wanted,measured,verdict' >"$OUT/targets.csv"
}

say() { printf '%s\n' "$*" >&2; }
section() { printf '\n== %s\n' "$*" >&2; }

csv_field() {
	local text=${1//\"/\'}
	printf '"%s"' "${text//$'\n'/ }"
}

# ratio VALUE REF: VALUE / REF with 3 decimals, "-" when REF is missing.
ratio_of() {
	awk -v v="$1" -v r="${2:-}" 'BEGIN { if (r == "" || r + 0 == 0) print "-"; else printf "%.3f\n", v / r }'
}

# record_row CASE VARIANT KIND RUNS MEDIAN MEAN STDDEV MIN MAX UNIT REF NOTE:
# REF is the value the ratio divides by (empty: the case's baseline; "none":
# no ratio).
record_row() {
	local case=$1 variant=$2 kind=$3 runs=$4 median=$5 mean=$6 sd=$7 min=$8 max=$9 unit=${10}
	local ref=${11:-} note=${12:-} ratio
	if [[ $ref == none ]]; then
		ref="" # not comparable with anything: no ratio
	elif [[ $kind == baseline ]]; then
		BASELINE[$case]=$variant
		ref=$median
	elif [[ -z $ref && -n ${BASELINE[$case]:-} ]]; then
		ref=${MEDIAN[$case/${BASELINE[$case]}]:-}
	fi
	MEDIAN[$case/$variant]=$median
	ratio=$(ratio_of "$median" "$ref")
	printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,ok,%s\n' "$case" "$(csv_field "$variant")" "$kind" \
		"$runs" "$median" "$mean" "$sd" "$min" "$max" "$unit" "$ratio" "$(csv_field "$note")" \
		>>"$OUT/results.csv"
	printf '   %-34s %10s %-6s %6s  (%s runs)%s\n' "$variant" "$median" "$unit" \
		"$([[ $ratio == - ]] && echo - || echo "${ratio}x")" "$runs" "${note:+  $note}" >&2
}

# record_unavailable CASE VARIANT STATUS ERROR [KIND]: a peer (or step)
# that could not run, kept in the table with its exact error.
record_unavailable() {
	local case=$1 variant=$2 status=$3 error=$4 kind=${5:-peer}
	printf '%s,%s,%s,0,,,,,,,-,%s,%s\n' "$case" "$(csv_field "$variant")" "$kind" "$status" \
		"$(csv_field "$error")" >>"$OUT/results.csv"
	printf '   %-34s %s: %s\n' "$variant" "$status" "$error" >&2
}

# stats FILE: "median mean stddev min max n" of the numbers in FILE.
stats() {
	sort -g "$1" | awk '
		{ v[NR] = $1; s += $1; ss += $1 * $1 }
		END {
			if (NR == 0) { print "0 0 0 0 0 0"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			mean = s / NR; var = ss / NR - mean * mean; if (var < 0) var = 0
			printf "%.3f %.3f %.3f %.3f %.3f %d\n", m, mean, sqrt(var), v[1], v[NR], NR
		}'
}

# record_samples CASE VARIANT KIND UNIT FILE [REF] [NOTE]: one row from
# samples measured by the case itself (one number a line).
record_samples() {
	local case=$1 variant=$2 kind=$3 unit=$4 file=$5 ref=${6:-} note=${7:-}
	local median mean sd min max n
	read -r median mean sd min max n < <(stats "$file")
	cp "$file" "$OUT/raw/c$case-${variant//[^A-Za-z0-9._-]/_}.txt"
	record_row "$case" "$variant" "$kind" "$n" "$median" "$mean" "$sd" "$min" "$max" "$unit" "$ref" "$note"
}

# elapsed_ms CMD...: run CMD (output discarded), print its wall time in ms.
# Fails with CMD's status.
elapsed_ms() {
	local start=$EPOCHREALTIME end rc=0
	"$@" >/dev/null 2>&1 || rc=$?
	end=$EPOCHREALTIME
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", (e - s) * 1000 }'
	return "$rc"
}

# The words of a command as one string that hyperfine -N splits back.
quote_words() {
	local out
	printf -v out '%q ' "$@"
	printf '%s\n' "${out% }"
}

# last_error FILE: the last non-empty lines of a command's stderr, on one line.
last_error() {
	grep -v '^[[:space:]]*$' "$1" | tail -n 3 | tr '\n' ' ' | sed 's/ *$//' | cut -c1-300
}

# measure CASE VARIANT KIND [options] -- CMD...: time CMD with hyperfine.
#   --prepare CMD   run (untimed) before every run, e.g. removing a container
#   --runs N        instead of BENCH_RUNS (slow cases)
#   --wrap WORDS    run CMD and hyperfine under a wrapper (a space-separated
#                   function name, e.g. with_cgroup2_hidden)
#   --ref VARIANT   divide by this variant of the case, not the baseline
#   --note TEXT     printed beside the row
# CMD is first run once alone: if it fails, the peer is recorded with its
# exact error instead of a time.
measure() {
	local case=$1 variant=$2 kind=$3
	shift 3
	local prepare="" runs=$BENCH_RUNS wrap=() ref="" note=""
	while [[ $1 != -- ]]; do
		case $1 in
		--prepare) prepare=$2 ;;
		--runs) runs=$2 ;;
		--wrap) read -r -a wrap <<<"$2" ;;
		--ref) ref=$2 ;;
		--note) note=$2 ;;
		*) die "measure: unknown option $1" ;;
		esac
		shift 2
	done
	shift
	local slug=c$case-${variant//[^A-Za-z0-9._-]/_}
	local errfile=$WORK/$slug.err json=$OUT/raw/$slug.json
	[[ -z $prepare ]] || eval "${wrap[*]} $prepare" >/dev/null 2>&1 || true
	if ! "${wrap[@]}" "$@" >/dev/null 2>"$errfile"; then
		record_unavailable "$case" "$variant" failed "$(last_error "$errfile")"
		return 0
	fi
	local hf=(hyperfine -N --style basic --warmup "$BENCH_WARMUP" --runs "$runs" --export-json "$json")
	[[ -z $prepare ]] || hf+=(--prepare "$prepare")
	if ! "${wrap[@]}" "${hf[@]}" "$(quote_words "$@")" >"$WORK/$slug.hyperfine" 2>&1; then
		record_unavailable "$case" "$variant" failed "hyperfine: $(last_error "$WORK/$slug.hyperfine")"
		return 0
	fi
	local median mean sd min max n
	# seconds to ms, 3 decimals; stddev is null for a single run
	read -r median mean sd min max n < <(jq -r '.results[0] |
		([.median, .mean, .stddev, .min, .max] | map((. // 0) * 1000000 | round / 1000))
		+ [(.times | length)] | map(tostring) | join(" ")' "$json")
	record_row "$case" "$variant" "$kind" "$n" "$median" "$mean" "$sd" "$min" "$max" ms \
		"${ref:+${MEDIAN[$case/$ref]:-}}" "$note"
}

# A peer whose program is missing: reported, not dropped.
require_peer() {
	local case=$1 variant=$2 program=$3
	command -v "$program" >/dev/null && return 0
	record_unavailable "$case" "$variant" skipped "$program: command not found (not installed)"
	return 1
}

# ---- targets -------------------------------------------------------------

# target ID WANTED MEASURED VERDICT: one line of the targets table.
target() {
	printf '%s,%s,%s,%s\n' "$(csv_field "$1")" "$(csv_field "$2")" "$(csv_field "$3")" "$4" >>"$OUT/targets.csv"
}

# target_vs ID CASE VARIANT REF_VARIANT HOW LIMIT: VARIANT's median against
# REF_VARIANT's. HOW: x<= at most LIMIT times it (times: lower is better),
# x>= at least LIMIT times it (throughput), +<= at most LIMIT ms above it
# (what a step adds to the least it must do).
target_vs() {
	local id=$1 case=$2 variant=$3 refv=$4 how=$5 limit=$6 wanted line
	local v=${MEDIAN[$case/$variant]:-} r=${MEDIAN[$case/$refv]:-}
	case $how in
	'x<=') wanted="$variant <= ${limit}x $refv" ;;
	'x>=') wanted="$variant >= ${limit}x $refv" ;;
	'+<=') wanted="$variant <= $refv + $limit ms" ;;
	*) die "target_vs: unknown comparison '$how'" ;;
	esac
	if [[ -z $v || -z $r ]]; then
		target "$id" "$wanted" "not measured" n/a
		return 0
	fi
	line=$(awk -v v="$v" -v r="$r" -v h="$how" -v m="$limit" 'BEGIN {
		if (h == "+<=") { d = v - r; printf "%s vs %s ms = +%.2f ms|%s\n", v, r, d, (d <= m ? "met" : "MISSED"); exit }
		if (r + 0 == 0) { printf "%s vs %s|n/a\n", v, r; exit }
		q = v / r; ok = (h == "x<=" ? q <= m : q >= m)
		printf "%s vs %s = %.3fx|%s\n", v, r, q, (ok ? "met" : "MISSED") }')
	target "$id" "$wanted" "${line%|*}" "${line##*|}"
}

target_ratio() { target_vs "$1" "$2" "$3" "$4" 'x<=' "$5"; }
target_at_least() { target_vs "$1" "$2" "$3" "$4" 'x>=' "$5"; }
target_above() { target_vs "$1" "$2" "$3" "$4" '+<=' "$5"; }

# target_within ID WANTED VALUE LOW HIGH MEASURED_TEXT
target_within() {
	local id=$1 wanted=$2 value=$3 low=$4 high=$5 text=$6 verdict
	if [[ -z $value ]]; then
		target "$id" "$wanted" "not measured" n/a
		return 0
	fi
	verdict=$(awk -v v="$value" -v l="$low" -v h="$high" 'BEGIN { print (v >= l && v <= h ? "met" : "MISSED") }')
	target "$id" "$wanted" "$text" "$verdict"
}

# ---- report ----------------------------------------------------------------

# The CSV as an aligned table (quoted fields may hold commas).
csv_rows() {
	python3 -c 'import csv, sys
for row in csv.reader(open(sys.argv[1])): print("\t".join(row))' "$1"
}

print_results_table() {
	{
		printf 'case\tvariant\tkind\truns\tmedian\tunit\tratio\tstatus / note\n'
		csv_rows "$OUT/results.csv" | tail -n +2 |
			awk -F'\t' -v OFS='\t' '{
				r = ($11 == "-" ? "-" : $11 "x")
				note = ($12 == "ok" ? $13 : $12 ": " $13)
				print $1, $2, $3, $4, ($5 == "" ? "-" : $5), $10, r, note }'
	} | column -t -s $'\t'
}

print_targets_table() {
	{
		printf 'target\twanted\tmeasured\tverdict\n'
		csv_rows "$OUT/targets.csv" | tail -n +2
	} | column -t -s $'\t'
}

# Markdown versions, for docs/benchmarks.md.
write_markdown_tables() {
	{
		echo '| case | variant | kind | runs | median | unit | ratio | note |'
		echo '|---|---|---|---|---|---|---|---|'
		csv_rows "$OUT/results.csv" | tail -n +2 | awk -F'\t' '{
			r = ($11 == "-" ? "-" : $11 "x"); note = ($12 == "ok" ? $13 : $12 ": " $13)
			gsub(/\|/, "\\|", note)
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, ($5 == "" ? "-" : $5), $10, r, note }'
		echo
		echo '| target | wanted | measured | verdict |'
		echo '|---|---|---|---|'
		csv_rows "$OUT/targets.csv" | tail -n +2 | awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }'
	} >"$OUT/tables.md"
}

# A bar chart of every timed row, as ratios to its case's baseline.
draw_chart() {
	command -v gnuplot >/dev/null || {
		say "no gnuplot: no chart (scripts/install-deps --bench installs gnuplot-nox)"
		return 0
	}
	csv_rows "$OUT/results.csv" | tail -n +2 |
		awk -F'\t' -v OFS='\t' '$12 == "ok" && $11 != "-" && $10 == "ms" { print substr("c" $1 " " $2, 1, 36), $11, $3 }' \
			>"$WORK/chart.tsv"
	[[ -s $WORK/chart.tsv ]] || return 0
	gnuplot -e "datafile='$WORK/chart.tsv'; outfile='$OUT/chart.png'" "$BENCH_DIR/chart.gp" 2>"$WORK/gnuplot.err" ||
		say "gnuplot failed: $(last_error "$WORK/gnuplot.err")"
}
