#!/usr/bin/env bash
# Proves that the GPU kit needs nothing of this machine: makes a brand-new Debian 12 root into
# which only the kit (.gpu-kit/, from scripts/gpu-kit.sh) and the CUDA runtime libraries
# (libcudart.so.13, libcublas*.so.13, libcudnn*.so.9) are copied, and runs the kit's run.sh
# there. Without a GPU it must say "no GPU: ...", report every stage skipped, and exit 0.
#   scripts/gpu-kit-dry-run.sh        (as root; CUDA_LIB_DIR, default /usr/local/cuda/lib64)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kit="${KIT_DIR:-$repo/.gpu-kit}"
cuda_lib="${CUDA_LIB_DIR:-/usr/local/cuda/lib64}"
die() {
  echo "gpu-kit dry run: FAILED: $*" >&2
  exit 1
}
((EUID == 0)) || die "run it as root (it makes a Debian root and chroots into it)"
[[ -x "$kit/run.sh" ]] || die "no kit in $kit: run scripts/gpu-kit.sh first"
source "$repo/scripts/debian-root.sh"

work="$(mktemp -d "${TMPDIR:-/var/tmp}/convscope-kit-dry-run.XXXXXX")"
trap 'rm -rf --one-file-system "$work"' EXIT
root="$work/root"
echo "gpu-kit dry run: the kit is $(du -sh "$kit" | cut -f1)"
debian_root_make "$root" >"$work/mmdebstrap.log" 2>&1 || {
  tail -n 20 "$work/mmdebstrap.log"
  die "mmdebstrap failed"
}
cp -a "$kit" "$root/kit"
mkdir -p "$root/usr/local/cuda/lib64"
for lib in 'libcudart.so.13*' 'libcublas.so.13*' 'libcublasLt.so.13*' 'libcudnn*.so.9*'; do
  # Hard links where the root is on the same file system (cuDNN alone is about 1 GB).
  cp -a --link "$cuda_lib"/$lib "$root/usr/local/cuda/lib64/" 2>/dev/null ||
    cp -a "$cuda_lib"/$lib "$root/usr/local/cuda/lib64/"
done
echo "gpu-kit dry run: copied in $(ls "$root/usr/local/cuda/lib64" | tr '\n' ' ')"

set +e
debian_root_run "$root" root 'OUT=/tmp/kit-out /kit/run.sh' | tee "$work/run.log"
status=${PIPESTATUS[0]}
set -e
((status == 0)) || die "run.sh exited $status"
grep -q '^no GPU: ' "$work/run.log" || die "run.sh did not say why there is no GPU"
for stage in test memcheck racecheck bench; do
  grep -Eq "^$stage +skipped" "$work/run.log" || die "stage $stage was not reported skipped"
done
for file in summary.txt gpu-kit-logs.tar.gz; do
  [[ -s "$root/tmp/kit-out/$file" ]] || die "run.sh wrote no $file"
done
echo "gpu-kit dry run: passed (no GPU, every stage skipped, exit 0, summary and logs written)"
