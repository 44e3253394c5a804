import * as path from 'node:path';
import { fail, pass, warn, whyFailed, type DoctorCheck, type ToolContext } from '../check';
import { terraformBinary } from './terraform';

/**
 * The pinned libvirt provider is in the project's mirror (scripts/provider.sh knows the paths), or
 * can be built: `npm run deploy` builds it first (scripts/cdktf.sh), which needs Go.
 */
export const providerCheck: DoctorCheck<ToolContext> = {
  id: 'provider',
  run: ({ host, root }) => {
    const script = path.join(root, 'scripts', 'provider.sh');
    // The installed package (`npx lvs-lab doctor` in your own app) has no mirror of its own: the
    // app's terraform installs the provider its stack pins when it initializes.
    if (host.stat(script) === undefined) {
      return warn('provider', 'not checked: outside a checkout of this project, terraform installs dmacvicar/libvirt 0.8.3 (pinned by the stack) when your app\'s stack is initialized',
        'with no access to the public registry, point TF_CLI_CONFIG_FILE at a provider mirror that holds dmacvicar/libvirt 0.8.3');
    }
    const r = host.run('bash', [script, 'paths']);
    if (r.status !== 0) return fail('provider', `\`bash scripts/provider.sh paths\` failed: ${whyFailed(r)}`, 'restore scripts/provider.sh from the repository (git checkout scripts/provider.sh)');
    const paths = Object.fromEntries(r.stdout.split('\n').map((line) => /^(\S+) (.+)$/.exec(line)).filter((m) => m !== null).map((m) => [m[1], m[2]]));
    // terraform resolves the provider on registry.terraform.io, OpenTofu on registry.opentofu.org.
    const engine = path.basename(terraformBinary(host).name) === 'tofu' ? 'tofu' : 'terraform';
    const mirrored = paths[engine];
    const binary = mirrored ? host.stat(mirrored) : undefined;
    const config = paths.config ? host.stat(paths.config) : undefined;
    if (binary?.kind === 'file' && (binary.mode & 0o111) !== 0 && config?.kind === 'file') {
      return pass('provider', `dmacvicar/libvirt ${paths.version} is in the mirror for ${engine} (${mirrored})`);
    }
    const go = host.run('go', ['version']);
    if (go.status === 0) {
      return warn('provider', `the libvirt provider mirror is not built (no ${mirrored}); \`npm run deploy\` builds it first (a few minutes the first time)`,
        '`bash scripts/provider.sh build` builds it now');
    }
    return fail('provider', `the libvirt provider mirror is not built (no ${mirrored}), and Go, which builds it, is not installed`,
      'install Go 1.23 or newer (https://go.dev/dl/, or `bash scripts/install-deps.sh`), then `bash scripts/provider.sh build`');
  },
};
