# Case 9: the block-I/O limit's accuracy. A container writes with dd
# oflag=direct (straight to the disk, where the throttle is) under run
# --device-write-bps at 1, 10 and 50 MiB/s ("1m": Docker's binary units),
# about 3 s of data each, on the disk of the bench's state root; then
# reads with iflag=direct under --device-read-bps, a file it has just
# written unthrottled in the same container (the read alone is limited).
# The rate is dd's own (its bytes over its seconds), so the container's
# start and removal do not count. Baseline: the same write without a limit
# (the disk's own speed: a limit above it cannot show); the unlimited read
# is shown beside it.
# Target: each rate within +-10% of its limit.
# shellcheck shell=bash

BENCH_IO_RUNS=${BENCH_IO_RUNS:-3}

case_9() {
	section "case 9: block-I/O limit accuracy (dd oflag/iflag=direct, $BENCH_IO_RUNS runs per limit)"
	local mib ratio
	bench_state_disk || {
		record_unavailable 9 "io limit" failed "the state root is on no block device (tmpfs?): no disk to throttle"
		return 0
	}
	# unlimited: 64 MiB, which the disk writes (and reads) in well under 3 s
	if io_rate_samples write "$WORK/c9-none.txt" "" 64; then
		record_samples 9 "dd oflag=direct, no limit" baseline MiB/s "$WORK/c9-none.txt"
	else
		record_unavailable 9 "dd oflag=direct, no limit" failed "$IO_ERROR" baseline
	fi
	if io_rate_samples read "$WORK/c9-read-none.txt" "" 64; then
		record_samples 9 "dd iflag=direct, no limit" info MiB/s "$WORK/c9-read-none.txt" none \
			"the disk's read speed"
	else
		record_unavailable 9 "dd iflag=direct, no limit" failed "$IO_ERROR" info
	fi
	local dir variant
	for dir in write read; do
		for mib in 1 10 50; do
			variant="--device-$dir-bps ${mib}m"
			if ! io_rate_samples "$dir" "$WORK/c9-$dir-$mib.txt" "$BENCH_DISK:${mib}m" $((mib * 3)); then
				record_unavailable 9 "$variant" failed "$IO_ERROR" ours
				target "9 $dir rate at ${mib} MiB/s within +-10%" "0.9-1.1 x limit" "not measured" n/a
				continue
			fi
			record_samples 9 "$variant" ours MiB/s "$WORK/c9-$dir-$mib.txt" "$mib" \
				"ratio = rate / limit; the disk $BENCH_DISK"
			ratio=$(ratio_of "${MEDIAN[9/$variant]}" "$mib")
			target_within "9 $dir rate at ${mib} MiB/s within +-10%" "0.9-1.1 x limit" "$ratio" 0.9 1.1 "$ratio x"
		done
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

# io_rate_samples DIR FILE LIMIT MIB: BENCH_IO_RUNS rates (MiB/s) of a
# direct write (DIR write) or read (DIR read) of MIB MiB in a container,
# under --device-DIR-bps LIMIT (none when empty), into FILE; on failure,
# IO_ERROR says why (the row keeps it, the other rows still run). A read reads a
# file the same container has just written with oflag=direct: nothing of it
# is in the page cache, and the write is not throttled by a read limit.
io_rate_samples() {
	local dir=$1 file=$2 limit=$3 mib=$4 i out opts=() cmd
	[[ -z $limit ]] || opts=("--device-$dir-bps" "$limit")
	local count=$((mib * 16))
	if [[ $dir == write ]]; then
		cmd=(dd if=/dev/zero of=/c9.out bs=64k "count=$count" oflag=direct)
	else
		# only the read's dd writes its summary to the output
		cmd=(sh -c "dd if=/dev/zero of=/c9.in bs=64k count=$count oflag=direct 2>/dev/null &&
			dd if=/c9.in of=/dev/null bs=64k iflag=direct")
	fi
	: >"$file"
	for ((i = 0; i < BENCH_IO_RUNS; i++)); do
		if ! out=$("$CONDUCTOR" run --rm "${opts[@]}" bench c9 -- "${cmd[@]}" 2>&1); then
			IO_ERROR="the dd container failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
			return 1
		fi
		# "N bytes (...) copied, S s, ...": dd's own bytes and seconds
		awk '/ bytes .* copied, / { for (i = 1; i <= NF; i++) if ($i == "copied,") s = $(i + 1);
		                            printf "%.3f\n", $1 / s / 1048576 }' <<<"$out" >>"$file"
	done
	[[ -s $file ]] || {
		IO_ERROR="no rate in dd's output: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
		return 1
	}
}
