# Case 3: `addnetwork --internet --expose` end to end, against the same
# steps as separate ip/iptables commands (the original's approach, see
# manual-network); and `stop` of a networked container. All inside the
# bench's network lab. Target: addnetwork <= 0.5x the separate commands.
# shellcheck shell=bash

case_3() {
	section "case 3: addnetwork --internet --expose, and stop (in the network lab)"
	local manual pid
	start_sleeper net3m || die "case 3: cannot start the container net3m"
	pid=$(container_pid net3m)
	manual=(nsenter --net="$NETLAB_HOST_NS_PATH" -- "$BENCH_DIR/manual-network")
	measure 3 "ip/iptables commands (original)" baseline --prepare "$(quote_words "${manual[@]}" down)" \
		-- "${manual[@]}" up "$pid" 3100 8080
	measure 3 "ip/iptables teardown (original)" info --prepare "$(quote_words "${manual[@]}" up "$pid" 3100 8080)" \
		-- "${manual[@]}" down
	"${manual[@]}" down
	in_lab "$CONDUCTOR" stop net3m >/dev/null 2>&1

	local lab_conductor=(nsenter --net="$NETLAB_HOST_NS_PATH" -- "$CONDUCTOR")
	local fresh networked
	fresh=$(in_lab_script "$(quote_words "$CONDUCTOR" stop net3)" \
		"$(quote_words "$CONDUCTOR" run -d bench net3 -- sleep infinity)")
	networked=$(in_lab_script "$(quote_words "$CONDUCTOR" run -d bench net3 -- sleep infinity)" \
		"$(quote_words "$CONDUCTOR" addnetwork net3 --internet --expose 3000:8080)")
	measure 3 "conductor.sh addnetwork -i -e" ours --prepare "$fresh" \
		-- "${lab_conductor[@]}" addnetwork net3 --internet --expose 3000:8080
	measure 3 "conductor.sh stop (networked)" ours --ref "ip/iptables teardown (original)" \
		--note "ratio to the teardown" --prepare "$networked" -- "${lab_conductor[@]}" stop net3
	measure 3 "conductor.sh stop (no network)" info --ref "ip/iptables teardown (original)" \
		--note "ratio to the teardown" --prepare "$(in_lab_script "$(quote_words "$CONDUCTOR" run -d bench net3 -- sleep infinity)")" \
		-- "${lab_conductor[@]}" stop net3
	in_lab "$CONDUCTOR" stop net3 >/dev/null 2>&1
	target_ratio "3 addnetwork <= 0.5x separate ip/iptables commands" 3 \
		"conductor.sh addnetwork -i -e" "ip/iptables commands (original)" 0.5
}

# A hyperfine --prepare command that runs the given command lines, one
# after the other, in the lab (each line already quoted with quote_words).
in_lab_script() {
	local script
	printf -v script '%s && ' "$@"
	quote_words nsenter --net="$NETLAB_HOST_NS_PATH" -- bash -c "${script% && }"
}
