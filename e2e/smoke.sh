#!/usr/bin/env bash
# Boot N plain VMs from the lab image in a fresh sandbox, by hand with virsh,
# and check the plumbing the cdktf lab relies on:
#
#   bash e2e/smoke.sh [N]        # N VMs, default 1, at most 9
#
# - an isolated libvirt network with no <ip> (a pure L2 bridge, no dnsmasq);
# - a dir storage pool in the run dir, the image copied in as the base volume,
#   one qcow2 copy-on-write overlay per VM;
# - a NoCloud seed ISO per VM (user-data, meta-data, network-config v2 with a
#   static address matched by MAC and `set-name: lab0`), made the way
#   terraform-provider-libvirt 0.8.x makes it (mkisofs -volid cidata -joliet
#   -rock) and attached the way it attaches it (IDE cdrom hdd);
# - domains shaped like the provider's (type qemu, i440fx, virtio disk and NIC,
#   spice, guest-agent channel, virtio-rng) with the serial console written to
#   <run dir>/logs/<vm>.console.log (a file console, which the provider can make).
# It waits for "Cloud-init ... finished" on each console, then checks over ssh
# from the client namespace that cloud-init has no errors, the VMs ping each
# other and the client, and keepalived/nginx are installed but disabled.
# Prints the boot-to-cloud-init-done time of each VM. Tears everything down on
# exit (set LVSLAB_KEEP_LOGS=0 to drop the run dir too).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
count=${1:-1}
if [[ ! $count =~ ^[1-9]$ ]]; then
  echo "usage: smoke.sh [N]  (N = 1..9 VMs)" >&2
  exit 2
fi
readonly BOOT_TIMEOUT_SEC=${LVSLAB_BOOT_TIMEOUT_SEC:-600}
readonly VCPUS=${LVSLAB_SMOKE_VCPUS:-1} MEMORY_MIB=${LVSLAB_SMOKE_MEMORY_MIB:-512}
readonly NET=lvslab BRIDGE=lvslab0 POOL=lvslab
readonly SUBNET=10.77.0 PREFIX=24 CLIENT_IP=10.77.0.200

log() { printf '[smoke] %s\n' "$*" >&2; }

# shellcheck source-path=SCRIPTDIR source=sandbox.sh
source "$here/sandbox.sh"

image=$(bash "$here/image/build-image.sh" | tail -n1)

trap sandbox_down EXIT
trap 'exit 130' INT TERM
sandbox_up
virsh() { sandbox_exec virsh -q -c "$LVSLAB_URI" "$@"; }
work=$LVSLAB_RUN_DIR/smoke
logs=$LVSLAB_RUN_DIR/logs
mkdir -p "$work"

log "network $NET (bridge $BRIDGE, no ip: pure L2) and pool $POOL ($LVSLAB_POOL_DIR)"
cat >"$work/net.xml" <<EOF
<network>
  <name>$NET</name>
  <bridge name='$BRIDGE' stp='off' delay='0'/>
</network>
EOF
virsh net-define "$work/net.xml" >/dev/null
virsh net-start "$NET" >/dev/null
virsh pool-define-as "$POOL" dir --target "$LVSLAB_POOL_DIR" >/dev/null
virsh pool-start "$POOL" >/dev/null
attach_client "$BRIDGE" "$CLIENT_IP/$PREFIX"

cp --sparse=always "$image" "$LVSLAB_POOL_DIR/base.qcow2"
virsh pool-refresh "$POOL" >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$work/id_ed25519"

vm_ip() { echo "$SUBNET.$((10 + $1))"; }
vm_mac() { printf '52:54:00:4c:00:%02x' "$((0x10 + $1))"; }

for ((i = 1; i <= count; i++)); do
  name=vm$i
  seed=$work/$name-seed
  mkdir -p "$seed"
  cat >"$seed/meta-data" <<EOF
instance-id: $name-$LVSLAB_RUNID
local-hostname: $name
EOF
  cat >"$seed/user-data" <<EOF
#cloud-config
ssh_authorized_keys:
  - $(cat "$work/id_ed25519.pub")
EOF
  cat >"$seed/network-config" <<EOF
version: 2
ethernets:
  lab0:
    match:
      macaddress: "$(vm_mac "$i")"
    set-name: lab0
    addresses: [ $(vm_ip "$i")/$PREFIX ]
