#!/usr/bin/env bash
# CI's sanitizer stage: a Qt-free, CUDA-free, MPI-free build of the engine, the CLI and their
# tests with AddressSanitizer and UndefinedBehaviorSanitizer (any report fails), then the engine
# and CLI tests and the fuzz targets (CONVSCOPE_FUZZ_SECONDS each, 10 by default). A few tests that
# are slow under ASan are left out (`slow` below; they run in the normal build), and the MPI ones
# (never run here). -O1 with line tables only, as the sanitizers' authors advise: half the compile
# time of -O2 -g, and reports still name lines; the test code itself at -O0 (40% less compile time
# than -O1 under ASan). Needs what `scripts/install-deps.sh --no-ui` installs.
#   scripts/sanitize.sh            (build folder: build-sanitize, or $CONVSCOPE_SANITIZE_BUILD_DIR)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${CONVSCOPE_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
start=$SECONDS
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCONVSCOPE_UI=OFF -DCONVSCOPE_CUDA=OFF -DCONVSCOPE_MPI=OFF -DCONVSCOPE_NATIVE=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
  -DCONVSCOPE_TEST_CXX_FLAGS=-O0 -DCONVSCOPE_FUZZ_SECONDS="${CONVSCOPE_FUZZ_SECONDS:-10}" >/dev/null
cmake --build "$build" -j "$(nproc)"
echo "sanitize: built in $((SECONDS - start)) s"
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Slow under ASan on 2 cores (they run in the normal build): training on the full MNIST (and on
# 30,000 of its images before predicting enlarged digits: 24 s), the 50-network timings and a
# checkpoint of a million-step history.
slow='TrainerMnist|RealData|EnlargedInvertedDigits|FiftyNets|AnyLengthOfRun'
ctest --test-dir "$build" -L 'engine|cli' -E "$slow" --output-on-failure -j "$(nproc)" \
  --timeout 300
echo "sanitize: done in $((SECONDS - start)) s"
