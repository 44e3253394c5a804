#!/usr/bin/env bash
# A Debian root filesystem of one release with the tools that judge what the lab renders, for
# the tests to chroot into: the lab's images run Debian 13 by default and Debian 12 on request,
# and each release's keepalived, nginx, nftables and cloud-init accept different input.
#
#   sudo bash scripts/debian-root.sh RELEASE          # RELEASE: 13 (trixie) or 12 (bookworm)
#   bash scripts/debian-root.sh RELEASE --path        # its path if built, else exit 1 (no build)
#
# Builds, once, ${LVS_LAB_CACHE:-~/.cache/lvs-dr-lab}/root/debian<RELEASE>-<hash>: debootstrap
# --variant=minbase from the Debian mirror (LVSLAB_DEBIAN_MIRROR, default deb.debian.org) plus
# the packages below without recommends, no daemon started (policy-rc.d), apt caches and lists
# dropped; <hash> is this script's without its comments, so a changed package list builds
# afresh and older roots are removed. Reuses the root while this script is unchanged (a second caller waits on a lock).
# The root's path is the last line on stdout; progress goes to stderr. Needs root and
# debootstrap; takes a few minutes and about 360 MB.
set -euo pipefail

# The tests use this host's own tools for the release it runs (Debian 12 for CI:
# scripts/install-deps.sh) and a root for the other; scripts/install-deps.sh builds it.
#
# The validators of __tests__/helpers (keepalived --config-test, nginx -t, nft -c, cloud-init's
# schema and network renderers; openssl for the first-boot certificate command; curl and ping,
# which keepalived checks scripts for, as on the images) and what
# cloud-init renders network-config with on the release's
# genericcloud image (netplan.io on Debian 13; ifupdown on Debian 12).
readonly PACKAGES=(keepalived nginx nftables openssl curl iputils-ping cloud-init python3 netplan.io ifupdown)
readonly MIRROR=${LVSLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}

log() { printf '[debian-root] %s\n' "$*" >&2; }

release=${1:-}
mode=${2:-build}
case $release in
  13) suite=trixie ;;
  12) suite=bookworm ;;
  *)
    log "release '$release': expected 13 (trixie) or 12 (bookworm)"
    exit 2
    ;;
esac
script=$(readlink -f "${BASH_SOURCE[0]}")
cache=${LVS_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvs-dr-lab}/root
hash=$(grep -v '^[[:space:]]*#' "$script" | sha256sum | cut -c1-12)
root=$cache/debian$release-$hash

mkdir -p "$cache"
if [[ -x $root/usr/sbin/keepalived ]]; then
  echo "$root"
  exit 0
fi
[[ $mode != --path ]] || exit 1
exec 9>"$cache/.lock-debian$release"
flock 9
if [[ -x $root/usr/sbin/keepalived ]]; then
  echo "$root"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (debootstrap, chroot)"
  exit 1
fi

start=$SECONDS
work=$(mktemp -d "$cache/build-debian$release.XXXXXX")
cleanup() {
  local rc=$?
  set +e
  umount "$work/root/proc" 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

log "debootstrap $suite (minbase) from $MIRROR"
debootstrap --variant=minbase "$suite" "$work/root" "$MIRROR" >&2
printf '#!/bin/sh\nexit 101\n' >"$work/root/usr/sbin/policy-rc.d"
chmod 0755 "$work/root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$work/root/etc/resolv.conf"
mount -t proc proc "$work/root/proc"
in_root() { chroot "$work/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
log "installing ${PACKAGES[*]}"
in_root apt-get update -q >&2
in_root apt-get -y -q --no-install-recommends install "${PACKAGES[@]}" >&2
in_root apt-get clean
umount "$work/root/proc"
rm -rf "$work/root"/var/lib/apt/lists/* "$work/root"/var/cache/apt/*.bin
mv "$work/root" "$root"
find "$cache" -mindepth 1 -maxdepth 1 -type d -name "debian$release-*" ! -path "$root" -exec rm -rf {} +
log "built $root in $((SECONDS - start)) s"
echo "$root"
