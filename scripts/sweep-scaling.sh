#!/usr/bin/env bash
# The sweep scaling figures of the README: one sweep (6 configurations x 4 networks of the
# 3x3 architecture, the first 10,000 MNIST training images, 1 epoch) on 1, 2 and 3 MPI ranks of
# one CPU thread each, REPS times each (median reported), every run into a fresh store.
#   scripts/sweep-scaling.sh [build dir] [reps]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="${1:-$root/build}/app/cli/convscope-cli"
reps="${2:-3}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
grid='lr=0.0005,0.001,0.002; optimizer=adam,rmsprop; arch=c3x8:relu-m2-c3x16:relu-m2-d128:relu-d10'
base=""
for ranks in 1 2 3; do
  times=()
  for rep in $(seq "$reps"); do
    store="$tmp/r$ranks-$rep.db"
    start=$(date +%s.%N)
    mpirun -n "$ranks" --oversubscribe "$cli" sweep --grid "$grid" --nets 4 --limit-train 10000 \
      --threads 1 --store "$store" > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
    times+=("$(echo "$(date +%s.%N) - $start" | bc)")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (reps + 1) / 2 ))p")
  [ -n "$base" ] || base=$median
  speedup=$(echo "scale=2; $base / $median" | bc)
  efficiency=$(echo "scale=0; 100 * $base / $median / $ranks" | bc)
  echo "ranks $ranks: median ${median}s of [${times[*]}]  speed-up ${speedup}x  efficiency ${efficiency}%"
done
