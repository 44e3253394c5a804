#!/usr/bin/env bash
# Packs the library and builds a separate consumer cdktf app from scratch in a temporary
# directory: a new TypeScript project that installs the tarball (compiled JavaScript and type
# declarations only), declares the pinned libvirt provider, composes an LvsDrCluster in a stack
# of its own next to its own libvirt resource, compiles with its own tsc, synthesizes, and
# passes `terraform validate` against the project's provider mirror; and runs the installed
# command (`npx lvs-lab --help`, `npx lvs-lab doctor --json`) from the consumer's directory.
#
#   bash scripts/consumer-check.sh [cdktf|cdktn]   (needs: npm registry access, the provider mirror)
#
# cdktn: the app runs on CDK Terrain instead, installed under the name cdktf (an npm alias),
# which is how a cdktn app uses this library.
set -euo pipefail
engine=${1:-cdktf}
[[ $engine == cdktf || $engine == cdktn ]] || { printf 'usage: consumer-check.sh [cdktf|cdktn]\n' >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CHECKPOINT_DISABLE=1
log() { printf 'consumer-check: %s\n' "$*" >&2; }

cli_config=$root/.provider/terraformrc
[[ -f $cli_config ]] || { log "$cli_config not found: build the provider mirror with \`bash scripts/provider.sh build\`"; exit 1; }
tf=${TERRAFORM_BINARY_NAME:-}
if [[ -z $tf ]]; then
  for candidate in terraform tofu; do command -v "$candidate" >/dev/null && { tf=$candidate; break; }; done
fi
[[ -n $tf ]] || { log "neither terraform nor tofu found: install terraform >= 1.5 (or OpenTofu with TERRAFORM_BINARY_NAME=tofu)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/lvslab-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "packing the library (prepack compiles it)"
(cd "$root" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(find "$work" -maxdepth 1 -name 'lvs-dr-lab-*.tgz' -print -quit)
[[ -n $tarball ]] || { log "npm pack produced no tarball"; exit 1; }
sources=$(tar -tzf "$tarball" | grep -E '\.ts$' | grep -vE '\.d\.ts$' || true)
[[ -z $sources ]] || { log "the tarball ships TypeScript sources: $sources"; exit 1; }

cdktf_version=$(node -p "require('$root/node_modules/cdktf/package.json').version")
[[ $engine == cdktf ]] || cdktf_version="npm:cdktn@$(node -p "require('$root/node_modules/cdktn/package.json').version")"
constructs_version=$(node -p "require('$root/node_modules/constructs/package.json').version")
typescript_version=$(node -p "require('$root/node_modules/typescript/package.json').version")
node_types_version=$(node -p "require('$root/node_modules/@types/node/package.json').version")

app=$work/app
mkdir -p "$app"
cd "$app"
cat >package.json <<JSON
{
  "name": "lvs-dr-lab-consumer",
  "private": true,
  "dependencies": {
    "cdktf": "$cdktf_version",
    "constructs": "$constructs_version",
    "lvs-dr-lab": "file:$tarball"
  },
  "devDependencies": { "typescript": "$typescript_version", "@types/node": "$node_types_version" }
}
JSON
cat >cdktf.json <<'JSON'
{
  "language": "typescript",
  "app": "node dist/main.js",
  "terraformProviders": ["dmacvicar/libvirt@=0.8.3"],
  "sendCrashReports": "false"
}
JSON
# The consumer's own strict settings, library declarations checked too (no skipLibCheck).
cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "strict": true, "module": "commonjs", "target": "es2022", "lib": ["es2022"], "types": ["node"],
    "outDir": "dist", "skipLibCheck": false, "noUnusedLocals": true
  },
  "files": ["main.ts"]
}
JSON
cat >main.ts <<'TS'
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { LvsDrCluster, parseLab, type LabConfig } from 'lvs-dr-lab';
import { LibvirtProvider, Volume } from 'lvs-dr-lab/libvirt';

const lab: LabConfig = {
  name: 'consumer',
  domainType: 'qemu',
  network: { mode: 'isolated', cidr: '10.9.0.0/24' },
  // An isolated network has no way out: the VMs' packages come with the image.
  image: { source: '/var/lib/images/lab.qcow2', preinstalled: true },
  directors: [
    { name: 'lb-1', address: '10.9.0.11', priority: 150 },
    { name: 'lb-2', address: '10.9.0.12', priority: 100 },
  ],
  services: [{ vip: '10.9.0.10', port: 8080, healthCheck: { type: 'http', path: '/healthz' } }],
  realServers: [{ name: 'app-1', address: '10.9.0.21' }],
};

/** The consumer's own stack: its provider, a cluster, and a resource of its own beside it. */
class ShopStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const parsed = parseLab(lab);
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.rule} ${p.path}`).join('\n'));
    new LibvirtProvider(this, 'libvirt', { uri: 'qemu:///system' });
    const cluster = new LvsDrCluster(this, 'Lab', lab);
    const scratch = new Volume(this, 'Scratch', { name: 'consumer-scratch.qcow2', pool: cluster.image.pool.name, size: 1024 * 1024 * 1024 });
    new TerraformOutput(this, 'vip', { value: parsed.lab.services[0].vip });
    new TerraformOutput(this, 'scratch_volume', { value: scratch.id });
  }
}

const app = new App();
new ShopStack(app, 'shop');
app.synth();
TS

log "installing the tarball into a fresh cdktf app (engine: $engine, cdktf: $cdktf_version)"
npm install --no-audit --no-fund --loglevel=error >/dev/null
log "compiling the consumer (its own tsc, the library's declarations checked)"
npx --no-install tsc -p .
log "synthesizing"
CDKTF_OUTDIR=$app/cdktf.out node dist/main.js
stack=$app/cdktf.out/stacks/shop
[[ -f $stack/cdk.tf.json ]] || { log "no stack synthesized"; exit 1; }
# shellcheck disable=SC2016 # a JavaScript template string
node -e '
  const s = require(process.argv[1]);
  const count = (t) => Object.keys(s.resource[t] || {}).length;
  if (count("libvirt_domain") !== 3) throw new Error(`expected 3 domains, got ${count("libvirt_domain")}`);
  if (!s.resource.libvirt_volume.Scratch) throw new Error("the consumer volume is missing");
  if (s.terraform.required_providers.libvirt.version !== "0.8.3") throw new Error("provider not pinned");
  const engine = require(require.resolve("cdktf/package.json", { paths: [process.argv[2]] }));
  if (s["//"].metadata.version !== engine.version) throw new Error(`synthesized by ${s["//"].metadata.version}, expected ${engine.name} ${engine.version}`);
  console.error(`consumer-check: synthesized by ${engine.name} ${engine.version}`);
' "$stack/cdk.tf.json" "$app"
log "the installed command: npx lvs-lab --help"
npx --no-install lvs-lab --help >"$work/help.txt" || { log "npx lvs-lab --help failed"; cat "$work/help.txt" >&2; exit 1; }
for command in doctor status traffic drill; do
  grep -q "lvs-lab $command" "$work/help.txt" || { log "npx lvs-lab --help does not list $command"; cat "$work/help.txt" >&2; exit 1; }
done
log "the installed command: npx lvs-lab doctor --json (exit 0: a deploy could go ahead, 1: a check failed; never 2 or a crash)"
status=0
env -u LAB_CONFIG npx --no-install lvs-lab doctor --json >"$work/doctor.json" 2>"$work/doctor.err" || status=$?
[[ $status == 0 || $status == 1 ]] || { log "npx lvs-lab doctor --json exited $status"; cat "$work/doctor.err" >&2; exit 1; }
# shellcheck disable=SC2016 # a JavaScript template string
node -e '
  const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const status = Number(process.argv[2]);
  if (typeof report.ok !== "boolean" || report.ok !== (status === 0)) throw new Error(`ok ${report.ok} with exit status ${status}`);
  if (!Array.isArray(report.checks) || report.checks.length === 0) throw new Error("no checks in the report");
  for (const c of report.checks) {
    if (typeof c.id !== "string" || typeof c.ok !== "boolean") throw new Error(`a check without id and ok: ${JSON.stringify(c)}`);
  }
  if (report.checks[0].id !== "config" || !report.checks[0].ok) throw new Error("the reference topology did not pass the config check");
  const failed = report.checks.filter((c) => !c.ok).map((c) => c.id);
  console.error(`consumer-check: doctor exit ${status}, ${report.checks.length} checks${failed.length ? `, failed: ${failed.join(", ")}` : ", all passed"}`);
' "$work/doctor.json" "$status"
log "terraform validate ($tf) against the provider mirror"
cd "$stack"
TF_CLI_CONFIG_FILE=$cli_config TF_IN_AUTOMATION=1 "$tf" init -backend=false -input=false >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
TF_CLI_CONFIG_FILE=$cli_config TF_IN_AUTOMATION=1 "$tf" validate -no-color
log "ok: the packed library builds, synthesizes and validates in a separate cdktf app"
