# Case 4: image instantiation: `run` of a plain Debian image (~230 MB)
# against the same image plus a ~2 GB layer (many files of a copied /usr,
# then large files). overlayfs mounts layers, it never copies them, so the
# two must cost the same. Target: within 10% of each other.
# shellcheck shell=bash

BENCH_BIG_LAYER_MB=${BENCH_BIG_LAYER_MB:-2048}

case_4() {
	section "case 4: run with a plain image vs the same image + ${BENCH_BIG_LAYER_MB} MB layer"
	build_big_image || return 0
	local stop_c4 plain big
	stop_c4=$(quote_words "$CONDUCTOR" stop c4)
	plain="run, plain image ($(du_mb "$BASE_ROOTFS") MB)"
	big="run, +$(du_mb "$CONDUCTOR_ROOT/.cache/layers") MB layer"
	measure 4 "$plain" baseline --prepare "$stop_c4" -- "$CONDUCTOR" run bench c4 -- /bin/true
	measure 4 "$big" ours --prepare "$stop_c4" -- "$CONDUCTOR" run big c4 -- /bin/true
	"$CONDUCTOR" stop c4 >/dev/null 2>&1
	local q
	q=$(ratio_of "${MEDIAN[4/$big]:-}" "${MEDIAN[4/$plain]:-}")
	[[ $q != - ]] || q=""
	target_within "4 run with +2 GB layer within 10% of plain" "ratio 0.90-1.10" "$q" 0.90 1.10 \
		"${MEDIAN[4/$big]:-} vs ${MEDIAN[4/$plain]:-} = ${q}x"
}

du_mb() {
	du -sm "$1" 2>/dev/null | cut -f1
}

# "big": one RUN layer of real files (copies of /usr, thousands of files)
# filled up with allocated blocks to BENCH_BIG_LAYER_MB. Its build time is
# reported as info.
build_big_image() {
	local dir=$WORK/big t
	mkdir -p "$dir"
	cat >"$dir/Conductorfile" <<CONDUCTORFILE
FROM debian:bookworm
RUN set -e; for i in 1 2 3; do cp -a /usr /opt/usr-copy-\$i; done; \\
    have=\$(du -sm /opt | cut -f1); n=0; \\
    while [ \$have -lt $BENCH_BIG_LAYER_MB ]; do n=\$((n + 1)); \\
        fallocate -l 128M /opt/blob-\$n; have=\$((have + 128)); done
CONDUCTORFILE
	if ! t=$(cd "$dir" && elapsed_ms "$CONDUCTOR" build big Conductorfile); then
		record_unavailable 4 "build of the big image" failed \
			"$(cd "$dir" && "$CONDUCTOR" build big Conductorfile 2>&1 | tail -n 2 | tr '\n' ' ')"
		return 1
	fi
	echo "$t" >"$WORK/c4-build.txt"
	record_samples 4 "build of the +$(du_mb "$CONDUCTOR_ROOT/.cache/layers") MB layer (once)" info ms \
		"$WORK/c4-build.txt" none "once; not a target"
}
