#!/usr/bin/env bash
# One command from a fresh clone to the running app: installs what is missing, fetches and
# verifies the real MNIST, builds, and starts Convscope.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/fetch-mnist.sh"
"$root/scripts/build.sh"
build="${CONVSCOPE_BUILD_DIR:-$root/build}"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run.sh: no display found; starting under xvfb-run (set DISPLAY to see the window)" >&2
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "$build/app/gui/convscope" "$@"
fi
exec "$build/app/gui/convscope" "$@"
