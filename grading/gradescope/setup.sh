#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the
# autograder's image (/autograder/source is the unpacked autograder.zip):
# it installs what the workbook builds and tests with.
set -euo pipefail

"${AUTOGRADER_ROOT:-/autograder}"/source/docker-lite/scripts/install-deps
