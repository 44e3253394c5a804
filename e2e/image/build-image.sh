#!/usr/bin/env bash
# Build the offline base image for the e2e lab.
#
#   sudo bash e2e/image/build-image.sh [OUT_DIR] [VARIANT] [RELEASE]
#     OUT_DIR defaults to e2e/.work/image, VARIANT to lab, RELEASE to 13
#
# RELEASE is the Debian release (a lab config's image.release): 13 (trixie) or
# 12 (bookworm).
#
# Two variants, identical but for the lab's own packages:
#   lab    stands in for Debian's genericcloud image with everything the lab
#          installs already on it, so the lab can run with
#          `image.preinstalled: true` and needs no package mirror at deploy time;
#   cloud  stands in for Debian's genericcloud image itself: no keepalived,
#          ipvsadm or nginx, which cloud-init then installs at first boot from
#          the apt sources (deb.debian.org, as in genericcloud; the e2e serves
#          a stand-in mirror, e2e/mirror/build-repo.sh).
# Both are:
#   - the release debootstrapped with --variant=minbase from the Debian
#     mirror, plus cloud-init, linux-image-cloud-amd64, openssh-server,
#     iproute2, curl (lab: and keepalived, ipvsadm, nginx);
#   - apt sources as Debian's genericcloud images have them: deb822
#     /etc/apt/sources.list.d/debian.sources (deb and deb-src of the release,
#     -updates, -backports and -security) through mirror+file:///etc/apt/mirrors/
#     lists, no /etc/apt/sources.list, and cloud-init's
#     `apt: generate_mirrorlists: true` (01_debian_cloud.cfg): a lab's
#     packages.mirror must really replace them;
#   - cloud-init reads only NoCloud (datasource_list: [ NoCloud, None ]) and
#     renders network-config v2 for systemd-networkd: through netplan on 13
#     (netplan.io, as trixie's genericcloud), directly on 12 (no ifupdown, no
#     netplan); `match: macaddress` + `set-name` is applied by cloud-init
#     itself; the lab's NIC (lab0) accepts no IPv6 router advertisement, so no
#     boot waits for one;
#   - lab: keepalived and nginx are installed but disabled: the lab's
#     user-data enables them;
#   - no machine-id, no ssh host keys (systemd and cloud-init make them at first
#     boot), apt sources kept, apt caches and lists dropped;
#   - one MBR partition (ext4, label "rootfs", starts at 1 MiB) and GRUB for
#     BIOS in the MBR gap, so it boots from its own disk like a cloud image on
#     libvirt's default i440fx machine; kernel console on ttyS0.
#
# The result is a zstd-compressed qcow2 named after the variant and a hash of
# this script (which holds the package list), e.g.
#   e2e/.work/image/lvs-lab-debian<release>-<variant>-<hash>.qcow2
# and is reused while this script is unchanged. Next to it, with the same base
# name, for a direct `qemu-system-x86_64 -kernel/-initrd/-append` boot and for
# build-repo.sh:
#   .vmlinuz .initrd   copies of the image's /boot kernel and initrd
#   .cmdline           the kernel command line of its grub.cfg (root=UUID=...)
#   .dpkg-status       its /var/lib/dpkg/status
# The image's path is the last line on stdout; progress goes to stderr.
#
# Needs root, a working loop device, and the Debian packages debootstrap,
# qemu-utils, e2fsprogs, fdisk (sfdisk) and util-linux (partx). Takes a few
# minutes and about 3 GiB of scratch space under OUT_DIR.
set -euo pipefail

