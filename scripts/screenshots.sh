#!/usr/bin/env bash
# Render the README screenshots from real training on the real MNIST: builds the app and the
# CLI, trains and stores a 50-network ensemble (one epoch) and a sweep (2 learning rates x 2
# filter sizes, 10 networks each, one epoch) in a throw-away store, then trains the
# reference network live for a few hundred steps under a virtual X server (first at 10x the
# learning rate, reset: the charts' previous run; then halving its rate every fifth of an epoch,
# step:0.2:0.5, which the loss chart draws), evaluates the validation set, and saves each view
# into docs/screenshots/*.png.
#
#   scripts/screenshots.sh [steps]        (default 600; needs xvfb-run and data/mnist)
# Every view at 1920x1080 (with a drawn digit: canvas.png, saliency.png, ensemble-vote.png), and
# the main views, the canvas, the sweep and the learning history (the most often forgotten image;
# the demo evaluates every steps/8 steps) again at 1366x768 (*-1366x768.png).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CONVSCOPE_BUILD_DIR:-$repo_root/build}"
out="$repo_root/docs/screenshots"
steps="${1:-600}"

die() {
  echo "screenshots: error: $*" >&2
  exit 1
}

command -v xvfb-run >/dev/null || die "xvfb-run is not installed (apt-get install xvfb)"
[[ -f "${CONVSCOPE_DATA:-$repo_root/data/mnist}/t10k-images-idx3-ubyte" ]] ||
  die "MNIST is missing: run scripts/fetch-mnist.sh first"

[[ -f "$build/build.ninja" ]] || CONVSCOPE_BUILD_DIR="$build" "$repo_root/scripts/build.sh"
ninja -C "$build" convscope convscope-cli

# A throw-away home: the screenshots show the default (reference) network, not whatever the last
# interactive session left behind, and the paths they show are the ones every user has
# (~/.local/share/convscope/convscope.db, the MNIST that scripts/fetch-mnist.sh installs).
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
export HOME="$home" CONVSCOPE_DATA="${CONVSCOPE_DATA:-$repo_root/data/mnist}"
unset XDG_CONFIG_HOME XDG_DATA_HOME
mkdir -p "$out"
# The Sweep view opens the newest sweep, the Ensemble view the newest stored run: the ensemble
# is trained last.
"$build/app/cli/convscope-cli" sweep --nets 10 --epochs 1 --grid \
  'lr=0.001,0.002; arch=c3x8:relu-m2-c3x16:relu-m2-d128:relu-d10,c5x8:relu-m2-c5x16:relu-m2-d128:relu-d10' \
  >/dev/null
"$build/app/cli/convscope-cli" ensemble --nets 50 --epochs 1 --quiet --top 0
xvfb-run -a -s "-screen 0 1920x1080x24" "$build/app/gui/convscope" --window-size 1920x1080 \
  --demo-train-steps "$steps" --screenshot-dir "$out"
# The same at a common laptop size, 1366x768.
small="$home/small"
xvfb-run -a -s "-screen 0 1366x768x24" "$build/app/gui/convscope" --window-size 1366x768 \
  --demo-train-steps "$steps" --screenshot-dir "$small"
cp "$small/live-activations.png" "$out/live-1366x768.png"
cp "$small/live-history.png" "$out/live-history-1366x768.png"
cp "$small/ensemble.png" "$out/ensemble-1366x768.png"
cp "$small/sweep.png" "$out/sweep-1366x768.png"
cp "$small/canvas.png" "$out/canvas-1366x768.png"
cp "$small/saliency-gradcam.png" "$out/saliency-gradcam-1366x768.png"
cp "$small/class-models.png" "$out/class-models-1366x768.png"
cp "$small/calibration.png" "$out/calibration-1366x768.png"
echo "screenshots: wrote $(ls "$out"/*.png | wc -l) images to $out"
