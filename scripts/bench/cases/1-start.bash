# Case 1: start-to-exit of /bin/true in new PID+UTS+IPC+MNT+NET namespaces,
# in the same rootfs (the shared debootstrap base), for every runtime.
# Baseline: unshare + chroot. Targets: conductor.sh run --rm <= crun (a
# whole lifecycle each: crun run creates, starts, waits and deletes; run
# --rm records, starts, waits and removes); the run helper dl-run <= 1.3x
# the bare clone+pivot_root. "conductor.sh run" alone (its container
# removed between runs, untimed) shows what the removal costs.
# Limits against none (issue 16), each as a ratio to the same command
# without them in this run: dl-run with a cgroup leaf and no limits, and
# with --cpus/--memory/--pids, against dl-run without a cgroup (what the
# cgroup costs: on v1 the init is moved in with a write to cgroup.procs of
# every hierarchy, on v2 it is born there by clone3(CLONE_INTO_CGROUP)); and
# conductor.sh run with those limits against conductor.sh run, which as
# root gives every container a leaf (for pause and stats) and so pays the
# cgroup in both rows: their ratio is the limits' own cost.
# shellcheck shell=bash

case_1() {
	section "case 1: start-to-exit of /bin/true, 5 new namespaces, same rootfs"
	local root=$BASE_ROOTFS ns=(--pid --uts --ipc --mount --net --fork)
	local stop_c1
	stop_c1=$(quote_words "$CONDUCTOR" stop c1)
	measure 1 "unshare + chroot" baseline -- unshare "${ns[@]}" chroot "$root" /bin/true
	measure 1 "unshare --root" peer -- unshare "${ns[@]}" --root="$root" /bin/true
	measure 1 "bare clone+pivot_root (C)" peer -- "$BARE_RUN" "$root" /bin/true
	measure 1 "dl-run (task3 helper)" ours -- "$DL_RUN" --hostname bench --rootfs "$root" -- /bin/true
	# dl-run in the foreground removes the leaf it made when its command ends
	local cg=(--cgroup c1-dl-run --cgroup-scope "$CONDUCTOR_ROOT") limits=(--cpus 1 --memory 256m --pids 1024)
	measure 1 "dl-run --cgroup (leaf, no limits)" ours --ref "dl-run (task3 helper)" --note "ratio to dl-run" \
		-- "$DL_RUN" --hostname bench --rootfs "$root" "${cg[@]}" -- /bin/true
	measure 1 "dl-run --cgroup --cpus --memory --pids" ours --ref "dl-run (task3 helper)" --note "ratio to dl-run" \
		-- "$DL_RUN" --hostname bench --rootfs "$root" "${cg[@]}" "${limits[@]}" -- /bin/true
	measure 1 "conductor.sh run" ours --prepare "$stop_c1" -- "$CONDUCTOR" run bench c1 -- /bin/true
	# the row above leaves its last c1; each run --rm removes its own
	"$CONDUCTOR" stop c1 >/dev/null 2>&1 || true
	measure 1 "conductor.sh run --rm" ours -- "$CONDUCTOR" run --rm bench c1 -- /bin/true
	measure 1 "conductor.sh run --cpus --memory --pids" ours --prepare "$stop_c1" \
		--ref "conductor.sh run" --note "ratio to conductor.sh run (a leaf too, no limits)" \
		-- "$CONDUCTOR" run "${limits[@]}" bench c1 -- /bin/true
	"$CONDUCTOR" stop c1 >/dev/null 2>&1
	lifecycle_rows
	start_rootless
	start_with_bwrap
	start_with_crun
	require_peer 1 runc runc && measure 1 runc peer -- runc run --bundle "$WORK/bundle-true" bench-c1-runc
	start_with_nspawn
	# not in the bench's package list (large dependency trees): rows say so
	require_peer 1 podman podman || true
	require_peer 1 lxc lxc-execute || true
	target_ratio "1a conductor.sh run --rm <= crun" 1 "conductor.sh run --rm" "$(crun_variant 1)" 1.0
	target_ratio "1c conductor.sh run --rm <= 1.5x bwrap" 1 "conductor.sh run --rm" bwrap 1.5
	target_ratio "1d run -d + stop <= 2x crun" 1 "conductor.sh run -d + stop" "$(crun_variant 1)" 2.0
	target_above "1e stop of an exited container <= 3 ms above rm -rf" 1 "conductor.sh stop, exited" \
		"rm -rf of a container's directory" 3
	target_ratio "1b dl-run <= 1.3x bare clone+pivot_root" 1 "dl-run (task3 helper)" "bare clone+pivot_root (C)" 1.3
}

