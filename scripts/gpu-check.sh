#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU (H100 / H200), without Qt or internet:
#   1. prints the GPU (nvidia-smi), the toolchain, and where cuDNN comes from (the CUDA toolkit,
#      or the nvidia-cudnn wheel in Python's site-packages that PyTorch brings);
#   2. configures build-gpu (-DCONVSCOPE_UI=OFF) with that cuDNN, builds the CLI and the tests;
#   3. runs the GPU tests (ctest -L gpu) and the backend-selection test, and fails when a GPU
#      test was skipped (no usable GPU after all);
#   4. runs compute-sanitizer --tool memcheck and --tool racecheck over the GPU test binaries
#      (racecheck looks at cuDNN's and cuBLAS's kernels too; a hazard it names is in the log);
#   5. benchmarks `convscope-cli bench --backend cuda` (1 and 10 networks, live capture) and the
#      PyTorch-on-GPU peer bench/torch_gpu_reference.py on MNIST (data/mnist, if present);
#   6. prints a summary table.
# Usage: scripts/gpu-check.sh [STAGE...] with stages test, memcheck, racecheck (or sanitize for
# both) and bench; default: all. Steps 1-2 always run (an up-to-date build is a quick no-op), so
# the stages can be split over separate calls, e.g. `gpu-check.sh test` then `... sanitize`.
# Every log and JSON goes to $OUT (default build-gpu/gpu-check). Exit status 0 when every step
# passed. Environment: BUILD_DIR, OUT, PYTHON, CONVSCOPE_DATA (MNIST folder), JOBS, CUDA_ARCHS.
set -uo pipefail

