#!/usr/bin/env bash
# Synthesizes the reference lab and the e2e labs under both CDK-for-Terraform engines, cdktf
# 0.21 (the default) and CDK Terrain (cdktn 0.24, via scripts/engine-cdktn.js), and fails unless
# the stacks match. The one documented difference: the engine's own version in the stack's
# "//".metadata.version (0.21.0 vs 0.24.0), which also proves which engine ran.
#
#   bash scripts/engine-compare.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CHECKPOINT_DISABLE=1
log() { printf 'engine-compare: %s\n' "$*" >&2; }

[[ -d node_modules/cdktn ]] || { log "cdktn not installed: run npm ci"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lvslab-engines.XXXXXX")
trap 'rm -rf "$work"' EXIT

labs=(reference e2e/lab.yaml e2e/lab-multicast.yaml)
for engine in cdktf cdktn; do
  mkdir -p "$work/$engine"
  preload=()
  [[ $engine == cdktn ]] && preload=(-r ./scripts/engine-cdktn.js)
  for lab in "${labs[@]}"; do
    name=$(basename "$lab" .yaml)
    config=()
    [[ $lab == reference ]] || config=("LAB_CONFIG=$lab")
    log "synth $name with $engine"
    env -u LAB_CONFIG "${config[@]}" CDKTF_OUTDIR="$work/$engine/$name" \
      node "${preload[@]}" -r ts-node/register/transpile-only main.ts
  done
done

# shellcheck disable=SC2016 # a JavaScript template string
node -e '
  const fs = require("node:fs");
  const path = require("node:path");
  const [work, ...labs] = process.argv.slice(1);
  const expected = { cdktf: require("cdktf/package.json").version, cdktn: require("cdktn/package.json").version };
  let failed = false;
  for (const lab of labs) {
    const read = (engine) => JSON.parse(fs.readFileSync(path.join(work, engine, lab, "stacks", "lvs-dr-lab", "cdk.tf.json"), "utf8"));
    const stacks = { cdktf: read("cdktf"), cdktn: read("cdktn") };
    for (const [engine, stack] of Object.entries(stacks)) {
      if (stack["//"].metadata.version !== expected[engine]) {
        console.error(`${lab}: the ${engine} stack says engine ${stack["//"].metadata.version}, expected ${expected[engine]}`);
        failed = true;
      }
      delete stack["//"].metadata.version; // the documented difference
    }
    if (JSON.stringify(stacks.cdktf) !== JSON.stringify(stacks.cdktn)) {
      console.error(`${lab}: the stacks differ beyond the engine version`);
      failed = true;
    } else console.error(`engine-compare: ${lab}: identical apart from the engine version`);
  }
  process.exit(failed ? 1 : 0);
' "$work" reference lab lab-multicast

# The seed ISOs and every other asset: byte for byte.
for lab in reference lab lab-multicast; do
  diff -r "$work/cdktf/$lab/stacks/lvs-dr-lab/assets" "$work/cdktn/$lab/stacks/lvs-dr-lab/assets"
done
log "ok: cdktf and cdktn synthesize the same stacks"
