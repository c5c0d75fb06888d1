#!/usr/bin/env bash
# The GPU kit's run.sh (built by scripts/gpu-kit.sh): tests, sanitizes and benchmarks Convscope's
# CUDA backend on a machine with an NVIDIA GPU, from binaries built elsewhere. Needs no compiler,
# CMake, Qt or internet; needs a driver, the CUDA 13 runtime, cuBLAS 13 and cuDNN 9 (toolkit,
# system or NVIDIA pip wheels: found below), compute-sanitizer for the sanitizer stages and
# Python with a CUDA PyTorch for the benchmark's peers.
#
#   run.sh [STAGE...] [--skip STAGE]...   STAGE: test memcheck racecheck bench (default: all)
#
# Stages:
#   test       each GPU test binary once (gtest XML); a skipped test fails the stage
#   memcheck   compute-sanitizer memcheck on the kernel and layer tests (cuDNN heuristics only)
#   racecheck  racecheck on Convscope's own kernels (not CUB's sort, cuDNN or cuBLAS)
#   bench      one epoch of 1 and 50 networks, live capture off and on, against the PyTorch
#              peers: eager, whole-step CUDA graph, 50 one after another, 50 batched with vmap;
#              the peak GPU memory of each; a per-op profile of 1 and of 50 networks' eager steps
# Writes two files to $OUT (default: ./gpu-kit-out): summary.txt (one table) and
# gpu-kit-logs.tar.gz (every log, gtest XML and benchmark JSON). Exit status 0 when every step
# passed, or when there is no GPU ("no GPU: <why>", every stage reported skipped).
# Environment: OUT; PYTHON (default python3); BUDGET, seconds for the whole run (default 450):
# a step that would start later is reported skipped, and a second call can run just those.
set -uo pipefail

kit="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$PWD/gpu-kit-out}"
python="${PYTHON:-python3}"
deadline=$((SECONDS + ${BUDGET:-450}))
all_stages=(test memcheck racecheck bench)
stages=()
skipped_stages=()
while (($#)); do
  case "$1" in
    --skip) skipped_stages+=("${2:?--skip needs a stage}") && shift ;;
    test | memcheck | racecheck | bench) stages+=("$1") ;;
    -h | --help) sed -n '2,22p' "$0" && exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (stages: ${all_stages[*]})" >&2 && exit 2 ;;
  esac
  shift
