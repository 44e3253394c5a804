import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
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
