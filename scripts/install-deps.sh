#!/usr/bin/env bash
# Installs what the tests and the lab need on Debian 12 (run as root): the validators the tests
# call (keepalived, cloud-init, shellcheck, nft for the directors' nftables ruleset, nginx for
# the demo and sorry sites, and isoinfo/isovfy for the NoCloud seed ISOs), and the same tools of
# Debian 13 (the lab's default image) in a debootstrapped root the tests chroot into
# (scripts/debian-root.sh: built once into the cache, a few minutes),
# libvirt + QEMU for the lab, debootstrap + friends for the offline image, and a C++ toolchain
# for native modules without a prebuild for the Node in use (cdktf-cli's node-pty on Node 24).
# Also makes sure terraform or OpenTofu is on PATH (building OpenTofu from the Go module
# proxy when neither is), and Node.js 22 or later (Node 24 LTS from the npm registry when the
# machine has none or an older one: scripts/install-node.sh).
set -euo pipefail

packages=(
  keepalived ipvsadm cloud-init shellcheck iproute2 util-linux
  genisoimage
  libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils dnsmasq-base
  debootstrap e2fsprogs fdisk bc zstd apt-utils gpg
  curl openssh-client xsltproc iputils-ping arping tcpdump
  g++ make python3
  iptables openssl nftables nginx
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts start no service here (policy-rc.d 101): the tests only need the binaries
  # (nginx -t, keepalived --config-test), and a host nginx on port 80 is nobody's business.
  policy=/usr/sbin/policy-rc.d
  own_policy=false
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=true
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ $own_policy == true ]]; then rm -f "$policy"; fi
fi

# The tools of the lab's other Debian release, for the tests (this machine's own serve the release it runs).
case $(cut -d. -f1 /etc/debian_version 2>/dev/null) in
  12) bash "$(dirname "${BASH_SOURCE[0]}")/debian-root.sh" 13 >/dev/null ;;
  13) bash "$(dirname "${BASH_SOURCE[0]}")/debian-root.sh" 12 >/dev/null ;;
  *) echo "install-deps: not Debian 12 or 13: the tests need both releases' tools (scripts/debian-root.sh)" >&2 ;;
esac

# The e2e matrix deploys one lab through OpenTofu; terraform is used when present.
if ! command -v tofu >/dev/null 2>&1; then
  bash "$(dirname "${BASH_SOURCE[0]}")/build-tofu.sh"
fi

# Node 20 reached end of life in April 2026; the tests and CI run on Node 24 LTS.
bash "$(dirname "${BASH_SOURCE[0]}")/install-node.sh"
