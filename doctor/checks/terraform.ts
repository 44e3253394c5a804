import type { DoctorHost } from '../host';
import { fail, pass, whyFailed, type DoctorCheck, type ToolContext } from '../check';
import { terraformVersion, versionAtLeast } from '../parse';

/** The oldest terraform the lab is tested with (docs/operating.md: terraform 1.5+ or OpenTofu). */
export const MIN_TERRAFORM_VERSION = '1.5.0';

const INSTALL = 'install terraform 1.5+ (https://developer.hashicorp.com/terraform/install) or OpenTofu and set TERRAFORM_BINARY_NAME=tofu; ' +
  '`bash scripts/install-deps.sh` installs both';

/**
 * The terraform binary cdktf will run, chosen as scripts/provider.sh chooses it: TERRAFORM_BINARY_NAME,
 * else terraform, else tofu when only OpenTofu is installed.
 */
export function terraformBinary(host: DoctorHost): { readonly name: string; readonly fromEnv: boolean } {
  const named = host.env.TERRAFORM_BINARY_NAME?.trim();
  if (named) return { name: named, fromEnv: true };
  const installed = (name: string) => host.run(name, ['version', '-json']).error !== 'ENOENT';
  return { name: !installed('terraform') && installed('tofu') ? 'tofu' : 'terraform', fromEnv: false };
}

/** terraform (or OpenTofu) is installed, runs, and is recent enough. */
export const terraformCheck: DoctorCheck<ToolContext> = {
  id: 'terraform',
  run: ({ host }) => {
    const { name, fromEnv } = terraformBinary(host);
    const which = fromEnv ? `${name} (TERRAFORM_BINARY_NAME)` : name;
    const r = host.run(name, ['version', '-json']);
    if (r.error === 'ENOENT') {
      return fail('terraform', fromEnv ? `${which} is not installed` : 'neither terraform nor OpenTofu (tofu) is installed', INSTALL);
    }
    const version = r.status === 0 ? terraformVersion(r.stdout) : undefined;
    if (version === undefined) return fail('terraform', `\`${name} version -json\` failed: ${whyFailed(r)}`, INSTALL);
    if (!versionAtLeast(version, MIN_TERRAFORM_VERSION)) {
      return fail('terraform', `${which} is version ${version}; the lab needs ${MIN_TERRAFORM_VERSION} or newer`, INSTALL);
    }
    return pass('terraform', `${which} ${version}`);
  },
};
