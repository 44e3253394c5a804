import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireTool } from './tools';

const root = path.resolve(__dirname, '../..');

/** The CLI config that serves dmacvicar/libvirt 0.8.3 from the project's filesystem mirror. */
export function providerCliConfig(): string {
  const file = path.join(root, '.provider', 'terraformrc');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: build the libvirt provider mirror with \`bash scripts/provider.sh build\``);
  }
  return file;
}

/** `terraform` unless only OpenTofu is installed (or TERRAFORM_BINARY_NAME says otherwise). */
export function terraformBinary(): string {
  const wanted = process.env.TERRAFORM_BINARY_NAME;
  if (wanted) return requireTool(wanted, 'install terraform, or OpenTofu with TERRAFORM_BINARY_NAME=tofu');
  const found = ['terraform', 'tofu'].find((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0);
  if (!found) {
    throw new Error('neither terraform nor tofu found on PATH: install terraform >= 1.5, or build OpenTofu (`go build ./cmd/tofu`)');
  }
  return found;
}

export interface CommandResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs terraform in a synthesized stack directory with the project's provider mirror. */
export function terraform(stackDir: string, args: readonly string[]): CommandResult {
  const result = spawnSync(terraformBinary(), [...args], {
    cwd: stackDir,
    encoding: 'utf8',
    env: { ...process.env, TF_CLI_CONFIG_FILE: providerCliConfig(), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    timeout: 300_000,
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/**
 * What terraform makes of each string in JSON syntax: the strings become the values of outputs
 * of an otherwise empty configuration, applied with real terraform (no provider, local state in
 * a scratch directory) and read back with `terraform output -json`. Evaluates every string in one
 * run; a string that is not a valid template fails the run with terraform's message.
 */
export function evaluateTerraformStrings(values: readonly string[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-tf-eval-'));
  try {
    const output = Object.fromEntries(values.map((value, i) => [`v${i}`, { value }]));
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ output }));
    for (const args of [['init', '-input=false', '-no-color'], ['apply', '-auto-approve', '-input=false', '-no-color']]) {
      const r = terraform(dir, args);
      if (r.status !== 0) throw new Error(`terraform ${args[0]} failed (${r.status}):\n${r.output}`);
    }
    const r = spawnSync(terraformBinary(), ['output', '-json', '-no-color'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`terraform output failed (${r.status}):\n${r.stderr}`);
    const outputs = JSON.parse(r.stdout) as Record<string, { value: string }>;
    return values.map((_, i) => outputs[`v${i}`].value);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
