#!/usr/bin/env bash
# service-orchestrator.sh - task 4: deploy the two services in two
# containers with conductor.sh.
#
#   build   build both images (needs the Debian mirror: run it in the
#           machine's real network namespace)
#   up      (default) build the images if missing, run cs-cont and es-cont
#           (each image's CMD is its service), connect them, wait until
#           both answer and print how to reach them. Safe to re-run: it
#           only starts again a container whose service does not answer.
#   down    stop both containers and remove all they made (images stay cached)
#   status  the containers and whether each service answers (exit 3: not up)
#
# es-cont: --internet --expose 3000:8080 (reachable from outside and localhost)
# cs-cont: --internet, nothing exposed (only es-cont, its peer, and this host
# reach it). Settings: CONDUCTOR (the tool), CONDUCTOR_ROOT (its state),
# HOST_PORT (default 3000), READY_TRIES (x 0.1 s, default 100).
set -euo pipefail

TASK4_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DL_PROG=service-orchestrator.sh
# shellcheck source=../common/common.sh
source "$TASK4_DIR/../common/common.sh"
CONDUCTOR=${CONDUCTOR:-$TASK4_DIR/../task3/conductor.sh}

CS_IMAGE=counter-image CS_CONT=cs-cont CS_PORT=8080
ES_IMAGE=external-image ES_CONT=es-cont ES_PORT=8080
HOST_PORT=${HOST_PORT:-3000}
READY_TRIES=${READY_TRIES:-100}

conductor() {
	"$CONDUCTOR" "$@"
}