EOF
  genisoimage -quiet -output "$LVSLAB_POOL_DIR/$name-seed.iso" -volid cidata -joliet -rock \
    "$seed/user-data" "$seed/meta-data" "$seed/network-config"
  virsh vol-create-as "$POOL" "$name.qcow2" 3G --format qcow2 \
    --backing-vol "$LVSLAB_POOL_DIR/base.qcow2" --backing-vol-format qcow2 >/dev/null
  cat >"$work/$name.xml" <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>$MEMORY_MIB</memory>
  <vcpu placement='static'>$VCPUS</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><pae/><acpi/><apic/></features>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$LVSLAB_POOL_DIR/$name.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='$LVSLAB_POOL_DIR/$name-seed.iso'/>
      <target dev='hdd' bus='ide'/>
      <readonly/>
    </disk>
    <interface type='network'>
      <source network='$NET'/>
      <mac address='$(vm_mac "$i")'/>
      <model type='virtio'/>
    </interface>
    <!-- What the provider makes of console { type = "file", source_path = ...,
         target_type = "serial", target_port = "0" } (it has no <log>): libvirt
         adds the matching serial device and qemu writes the file itself. -->
    <console type='file'>
      <source path='$logs/$name.console.log'/>
      <target type='serial' port='0'/>
    </console>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <graphics type='spice' autoport='yes'/>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
EOF
  virsh define "$work/$name.xml" >/dev/null
done

log "starting $count VM(s)"
declare -A started=() done_at=()
for ((i = 1; i <= count; i++)); do
  virsh start "vm$i" >/dev/null
  started[vm$i]=$(date +%s.%N)
done

deadline=$((SECONDS + BOOT_TIMEOUT_SEC))
while ((${#done_at[@]} < count)); do
  if ((SECONDS > deadline)); then
    log "timeout after ${BOOT_TIMEOUT_SEC}s; consoles in $logs"
    exit 1
  fi
  for ((i = 1; i <= count; i++)); do
    name=vm$i
    [[ -n ${done_at[$name]:-} ]] && continue
    # GRUB and the kernel print to ttyS0 within seconds; silence means the VM
    # never got past the BIOS (no bootloader, unreadable root fs).
    if ((SECONDS > deadline - BOOT_TIMEOUT_SEC + 120)) && [[ ! -s $logs/$name.console.log ]]; then
      log "$name printed nothing on its serial console in 120 s; see $logs"
      exit 1
    fi
    if grep -q 'Cloud-init v\. .* finished at' "$logs/$name.console.log" 2>/dev/null; then
      done_at[$name]=$(date +%s.%N)
    fi
  done
  sleep 1
done

for ((i = 1; i <= count; i++)); do
  name=vm$i
  up=$(grep -o 'Cloud-init v\. .* finished at .*Up [0-9.]* seconds' "$logs/$name.console.log" |
    grep -o 'Up [0-9.]* seconds' || true)
  printf 'boot-to-cloud-init-done %s: %.1f s (guest: %s)\n' "$name" \
    "$(echo "${done_at[$name]} - ${started[$name]}" | bc)" "$up"
done

ssh_vm() {
  sandbox_client_exec ssh -q -i "$work/id_ed25519" -o BatchMode=yes -o ConnectTimeout=10 \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "debian@$(vm_ip "$1")" "${@:2}"
}

fail=0
for ((i = 1; i <= count; i++)); do
  name=vm$i
  if ! sandbox_client_exec ping -q -c 2 -W 2 "$(vm_ip "$i")" >/dev/null; then
    log "FAIL client -> $name ($(vm_ip "$i")) ping"
    fail=1
    continue
  fi
  log "ok   client -> $name ping"
  # shellcheck disable=SC2016 # expanded in the VM
  if ! ssh_vm "$i" 'cloud-init status --long; ip -br addr show lab0;
      echo "keepalived $(systemctl is-enabled keepalived) nginx $(systemctl is-enabled nginx)";
      test -s /etc/machine-id && echo machine-id ok' | sed "s/^/[$name] /"; then
    log "FAIL ssh/cloud-init status on $name"
    fail=1
  fi
  ssh_vm "$i" 'cloud-init status --long' | grep -q '^status: done' || { log "FAIL $name cloud-init not done"; fail=1; }
  ssh_vm "$i" 'grep -c "WARNING\|ERROR\|Traceback" /var/log/cloud-init.log || true' |
    sed "s/^/[$name] warnings+errors in cloud-init.log: /"
  for ((j = 1; j <= count; j++)); do
    ((j == i)) && continue
    if ssh_vm "$i" "ping -q -c 2 -W 2 $(vm_ip "$j")" >/dev/null; then
      log "ok   $name -> vm$j ping"
    else
      log "FAIL $name -> vm$j ping"
      fail=1
    fi
  done
done
# Where the boot time goes (TCG is slow; python start-up dominates cloud-init).
ssh_vm 1 'systemd-analyze || true; systemd-analyze blame | head -n 12;
  cloud-init analyze show | grep -E "^(Starting stage|Finished stage|Total Time)" || true;
  cloud-init analyze blame | head -n 12' 2>/dev/null | sed 's/^/[vm1 boot] /' || true
if [[ -n ${LVSLAB_SMOKE_HOLD_SEC:-} ]]; then
  log "holding for ${LVSLAB_SMOKE_HOLD_SEC}s: source $LVSLAB_RUN_DIR/sandbox.env"
  sleep "$LVSLAB_SMOKE_HOLD_SEC" &
  wait $! # a signal ends the hold at once
fi
if ((fail)); then
  log "FAILED; consoles in $logs"
  exit 1
fi
log "all checks passed"
