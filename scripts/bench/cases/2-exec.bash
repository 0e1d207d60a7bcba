# Case 2: join a running container and run /bin/true there.
# Baseline: nsenter -a. Target: conductor.sh exec <= crun exec.
# shellcheck shell=bash

case_2() {
	section "case 2: exec /bin/true in a running container"
	start_sleeper exe2 || die "case 2: cannot start the container exe2"
	local pid start
	pid=$(container_pid exe2) start=$(state_value exe2 starttime)
	measure 2 "nsenter -a" baseline -- nsenter -a -t "$pid" /bin/true
	measure 2 "dl-exec (task3 helper)" ours -- "$REPO/task3/bin/dl-exec" --pid "$pid" --starttime "$start" -- /bin/true
	measure 2 "conductor.sh exec" ours -- "$CONDUCTOR" exec exe2 -- /bin/true
	exec_with_oci crun
	exec_with_oci runc
	exec_rootless
	in_lab "$CONDUCTOR" stop exe2 >/dev/null 2>&1
	target_ratio "2 conductor.sh exec <= crun exec" 2 "conductor.sh exec" "$(crun_variant 2 exec)" 1.0
}

# RUNTIME exec into a detached `sleep infinity` container of that runtime
# (oci_start_detached: crun on a hybrid host with the cgroup2 mount hidden).
exec_with_oci() {
	local runtime=$1
	oci_start_detached 2 "$runtime" exec || return 0
	measure 2 "$OCI_LABEL exec" peer ${OCI_WRAP:+--wrap "$OCI_WRAP"} -- "$runtime" exec "$OCI_ID" /bin/true
	oci_delete "$runtime" "$OCI_ID"
}

# conductor.sh exec as the bench's ordinary user into their own running
# container (the row includes the user switch: case 1 measures it alone).
exec_rootless() {
	local home
	if ((${#RL_AS[@]})); then
		home=${RL_BASE%%/.local/*}
		(cd "$home" && "${RL_AS[@]}" "$RL_C" run -d bench rx2 -- sleep infinity) >/dev/null 2>&1 3>&-
	fi
	rootless_row 2 "conductor.sh exec, rootless" ours -- "$RL_C" exec rx2 -- /bin/true
	((${#RL_AS[@]} == 0)) || (cd "$home" && "${RL_AS[@]}" "$RL_C" stop rx2) >/dev/null 2>&1
}
