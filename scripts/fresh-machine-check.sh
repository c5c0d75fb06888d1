#!/usr/bin/env bash
# The fresh-machine check: proves that the README's two set-up commands work on a brand-new
# Debian 12 with nothing but apt, git, sudo and certificates, so that a missing install step can
# never hide behind packages that a developer's or CI's machine already has.
#
#   1. makes a new Debian 12 (bookworm, amd64) root with mmdebstrap (--variant=apt + git, sudo,
#      ca-certificates) and adds an ordinary user `dev` who may use sudo;
#   2. clones this repository's HEAD into the root (the committed state, as a new user gets it);
#   3. as `dev`: runs the first two steps of the README's test command on their own,
#      scripts/install-deps.sh (through sudo) and scripts/fetch-mnist.sh (fetches and verifies
#      MNIST): they wait on the network, not the CPU, so CI runs them while the host builds;
#   4. as `dev`: runs the README's test command, scripts/test.sh, whole (its install and fetch steps
#      now find everything in place; it builds and runs CTest);
#   5. as root: runs the MPI tests again (mpirun as root), then scripts/run.sh (its build step is
#      then a no-op), which starts the app offscreen, training a few steps on the real MNIST and
#      saving a screenshot of the main window;
#   6. prints one line per step with its time, and a last line "fresh-machine check: passed".
#
# There is no CUDA inside the root, so this covers the CPU build that a machine without a GPU
# gets. The root is new on every run and deleted afterwards; only the downloaded .deb files are
# kept between runs (in $CONVSCOPE_FRESH_CACHE, default /var/cache/convscope-fresh/apt).
#
#   scripts/fresh-machine-check.sh [--keep] [--out DIR] [--work DIR --stage prepare|finish]
#     --keep           leave the root in place (its path is printed) to look around after a failure
#     --out DIR        where the logs and the screenshot go (default build/fresh-machine-check)
#     --work DIR       an empty folder for the root (default: a new one under $TMPDIR)
#     --stage prepare  steps 1-3 only, keeping the root in --work DIR
#     --stage finish   steps 4-6 on the root that `--stage prepare` left in --work DIR
# Needs root (mmdebstrap's root mode, mounts in a private namespace, chroot); installs mmdebstrap
# on the host when it is missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo/build/fresh-machine-check"
keep=0
work=""
stage=all
while (($#)); do
  case "$1" in
    --keep) keep=1 ;;
    --out) out="$2"; shift ;;
    --work) work="$2"; shift ;;
    --stage) stage="$2"; shift ;;
    *) echo "fresh-machine-check: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

die() {
  echo "fresh-machine check: FAILED: $*" >&2
  exit 1
}
((EUID == 0)) || die "run it as root (it makes a Debian root with mmdebstrap and chroots into it)"
git -C "$repo" rev-parse --verify -q HEAD >/dev/null || die "$repo is not a git checkout"
case "$stage" in
  all) ;;
  prepare | finish) [[ -n $work ]] || die "--stage $stage needs --work DIR" ;;
  *) die "--stage is prepare or finish, not $stage" ;;
esac

source "$repo/scripts/debian-root.sh"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
[[ $stage == finish ]] || rm -f "$out"/*.log "$out"/app.png
if [[ $stage == finish && ! -d $work/root/home/dev/convscope ]]; then
  die "no prepared root in $work (run --stage prepare first)"
fi
[[ -n $work ]] || work="$(mktemp -d "${TMPDIR:-/var/tmp}/convscope-fresh.XXXXXX")"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
root="$work/root"
cleanup() {
  local status=$?
  if [[ $stage == prepare && $status == 0 ]]; then
    echo "fresh-machine check: prepared root in $root"
  elif ((keep)); then
    echo "fresh-machine check: the root is kept in $root"
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT

total_start=$SECONDS
# step NAME CMD...: runs CMD with its output in $out/NAME.log and prints one line with its time.
step() {
  local name="$1"
  shift
  local t0=$SECONDS
  if "$@" >"$out/$name.log" 2>&1; then
    printf 'fresh-machine check: %-28s ok      %4ds\n' "$name" $((SECONDS - t0))
  else
    printf 'fresh-machine check: %-28s FAILED  %4ds  (log: %s)\n' "$name" $((SECONDS - t0)) \
      "$out/$name.log"
    tail -n 40 "$out/$name.log" | sed 's/^/    /'
    exit 1
  fi
}

make_root() {
  debian_root_make "$root" git,sudo
  chroot "$root" useradd --create-home --shell /bin/bash --groups sudo dev
  echo 'dev ALL=(ALL) NOPASSWD:ALL' >"$root/etc/sudoers.d/dev"
  chmod 0440 "$root/etc/sudoers.d/dev"
}

clone_repo() {
  git clone --quiet --no-hardlinks "$repo" "$root/home/dev/convscope"
  git -C "$root/home/dev/convscope" log -1 --format='cloned %h %s'
  chroot "$root" chown -R dev:dev /home/dev/convscope
}

# in_root USER COMMAND: COMMAND inside the root as USER, in the clone.
in_root() { debian_root_run "$root" "$1" "cd /home/dev/convscope && $2"; }

install_as_sudo_user() { in_root dev 'scripts/install-deps.sh && scripts/fetch-mnist.sh'; }
test_as_sudo_user() { in_root dev 'scripts/test.sh'; }

# mpirun refuses root unless told (the test tells it): the MPI tests again, as root, on the build
# test.sh made (a CI machine runs as root).
mpi_as_root() { in_root root 'ctest --test-dir build -L mpi --output-on-failure'; }

# scripts/run.sh exec's the app; offscreen, the app trains a few steps on the real MNIST, saves a
# screenshot of every view and quits.
app_as_root() {
  in_root root 'QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME=/tmp/cfg XDG_DATA_HOME=/tmp/data \
    scripts/run.sh --demo-train-steps 50 --screenshot-dir /tmp/shots && ls -l /tmp/shots'
  local shot="$root/tmp/shots/live-activations.png"
  [[ -s "$shot" ]] || { echo "no screenshot at $shot"; return 1; }
  cp "$shot" "$out/app.png"
}

if [[ $stage != finish ]]; then
  step debian-12-root make_root
  step clone clone_repo
  step install-as-sudo-user install_as_sudo_user
  [[ $stage == prepare ]] && exit 0
fi
step test.sh-as-sudo-user test_as_sudo_user
grep -E 'tests passed|tests failed' "$out/test.sh-as-sudo-user.log" | sed 's/^/    /'
step mpi-tests-as-root mpi_as_root
step run.sh-app-as-root app_as_root
echo "    screenshot: $out/app.png"
printf 'fresh-machine check: %-28s passed  %4ds\n' total $((SECONDS - total_start))