readonly MIRROR=${LVSLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly SECURITY_MIRROR=${LVSLAB_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
readonly DISK_SIZE=3G
# Installed with --no-install-recommends on top of minbase.
readonly BASE_PACKAGES=(
  # boot: init, device manager, kernel, bootloader
  systemd-sysv udev dbus kmod initramfs-tools linux-image-cloud-amd64
  grub-pc-bin grub2-common
  # provisioning and access; cloud-init's growpart and resizefs grow the root filesystem to the
  # lab's disk, as on Debian's genericcloud images (trixie's minbase has no e2fsprogs: without
  # resize2fs cloud-init's resizefs fails and the first boot ends in error)
  cloud-init openssh-server sudo e2fsprogs cloud-guest-utils
  # network tools used by the lab and its checks; resolved applies the DNS servers of
  # network-config (networkd hands them to it), so names resolve as in Debian's cloud images
  iproute2 iputils-ping curl ca-certificates netbase procps systemd-resolved
)
# What renders network-config on 13: netplan, as on trixie's genericcloud.
readonly NETPLAN_PACKAGES=(netplan.io)
# The lab itself (variant lab only): what the lab's cloud-init installs when the
# image does not have it (DIRECTOR_PACKAGES, REAL_SERVER_PACKAGES in
# cloud-init/user-data.ts).
readonly LAB_PACKAGES=(keepalived ipvsadm nginx nftables)

log() { printf '[build-image] %s\n' "$*" >&2; }

script=$(readlink -f "${BASH_SOURCE[0]}")
# Mount the build's filesystems in a private mount namespace: a namespace
# that anyone else makes meanwhile (ip netns exec, unshare) would otherwise get
# a copy of the image's mount, keep the filesystem mounted after our umount
# and leave a dirty journal in the image.
if [[ -z ${LVSLAB_BUILD_IN_PRIVATE_MOUNT_NS:-} && $(id -u) -eq 0 ]]; then
  LVSLAB_BUILD_IN_PRIVATE_MOUNT_NS=1 exec unshare --mount --propagation private \
    /bin/bash "$script" "$@"
fi
here=$(dirname "$script")
out_dir=$(readlink -m "${1:-$here/../.work/image}")
variant=${2:-lab}
release=${3:-13}
case $release in
  13) suite=trixie renderer=netplan network_packages=("${NETPLAN_PACKAGES[@]}") ;;
  12) suite=bookworm renderer=networkd network_packages=() ;;
  *)
    log "unknown release '$release' (13 or 12)"
    exit 2
    ;;
esac
case $variant in
  lab) packages=("${BASE_PACKAGES[@]}" "${network_packages[@]}" "${LAB_PACKAGES[@]}") ;;
  cloud) packages=("${BASE_PACKAGES[@]}" "${network_packages[@]}") ;;
  *)
    log "unknown variant '$variant' (lab or cloud)"
    exit 2
    ;;
esac
hash=$(sha256sum "$script" | cut -c1-12)
base=lvs-lab-debian$release-$variant-$hash
image=$out_dir/$base.qcow2
readonly SIDECARS=(vmlinuz initrd cmdline dpkg-status)

mkdir -p "$out_dir"
# One build at a time per OUT_DIR; a second caller waits and then reuses.
exec 9>"$out_dir/.lock"
flock 9

have_all() {
  local ext
  [[ -s $image ]] || return 1
  for ext in "${SIDECARS[@]}"; do
    [[ -s $out_dir/$base.$ext ]] || return 1
  done
}
if have_all; then
  log "reusing $image"
  echo "$image"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (debootstrap, loop devices, mounts)"
  exit 1
fi

