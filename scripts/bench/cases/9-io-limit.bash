# Case 9: the block-I/O limit's accuracy. A container writes with dd
# oflag=direct (straight to the disk, where the throttle is) under run
# --device-write-bps at 1, 10 and 50 MiB/s ("1m": Docker's binary units),
# about 3 s of data each, on the disk of the bench's state root; the rate
# is dd's own (its bytes over its seconds), so the container's start and
# removal do not count. Baseline: the same dd without a limit (the disk's
# own speed: a limit above it cannot show).
# Target: each rate within +-10% of its limit.
# shellcheck shell=bash

BENCH_IO_RUNS=${BENCH_IO_RUNS:-3}

case_9() {
	section "case 9: block-I/O limit accuracy (dd oflag=direct, $BENCH_IO_RUNS runs per limit)"
	local mib ratio
	bench_state_disk || {
		record_unavailable 9 "io limit" failed "the state root is on no block device (tmpfs?): no disk to throttle"
		return 0
	}
	# unlimited: 64 MiB, which the disk writes in well under 3 s
	io_rate_samples "$WORK/c9-none.txt" "" 64
	record_samples 9 "dd oflag=direct, no limit" baseline MiB/s "$WORK/c9-none.txt"
	for mib in 1 10 50; do
		io_rate_samples "$WORK/c9-$mib.txt" "$BENCH_DISK:${mib}m" $((mib * 3))
		record_samples 9 "--device-write-bps ${mib}m" ours MiB/s "$WORK/c9-$mib.txt" "$mib" \
			"ratio = rate / limit; the disk $BENCH_DISK"
		ratio=$(ratio_of "${MEDIAN[9/--device-write-bps ${mib}m]}" "$mib")
		target_within "9 write rate at ${mib} MiB/s within +-10%" "0.9-1.1 x limit" "$ratio" 0.9 1.1 "$ratio x"
	done
}

# bench_state_disk: BENCH_DISK, the whole disk holding the state root.
bench_state_disk() {
	local dev sys
	dev=$(stat -c '%Hd:%Ld' "$CONDUCTOR_ROOT") || return 1
	sys=$(readlink -f "/sys/dev/block/$dev") && [[ -e $sys/dev ]] || return 1
	[[ ! -e $sys/partition ]] || sys=${sys%/*}
	BENCH_DISK=/dev/${sys##*/}
	[[ -b $BENCH_DISK ]]
}

# io_rate_samples FILE LIMIT MIB: BENCH_IO_RUNS rates (MiB/s) of a direct
# write of MIB MiB in a container, under --device-write-bps LIMIT (none
# when empty), into FILE.
io_rate_samples() {
	local file=$1 limit=$2 mib=$3 i out opts=()
	[[ -z $limit ]] || opts=(--device-write-bps "$limit")
	: >"$file"
	for ((i = 0; i < BENCH_IO_RUNS; i++)); do
		out=$("$CONDUCTOR" run --rm "${opts[@]}" bench c9 -- \
			dd if=/dev/zero of=/c9.out bs=64k count=$((mib * 16)) oflag=direct 2>&1) ||
			die "case 9: the dd container failed: $out"
		# "N bytes (...) copied, S s, ...": dd's own bytes and seconds
		awk '/ bytes .* copied, / { for (i = 1; i <= NF; i++) if ($i == "copied,") s = $(i + 1);
		                            printf "%.3f\n", $1 / s / 1048576 }' <<<"$out" >>"$file"
	done
}
