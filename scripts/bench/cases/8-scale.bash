# Case 8: scale. Start BENCH_SCALE_N (50) networked containers one after
# another (run -d, then addnetwork --internet, in the network lab), timing
# each; then the host memory each idle container costs; then stop them all.
# Target: the last runs and addnetworks cost at most 1.5x the first (the
# medians of the first 5 and last 5 are compared, single runs being noisy;
# the 1st and Nth are in the note and every run in raw/c8-scale.csv).
# shellcheck shell=bash

BENCH_SCALE_N=${BENCH_SCALE_N:-50}

case_8() {
	local n=$BENCH_SCALE_N i t_run t_net t_stop before after kbefore kafter pss=0
	section "case 8: $n networked containers, one after another (network lab)"
	local raw=$OUT/raw/c8-scale.csv
	echo 'container,run_ms,addnetwork_ms,stop_ms' >"$raw"
	before=$(memory_used_kb) kbefore=$(kernel_memory_kb)
	for ((i = 1; i <= n; i++)); do
		t_run=$(elapsed_ms in_lab "$CONDUCTOR" run -d bench "s$i" -- sleep infinity 3>&-) ||
			die "case 8: run -d of container s$i failed"
		t_net=$(elapsed_ms in_lab "$CONDUCTOR" addnetwork "s$i" --internet) ||
			die "case 8: addnetwork s$i failed"
		printf '%s %s\n' "$t_run" "$t_net" >>"$WORK/c8-times.txt"
	done
	after=$(memory_used_kb) kafter=$(kernel_memory_kb)
	for ((i = 1; i <= n; i++)); do
		pss=$((pss + $(container_pss_kb "s$i")))
	done
	for ((i = 1; i <= n; i++)); do
		t_stop=$(elapsed_ms in_lab "$CONDUCTOR" stop "s$i") || die "case 8: stop s$i failed"
		echo "$t_stop" >>"$WORK/c8-stop.txt"
	done
	paste -d' ' "$WORK/c8-times.txt" "$WORK/c8-stop.txt" | awk -v OFS=, '{ print "s" NR, $1, $2, $3 }' >>"$raw"
	scale_rows 8 "run -d" 2 "$n"
	scale_rows 8 "addnetwork --internet" 3 "$n"
	cut -d, -f4 "$raw" | tail -n +2 >"$WORK/c8-stop-all.txt"
	record_samples 8 "stop (networked), all $n" info ms "$WORK/c8-stop-all.txt" none
	awk -v d=$((after - before)) -v n="$n" 'BEGIN { printf "%.2f\n", d / n / 1024 }' >"$WORK/c8-mem.txt"
	record_samples 8 "host memory per idle container" info MiB "$WORK/c8-mem.txt" none \
		"(MemTotal - MemAvailable) after - before, / $n; shared machine: noisy"
	awk -v d=$((kafter - kbefore)) -v n="$n" 'BEGIN { printf "%.2f\n", d / n / 1024 }' >"$WORK/c8-kmem.txt"
	record_samples 8 "kernel memory per idle container" info MiB "$WORK/c8-kmem.txt" none \
		"Slab + KernelStack + PageTables after - before, / $n"
	awk -v p="$pss" -v n="$n" 'BEGIN { printf "%.2f\n", p / n / 1024 }' >"$WORK/c8-pss.txt"
	record_samples 8 "PSS of each container's processes" info MiB "$WORK/c8-pss.txt" none \
		"monitor + init + sleep, /proc/PID/smaps_rollup"
}

# scale_rows CASE WHAT COLUMN N: the first 5 and the last 5 of a column of
# the raw table as two rows, and the target on them.
scale_rows() {
	local case=$1 what=$2 col=$3 n=$4 raw=$OUT/raw/c8-scale.csv first last
	tail -n +2 "$raw" | cut -d, -f"$col" >"$WORK/c8-col.txt"
	head -n 5 "$WORK/c8-col.txt" >"$WORK/c8-first.txt"
	tail -n 5 "$WORK/c8-col.txt" >"$WORK/c8-last.txt"
	first=$(head -n 1 "$WORK/c8-col.txt") last=$(tail -n 1 "$WORK/c8-col.txt")
	local kind=info ref=none
	[[ $col != 2 ]] || kind=baseline ref=""
	record_samples "$case" "$what, containers 1-5" "$kind" ms "$WORK/c8-first.txt" "$ref" "1st: $first ms"
	record_samples "$case" "$what, containers $((n - 4))-$n" ours ms "$WORK/c8-last.txt" \
		"${MEDIAN[$case/$what, containers 1-5]}" "${n}th: $last ms; ratio to containers 1-5"
	target_ratio "8 $what: containers $((n - 4))-$n <= 1.5x containers 1-5" "$case" \
		"$what, containers $((n - 4))-$n" "$what, containers 1-5" 1.5
}

memory_used_kb() {
	sync
	awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo
}

# What namespaces, mounts, veths and process stacks cost the kernel, in kB.
kernel_memory_kb() {
	awk '/^(Slab|KernelStack|PageTables):/ { k += $2 } END { print k }' /proc/meminfo
}

# Proportional set size of a container's monitor (dl-run), init and the
# init's children, in kB.
container_pss_kb() {
	local init monitor pid total=0 kb
	init=$(container_pid "$1")
	monitor=$(awk '{ print $4 }' "/proc/$init/stat")
	for pid in "$monitor" "$init" $(cat /proc/"$init"/task/*/children 2>/dev/null); do
		kb=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null) || kb=0
		total=$((total + ${kb:-0}))
	done
	echo "$total"
}
