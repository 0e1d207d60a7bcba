# Case 5: build of a 3-step Conductorfile (FROM, RUN, COPY): the first
# build (the debootstrap of the base reported apart), then rebuilds of the
# unchanged file, which must come from the layer cache. Target: rebuild <= 1 s.
# shellcheck shell=bash

case_5() {
	section "case 5: first build and unchanged rebuild of a 3-step Conductorfile"
	local dir=$WORK/build5 root=$WORK/root5 build
	mkdir -p "$dir"
	echo "hello from the bench" >"$dir/hello.txt"
	printf '%s\n' "FROM debian:bookworm" "RUN echo built-by-the-bench > /etc/bench-built" \
		"COPY hello.txt /opt/hello.txt" >"$dir/Conductorfile"
	build=(env CONDUCTOR_ROOT="$root" "$CONDUCTOR" build img5 "$dir/Conductorfile")
	report_debootstrap
	measure 5 "first build (base cached)" baseline --runs 5 \
		--prepare "$(quote_words rm -rf --one-file-system -- "$root")" -- "${build[@]}"
	measure 5 "rebuild, unchanged" ours -- "${build[@]}"
	local t=${MEDIAN[5/rebuild, unchanged]:-}
	target_within "5 unchanged rebuild <= 1 s" "<= 1000 ms" "$t" 0 1000 "${t:-?} ms"
}

# The base is debootstrapped only when the bench's base cache lacks it
# (bench_setup times it then): on a machine that has it, say so.
report_debootstrap() {
	if [[ -n ${BASE_MADE_MS:-} ]]; then
		echo "$BASE_MADE_MS" >"$WORK/c5-debootstrap.txt"
		record_samples 5 "debootstrap of the base (once)" info ms "$WORK/c5-debootstrap.txt" none "first build's base part"
	else
		record_unavailable 5 "debootstrap of the base" skipped \
			"already cached in $BENCH_BASE_CACHE, not redone (it needs the Debian mirror; remove the cache to measure it)" info
	fi
}
