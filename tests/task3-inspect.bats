# bats file_tags=task3
# Task 3 inspect: a container's state as one JSON object (checked with jq)
# and -f KEY, each field against what the machine shows (the init alive
# with that start time, its cgroups, its hostname). The network fields are
# checked in task3-network.bats, inside the network lab.

load helpers/common
load helpers/conductor
bats_require_minimum_version 1.5.0

setup_file() {
	task3_suite_up inimg
}

teardown_file() {
	task3_suite_down
}

teardown() {
	stop_containers
}

# field NAME JQ-FILTER: one value of inspect's JSON, as jq -r prints it
field() {
	"$C" inspect "$1" | jq -r "$2"
}

@test "inspect: one valid JSON object whose fields match the running container" {
	local before after json pid
	before=$(date +%s)
	"$C" run -d --pids 50 --memory 64M inimg in1 -- sleep infinity
	after=$(date +%s)
	json=$("$C" inspect in1)
	jq -e 'type == "object"' <<<"$json"
	assert_equal "$(jq -r '[.name, .image, .status, .hostname] | join(" ")' <<<"$json")" "in1 inimg running in1"
	# the init: alive, and that very process (its start time, field 22)
	pid=$(jq -r .pid <<<"$json")
	kill -0 "$pid"
	local stat
	stat=$(cat "/proc/$pid/stat")
	read -r -a stat <<<"${stat##*) }"
	assert_equal "$(jq -r .starttime <<<"$json")" "${stat[19]}"
	# its hostname, its root
	assert_equal "$("$C" exec in1 -- hostname)" "$(jq -r .hostname <<<"$json")"
	assert_equal "$(jq -r .rootfs <<<"$json")" "$CONDUCTOR_ROOT/.containers/in1/rootfs"
	[[ -f $(jq -r .log <<<"$json") ]]
	# the command as words, the creation time in UTC ISO 8601
	assert_equal "$(jq -c .command <<<"$json")" '["sleep","infinity"]'
	local created
	created=$(date -ud "$(jq -r .created <<<"$json")" +%s)
	((created >= before && created <= after))
	[[ $(jq -r .created <<<"$json") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
	# limits as given, and the init in every cgroup listed
	assert_equal "$(jq -c .limits <<<"$json")" '{"cpus":null,"memory":"64M","pids":"50","io":null}'
	local cg
	while IFS= read -r cg; do
		grep -qx "$pid" "$cg/cgroup.procs"
	done < <(jq -r '.cgroups[]' <<<"$json")
	(($(jq '.cgroups | length' <<<"$json") >= 1))
	# the monitor is a dl-run; no network yet; no exit code while it runs
	assert_equal "$(cat "/proc/$(jq -r .monitor_pid <<<"$json")/comm")" dl-run
	assert_equal "$(jq -c '[.ip, .gateway, .veth, .ports, .internet, .peers, .exit_code]' <<<"$json")" \
		'[null,null,null,[],null,[],null]'
}

@test "inspect: an exited container has its exit code and no PID; JSON holds any command" {
	run "$C" run inimg in2 -- sh -c 'exit 3'
	assert_failure 3
	assert_equal "$(field in2 '[.status, .exit_code, .pid, .starttime, .limits] | @json')" '["exited",3,null,null,null]'
	# quotes, backslashes, a newline, a control character, non-ASCII, an empty word
	local words=(sh -c 'sleep infinity' 'a"b\c' $'new\nline' $'\x01bell\x7f' 'naïve' '')
	"$C" run -d inimg in3 -- "${words[@]}"
	local json i
	json=$("$C" inspect in3)
	jq -e . <<<"$json" >/dev/null
	assert_equal "$(jq '.command | length' <<<"$json")" "${#words[@]}"
	for i in "${!words[@]}"; do
		assert_equal "$(jq -j ".command[$i]" <<<"$json")" "${words[i]}"
	done
}

@test "inspect -f: one field; null is an empty line; unknown fields and containers are refused" {
	"$C" run -d inimg in4 -- sleep infinity
	run "$C" inspect -f status in4
	assert_output running
	run "$C" inspect -f '{{.name}}' in4
	assert_output in4
	run "$C" inspect --format=pid in4
	assert_output "$(field in4 .pid)"
	run "$C" inspect -f command in4
	assert_output $'sleep\ninfinity'
	run "$C" inspect -f ip in4
	assert_success
	assert_output ""
	assert_equal "${#lines[@]}" 0
	run "$C" inspect -f bogus in4
	assert_failure 125
	assert_output --partial "unknown field 'bogus'"
	run "$C" inspect nosuch
	assert_failure 125
	assert_output --partial "no container named 'nosuch'"
	run "$C" inspect ../in4
	assert_failure 125
	run "$C" inspect -f
	assert_failure 125
	run "$C" inspect in4 in4
	assert_failure 125
}
