#!/usr/bin/env bash
# Installs the Debian 12 packages Convscope builds and tests with (only those missing).
#   scripts/install-deps.sh          everything: toolchain, Qt 6, test tools
#   scripts/install-deps.sh --no-ui  toolchain only (GPU hosts have no Qt)
#   scripts/install-deps.sh --bench  also Debian's PyTorch, the benchmark's CPU peer, and oneDNN,
#                                    the CPU convolutions' peer
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config zlib1g-dev libsqlite3-dev libssl-dev nlohmann-json3-dev
          libgtest-dev npm clang-format libopenmpi-dev openmpi-bin)
ui=1
for arg in "$@"; do
  case "$arg" in
    --no-ui) ui=0 ;;
    --bench) packages+=(python3-torch libdnnl-dev) ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
if [ "$ui" = 1 ]; then
  packages+=(qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev libgl-dev xvfb xauth fonts-dejavu-core
            dataset-fashion-mnist)
fi

missing=()
for p in "${packages[@]}"; do
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
# env, not export: sudo resets the environment.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