stages=("$@")
((${#stages[@]})) || stages=(test memcheck racecheck bench)
want() {
  local selected=" ${stages[*]} "
  [[ "$selected" == *" $1 "* ]] && return 0
  [[ ($1 == memcheck || $1 == racecheck) && "$selected" == *" sanitize "* ]]
}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$repo/build-gpu}"
out="${OUT:-$build/gpu-check}"
python="${PYTHON:-python3}"
data="${CONVSCOPE_DATA:-$repo/data/mnist}"
jobs="${JOBS:-$(nproc)}"
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
failed=0

say() { echo "$*" | tee -a "$summary"; }
# run NAME TIMEOUT CMD...: runs CMD with its output in $out/NAME.log and records the result.
run() {
  local name="$1" limit="$2"
  shift 2
  local t0=$SECONDS
  echo "==> $name: $*"
  timeout --signal=INT --kill-after=30 "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  local verdict="ok"
  ((rc == 124)) && verdict="TIMEOUT"
  ((rc != 0 && rc != 124)) && verdict="FAILED (exit $rc)"
  [[ "$verdict" == ok ]] || failed=1
  printf '%-34s %-18s %5ds  %s\n' "$name" "$verdict" $((SECONDS - t0)) "$out/$name.log" |
    tee -a "$summary"
  tail -n 5 "$out/$name.log" | sed 's/^/      /'
  return $rc
}
skip() { printf '%-34s %-18s         %s\n' "$1" "skipped" "$2" | tee -a "$summary"; }

say "Convscope GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$repo" rev-parse --short HEAD 2>/dev/null)"

# ---- 1. machine, toolchain, cuDNN ------------------------------------------------------------
if command -v nvidia-smi >/dev/null; then
  nvidia-smi | tee "$out/nvidia-smi.txt"
  nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv |
    tee -a "$summary"
  cap="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n1 | tr -d ' .')"
else
  say "nvidia-smi not found: no NVIDIA driver on this machine"
  cap=""
fi
archs="${CUDA_ARCHS:-${cap:-90}}"

nvcc="$(command -v nvcc || true)"
[[ -z "$nvcc" && -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc
if [[ -n "$nvcc" ]]; then
  say "nvcc: $nvcc ($("$nvcc" --version | grep -o 'release [0-9.]*'))"
  PATH="$(dirname "$nvcc"):$PATH"
  export PATH
else
  say "nvcc: not found (install the CUDA toolkit, or put nvcc on PATH)"
fi
say "cmake: $(cmake --version | head -n1)"
torch_info="$("$python" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>/dev/null || echo "not importable")"
say "torch ($python): $torch_info"

cudnn_root=""
wheel="$("$python" -c 'import nvidia.cudnn as m; print(list(m.__path__)[0])' 2>/dev/null || true)"
if [[ -n "$wheel" && -f "$wheel/include/cudnn.h" ]]; then
  cudnn_root="$wheel"
  say "cuDNN: the nvidia-cudnn wheel at $wheel"
elif [[ -n "$nvcc" && -f "$(dirname "$nvcc")/../include/cudnn.h" ]]; then
  say "cuDNN: the CUDA toolkit's ($(cd "$(dirname "$nvcc")/.." && pwd))"
else
  say "cuDNN: no wheel with headers and none in the toolkit; leaving it to FindCUDNN"
fi
[[ -n "$cudnn_root" ]] && export LD_LIBRARY_PATH="$cudnn_root/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# ---- 2. configure and build -----------------------------------------------------------------
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
config=(cmake -S "$repo" -B "$build" "${generator[@]}" -DCONVSCOPE_UI=OFF
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CUDA_ARCHITECTURES=$archs")
[[ -n "$nvcc" ]] && config+=("-DCMAKE_CUDA_COMPILER=$nvcc")
[[ -n "$cudnn_root" ]] && config+=("-DCUDNN_ROOT=$cudnn_root")
gpu_tests=(test_cuda_layers test_cuda_kernels test_cuda_backend test_cuda_snapshot test_cuda_errors)
if run configure 600 "${config[@]}"; then
  grep -E "cuDNN [0-9]|Convscope: CUDA backend" "$out/configure.log" | tee -a "$summary"
  if ! grep -q "Convscope: CUDA backend ON" "$out/configure.log"; then
    say "the CUDA backend was not configured (no nvcc, CUDA toolkit or cuDNN): see configure.log"
    failed=1
  else
    run build 3600 cmake --build "$build" -j "$jobs" --target convscope-cli \
      test_backend_fallback "${gpu_tests[@]}"
  fi
fi
built=0
[[ -x "$build/tests/cuda/test_cuda_backend" ]] && built=1
((built)) || say "no GPU test binaries in $build (see configure.log / build.log)"

# ---- 3. tests -------------------------------------------------------------------------------
if ((built)) && want test; then
  run ctest-gpu 3600 ctest --test-dir "$build" -L gpu --output-on-failure --timeout 900 -j 4
  skipped="$(grep -c '(Skipped)\|Skipped$' "$out/ctest-gpu.log" || true)"
  if ((skipped > 0)); then
    say "WARNING: $skipped GPU tests were skipped (no usable GPU?): see ctest-gpu.log"
    failed=1
  fi
  run ctest-selection 600 ctest --test-dir "$build" -R BackendFallback --output-on-failure
else
  skip ctest-gpu "stage not selected or not built"
fi

# ---- 4. compute-sanitizer -------------------------------------------------------------------
sanitizer="$(command -v compute-sanitizer || true)"
[[ -z "$sanitizer" && -n "$nvcc" && -x "$(dirname "$nvcc")/compute-sanitizer" ]] &&
  sanitizer="$(dirname "$nvcc")/compute-sanitizer"
# The backend table under memcheck: one case per layer kind rather than all of them (slow).
declare -A memcheck_filter=(
  [test_cuda_backend]='*b7n3_sgd:*b1n3pernet_adam:*same*:*d32*:*m2_c3x4*b7*:*Group*:*Graph*'
)
declare -A racecheck_filter=(
  [test_cuda_layers]='*ActivationOp*:*PoolOp*:*DenseOp*'
  [test_cuda_backend]='*b7n3_sgd*:*Graph*'
)
if ((built)) && { want memcheck || want racecheck; } && [[ -n "$sanitizer" ]]; then
  # Failed API calls are part of some tests (out of memory) and of cuDNN's algorithm search;
  # the tests check every error themselves, so only kernel-side problems are reported here.
  # cuDNN's heuristics instead of its benchmarks keep the instrumented runs short.
  export CONVSCOPE_CUDNN_FIND=0
  common=(--error-exitcode 1 --report-api-errors no --print-limit 20)
  want memcheck && for t in "${gpu_tests[@]}"; do
    filter="${memcheck_filter[$t]:-*}"
    [[ "$t" == test_cuda_errors ]] && filter='*InvalidUse*:*CheckNames*'
    run "memcheck-$t" 900 "$sanitizer" --tool memcheck "${common[@]}" \
      "$build/tests/cuda/$t" "--gtest_filter=$filter"
  done
  want racecheck && for t in "${gpu_tests[@]:0:4}"; do
    run "racecheck-$t" 900 "$sanitizer" --tool racecheck --racecheck-report hazard \
      "${common[@]}" "$build/tests/cuda/$t" "--gtest_filter=${racecheck_filter[$t]:-*}"
  done
  unset CONVSCOPE_CUDNN_FIND
else
  skip compute-sanitizer "stage not selected, not built, or no compute-sanitizer"
fi

# ---- 5. benchmarks --------------------------------------------------------------------------
cli="$build/app/cli/convscope-cli"
bench_jsons=()
if ! want bench; then
  skip bench "stage not selected"
elif [[ ! -f "$data/train-images-idx3-ubyte" && ! -f "$data/train-images-idx3-ubyte.gz" ]]; then
  skip bench "no MNIST in $data (copy data/mnist over; there is no internet here)"
else
  if ((built)) && [[ -x "$cli" ]]; then
    for nets in 1 10; do
      if run "bench-cuda-x$nets" 1800 "$cli" bench --backend cuda --data "$data" \
        --nets "$nets" --no-peer --json; then
        tail -n 1 "$out/bench-cuda-x$nets.log" >"$out/bench-cuda-x$nets.json"
        bench_jsons+=("$out/bench-cuda-x$nets.json")
      fi
    done
    run bench-cuda-capture 1800 "$cli" bench --backend cuda --data "$data" --capture-hz 30 \
      --no-peer --json && tail -n 1 "$out/bench-cuda-capture.log" >"$out/bench-cuda-capture.json"
  else
    skip bench-cuda "convscope-cli not built"
  fi
  if run bench-torch-gpu 1800 "$python" "$repo/bench/torch_gpu_reference.py" --data "$data"; then
    tail -n 1 "$out/bench-torch-gpu.log" >"$out/bench-torch-gpu.json"
    bench_jsons+=("$out/bench-torch-gpu.json")
  fi
fi

# ---- 6. summary -----------------------------------------------------------------------------
if ((${#bench_jsons[@]})); then
  "$python" - "${bench_jsons[@]}" <<'PY' | tee -a "$summary"
import json, sys
print(f"\n{'run':<32} {'epoch s':>9} {'samples/s':>11} {'eval ms':>9} {'val acc':>8}")
for path in sys.argv[1:]:
    try:
        r = json.loads(open(path).read().strip().splitlines()[-1])
    except (OSError, ValueError, IndexError) as e:
        print(f"{path}: unreadable ({e})")
        continue
    name = (f"pytorch {r['torch']} {r.get('mode', '')}" if "peer" in r
            else f"convscope {r['backend']} x{r['nets']}")
    nets = r.get("nets", 1)
    rate = 60000 * nets / r["epoch_seconds"] if r.get("epoch_seconds") else 0
    print(f"{name:<32} {r['epoch_seconds']:>9.3f} {rate:>11.0f} "
          f"{r.get('eval_ms', float('nan')):>9.1f} {100 * r.get('val_accuracy', 0):>7.2f}%")
PY
fi
[[ -f "$out/bench-cuda-capture.json" ]] && say "live capture: $(cat "$out/bench-cuda-capture.json")"
say ""
if ((failed)); then say "GPU check: FAILED (logs in $out)"; else say "GPU check: passed (logs in $out)"; fi
exit "$failed"
