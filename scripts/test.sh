#!/usr/bin/env bash
# One command from a fresh clone to a passing test suite: installs what is missing, fetches and
# verifies the real MNIST, builds everything (the CUDA backend too when nvcc and cuDNN exist),
# and runs CTest. GPU tests (label gpu) skip where no GPU is present; Qt tests run offscreen.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/fetch-mnist.sh"
# Warnings are errors here, so that CI refuses them.
"$root/scripts/build.sh" -DCONVSCOPE_WERROR=ON
build="${CONVSCOPE_BUILD_DIR:-$root/build}"
export QT_QPA_PLATFORM=offscreen
status=0
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 900 || status=$?
((status != 0)) || exit 0
# The failed checks' own lines once more, last: the fresh-machine check prints a failed log's last
# 40 lines, which then hold them and CTest's list of the failed tests (QtTest's FAIL! and Loc:,
# GoogleTest's Failure, a crash's signal).
log="$build/Testing/Temporary/LastTest.log"
if [[ -f $log ]]; then
  echo "What the failing tests said:"
  grep -E "^(FAIL!|   Loc:|   Actual|   Expected|QFATAL)|Received signal|\[  FAILED  \]|: Failure$" \
    "$log" | tail -n 24 || true
fi
exit "$status"
