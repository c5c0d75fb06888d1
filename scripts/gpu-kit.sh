#!/usr/bin/env bash
# Builds the GPU kit: everything a machine with an NVIDIA GPU needs to test, sanitize and
# benchmark the CUDA backend, with no compiler, CMake, Qt or internet there. Runs here, without
# a GPU. Builds the Qt-free targets portably (no -march=native, sm_90 SASS plus compute_90 PTX,
# the shared CUDA runtime) into build-kit/ and fills .gpu-kit/ (git-ignored, at most 40 MiB):
#   app/cli/convscope-cli, tests/{cuda,engine}/...   the binaries, laid out as in the build tree,
#                        and tests/cuda/gpu-tests.txt, the GPU tests' names;
#   lib/                 libconvscope_engine.so, libconvscope_cuda.so and the non-CUDA shared
#                        libraries they need that a bare system may lack (libsqlite3,
#                        libcrypto.so.3 for SHA-256, ...; nlohmann-json is headers only);
#   lib/fallback/        this machine's libstdc++ and libgcc_s, used only where the host's are
#                        too old;
#   data/mnist/*.gz      MNIST; bench/*.py the PyTorch peers; run.sh (scripts/gpu-kit-run.sh).
# The CUDA libraries themselves are not in the kit: run.sh finds them on the GPU host.
# Usage: scripts/gpu-kit.sh. Environment: BUILD_DIR, KIT_DIR, CONVSCOPE_DATA, CUDA_ARCHS, JOBS.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build-kit}"
kit="${KIT_DIR:-$root/.gpu-kit}"
data="${CONVSCOPE_DATA:-$root/data/mnist}"
archs="${CUDA_ARCHS:-90}"  # "90": sm_90 machine code and compute_90 PTX
max_bytes=$((40 << 20))

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
mkdir -p "$build"
cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DCONVSCOPE_UI=OFF \
  -DCONVSCOPE_NATIVE=OFF "-DCMAKE_CUDA_ARCHITECTURES=$archs" | tee "$build/gpu-kit-configure.log"
grep -q "Convscope: CUDA backend ON" "$build/gpu-kit-configure.log" || {
  echo "gpu-kit: the CUDA backend was not configured (nvcc, CUDA toolkit or cuDNN missing)" >&2
  exit 1
}
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target convscope-cli test_backend_fallback \
  convscope_gpu_tests
mapfile -t gpu_tests <"$build/tests/cuda/gpu-tests.txt"  # as tests/cuda/CMakeLists.txt names them

rm -rf "$kit"
mkdir -p "$kit"/{lib/fallback,app/cli,tests/cuda,tests/engine,data/mnist,bench}
cp "$build/lib/libconvscope_engine.so" "$build/lib/libconvscope_cuda.so" "$kit/lib/"
cp "$build/app/cli/convscope-cli" "$kit/app/cli/"
for t in "${gpu_tests[@]}"; do cp "$build/tests/cuda/$t" "$kit/tests/cuda/"; done
cp "$build/tests/cuda/gpu-tests.txt" "$kit/tests/cuda/"
cp "$build/tests/engine/test_backend_fallback" "$build"/tests/engine/libfake_cuda_*.so \
  "$kit/tests/engine/"

# Shared libraries the binaries need, other than the C library's own, the C++ runtime (kept in
# fallback/) and CUDA's (found on the host by run.sh).
mapfile -t elves < <(find "$kit/lib" "$kit/app" "$kit/tests" -type f \( -name '*.so' -o -perm -u+x \))
for elf in "${elves[@]}"; do
  ldd "$elf" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
done | sort -u | while read -r name path; do
  case "$name" in
    libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | ld-linux* | libconvscope_*) ;;
    libcudart.so.* | libcublas*.so.* | libcudnn*.so.* | libcuda.so.*) ;;
    libstdc++.so.* | libgcc_s.so.*) cp -L "$path" "$kit/lib/fallback/$name" ;;
    *) cp -L "$path" "$kit/lib/$name" ;;
  esac
done

for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
  t10k-labels-idx1-ubyte; do
  if [[ -f "$data/$f.gz" ]]; then
    cp "$data/$f.gz" "$kit/data/mnist/"
  elif [[ -f "$data/$f" ]]; then
    gzip -9c "$data/$f" >"$kit/data/mnist/$f.gz"
  else
    echo "gpu-kit: $data/$f missing (run scripts/fetch-mnist.sh)" >&2
    exit 1
  fi
done
cp "$root"/bench/*.py "$kit/bench/"
cp "$root/scripts/gpu-kit-run.sh" "$kit/run.sh"
chmod +x "$kit/run.sh"
{
  echo "convscope $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "cuda archs $archs; glibc $(ldd --version | head -n1 | awk '{print $NF}')"
} >"$kit/VERSION"

bytes="$(du -sb "$kit" | cut -f1)"
echo "gpu-kit: $kit, $((bytes >> 10)) KiB:"
(cd "$kit" && find . -type f | sort | xargs du -h | sed 's/^/  /')
if ((bytes > max_bytes)); then
  echo "gpu-kit: the kit is larger than $((max_bytes >> 20)) MiB" >&2
  exit 1
fi
