# Sourced by the scripts that prove something on a brand-new Debian 12 (fresh-machine-check.sh,
# gpu-kit-dry-run.sh). Needs root. Defines:
#   debian_root_make DIR [PACKAGE,...]  a new bookworm root (mmdebstrap --variant=apt, plus the
#                                       packages named) with the host's resolver and certificate
#                                       bundle (/etc/ssl/host-ca-certificates.crt, for a TLS proxy)
#   debian_root_run DIR USER CMD        CMD (a bash string) inside DIR as USER, with /proc, /sys,
#                                       /dev and the apt cache mounted in a private mount namespace
#                                       that ends with it, and a clean environment
# Downloaded .deb files are shared between roots in $CONVSCOPE_FRESH_CACHE
# (default /var/cache/convscope-fresh/apt); a root itself is never reused.

debian_root_cache="${CONVSCOPE_FRESH_CACHE:-/var/cache/convscope-fresh/apt}"

debian_root_make() {
  local dir="$1" include="${2:+,$2}"
  if ! command -v mmdebstrap >/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap
  fi
  mkdir -p "$debian_root_cache"
  mmdebstrap --variant=apt "--include=ca-certificates$include" \
    --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
    --setup-hook="sync-in '$debian_root_cache' /var/cache/apt/archives" \
    --customize-hook="sync-out /var/cache/apt/archives '$debian_root_cache'" \
    bookworm "$dir"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/host-ca-certificates.crt"
}

debian_root_run() {
  local dir="$1" user="$2" command="$3"
  unshare --mount --fork bash -euo pipefail -c '
    root="$1" cache="$2" user="$3" command="$4"
    home=/home/$user
    [[ $user == root ]] && home=/root
    mount --make-rprivate /
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mount --bind "$cache" "$root/var/cache/apt/archives"
    exec chroot "$root" /usr/sbin/runuser -u "$user" -- env -i \
      HOME="$home" USER="$user" LANG=C.UTF-8 \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca-certificates.crt \
      bash -euo pipefail -c "$command"
  ' debian_root_run "$dir" "$debian_root_cache" "$user" "$command"
}
