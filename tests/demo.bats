# bats file_tags=demo
# The README's main job, `sudo make demo` (scripts/demo), end to end: tasks 1
# and 2, then the two-service deployment in a network lab of its own, the
# counter going up from the outside machine, the counter unreachable from
# outside, and a teardown that leaves nothing. It runs with a state root of
# its own and the shared Debian base, so it never touches task3/'s default
# state.

load helpers/common
load helpers/netlab
bats_require_minimum_version 1.5.0

setup_file() {
	require_root
	make -s -C "$DL_REPO" all >&2
	ensure_test_base
}

setup() {
	require_root
	export CONDUCTOR_ROOT DEMO_LAB=dm$$
	CONDUCTOR_ROOT=$(mktemp -d /tmp/dl-test.XXXXXX)
}

# The demo removes what it made even when it fails; this only covers a demo
# that was itself killed.
teardown() {
	if netlab_exists "$DEMO_LAB"; then
		netlab_use "$DEMO_LAB"
		netlab_host "$DL_REPO/task4/service-orchestrator.sh" down >/dev/null 2>&1 || true
		netlab_down "$DEMO_LAB" >/dev/null 2>&1 || true
	fi
	rm -rf --one-file-system "$CONDUCTOR_ROOT"
}

@test "demo: the main job runs, the counter counts from outside, and nothing is left" {
	run "$DL_REPO/scripts/demo"
	assert_success
	# task 1 and task 2 ran
	assert_line 'Child1 Hostname: Child1Hostname'
	assert_line 'Hostname within container: new_hostname'
	# requests from the outside machine count 1, 2, 3, in that order
	local greetings
	greetings=$(grep -o 'sent request to this container [0-9]* times' <<<"$output" | sed -n 1,3p | grep -o '[0-9]*' | paste -sd ' ')
	assert_equal "$greetings" "1 2 3"
	# the counter's port is refused from outside, on the host's address and its own
	assert_equal "$(grep -c "^outside\\$ curl http://.*:8080/get_counter" <<<"$output")" 2
	assert_equal "$(grep -c "Failed to connect to .* port 8080" <<<"$output")" 2
	assert_line --partial 'containers left: 0; lab namespaces left: none'
	# and indeed: no lab, no container, no mount of this state root
	run ip netns list
	refute_output --partial "$DEMO_LAB-"
	run find "$CONDUCTOR_ROOT/.containers" -mindepth 1
	assert_output ""
	run grep -F "$CONDUCTOR_ROOT" /proc/self/mountinfo
	assert_failure
}
