# Case 10: pause and unpause latency: the time from the command's start
# until every process of a running `sleep infinity` container is frozen
# (thawed) and the command has ended. Each pause row runs, untimed before
# every run, the unpause of the same runtime (--prepare), and each unpause
# row the pause, so every timed run finds the container in the state it
# needs. Baseline: the task3 helper alone (dl-run --freeze / --thaw on the
# container's cgroup leaf: the freezer write and the wait until the kernel
# says FROZEN), which conductor.sh pause runs under its lock and state
# update. Peers: crun and runc pause/resume of their own `sleep infinity`
# container (crun with the cgroup2 mount hidden on a hybrid host, as in
# case 1). Targets: pause and unpause <= crun's, the bar case 2 sets for
# exec.
# shellcheck shell=bash

case_10() {
	section "case 10: pause / unpause latency of a running container"
	start_sleeper pz10 || die "case 10: cannot start the container pz10"
	local leaf c=$CONDUCTOR
	leaf=$(state_value pz10 cgroup) || {
		record_unavailable 10 "conductor.sh pause" failed "the container pz10 has no cgroup (none could be made)" ours
		in_lab "$CONDUCTOR" stop pz10 >/dev/null 2>&1
		return 0
	}
	leaf=${leaf##*/}
	measure 10 "dl-run --freeze (task3 helper)" baseline --prepare "$(quote_words "$DL_RUN" --thaw "$leaf")" \
		-- "$DL_RUN" --freeze "$leaf"
	measure 10 "dl-run --thaw (task3 helper)" ours --prepare "$(quote_words "$DL_RUN" --freeze "$leaf")" \
		-- "$DL_RUN" --thaw "$leaf"
	measure 10 "conductor.sh pause" ours --prepare "$(quote_words "$c" unpause pz10)" -- "$c" pause pz10
	measure 10 "conductor.sh unpause" ours --prepare "$(quote_words "$c" pause pz10)" \
		--ref "dl-run --thaw (task3 helper)" --note "ratio to dl-run --thaw" -- "$c" unpause pz10
	# the last row thawed it (a failed row may not have: stop thaws first)
	in_lab "$CONDUCTOR" stop pz10 >/dev/null 2>&1
	pause_with_oci crun
	pause_with_oci runc
	target_ratio "10a conductor.sh pause <= crun pause" 10 "conductor.sh pause" "$(crun_variant 10 pause)" 1.0
	target_ratio "10b conductor.sh unpause <= crun resume" 10 "conductor.sh unpause" "$(crun_variant 10 resume)" 1.0
}

# RUNTIME pause and resume of a detached `sleep infinity` container of that
# runtime (oci_start_detached: crun on a hybrid host with the cgroup2 mount
# hidden).
pause_with_oci() {
	local runtime=$1 id label wrap
	oci_start_detached 10 "$runtime" pause || return 0
	id=$OCI_ID label=$OCI_LABEL wrap=$OCI_WRAP
	measure 10 "$label pause" peer ${wrap:+--wrap "$wrap"} --prepare "$(quote_words "$runtime" resume "$id")" \
		-- "$runtime" pause "$id"
	measure 10 "$label resume" peer ${wrap:+--wrap "$wrap"} --prepare "$(quote_words "$runtime" pause "$id")" \
		--ref "dl-run --thaw (task3 helper)" --note "ratio to dl-run --thaw" -- "$runtime" resume "$id"
	oci_delete "$runtime" "$id"
}