usage() {
	sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# ---- reading the tool's state ------------------------------------------------

image_exists() {
	# awk reads every line (no early exit that would leave conductor
	# writing into a closed pipe)
	conductor images | awk -v name="$1" 'NR > 1 && $1 == name { found = 1 } END { exit !found }'
}

# A container made by conductor.sh exists (running or exited).
container_exists() {
	[[ $(conductor inspect -f name "$1" 2>/dev/null) == "$1" ]]
}

# One field of a container's state (status, ip, ...: see 'conductor.sh
# inspect -h'), empty when it has none or the container does not exist:
# the tool's own record through its interface for scripts, never a guess
# from `ip a` nor its human `ps` table.
container_field() {
	container_exists "$1" || return 0
	conductor inspect -f "$2" "$1"
}

is_running() {
	[[ $(container_field "$1" status) == running ]]
}

# An HTTP server answers (any status: a 404 is an answer). Readiness checks
# ask paths that never bump the counter.
answers() {
	local code
	code=$(curl -s --noproxy '*' -o /dev/null -m 1 -w '%{http_code}' "$1") || true
	[[ -n $code && $code != 000 ]]
}

# wait_for WHAT URL CONTAINER: poll URL (bounded) until it answers.
wait_for() {
	local what=$1 url=$2 cont=$3
	wait_until "$READY_TRIES" answers "$url" ||
		die "the $what did not answer at $url within $((READY_TRIES / 10)) s: see its output with '$CONDUCTOR logs $cont'"
}

# The address of the host's interface towards the outside (its default
# route), to print how other machines reach the service.
host_address() {
	local ifc
	ifc=$(ip -4 route show default | awk '!done { for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); done = 1; break } }')
	[[ -n $ifc ]] || return 0
	ip -4 -o addr show dev "$ifc" | awk 'NR == 1 { sub(/\/.*/, "", $4); print $4 }'
}

# ---- steps ------------------------------------------------------------------------

cmd_build() {
	# BEGIN SOLUTION: conductor build, once per image, with its Conductorfile (counter first: the second reuses its layers)
	log "building $CS_IMAGE from counter.Conductorfile (the first time: apt inside the build, a minute or more)"
	conductor build "$CS_IMAGE" "$TASK4_DIR/counter.Conductorfile"
	log "building $ES_IMAGE from external.Conductorfile (its first steps come from the cache)"
	conductor build "$ES_IMAGE" "$TASK4_DIR/external.Conductorfile"
	# END SOLUTION
}

# run_service WHAT IMAGE CONTAINER ADDNETWORK-ARGS...: start a container whose
# command is the image's CMD (the service itself, with the port and URL of
# the image's ENV), then give it its network. The service listens on
# 0.0.0.0 from the start; it is reachable once addnetwork has run.
run_service() {
	local what=$1 image=$2 cont=$3
	shift 3
	log "starting the $what in $cont (the image's CMD)"
	# BEGIN SOLUTION: run -d the image (no command: its CMD runs), then addnetwork with the given arguments
	conductor run -d "$image" "$cont"
	conductor addnetwork "$cont" "$@"
	# END SOLUTION
}

# ensure_service WHAT IMAGE CONTAINER PORT PATH ADDNETWORK-ARGS...: leave a
# container alone when it runs and its service answers at PORT and PATH; otherwise
# (exited: its service ended; or not answering) remove it and start it
# afresh. Sets RESTARTED=1 when it started one.
ensure_service() {
	local what=$1 image=$2 cont=$3 port=$4 path=$5 ip
	shift 5
	if is_running "$cont"; then
		ip=$(container_field "$cont" ip)
		if [[ -n $ip ]] && answers "http://$ip:$port$path"; then
			return 0
		fi
	fi
	! container_exists "$cont" || conductor stop "$cont"
	run_service "$what" "$image" "$cont" "$@"
	ip=$(container_field "$cont" ip)
	[[ -n $ip ]] || die "conductor.sh recorded no address for $cont: run '$DL_PROG down' and try again"
	wait_for "$what" "http://$ip:$port$path" "$cont"
	RESTARTED=1
}

# Each service that does not answer is (re)started: the counter first (the
# external service is useless without it), each waited for; then the two
# are peered, which also makes "cs-cont" resolve in es-cont (/etc/hosts),
# the name in es-cont's COUNTER_URL. A restarted container is new (stop
# took its peering with it), so they are peered again.
start_services() {
	RESTARTED=0
	# BEGIN SOLUTION: ensure_service the counter (--internet only) then the external one (--internet --expose HOST_PORT:ES_PORT); peer them if either was started
	ensure_service "counter service" "$CS_IMAGE" "$CS_CONT" "$CS_PORT" /get_counter --internet
	ensure_service "external service" "$ES_IMAGE" "$ES_CONT" "$ES_PORT" /health --internet --expose "$HOST_PORT:$ES_PORT"
	((RESTARTED == 0)) || conductor peer "$ES_CONT" "$CS_CONT"
	# END SOLUTION
}

print_access() {
	local addr
	addr=$(host_address)
	cat <<EOF_ACCESS
The external service answers on port $HOST_PORT of this host:
  curl http://localhost:$HOST_PORT/
  curl http://${addr:-<this host>}:$HOST_PORT/    (from other machines)
The counter service ($CS_CONT $(container_field "$CS_CONT" ip):$CS_PORT) is internal: only $ES_CONT and this host reach it.
Stop everything with: $0 down
EOF_ACCESS
}

# On a failed `up`, remove what it made (set -e and die both end up here).
up_failed() {
	local rc=$?
	((rc != 0)) || return 0
	warn "up failed: removing what it started"
	cmd_down >/dev/null 2>&1 || warn "could not remove everything: run '$0 down'"
	exit "$rc"
}

cmd_up() {
	if ! image_exists "$CS_IMAGE" || ! image_exists "$ES_IMAGE"; then
		cmd_build
	fi
	if container_exists "$CS_CONT" || container_exists "$ES_CONT"; then
		# a service whose command ended left its container exited: only
		# that one is made again; what answers is left alone
		log "$CS_CONT or $ES_CONT exists: checking the services"
		start_services
	else
		trap up_failed EXIT
		start_services
		trap - EXIT
	fi
	print_access
}

cmd_down() {
	# BEGIN SOLUTION: conductor stop both containers (stop removes their network and rules too)
	conductor stop "$ES_CONT"
	conductor stop "$CS_CONT"
	# END SOLUTION
}

cmd_status() {
	local rc=0 ip
	conductor ps
	ip=$(container_field "$ES_CONT" ip)
	if [[ -n $ip ]] && answers "http://$ip:$ES_PORT/health"; then
		echo "external service: answering at $ip:$ES_PORT (host port $HOST_PORT)"
	else
		echo "external service: not answering"
		rc=3
	fi
	ip=$(container_field "$CS_CONT" ip)
	if [[ -n $ip ]] && answers "http://$ip:$CS_PORT/get_counter"; then
		echo "counter service: answering at $ip:$CS_PORT, next value $(curl -s --noproxy '*' -m 1 "http://$ip:$CS_PORT/get_counter")"
	else
		echo "counter service: not answering"
		rc=3
	fi
	return "$rc"
}

main() {
	local cmd=${1:-up}
	(($# <= 1)) || die "too many arguments: usage: $DL_PROG [build|up|down|status]"
	case $cmd in
	-h | --help | help) usage ;;
	build | up | down | status)
		require_root
		validate_port host "$HOST_PORT"
		"cmd_$cmd"
		;;
	*) die "unknown command '$cmd': use build, up, down or status (see '$DL_PROG --help')" ;;
	esac
}

main "$@"
