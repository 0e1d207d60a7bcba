# common.sh - shared Bash helpers for docker-lite scripts. Source it; it
# defines functions only and changes no shell options of the caller.
# shellcheck shell=bash

# Exit code for the tool's own failures (as Docker's 125), so it never
# collides with the exit code of a command run inside a container.
DL_EXIT_FAILURE=125

# Print "<prog>: <message>" on stderr and exit.
die() {
	printf '%s: %s\n' "${DL_PROG:-${0##*/}}" "$*" >&2
	exit "$DL_EXIT_FAILURE"
}

# Progress and narration go to stderr so stdout stays parseable.
log() {
	printf '%s: %s\n' "${DL_PROG:-${0##*/}}" "$*" >&2
}

warn() {
	printf '%s: warning: %s\n' "${DL_PROG:-${0##*/}}" "$*" >&2
}

require_root() {
	[[ $EUID -eq 0 ]] || die "must be run as root (namespaces, mounts and cgroups need it): try sudo $0"
}

# What the user typed, fit for a one-line message: as it is when printable,
# else in $'...' form, so a newline in the input cannot split the message.
shown() {
	if [[ $1 == *[![:print:]]* ]]; then
		printf '%q' "$1"
	else
		printf '%s' "$1"
	fi
}

# Names become directory names, hostnames and interface-name parts: one
# letter or digit, then up to 31 of [A-Za-z0-9_.-]. This refuses "", "..",
# "/", spaces, newlines, a leading "-" and anything over 32 characters.
validate_name() {
	local kind=$1 name=$2
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$ ]] ||
		die "invalid $kind name '$(shown "$name")': use 1-32 characters of A-Z a-z 0-9 _ . - starting with a letter or digit"
}

# A TCP/UDP port: digits only, 1-65535, no leading zero.
is_port() {
	[[ $1 =~ ^[1-9][0-9]{0,4}$ ]] && (($1 <= 65535))
}

validate_port() {
	is_port "$2" || die "invalid $1 port '$(shown "$2")': use a number from 1 to 65535"
}

# split_protocol SPEC: a port's protocol, Docker's way: "PORTS[/PROTO]",
# PROTO tcp (the default) or udp, in lower case as Docker writes them.
# Sets PORT_SPEC (before the "/") and PORT_PROTO; false for any other
# protocol, an empty one ("80/") or another case ("80/UDP"): the firewall
# rules made from it know tcp and udp only, and one spelling keeps them
# comparable.
split_protocol() {
	# shellcheck disable=SC2034 # PORT_SPEC is the caller's result
	PORT_SPEC=${1%/*} PORT_PROTO=${1##*/}
	if [[ $1 != */* ]]; then
		PORT_PROTO=tcp
		return 0
	fi
	[[ $PORT_PROTO == tcp || $PORT_PROTO == udp ]]
}

# split_lines TEXT: set LINES to the non-empty lines of TEXT. Word splitting
# on newlines only, with globbing off: about 3x faster than a "while read"
# loop, which reads a pipe or a here-string one byte at a time (a tool's
# output of 100 lines took 2 ms that way).
split_lines() {
	local - IFS=$'\n'
	set -f
	# shellcheck disable=SC2206 # split on purpose: IFS is a newline, no globbing
	LINES=($1)
}

# Take an exclusive flock on the file $1 for the rest of this shell (or
# until lock_release). flock is released by the kernel when its holder dies,
# so a killed command never leaves a stale lock (mkdir-style locks would).
# Long-lived children must not inherit the fd: start them with
# "{DL_LOCK_FD}>&-" (the C helpers also close every fd above 2 at start).
lock_acquire() {
	local lockfile=$1
	exec {DL_LOCK_FD}>>"$lockfile" || die "cannot open lock file $lockfile"
	flock -w "${DL_LOCK_TIMEOUT:-60}" "$DL_LOCK_FD" ||
		die "timed out waiting for the lock $lockfile: another command is still running"
}

lock_release() {
	[[ -n ${DL_LOCK_FD:-} ]] || return 0
	exec {DL_LOCK_FD}>&-
	DL_LOCK_FD=
}

# wait_until TRIES CMD...: run CMD up to TRIES times, 0.1 s apart, until it
# succeeds; non-zero if it never did. Readiness is always waited for this
# way, with a bound, never with a blind sleep.
wait_until() {
	local tries=$1
	shift
	while ((tries-- > 0)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# The Debian mirror the host's apt already uses (first "deb" URI of the
# main archive in sources.list or a deb822 .sources file), or nothing, in
# which case debootstrap uses its own default. Never a hard-coded host.
host_debian_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk '
			/^[[:space:]]*deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; break } }
			/^URIs:/ { for (i = 2; i <= NF; i++) print $i }
		' "$f"
	done | grep -E '^https?://[^ ]+/debian/?$' | sed -n 1p || true
}
