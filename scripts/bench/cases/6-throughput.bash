# Case 6: TCP throughput to a container with iperf3, all inside the bench's
# network lab: straight to the container's address (baseline), through the
# port exposed by `addnetwork --expose` (from the lab host's address, from
# localhost and from the outside namespace), and through a socat userspace
# proxy for comparison. The server runs in the container's network
# namespace. Target: exposed port >= 0.9x direct.
# shellcheck shell=bash

BENCH_IPERF_SECONDS=${BENCH_IPERF_SECONDS:-2}
BENCH_IPERF_RUNS=${BENCH_IPERF_RUNS:-5}

case_6() {
	section "case 6: TCP throughput to a container, iperf3 ($BENCH_IPERF_RUNS x ${BENCH_IPERF_SECONDS} s each, network lab)"
	require_peer 6 iperf3 iperf3 || return 0
	start_sleeper net6 || die "case 6: cannot start the container net6"
	in_lab "$CONDUCTOR" addnetwork net6 --expose 3006:5201 >/dev/null 2>&1 ||
		die "case 6: addnetwork net6 failed: run it by hand in a lab to see why"
	local pid ip servers=()
	pid=$(container_pid net6) ip=$(state_value net6 ip)
	start_background "$WORK/iperf3-server.log" nsenter --net="/proc/$pid/ns/net" iperf3 -s -B "$ip" -p 5201
	servers+=("$STARTED_PID")
	start_background "$WORK/socat.log" nsenter --net="$NETLAB_HOST_NS_PATH" \
		socat "TCP-LISTEN:3007,bind=$NETLAB_HOST_IP,reuseaddr,fork" "TCP:$ip:5201"
	servers+=("$STARTED_PID")
	wait_until 50 port_listens "/proc/$pid/ns/net" 5201 || die "case 6: iperf3 -s did not start: $(cat "$WORK/iperf3-server.log")"
	wait_until 50 port_listens "$NETLAB_HOST_NS_PATH" 3007 || die "case 6: socat did not start: $(cat "$WORK/socat.log")"

	throughput "direct to the container's address" baseline host "$ip" 5201
	throughput "exposed port, lab host's address" ours host "$NETLAB_HOST_IP" 3006
	throughput "exposed port, localhost" ours host 127.0.0.1 3006
	throughput "exposed port, from the outside ns" ours out "$NETLAB_HOST_IP" 3006
	throughput "socat proxy (userspace)" peer host "$NETLAB_HOST_IP" 3007

	stop_background "${servers[@]}"
	in_lab "$CONDUCTOR" stop net6 >/dev/null 2>&1
	target_at_least "6 exposed port >= 0.9x direct" 6 "exposed port, lab host's address" \
		"direct to the container's address" 0.9
}

port_listens() {
	[[ -n $(nsenter --net="$1" -- ss -Hltn "sport = :$2") ]]
}

# throughput VARIANT KIND SIDE ADDR PORT: iperf3 client from the lab host
# (SIDE host) or the outside namespace (SIDE out); one short warm-up run.
throughput() {
	local variant=$1 kind=$2 side=$3 addr=$4 port=$5 client i json samples=$WORK/c6-samples.txt
	if [[ $side == host ]]; then
		client=(nsenter --net="$NETLAB_HOST_NS_PATH" -- iperf3)
	else
		client=(ip netns exec "$NETLAB_OUT_NS" iperf3)
	fi
	if ! "${client[@]}" -c "$addr" -p "$port" -t 1 >"$WORK/c6-warmup.txt" 2>&1; then
		record_unavailable 6 "$variant" failed "$(last_error "$WORK/c6-warmup.txt")"
		return 0
	fi
	: >"$samples"
	for ((i = 1; i <= BENCH_IPERF_RUNS; i++)); do
		json=$WORK/c6-run.json
		"${client[@]}" -c "$addr" -p "$port" -t "$BENCH_IPERF_SECONDS" -J >"$json" 2>&1 || {
			record_unavailable 6 "$variant" failed "$(jq -r '.error // empty' "$json" 2>/dev/null || last_error "$json")"
			return 0
		}
		jq -r '.end.sum_received.bits_per_second / 1e6 | . * 10 | round / 10' "$json" >>"$samples"
	done
	record_samples 6 "$variant" "$kind" Mbit/s "$samples"
}

# Stop the background processes with these PIDs (started by start_background).
stop_background() {
	local pid entry
	for pid in "$@"; do
		for entry in "${STARTED[@]}"; do
			# shellcheck disable=SC2086 # "pid starttime"
			[[ ${entry%% *} == "$pid" ]] && stop_started $entry
		done
	done
	return 0
}
