#!/usr/bin/env bash
# Render the README screenshots from a real training run on the real MNIST: builds the app,
# trains the reference network for a few hundred steps under a virtual X server, evaluates the
# validation set, and saves each view into docs/screenshots/*.png.
#
#   scripts/screenshots.sh [steps]        (default 600; needs xvfb-run and data/mnist)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CONVSCOPE_BUILD:-$repo_root/build-ui}"
out="$repo_root/docs/screenshots"
steps="${1:-600}"

die() {
  echo "screenshots: error: $*" >&2
  exit 1
}

command -v xvfb-run >/dev/null || die "xvfb-run is not installed (apt-get install xvfb)"
[[ -f "${CONVSCOPE_DATA:-$repo_root/data/mnist}/t10k-images-idx3-ubyte" ]] ||
  die "MNIST is missing: run scripts/fetch-mnist.sh first"

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$repo_root" -B "$build" -G Ninja -DCONVSCOPE_CUDA=OFF
fi
ninja -C "$build" convscope

# A throw-away settings folder: the screenshots show the default (reference) network, not
# whatever the last interactive session left behind.
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
mkdir -p "$out"
XDG_CONFIG_HOME="$config" xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$build/app/gui/convscope" --demo-train-steps "$steps" --screenshot-dir "$out"
echo "screenshots: wrote $(ls "$out"/*.png | wc -l) images to $out"