# The other lifecycles (issue 17): a detached container whose command ends
# on SIGTERM, started and stopped (the row includes one bash -c to run
# both: ~1 ms, so it is counted against us); stop of a container that has
# exited already, against a bare rm -rf of a directory like its own
# (state, upper/, work/work/, rootfs/: what stop deletes once the live
# root is unmounted).
lifecycle_rows() {
	local both dir=$WORK/c1-rmdir
	printf -v both '%q run -d bench c1 -- sleep infinity >/dev/null 2>&1 && exec %q stop c1 >/dev/null 2>&1' \
		"$CONDUCTOR" "$CONDUCTOR"
	measure 1 "conductor.sh run -d + stop" ours -- bash -c "$both"
	measure 1 "conductor.sh stop, exited" ours --ref "rm -rf of a container's directory" \
		--prepare "$(quote_words "$CONDUCTOR" run bench c1 -- /bin/true)" -- "$CONDUCTOR" stop c1
	# an exited container's state, for the directory rm -rf deletes
	"$CONDUCTOR" run bench c1 -- /bin/true >/dev/null 2>&1
	cp "$CONDUCTOR_ROOT/.containers/c1/state" "$WORK/c1-state"
	"$CONDUCTOR" stop c1 >/dev/null 2>&1
	local make_dir
	printf -v make_dir 'mkdir -p %q/upper %q/work/work %q/rootfs && cp %q %q/state' "$dir" "$dir" "$dir" \
		"$WORK/c1-state" "$dir"
	measure 1 "rm -rf of a container's directory" peer --prepare "bash -c $(printf '%q' "$make_dir")" \
		-- rm -rf "$dir"
}

# Rootless (an ordinary user, a user namespace too): the user switch
# alone, then dl-run and run --rm as that user, and bwrap's rootless mode;
# each row includes the switch, and all run over the user's copy of the base.
start_rootless() {
	rootless_row 1 "setpriv + env (the rootless rows' user switch)" peer -- /bin/true
	# their copy: the bench's tree may be where they cannot go (/root in the VM)
	rootless_row 1 "dl-run, rootless" ours -- "${RL_C%/conductor.sh}/bin/dl-run" --hostname bench \
		--rootfs "$RL_BASE" -- /bin/true
	rootless_row 1 "conductor.sh run --rm, rootless" ours -- "$RL_C" run --rm bench c1 -- /bin/true
	if command -v bwrap >/dev/null; then
		rootless_row 1 "bwrap --unshare-user, rootless" peer -- bwrap --unshare-user --unshare-pid \
			--unshare-uts --unshare-ipc --unshare-net --ro-bind "$RL_BASE" / --proc /proc --dev /dev /bin/true
	fi
	require_peer 1 "podman run --rm --rootfs, rootless" podman || return 0
	# podman's rootless mode over the same rootfs (--rootfs: the first
	# argument is the directory, not an image), no network;
	# cgroupfs and a file for its events, as the bench's user has no session
	# bus. It keeps a pause process (the user namespace it reuses) between
	# runs, which rootless_cleanup ends.
	rootless_row 1 "podman run --rm --rootfs, rootless" peer -- podman --cgroup-manager=cgroupfs \
		--events-backend=file run --rm --cgroups=disabled --network none --rootfs "$RL_BASE" /bin/true
}

start_with_bwrap() {
	require_peer 1 bwrap bwrap || return 0
	measure 1 bwrap peer -- bwrap --unshare-pid --unshare-uts --unshare-ipc --unshare-net \
		--ro-bind "$BASE_ROOTFS" / --proc /proc --dev /dev /bin/true
}

# crun as installed first (on a hybrid host it refuses, and the row keeps
# its error), then, if that failed, with the cgroup2 mount hidden so it
# runs with v1 cgroups.
start_with_crun() {
	require_peer 1 crun crun || return 0
	measure 1 crun peer -- crun run --bundle "$WORK/bundle-true" bench-c1-crun
	[[ -z ${MEDIAN[1/crun]:-} ]] && cgroup2_blocks_crun || return 0
	measure 1 "crun, cgroup2 hidden" peer --wrap with_cgroup2_hidden \
		--note "v1 cgroups; own mount ns hides /sys/fs/cgroup/unified" \
		-- crun run --bundle "$WORK/bundle-true" bench-c1-crun
}

# The crun row of case N that ran, with the words after "crun" (WHAT:
# e.g. "exec") if any: "crun WHAT", or, when that has no time (a hybrid
# host), its cgroup2-hidden variant "crun, cgroup2 hidden WHAT".
crun_variant() {
	local plain="crun${2:+ $2}"
	if [[ -n ${MEDIAN[$1/$plain]:-} ]]; then
		echo "$plain"
	else
		echo "crun, cgroup2 hidden${2:+ $2}"
	fi
}

# Read-only, no resolv.conf/timezone copy: nothing is written to the shared
# rootfs; --keep-unit and --register=no: no systemd/machined needed.
start_with_nspawn() {
	require_peer 1 systemd-nspawn systemd-nspawn || return 0
	measure 1 systemd-nspawn peer -- systemd-nspawn --quiet --register=no --keep-unit \
		--private-network --read-only --resolv-conf=off --timezone=off --link-journal=no \
		-D "$BASE_ROOTFS" /bin/true
}
