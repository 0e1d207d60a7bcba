# Case 7: task 2c's CPU limit. launch_2c runs task 2's computation in a
# cgroup limited to 25%, 50% and 100% of one CPU; its CPU share is the
# CPU time it got over the wall time it took (rusage, so the load of other
# programs on the machine does not count against it). Also task 2's
# "Time Taken" of 2b (no limit, baseline) against 2c's.
# Target: each share within +-0.05 of its limit.
# shellcheck shell=bash

BENCH_CPU_RUNS=${BENCH_CPU_RUNS:-5}

case_7() {
	section "case 7: task 2c CPU limit accuracy ($BENCH_CPU_RUNS runs per limit)"
	local task2=$REPO/task2 root=$WORK/root2 percent
	[[ -x $task2/launch_2b && -x $task2/launch_2c ]] || {
		record_unavailable 7 "task 2 launchers" failed "task2/launch_2b or launch_2c not built: run make"
		return 0
	}
	cpu_share_samples "$WORK/c7-share-2b.txt" "$WORK/c7-2b.txt" "$task2/launch_2b" -r "$root"
	record_samples 7 "2b Time Taken (no limit)" baseline ms "$WORK/c7-2b.txt"
	for percent in 25 50 100; do
		cpu_share_samples "$WORK/c7-share-$percent.txt" "$WORK/c7-2c-$percent.txt" \
			"$task2/launch_2c" -r "$root" -c "$percent"
		record_samples 7 "2c Time Taken at $percent%" ours ms "$WORK/c7-2c-$percent.txt"
	done
	# what the machine gives without a limit: the ceiling of the 100% row
	record_samples 7 "2b CPU share (no limit)" info share "$WORK/c7-share-2b.txt" 1 "ratio = share / 1 CPU"
	for percent in 25 50 100; do
		local limit share
		limit=$(awk -v p="$percent" 'BEGIN { printf "%.2f\n", p / 100 }')
		record_samples 7 "2c CPU share at $percent%" ours share "$WORK/c7-share-$percent.txt" "$limit" \
			"ratio = share / limit"
		share=${MEDIAN[7/2c CPU share at $percent%]}
		target_within "7 CPU share at $percent% within +-0.05" "$limit +- 0.05" "$share" \
			"$(awk -v l="$limit" 'BEGIN { print l - 0.05 }')" "$(awk -v l="$limit" 'BEGIN { print l + 0.05 }')" "$share"
	done
}

# CPU share (user+sys over real, from bash's `time`) and Time Taken of
# each run of a launcher.
cpu_share_samples() {
	local shares=$1 taken=$2 i times
	shift 2
	: >"$shares"
	: >"$taken"
	for ((i = 0; i < BENCH_CPU_RUNS; i++)); do
		times=$({
			TIMEFORMAT='%R %U %S'
			time "$@" 2>/dev/null | awk '/^Time Taken:/ { print $3 }' >>"$taken"
		} 2>&1)
		awk '{ printf "%.3f\n", ($2 + $3) / $1 }' <<<"$times" >>"$shares"
	done
}
