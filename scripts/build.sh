#!/usr/bin/env bash
# Configures and builds Convscope into build/ (extra arguments go to CMake, e.g. -DCONVSCOPE_UI=OFF).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CONVSCOPE_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j "$(nproc)"