done
((${#stages[@]})) || stages=("${all_stages[@]}")
want() { [[ " ${stages[*]} " == *" $1 "* && " ${skipped_stages[*]:-} " != *" $1 "* ]]; }

mkdir -p "$out"
work="$(mktemp -d)"
logs="$work/logs"
mkdir -p "$logs"
summary="$out/summary.txt"
: >"$summary"
failed=0
finish() {
  tar -czf "$out/gpu-kit-logs.tar.gz" -C "$work" logs
  rm -rf "$work"
}
trap finish EXIT

say() { echo "$*" | tee -a "$summary"; }
row() { printf '%-30s %-24s %6s  %s\n' "$@" | tee -a "$summary"; }
skip() { row "$1" "skipped" "" "$2"; }
# step NAME LIMIT CMD...: runs CMD (output in logs/NAME.log) within LIMIT seconds and what is
# left of the budget; CHECK, when set, is then run to turn a passing step into a failure. With
# SAMPLE_MEMORY=1, the GPU's used memory is sampled every 100 ms while it runs (logs/NAME.mem,
# MiB, the first sample taken before CMD starts).
step() {
  local name="$1" limit="$2"
  shift 2
  local left=$((deadline - SECONDS))
  if ((left < 20)); then
    skip "$name" "time budget spent (run again with this stage)"
    return 1
  fi
  ((limit > left)) && limit=$left
  local t0=$SECONDS sampler=""
  if [[ "${SAMPLE_MEMORY:-}" == 1 ]] && command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 \
      >"$logs/$name.mem" 2>/dev/null &
    sampler=$!
    sleep 0.3
  fi
  timeout --signal=INT --kill-after=10 "$limit" "$@" >"$logs/$name.log" 2>&1
  local rc=$? verdict="ok" detail=""
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null && wait "$sampler" 2>/dev/null
  if ((rc == 124)); then
    verdict="TIMEOUT (${limit}s)"
  elif ((rc != 0)); then
    verdict="FAILED (exit $rc)"
    detail="$(grep -m1 -E 'FAILED|ERROR|error|Error' "$logs/$name.log" | cut -c1-90)"
  elif [[ -n "${CHECK:-}" ]] && ! detail="$($CHECK "$name")"; then
    verdict="FAILED"
    rc=1
  fi
  [[ "$verdict" == ok ]] || failed=1
  row "$name" "$verdict" "$((SECONDS - t0))s" "$detail"
  return $rc
}

say "Convscope GPU kit, $(head -n1 "$kit/VERSION"), run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"

# ---- CUDA libraries: toolkit, loader cache, NVIDIA wheels ------------------------------------
wheel_dirs() {
  "$python" - <<'PY' 2>/dev/null
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
try:
    import nvidia
    roots += [os.path.dirname(p) for p in nvidia.__path__]
except ImportError:
    pass
for root in dict.fromkeys(roots):
    for d in sorted(glob.glob(os.path.join(root, "nvidia", "**", "lib"), recursive=True)):
        print(d)
PY
}
mapfile -t toolkit_dirs < <(ls -d ${CUDA_HOME:+"$CUDA_HOME"/lib64} /usr/local/cuda*/lib64 \
  /usr/local/cuda*/lib /usr/local/cuda*/targets/*/lib 2>/dev/null)
mapfile -t wheel_lib_dirs < <(wheel_dirs)
lib_path="$kit/lib"
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcudnn.so.9; do
  where=""
  for dir in "${toolkit_dirs[@]}"; do
    [[ -e "$dir/$lib" ]] && where="$dir" && break
  done
  if [[ -z "$where" ]] && ldconfig -p 2>/dev/null | grep -q "^[[:space:]]*$lib "; then
    say "found $lib: $(ldconfig -p | grep -m1 "^[[:space:]]*$lib " | sed 's/.*=> //') (loader cache)"
    continue
  fi
  if [[ -z "$where" ]]; then
    for dir in "${wheel_lib_dirs[@]}"; do
      [[ -e "$dir/$lib" ]] && where="$dir" && break
    done
  fi
  if [[ -n "$where" ]]; then
    say "found $lib: $where/$lib"
    [[ ":$lib_path:" == *":$where:"* ]] || lib_path="$lib_path:$where"
  else
    say "not found: $lib (looked in /usr/local/cuda*/lib64, ldconfig -p, site-packages/nvidia)"
  fi
done
export LD_LIBRARY_PATH="$lib_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cli="$kit/app/cli/convscope-cli"
if ! "$cli" --help >/dev/null 2>"$logs/cli-start.log"; then
  if grep -q -E "GLIBCXX|CXXABI|GCC_" "$logs/cli-start.log"; then
    say "this system's C++ runtime is too old: using the kit's (lib/fallback)"
    export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$kit/lib/fallback"
  fi
  if ! "$cli" --help >/dev/null 2>"$logs/cli-start.log"; then
    say "the kit's binaries cannot start here: $(head -n1 "$logs/cli-start.log")"
    exit 1
  fi
fi

# ---- data, GPU ------------------------------------------------------------------------------
mnist="$work/mnist"
mkdir -p "$mnist"
for gz in "$kit"/data/mnist/*.gz; do gzip -dc "$gz" >"$mnist/$(basename "$gz" .gz)"; done
if command -v nvidia-smi >/dev/null; then
  nvidia-smi >"$logs/nvidia-smi.txt" 2>&1
  nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader \
    2>/dev/null | sed 's/^/GPU: /' | tee -a "$summary"
fi
# The CLI's own verdict: a short training run on the CUDA backend.
if ! "$cli" train --backend cuda --epochs 1 --limit-train 640 --data "$mnist" --quiet \
  >"$logs/probe.log" 2>&1; then
  reason="$(grep -m1 -o 'CUDA backend unavailable: .*' "$logs/probe.log" | cut -d' ' -f4-)"
  gpus="$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)"
  if [[ -n "$reason" && "${gpus:-0}" -eq 0 ]]; then
    say "no GPU: $reason"
    for s in "${all_stages[@]}"; do skip "$s" "no GPU"; done
    exit 0
  fi
  say "the CUDA backend does not run on this GPU: $(tail -n1 "$logs/probe.log")"
  exit 1
fi
say "CUDA backend: $(grep -m1 '^backend:' "$logs/probe.log")"
# What a later profile could use on this machine (nothing runs them yet).
profilers="$(command -v nsys ncu 2>/dev/null; ls /usr/local/cuda*/bin/nsys /usr/local/cuda*/bin/ncu \
  /opt/nvidia/nsight-*/*/bin/nsys 2>/dev/null)"
say "profilers: $(echo "${profilers:-none}" | sort -u | tr '\n' ' ')"

# ---- tests ----------------------------------------------------------------------------------
row step result time detail
mapfile -t gpu_tests <"$kit/tests/cuda/gpu-tests.txt"  # every GPU test the kit holds
# Counts the tests in a step's gtest XML; fails when one was skipped.
gtest_check() {
  local xml="$logs/$1.xml"
  [[ -f "$xml" ]] || { echo "no $1.xml" && return 1; }
  local total skipped
  total="$(grep -m1 -o '<testsuites tests="[0-9]*"' "$xml" | grep -o '[0-9]*')"
  skipped="$(grep -c 'result="skipped"' "$xml")"
  echo "$total tests, $skipped skipped"
  ((skipped == 0))
}
if want test; then
  for t in "${gpu_tests[@]}"; do
    CHECK=gtest_check step "$t" 240 "$kit/tests/cuda/$t" "--gtest_output=xml:$logs/$t.xml"
  done
  CHECK=gtest_check step test_backend_fallback 60 "$kit/tests/engine/test_backend_fallback" \
    "--gtest_output=xml:$logs/test_backend_fallback.xml"
else
  skip test "not selected"
fi

# ---- compute-sanitizer ----------------------------------------------------------------------
sanitizer="$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer \
  /usr/local/cuda*/compute-sanitizer/compute-sanitizer 2>/dev/null | head -n1)"
# API errors are part of some tests (out of memory) and of cuDNN's algorithm search; the tests
# check those themselves, so only kernel-side problems are reported.
sanitize=("$sanitizer" --error-exitcode 1 --report-api-errors no --print-limit 20)
export CONVSCOPE_CUDNN_FIND=0
for tool in memcheck racecheck; do
  if ! want "$tool"; then
    skip "$tool" "not selected"
  elif [[ -z "$sanitizer" ]]; then
    skip "$tool" "no compute-sanitizer (PATH, /usr/local/cuda*/bin)"
    failed=1
  elif [[ "$tool" == memcheck ]]; then
    for t in test_cuda_kernels test_cuda_layers; do
      step "memcheck-$t" 180 "${sanitize[@]}" --tool memcheck "$kit/tests/cuda/$t"
    done
  else
    # Convscope's own kernels only: CUB's radix sort (EpochOrder) has known racecheck false
    # positives, and the convolution and dense tests run cuDNN's and cuBLAS's kernels.
    step racecheck-test_cuda_kernels 120 "${sanitize[@]}" --tool racecheck \
      --racecheck-report hazard "$kit/tests/cuda/test_cuda_kernels" '--gtest_filter=-*EpochOrder*'
    step racecheck-test_cuda_layers 120 "${sanitize[@]}" --tool racecheck \
      --racecheck-report hazard "$kit/tests/cuda/test_cuda_layers" \
      '--gtest_filter=*PoolOp*:*ActivationOp*'
    # The convolution tests run cuDNN's kernels too: only Convscope's weight-gradient kernel is
    # instrumented there.
    step racecheck-conv2d_dweight 120 "${sanitize[@]}" --tool racecheck \
      --racecheck-report hazard --kernel-name kns=conv2d_dweight_kernel \
      "$kit/tests/cuda/test_cuda_layers" '--gtest_filter=*ConvOp*'
  fi
done
unset CONVSCOPE_CUDNN_FIND

# ---- benchmarks -----------------------------------------------------------------------------
# json_check: the step's last JSON line becomes logs/NAME.json.
json_check() {
  grep '^{' "$logs/$1.log" | tail -n1 >"$logs/$1.json"
  if [[ ! -s "$logs/$1.json" ]] || grep -q '"error"' "$logs/$1.json"; then
    echo "no result line"
    return 1
  fi
}
if want bench; then
  export SAMPLE_MEMORY=1
  bench=("$cli" bench --backend cuda --data "$mnist" --no-peer --json)
  CHECK=json_check step bench-convscope-x1 120 "${bench[@]}" --nets 1 --capture-hz 30 --repeats 3
  CHECK=json_check CONVSCOPE_CUDA_GRAPHS=0 step bench-convscope-x1-eager 60 "${bench[@]}" --nets 1
  CHECK=json_check step bench-convscope-x50 360 "${bench[@]}" --nets 50 --capture-hz 30 \
    --repeats 3
  # Where a step's GPU time goes: every op of every eager step timed (cuda/src/op_timer.h), the
  # table at the end of the log and in the summary.
  profile=(env CONVSCOPE_CUDA_PROFILE=1 CONVSCOPE_CUDA_GRAPHS=0 "$cli" bench --backend cuda
    --data "$mnist" --no-peer)
  for nets in 1 50; do
    if step "profile-x$nets" 120 "${profile[@]}" --nets "$nets"; then
      say "$nets network(s): $(sed -n '/^CUDA op profile/,$p' "$logs/profile-x$nets.log" | head -n 40)"
    fi
  done
  if "$python" -c 'import torch; assert torch.cuda.is_available()' >"$logs/torch.log" 2>&1; then
    eager=("$python" "$kit/bench/torch_gpu_reference.py" --data "$mnist")
    vmap=("$python" "$kit/bench/torch_gpu_vmap.py" --data "$mnist")
    CHECK=json_check step bench-torch-x1-eager 120 "${eager[@]}" --nets 1
    CHECK=json_check step bench-torch-x1-graph 120 "${vmap[@]}" --nets 1 --graph
    CHECK=json_check step bench-torch-x50-vmap 180 "${vmap[@]}" --nets 50
    CHECK=json_check step bench-torch-x50-vmap-graph 180 "${vmap[@]}" --nets 50 --graph
    # 50 networks one after another: the warm-up and one timed epoch are 50 epochs each.
    CHECK=json_check step bench-torch-x50-one-by-one 450 "${eager[@]}" --nets 50 --repeats 1
  else
    skip bench-torch "no CUDA PyTorch for $python: $(tail -n1 "$logs/torch.log")"
    failed=1
  fi
  shopt -s nullglob
  jsons=("$logs"/bench-*.json)
  if ((${#jsons[@]})) && command -v "$python" >/dev/null; then
    "$python" - "${jsons[@]}" <<'PY' | tee -a "$summary"
import json, os, sys
print(f"\n{'benchmark (median epoch, 60,000 images)':<44} {'nets':>4} {'epoch s':>8} "
      f"{'samples/s':>10} {'eval ms':>8} {'val acc':>8} {'capture':>8} {'peak MiB':>8}")


# The largest rise of the GPU's used memory over its level before the step: the process's
# context, allocations and caches (nvidia-smi, every 100 ms).
def peak_mib(path):
    try:
        used = [int(v) for v in open(path[:-len(".json")] + ".mem").read().split()]
    except (OSError, ValueError):
        return ""
    return f"{max(used) - used[0]}" if len(used) > 1 else ""


for path in sys.argv[1:]:
    r = json.load(open(path))
    name = os.path.basename(path)[len("bench-"):-len(".json")]
    if "peer" in r:
        name = f"{name} (pytorch {r.get('torch', '?')}, {r.get('mode', '')})"
    nets = r.get("nets", 1)
    s = r["epoch_seconds"]  # the median timed epoch of all its networks
    cap = f"{100 * r['capture_overhead']:+.1f}%" if "capture_overhead" in r else ""
    print(f"{name[:44]:<44} {nets:>4} {s:>8.3f} {60000 * nets / s:>10.0f} "
          f"{r.get('eval_ms', float('nan')):>8.1f} {100 * r.get('val_accuracy', 0):>7.2f}% "
          f"{cap:>8} {peak_mib(path):>8}")
PY
  fi
  unset SAMPLE_MEMORY
else
  skip bench "not selected"
fi

say ""
if ((failed)); then say "GPU kit: FAILED (logs in $out/gpu-kit-logs.tar.gz)"; else say "GPU kit: passed"; fi
exit "$failed"
