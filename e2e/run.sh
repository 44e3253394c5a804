#!/usr/bin/env bash
# The end-to-end test: for each lab config (default: e2e/lab.yaml, or $LAB_CONFIG), build a
# sandbox (network namespaces with their own libvirtd), `cdktf deploy` the lab into it, check
# it from a client as a user would, `cdktf destroy` it, and tear the sandbox down — also on
# failure or Ctrl-C.
#
#   npm run test:e2e                                  # e2e/lab.yaml
#   npm run test:e2e -- e2e/lab.yaml e2e/lab-multicast.yaml
#   LAB_CONFIG=my-lab.yaml npm run test:e2e
#
# Needs root (namespaces, libvirtd), the packages of scripts/install-deps.sh, Go (provider)
# and debootstrap access to Debian's mirror (the lab image, cached by its inputs).
# E2E_KEEP_GOING=1 runs every config even after a failure; E2E_BASELINE=0 skips the
# no-terraform boot baseline (default: measured for the first config only).
# Logs: e2e/.work/run-*/logs (LVSLAB_WORK_DIR moves them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

configs=("$@")
if ((${#configs[@]} == 0)); then
  configs=("${LAB_CONFIG:-$here/lab.yaml}")
fi
for c in "${configs[@]}"; do
  [[ -f $c ]] || { echo "e2e: lab config $c not found" >&2; exit 2; }
done
[[ $(id -u) == 0 ]] || { echo "e2e: needs root (network namespaces, libvirtd)" >&2; exit 2; }
for tool in ip virsh libvirtd virtlogd qemu-system-x86_64 qemu-img genisoimage mkisofs tcpdump arping curl ssh ssh-keygen debootstrap; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool not found: run 'bash scripts/install-deps.sh'" >&2; exit 2; }
done

export CHECKPOINT_DISABLE=1
echo "[e2e] lab image" >&2
# E2E_IMAGE: use an image built before (e.g. by hand) instead of building or reusing the cached one.
# Built once per image-script version and cached outside the checkout (CI clones afresh).
image_cache=${LVS_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvs-dr-lab}/image
image=${E2E_IMAGE:-$(bash "$here/image/build-image.sh" "$image_cache" | tail -n 1)}
[[ -f $image ]] || { echo "e2e: image build gave no file ($image)" >&2; exit 1; }
bash scripts/provider.sh build
eval "$(bash scripts/provider.sh env)"

# shellcheck source-path=SCRIPTDIR source=sandbox.sh
source "$here/sandbox.sh"
trap 'sandbox_down' EXIT
trap 'exit 130' INT TERM

# A cdktf/terraform the harness gave up on (timeout) keeps running outside the namespaces:
# end whatever still works in, or names, this run's directory.
reap_run_processes() {
  local pid cwd
  for pid in $(pgrep -f . || true); do
    ((pid == $$ || pid == BASHPID)) && continue
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
    if [[ $cwd == "$LVSLAB_RUN_DIR"* ]] || tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$LVSLAB_RUN_DIR"; then
      kill "$pid" 2>/dev/null || true
    fi
  done
}

failed=0
for config in "${configs[@]}"; do
  echo "[e2e] === $config" >&2
  runid=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  sandbox_up "$runid"
  key=$LVSLAB_RUN_DIR/id_ed25519
  ssh-keygen -q -t ed25519 -N '' -C "lvs-lab-e2e-$runid" -f "$key"
  rc=0
  # The no-terraform baseline costs a second boot of every VM: once per invocation is enough.
  baseline=${E2E_BASELINE:-first}
  [[ $baseline == first && $config != "${configs[0]}" ]] && baseline=0
  LAB_CONFIG=$(readlink -f "$config") E2E_IMAGE=$image E2E_SSH_KEY=$key E2E_BASELINE=$baseline \
    node -r ts-node/register/transpile-only "$here/harness.ts" || rc=$?
  reap_run_processes
  sandbox_down "$runid"
  for ns in "lvslab-$runid" "lvslab-$runid-c"; do
    if ip netns list | awk '{print $1}' | grep -qxF "$ns"; then
      echo "[e2e] FAILED: namespace $ns still exists after teardown" >&2
      rc=1
    fi
  done
  if pgrep -f "$LVSLAB_RUN_DIR" >/dev/null; then
    echo "[e2e] FAILED: processes of $LVSLAB_RUN_DIR still running: $(pgrep -af "$LVSLAB_RUN_DIR" | head -3)" >&2
    rc=1
  fi
  echo "[e2e] $config: $([[ $rc == 0 ]] && echo passed || echo FAILED) (logs: $LVSLAB_RUN_DIR/logs)" >&2
  if ((rc != 0)); then
    failed=$((failed + 1))
    [[ ${E2E_KEEP_GOING:-0} == 1 ]] || break
  fi
done
((failed == 0)) || { echo "[e2e] $failed lab config(s) failed" >&2; exit 1; }
echo "[e2e] all lab configs passed" >&2
