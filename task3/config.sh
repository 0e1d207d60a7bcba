# config.sh - settings for conductor.sh (the original's setup.sh).
# Every value may be overridden by an environment variable of the same name.
# shellcheck shell=bash

# Where images, containers and caches live: for root beside the script, as
# in the original; for an ordinary user (rootless containers) in their own
# data directory, as podman's. Tests and graders point it at their own.
if ((EUID == 0)); then
	CONDUCTOR_ROOT=${CONDUCTOR_ROOT:-$CONDUCTOR_DIR}
else
	CONDUCTOR_ROOT=${CONDUCTOR_ROOT:-${XDG_DATA_HOME:-$HOME/.local/share}/docker-lite}
fi

# debootstrap base images, one per <distro>-<suite>. Separate from the root so
# a whole test suite (or several state roots) debootstraps only once.
CONDUCTOR_BASE_CACHE=${CONDUCTOR_BASE_CACHE:-$CONDUCTOR_ROOT/.cache/base}

# Debian mirror for debootstrap. Empty: debootstrap's own default. Never
# hard-code a host name here; the install script reads the machine's apt
# sources when it needs one.
DEBIAN_MIRROR=${DEBIAN_MIRROR:-}
UBUNTU_MIRROR=${UBUNTU_MIRROR:-}

# Packages every base image gets: what the lessons use inside a container
# (ps and top, ip, ping).
BASE_PACKAGES=${BASE_PACKAGES:-procps,iproute2,iputils-ping}

# The host interface that leads to the internet, for --internet (NAT).
# Empty: taken from the host's default route.
DEFAULT_IFC=${DEFAULT_IFC:-}

# Address pool for container networks: one /30 per container is carved from
# it (host side .1, container side .2).
NET_POOL=${NET_POOL:-10.200.0.0/16}

# Name servers written to a container's own /etc/resolv.conf by
# `addnetwork --internet` (space-separated). Empty: the host's non-loopback
# name servers (from /etc/resolv.conf, or systemd-resolved's upstream list).
# The host's file itself is never bind-mounted or changed.
CONTAINER_DNS=${CONTAINER_DNS:-}

# Hardening applied to every container (dropped capabilities, no_new_privs,
# masked /proc files). Set to 0 only for lessons that need the full power.
CONDUCTOR_HARDEN=${CONDUCTOR_HARDEN:-1}

# The largest OCI archive `load` accepts, in MiB: the archive itself, and
# each of its layers unpacked (a small gzip can unpack to terabytes).
OCI_LOAD_MAX_MB=${OCI_LOAD_MAX_MB:-4096}
