#!/usr/bin/env bash
# The end-to-end test: build a sandbox (network namespaces with their own libvirtd and a
# stand-in for the internet), `cdktf deploy` each lab into it in the network mode and with the
# image its config names, check it from a client as a user would, `cdktf destroy` it, and tear
# the sandbox down — also on failure or Ctrl-C.
#
#   npm run test:e2e                       # the matrix: every lab below, each with its engine
#   npm run test:e2e -- e2e/lab.yaml:tofu  # one lab, through OpenTofu
#   LAB_CONFIG=my-lab.yaml npm run test:e2e   # any valid lab (engine: $TERRAFORM_BINARY_NAME or terraform)
#   npm run bench:e2e                      # the figures: each lab of the matrix alone, then the
#                                          # same VMs booted with virsh alone and with qemu alone
#
# The matrix's two labs share one sandbox: the second deploys beside the first once the first's
# checks are done, the first is destroyed while the second is probed, and the second goes on
# with its own checks. `bench:e2e` (E2E_BENCH=1) runs each lab alone in its own sandbox, so that
# nothing else runs while a figure is measured, and then boots the same VMs with virsh alone
# (the baseline) and with qemu alone (the reference) for bench/e2e.md.
#
# Arguments are CONFIG[:ENGINE[:DRILLS[:CLI]]], ENGINE terraform (default) or tofu, CLI cdktf
# (default, or $LAB_CLI) or cdktn (CDK Terrain's CLI and library), DRILLS a comma list
# of fault drills (backup-crash, rs-reboot, libvirtd-restart, interrupted-deploy, link-down,
# broken-mirror; default:
# $E2E_DRILLS or all).
# Needs root (namespaces, libvirtd), the packages of scripts/install-deps.sh, Go (provider),
# OpenTofu for tofu labs, and Debian's archive (the images and the package repository the
# sandbox serves, all cached by their inputs). E2E_KEEP_GOING=1 runs every config even after
# a failure.
# Logs: e2e/.work/run-*/logs (LVSLAB_WORK_DIR moves them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

