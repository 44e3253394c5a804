#!/usr/bin/env bash
# shellcheck disable=SC2016  # JavaScript and Markdown in single quotes, on purpose
# Refresh soak: how often does a terraform refresh of the VMs' cloud-init seeds fail or hang
# against a real libvirtd, for the provider's `libvirt_cloudinit_disk` (read back by streaming
# the ISO out of libvirt) versus the stack's seed volumes (a volume uploaded from the ISO
# that cloud-init/seed-iso.ts renders, never read back)?
#
#   bash bench/refresh-soak.sh [ITERATIONS=30] [SEEDS=6]
#
# Runs inside a throw-away network namespace with its own libvirtd (e2e/sandbox.sh), with the
# pinned provider from the local mirror; every refresh is bounded by a 60 s timeout (a timeout
# counts as a hang). Prints a table and records it in bench/refresh.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
iterations=${1:-30}
seeds=${2:-6}
export CHECKPOINT_DISABLE=1

bash scripts/provider.sh build >/dev/null
eval "$(bash scripts/provider.sh env)"
tf_bin=${TERRAFORM_BINARY_NAME:-terraform}

export LVSLAB_WORK_DIR=${LVSLAB_WORK_DIR:-/tmp/lvs-dr-lab-soak}
# shellcheck source=../e2e/sandbox.sh disable=SC1091
source e2e/sandbox.sh
trap sandbox_down EXIT
trap 'exit 130' INT TERM
sandbox_up "soak$$" >/dev/null
work=$LVSLAB_RUN_DIR/soak
mkdir -p "$work"

# One rendered seed ISO per VM, from the project's own renderer.
node -r ts-node/register/transpile-only -e '
  const fs = require("fs");
  const { renderSeedIso, noCloudSeedFiles } = require("./cloud-init/seed-iso");
  const [dir, n] = [process.argv[1], Number(process.argv[2])];
  for (let i = 1; i <= n; i++) {
    fs.writeFileSync(`${dir}/vm${i}.iso`, renderSeedIso(noCloudSeedFiles({
      userData: `#cloud-config\nhostname: vm${i}\n`, metaData: `instance-id: vm${i}\n`, networkConfig: "version: 2\n" })));
  }' "$work" "$seeds"

# main.tf.json for VARIANT (cloudinit | seed) in DIR.
write_config() {
  local variant=$1 dir=$2
  node -e '
    const [variant, dir, n, uri, pool, isoDir] = process.argv.slice(1);
    const res = { libvirt_pool: { p: { name: `soak-${variant}`, type: "dir", path: `${pool}/soak-${variant}` } } };
    const items = {};
    for (let i = 1; i <= Number(n); i++) {
      items[`vm${i}`] = variant === "cloudinit"
        ? { name: `vm${i}-cloudinit.iso`, pool: "${libvirt_pool.p.name}",
            user_data: `#cloud-config\nhostname: vm${i}\n`, meta_data: `instance-id: vm${i}\n`, network_config: "version: 2\n" }
        : { name: `vm${i}-cidata.iso`, pool: "${libvirt_pool.p.name}", format: "iso", source: `${isoDir}/vm${i}.iso` };
    }
    res[variant === "cloudinit" ? "libvirt_cloudinit_disk" : "libvirt_volume"] = items;
    require("fs").writeFileSync(`${dir}/main.tf.json`, JSON.stringify({
      terraform: { required_providers: { libvirt: { source: "dmacvicar/libvirt", version: "0.8.3" } } },
      provider: { libvirt: { uri } }, resource: res }, null, 1));
  ' "$variant" "$dir" "$seeds" "$LVSLAB_URI" "$LVSLAB_POOL_DIR" "$work"
}

declare -A ok err hang replan
for variant in cloudinit seed; do
  dir=$work/$variant
  mkdir -p "$dir"
  write_config "$variant" "$dir"
  (cd "$dir" && "$tf_bin" init -input=false -no-color >/dev/null)
  if ! (cd "$dir" && timeout 300 "$tf_bin" apply -auto-approve -input=false -no-color >"$dir/apply.log" 2>&1); then
    echo "refresh-soak: creating the $variant resources failed:" >&2
    tail -20 "$dir/apply.log" >&2
    exit 1
  fi
  ok[$variant]=0 err[$variant]=0 hang[$variant]=0
  # Right after apply, a plan must be empty (exit 0 with -detailed-exitcode; 2 means a diff).
  rc=0
  (cd "$dir" && timeout 60 "$tf_bin" plan -detailed-exitcode -input=false -no-color >"$dir/replan.log" 2>&1) || rc=$?
  case $rc in 0) replan[$variant]='no changes' ;; 2) replan[$variant]='CHANGES' ;; 124) replan[$variant]='hang' ;; *) replan[$variant]='error' ;; esac
  for ((i = 1; i <= iterations; i++)); do
    rc=0
    (cd "$dir" && timeout 60 "$tf_bin" plan -refresh-only -input=false -no-color >"$dir/plan.log" 2>&1) || rc=$?
    case $rc in
      0) ok[$variant]=$((ok[$variant] + 1)) ;;
      124) hang[$variant]=$((hang[$variant] + 1)) ;;
      *)
        err[$variant]=$((err[$variant] + 1))
        grep -m1 'Error:' "$dir/plan.log" | sed "s/^/  $variant refresh $i: /" >&2 || true
        ;;
    esac
  done
  echo "refresh-soak: $variant: ${ok[$variant]} ok, ${err[$variant]} errors, ${hang[$variant]} hangs in $iterations refreshes" >&2
  # A hung provider can leave the state locked; the sandbox teardown removes everything anyway.
  (cd "$dir" && timeout 120 "$tf_bin" destroy -auto-approve -input=false -no-color >/dev/null 2>&1) || true
done

row() { printf '| %s | %s | %s | %d | %d | %d | %d |\n' "$1" "$2" "${replan[$1]}" "$iterations" "${ok[$1]}" "${err[$1]}" "${hang[$1]}"; }
table=$(
  echo '| variant | what terraform refreshes | plan right after apply | refreshes | ok | errors | hangs (60 s timeout) |'
  echo '|---|---|---|---:|---:|---:|---:|'
  row cloudinit "$seeds × libvirt_cloudinit_disk (ISO streamed back)"
  row seed "$seeds × libvirt_volume from the rendered seed ISO"
)
echo "$table"
{
  echo '# Refresh soak'
  echo
  echo 'How often a `terraform plan -refresh-only` of the cloud-init seeds fails or hangs against a real'
  echo 'libvirtd (own daemon in a network namespace), provider dmacvicar/libvirt 0.8.3 from the mirror.'
  echo 'Written by `bash bench/refresh-soak.sh [ITERATIONS] [SEEDS]`.'
  echo
  echo "Last run: $(date -u +%Y-%m-%dT%H:%M:%SZ), libvirt $(libvirtd --version | awk '{print $NF}'), $("$tf_bin" version | head -1)."
  echo
  echo "$table"
  echo
  echo '## Earlier measurement at `-parallelism=1`'
  echo
  echo 'Before this script, six `libvirt_cloudinit_disk` resources against a libvirtd 9.0 hung 2 times'
  echo 'and failed once in 40 refreshes at `-parallelism=1`, and similarly often at the'
  echo "default parallelism of 10: the hang is not a concurrency limit (2026-11-26, provider 0.8.3)."
} >bench/refresh.md
