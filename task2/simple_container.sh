#!/usr/bin/env bash
# simple_container.sh - task 2 end to end: 2a (chroot), 2b (PID and UTS
# namespaces) and 2c (a cgroup CPU limit), with the original's banners.
# Each launcher is a small C program in this directory; read launcher.c and
# launch_2{a,b,c}.c for the steps.
set -euo pipefail

TASK2_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DL_PROG=simple_container.sh
# shellcheck source=../common/common.sh
source "$TASK2_DIR/../common/common.sh"

ROOT_DIR=${1:-$TASK2_DIR/container_root}
BANNER=__________________________________________

require_root
make -s -C "$TASK2_DIR" >&2 || die "build failed: run 'make -C task2' to see why"

echo "### Output Subtask 2a"
"$TASK2_DIR/launch_2a" -r "$ROOT_DIR"
echo "$BANNER"

echo "### Output Subtask 2b"
"$TASK2_DIR/launch_2b" -r "$ROOT_DIR"
echo "Hostname in the host: $(hostname)"
echo "$BANNER"

echo "### Output Subtask 2c"
"$TASK2_DIR/launch_2c" -r "$ROOT_DIR" -c 50