# The matrix every CI run deploys: the reference lab as a user gets it (nat, Debian 13's cloud
# image by URL, packages at first boot from a mirror, unicast VRRP) through terraform, deployed and
# destroyed by CDK Terrain's CLI (cdktn: what a user starting today runs), and a bridged lab
# (multicast VRRPv3 with fast failover, the preinstalled Debian 12 image by URL, the keepalived features
# beyond the reference: fwmark, SSL_GET, MISC_CHECK, sorry server, quorum) through OpenTofu,
# its values drawn from a seed (below). The fault drills are spread
# over them (each lab also has the MASTER crash): the slower first-boot lab gets the cheap one.
# The bridged lab is drawn afresh for every commit (e2e/feature-lab.ts): its base
# lab-multicast.yaml holds every feature, and the seed picks the values they come with (ports,
# schedulers, persistence, advert interval and priorities, real servers). The seed is
# E2E_LAB_SEED, else the commit under test (so a commit replays its own lab), else random.
draw_feature_lab() {
  local seed=${E2E_LAB_SEED:-} commit dir out
  if [[ -z $seed ]]; then
    if commit=$(git -C "$root" rev-parse HEAD 2>/dev/null); then
      seed=$((16#${commit:0:8}))
    else
      seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    fi
  fi
  [[ $seed =~ ^[0-9]+$ ]] || { echo "e2e: E2E_LAB_SEED must be a whole number, not '$seed'" >&2; exit 2; }
  dir=$(readlink -m "${LVSLAB_WORK_DIR:-$here/.work}")
  mkdir -p "$dir"
  out=$dir/feature-lab-$seed.yaml
  echo "[e2e] feature lab: seed $seed (replay: E2E_LAB_SEED=$seed npm run test:e2e)" >&2
  echo "[e2e] feature lab: $(node -r ts-node/register/transpile-only "$here/feature-lab.ts" "$here/lab-multicast.yaml" "$seed" "$out")" >&2
  feature_lab=$out
}
bench=${E2E_BENCH:-0}
paired=false
configs=("$@")
if ((${#configs[@]} == 0)); then
  if [[ -n ${LAB_CONFIG:-} ]]; then
    configs=("$LAB_CONFIG:${TERRAFORM_BINARY_NAME:-terraform}")
  else
    draw_feature_lab
    readonly MATRIX=("$feature_lab:tofu:backup-crash,rs-reboot,link-down" "$here/lab.yaml:terraform:libvirtd-restart,interrupted-deploy,broken-mirror:cdktn")
    configs=("${MATRIX[@]}")
    [[ $bench == 1 ]] || paired=true
  fi
fi
# CONFIG[:ENGINE[:DRILLS[:CLI]]] -> entry_config, entry_engine, entry_drills, entry_cli
split_entry() {
  local rest
  IFS=: read -r entry_config rest <<<"$1"
  IFS=: read -r entry_engine entry_drills entry_cli <<<"$rest"
  entry_engine=${entry_engine:-terraform}
  entry_drills=${entry_drills:-${E2E_DRILLS:-all}}
  entry_cli=${entry_cli:-${LAB_CLI:-cdktf}}
}
for c in "${configs[@]}"; do
  split_entry "$c"
  [[ -f $entry_config ]] || { echo "e2e: lab config $entry_config not found" >&2; exit 2; }
  [[ $entry_engine == terraform || $entry_engine == tofu ]] || { echo "e2e: engine of $c must be terraform or tofu" >&2; exit 2; }
  [[ $entry_cli == cdktf || $entry_cli == cdktn ]] || { echo "e2e: CLI of $c must be cdktf or cdktn" >&2; exit 2; }
  command -v "$entry_engine" >/dev/null || { echo "e2e: $entry_engine not found (OpenTofu: bash scripts/build-tofu.sh)" >&2; exit 2; }
  drill='(backup-crash|rs-reboot|libvirtd-restart|interrupted-deploy|link-down|broken-mirror)'
  [[ $entry_drills =~ ^(all|none|$drill(,$drill)*)$ ]] ||
    { echo "e2e: drills of $c: '$entry_drills'; allowed: all, none, or a comma list of backup-crash, rs-reboot, libvirtd-restart, interrupted-deploy, link-down, broken-mirror" >&2; exit 2; }
done
[[ $(id -u) == 0 ]] || { echo "e2e: needs root (network namespaces, libvirtd)" >&2; exit 2; }
for tool in ip nsenter virsh libvirtd virtlogd qemu-system-x86_64 qemu-img tcpdump arping curl ssh ssh-keygen debootstrap dnsmasq openssl gpg apt-ftparchive; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool not found: run 'bash scripts/install-deps.sh'" >&2; exit 2; }
done

export CHECKPOINT_DISABLE=1
# Built once per script version and cached outside the checkout (CI clones afresh).
cache=${LVS_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvs-dr-lab}
# The labs under test by the Debian release their images run, with the packages they install at
# first boot as their rendered cloud-configs list them (e2e/lab-packages.ts: firewall-mark and
# TLS services add nftables and openssl): "13 ipvsadm keepalived nginx", one line a release.
lab_files=()
for c in "${configs[@]}"; do
  split_entry "$c"
  lab_files+=("$(readlink -f "$entry_config")")
done
mapfile -t release_lines < <(node -r ts-node/register/transpile-only "$here/lab-packages.ts" "${lab_files[@]}")
((${#release_lines[@]} > 0)) || { echo "e2e: no package list for ${lab_files[*]}" >&2; exit 1; }
# Per release: the images without the lab's packages (cloud) and with them (lab), and its suites
# in the package repository the sandbox serves (one repository, every release's suites).
image_env=()
for line in "${release_lines[@]}"; do
  read -r release lab_packages <<<"$line"
  echo "[e2e] Debian $release images: without the lab's packages (cloud) and with them (lab)" >&2
  image_cloud=$(bash "$here/image/build-image.sh" "$cache/image" cloud "$release" | tail -n 1)
  image_lab=$(bash "$here/image/build-image.sh" "$cache/image" lab "$release" | tail -n 1)
  for f in "$image_cloud" "$image_lab"; do
    [[ -f $f ]] || { echo "e2e: image build gave no file ($f)" >&2; exit 1; }
  done
  image_env+=("E2E_IMAGE_CLOUD_$release=$image_cloud" "E2E_IMAGE_LAB_$release=$image_lab")
  echo "[e2e] Debian $release packages the labs install: $lab_packages" >&2
  # shellcheck disable=SC2086 # the package names, one word each
  manifest=$(bash "$here/mirror/build-repo.sh" "$cache/mirror" "$release" "${image_cloud%.qcow2}.dpkg-status" $lab_packages | tail -n 1)
  [[ -f $manifest ]] || { echo "e2e: repository build gave no manifest ($manifest)" >&2; exit 1; }
done
repo=$(dirname "$manifest")
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

# harness ENTRY LAB_DIR [VAR=VALUE...]: one lab's run in the current sandbox (its own key, files
# and, with VAR=VALUE, its part in a pair).
harness() {
  local entry=$1 dir=$2
  shift 2
  split_entry "$entry"
  mkdir -p "$dir"
  ssh-keygen -q -t ed25519 -N '' -C "lvs-lab-e2e-$LVSLAB_RUNID" -f "$dir/id_ed25519"
  env "$@" LAB_CONFIG="$(readlink -f "$entry_config")" TERRAFORM_BINARY_NAME="$entry_engine" LAB_CLI="$entry_cli" E2E_DRILLS="$entry_drills" \
    E2E_SSH_KEY="$dir/id_ed25519" E2E_LAB_DIR="$dir" "${image_env[@]}" E2E_REPO="$repo" \
    E2E_BASELINE="$bench" node -r ts-node/register/transpile-only "$here/runner.ts"
}

# sandbox_done RC: tear the sandbox down and check it is gone; prints the final rc.
sandbox_done() {
  local rc=$1 ns
  reap_run_processes
  local namespaces=("lvslab-$runid" "lvslab-$runid-c" "lvslab-$runid-w")
  if [[ -f $LVSLAB_RUN_DIR/clients ]]; then
    mapfile -t -O 3 namespaces <"$LVSLAB_RUN_DIR/clients"
  fi
  sandbox_down "$runid"
  for ns in "${namespaces[@]}"; do
    if ip netns list | awk '{print $1}' | grep -qxF "$ns"; then
      echo "[e2e] FAILED: namespace $ns still exists after teardown" >&2
      rc=1
    fi
  done
  if pgrep -f "$LVSLAB_RUN_DIR" >/dev/null; then
    echo "[e2e] FAILED: processes of $LVSLAB_RUN_DIR still running: $(pgrep -af "$LVSLAB_RUN_DIR" | head -3)" >&2
    rc=1
  fi
  echo "$rc"
}

failed=0
if [[ $paired == true ]]; then
  # Both labs of the matrix in one sandbox: the second deploys once the first's checks are done
  # (the first waits, serving, for it), the first is destroyed while the second serves.
  split_entry "${configs[0]}"
  first=$entry_config
  split_entry "${configs[1]}"
  second=$entry_config
  echo "[e2e] === side by side in one sandbox: ${configs[0]}, then ${configs[1]} beside it" >&2
  runid=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  sandbox_up "$runid"
  add_client b
  handoff=$LVSLAB_RUN_DIR/handoff
  mkdir -p "$handoff"
  rc_first=0 rc_second=0
  harness "${configs[0]}" "$LVSLAB_RUN_DIR/first" E2E_HANDOFF_DIR="$handoff" E2E_HANDOFF_ROLE=first \
    E2E_STANDIN_CONFIGS="$(readlink -f "$second")" &
  pid_first=$!
  # The second starts when the first has done its checks, or has ended.
  while kill -0 "$pid_first" 2>/dev/null && [[ ! -e $handoff/first.checked ]]; do sleep 2; done
  shared=()
  [[ -f $LVSLAB_RUN_DIR/first/internet/internet.json ]] && shared=(E2E_SHARED_INTERNET="$LVSLAB_RUN_DIR/first/internet")
  if [[ -e $handoff/first.checked ]]; then
    harness "${configs[1]}" "$LVSLAB_RUN_DIR/second" E2E_CLIENT=b E2E_HANDOFF_DIR="$handoff" E2E_HANDOFF_ROLE=second "${shared[@]}" &
  else
    echo "[e2e] $first ended before its checks were done: $second runs alone in the sandbox" >&2
    harness "${configs[1]}" "$LVSLAB_RUN_DIR/second" E2E_CLIENT=b "${shared[@]}" &
  fi
  pid_second=$!
  # A lab that ends early says so for the other, which may be waiting for it.
  while :; do
    alive_first=false alive_second=false
    kill -0 "$pid_first" 2>/dev/null && alive_first=true
    kill -0 "$pid_second" 2>/dev/null && alive_second=true
    [[ $alive_first == false && ! -e $handoff/first.destroyed ]] && touch "$handoff/first.done"
    [[ $alive_second == false && ! -e $handoff/second.serving ]] && touch "$handoff/second.gone"
    [[ $alive_first == false && $alive_second == false ]] && break
    sleep 2
  done
  wait "$pid_first" || rc_first=$?
  wait "$pid_second" || rc_second=$?
  rc=$(sandbox_done $((rc_first || rc_second)))
  echo "[e2e] $first: $([[ $rc_first == 0 ]] && echo passed || echo FAILED) (logs: $LVSLAB_RUN_DIR/first/logs)" >&2
  echo "[e2e] $second: $([[ $rc_second == 0 ]] && echo passed || echo FAILED) (logs: $LVSLAB_RUN_DIR/second/logs)" >&2
  failed=$(((rc_first != 0) + (rc_second != 0)))
  ((rc == 0 || failed > 0)) || failed=1
  configs=("${configs[@]:2}")
fi
for entry in "${configs[@]}"; do
  split_entry "$entry"
  config=$entry_config
  echo "[e2e] === $config ($entry_engine; drills: $entry_drills)" >&2
  runid=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  sandbox_up "$runid"
  rc=0
  harness "$entry" "$LVSLAB_RUN_DIR" || rc=$?
  rc=$(sandbox_done "$rc")
  echo "[e2e] $config: $([[ $rc == 0 ]] && echo passed || echo FAILED) (logs: $LVSLAB_RUN_DIR/logs)" >&2
  if ((rc != 0)); then
    failed=$((failed + 1))
    [[ ${E2E_KEEP_GOING:-0} == 1 ]] || break
  fi
done
((failed == 0)) || { echo "[e2e] $failed lab config(s) failed" >&2; exit 1; }
echo "[e2e] all lab configs passed" >&2