work=$(mktemp -d "$out_dir/build.XXXXXX")
root=$work/root
loop=
cleanup() {
  local rc=$?
  set +e
  if [[ -d $root ]]; then
    umount -R "$root" 2>/dev/null
  fi
  if [[ -n $loop ]]; then
    partx -d "$loop" 2>/dev/null
    losetup -d "$loop"
  fi
  if [[ -d $root ]] && findmnt -rn -o TARGET | grep -q "^$root"; then
    log "mounts remain under $root; not removing $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }

start=$SECONDS

log "partitioning $DISK_SIZE raw disk"
raw=$work/disk.raw
truncate -s "$DISK_SIZE" "$raw"
# One bootable Linux partition from 1 MiB; the gap before it holds GRUB's core.img.
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$raw"
loop=$(losetup --find --show --partscan "$raw")
# Kernels without the MBR parser (and containers without udev) don't create
# the partition node by themselves; partx adds it through BLKPG.
if [[ ! -b ${loop}p1 ]]; then
  partx -a "$loop"
fi
for _ in 1 2 3 4 5; do [[ -b ${loop}p1 ]] && break; sleep 1; done
# grub 2.06 can't read ext4's orphan_file / metadata_csum_seed; keep them off.
mkfs.ext4 -q -L rootfs -O ^orphan_file,^metadata_csum_seed "${loop}p1" 2>/dev/null ||
  mkfs.ext4 -q -L rootfs "${loop}p1"
uuid=$(blkid -s UUID -o value "${loop}p1")
mkdir -p "$root"
mount "${loop}p1" "$root"

log "debootstrap $suite (minbase) from $MIRROR"
debootstrap --variant=minbase "$suite" "$root" "$MIRROR" >&2

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
# No daemon may start inside the build chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# Debian's genericcloud layout (see the top); the mirror lists name the build's mirrors until
# the image is finished.
rm -f "$root/etc/apt/sources.list"
mkdir -p "$root/etc/apt/mirrors"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb deb-src
URIs: mirror+file:///etc/apt/mirrors/debian.list
Suites: $suite $suite-updates $suite-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: mirror+file:///etc/apt/mirrors/debian-security.list
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
printf '%s\n' "$MIRROR" >"$root/etc/apt/mirrors/debian.list"
printf '%s\n' "$SECURITY_MIRROR" >"$root/etc/apt/mirrors/debian-security.list"
printf 'APT::Install-Recommends "false";\n' >"$root/etc/apt/apt.conf.d/90lvslab-no-recommends"
cat >"$root/etc/fstab" <<EOF
UUID=$uuid / ext4 rw,discard,errors=remount-ro 0 1
EOF
echo localhost >"$root/etc/hostname"
cat >"$root/etc/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
EOF
printf 'LANG=C.UTF-8\n' >"$root/etc/default/locale"

# grub.cfg is regenerated by update-grub inside the VM (kernel updates); keep
# the serial console and a zero timeout there too.
mkdir -p "$root/etc/default/grub.d"
cat >"$root/etc/default/grub.d/50-lvslab.cfg" <<'EOF'
GRUB_TIMEOUT=0
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8"
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --speed=115200 --unit=0"
EOF

log "installing ${#packages[@]} packages (variant $variant)"
in_root apt-get update -q >&2
in_root apt-get -y -q dist-upgrade >&2
in_root apt-get -y -q install "${packages[@]}" >&2

log "configuring cloud-init, networkd and services"
cat >"$root/etc/cloud/cloud.cfg.d/90_dpkg.cfg" <<'EOF'
# Written by e2e/image/build-image.sh: the lab seeds every VM with a NoCloud ISO.
datasource_list: [ NoCloud, None ]
EOF
# As Debian's genericcloud images: cloud-init writes apt's mirror lists at boot (from the
# distro's package_mirrors unless user-data says otherwise).
cat >"$root/etc/cloud/cloud.cfg.d/01_debian_cloud.cfg" <<'EOF'
apt:
  generate_mirrorlists: true
EOF
cat >"$root/etc/cloud/cloud.cfg.d/91_lvslab.cfg" <<EOF
# Written by e2e/image/build-image.sh.
system_info:
  network:
    # No ifupdown: network-config v2 becomes systemd-networkd units (renderer $renderer).
    renderers: [ $renderer ]
# C.UTF-8 is built into glibc: no locales package, no locale-gen at boot.
locale: C.UTF-8
# The image has GRUB for BIOS without the grub-pc debconf glue.
grub_dpkg:
  enabled: false
# As Debian's cloud images: the VM's own name resolves (sudo needs it).
manage_etc_hosts: true
# Under TCG an RSA-3072 host key takes seconds to make and printing the keys
# to the console seconds more; user-data can still ask for rsa.
ssh_genkeytypes: [ ecdsa, ed25519 ]
ssh_quiet_keygen: true
ssh:
  emit_keys_to_console: false
EOF
in_root systemctl enable systemd-networkd.service systemd-resolved.service >&2
# The lab's NIC is lab0 (LAB_INTERFACE; cloud-init renders the seed's network-config to
# 10-cloud-init-lab0.network, netplan to 10-netplan-lab0.network). Its addresses are static and
# no lab segment has an IPv6 router:
# without this drop-in networkd holds the link in "configuring" until its router solicitations
# time out, about 12 s of every boot spent in systemd-networkd-wait-online before cloud-init's
# network stage. Debian's genericcloud configures the network with ifupdown, which waits for no
# router advertisement either.
for unit in 10-cloud-init-lab0 10-netplan-lab0; do
  mkdir -p "$root/etc/systemd/network/$unit.network.d"
  cat >"$root/etc/systemd/network/$unit.network.d/50-lvslab-no-ra.conf" <<'EOF'
# Written by e2e/image/build-image.sh: static addresses only, no wait for an IPv6 router.
[Network]
IPv6AcceptRA=no
EOF
done
if [[ $variant == lab ]]; then
  in_root systemctl disable keepalived.service nginx.service >&2
fi
# Nothing to scrub or fetch in a short-lived offline lab VM; e2scrub_reap alone
# costs ~12 s of a TCG boot.
in_root systemctl disable e2scrub_reap.service e2scrub_all.timer \
  apt-daily.timer apt-daily-upgrade.timer >&2

log "installing GRUB (i386-pc) to the disk's MBR"
in_root grub-install --target=i386-pc --modules="part_msdos ext2" "$loop" >&2
# update-grub can't be used here: without udev there is no /dev/disk/by-uuid,
# so it would write root=/dev/loopNp1. The config it makes inside the VM is
# equivalent to this one.
cmdline="root=UUID=$uuid ro console=tty0 console=ttyS0,115200n8"
cat >"$root/boot/grub/grub.cfg" <<EOF
# Written by e2e/image/build-image.sh; update-grub replaces it inside the VM.
serial --speed=115200 --unit=0
terminal_input serial console
terminal_output serial console
set timeout=0
insmod part_msdos
insmod ext2
search --no-floppy --fs-uuid --set=root $uuid
menuentry 'Debian GNU/Linux' {
    linux /vmlinuz $cmdline
    initrd /initrd.img
}
EOF

log "cleaning up"
in_root apt-get clean
# What genericcloud's mirror lists name (cloud-init rewrites them at boot anyway).
printf 'https://deb.debian.org/debian\n' >"$root/etc/apt/mirrors/debian.list"
printf 'https://deb.debian.org/debian-security\n' >"$root/etc/apt/mirrors/debian-security.list"
rm -rf "$root"/var/lib/apt/lists/*
rm -f "$root/usr/sbin/policy-rc.d"
# resolved's stub, as its package sets it up (the build replaced it with the host's copy).
rm -f "$root/etc/resolv.conf"
ln -s ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
in_root cloud-init clean --logs >&2 || true
find "$root/var/log" -type f -exec truncate -s 0 {} +
rm -rf "${root:?}"/tmp/* "${root:?}"/var/tmp/*

# The sidecars, from the finished tree (the /vmlinuz and /initrd.img symlinks
# name the kernel grub.cfg boots).
cp -L "$root/vmlinuz" "$work/image.vmlinuz"
cp -L "$root/initrd.img" "$work/image.initrd"
printf '%s\n' "$cmdline" >"$work/image.cmdline"
cp "$root/var/lib/dpkg/status" "$work/image.dpkg-status"

umount -R "$root/dev" "$root/proc" "$root/sys"
fstrim "$root" 2>/dev/null || true
umount "$root"
# A clean unmount clears needs_recovery; if it is still set the filesystem is
# mounted somewhere else and the image would boot into a dirty journal.
if dumpe2fs -h "${loop}p1" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery'; then
  log "rootfs still mounted elsewhere after umount; not publishing the image"
  exit 1
fi
e2fsck -fn "${loop}p1" >&2
partx -d "$loop" 2>/dev/null || true
losetup -d "$loop"
loop=

log "converting to compressed qcow2"
qemu-img convert -c -O qcow2 -o compression_type=zstd "$raw" "$work/image.qcow2"
# The sidecars first, the image last: an image on disk has all of its files.
for ext in "${SIDECARS[@]}"; do
  chmod 0644 "$work/image.$ext"
  mv "$work/image.$ext" "$out_dir/$base.$ext"
done
mv "$work/image.qcow2" "$image"
# Files of older versions of this script are dead weight (~400 MB an image);
# runs already under way use their own copy in their pool. Only this variant's:
# the other one may be in use. Images named without a variant were lab images.
find "$out_dir" -maxdepth 1 -type f -name "lvs-lab-debian$release-$variant-*" ! -name "$base.*" -delete
if [[ $variant == lab && $release == 12 ]]; then
  find "$out_dir" -maxdepth 1 -type f -regextype posix-extended \
    -regex '.*/lvs-lab-debian12-[0-9a-f]{12}\.qcow2' -delete
fi
log "built $image in $((SECONDS - start)) s"
echo "$image"
