import { isLocalLibvirt } from '../../lab/pool-directory';
import { fail, pass, warn, whyFailed, type DoctorCheck, type LabContext } from '../check';
import { forwardVerdict, type ForwardVerdict } from '../parse';

const SYSCTL = 'net.bridge.bridge-nf-call-iptables';
/** What iptables-nft prints (on stderr) when the legacy tables exist too (it reads /proc/net/ip_tables_names). */
const LEGACY_PRESENT = /iptables-legacy tables present/;

/**
 * br_netfilter hands frames bridged through a host bridge to iptables' FORWARD chain; with a
 * policy DROP there (Docker sets it) every frame of a `bridge`-mode lab is dropped: the VMs boot,
 * and nothing between them, the directors and the clients passes, without an error anywhere.
 * libvirt's own networks (nat, isolated) get ACCEPT rules from libvirt.
 *
 * On a machine whose `iptables` is the nf_tables one, the legacy tables (a Docker or a tool that
 * runs iptables-legacy) filter the same frames, and a DROP there drops them just the same: both
 * are read, the legacy ones only when iptables-nft says they exist (listing them with
 * iptables-legacy would create them).
 */
export const bridgeNetfilterCheck: DoctorCheck<LabContext> = {
  id: 'bridge-netfilter',
  run: ({ host, lab }) => {
    const bridge = lab.network.bridge;
    if (lab.network.mode !== 'bridge' || !bridge) {
      return pass('bridge-netfilter', `not needed: libvirt adds ACCEPT rules for its own ${lab.network.mode} network's bridge`);
    }
    if (!isLocalLibvirt(lab.libvirtUri)) return pass('bridge-netfilter', `not checked: the bridge is on the libvirt host (${lab.libvirtUri})`);
    const sysctl = host.run('sysctl', ['-n', SYSCTL]);
    if (sysctl.status !== 0) return pass('bridge-netfilter', `br_netfilter is not loaded (no ${SYSCTL}): bridged frames do not pass iptables`);
    if (sysctl.stdout.trim() !== '1') return pass('bridge-netfilter', `${SYSCTL}=${sysctl.stdout.trim()}: bridged frames do not pass iptables`);
    const rules = host.run('iptables', ['-S']);
    if (rules.error === 'ENOENT') return pass('bridge-netfilter', `${SYSCTL}=1, but iptables is not installed: no FORWARD rule to drop bridged frames`);
    if (rules.status !== 0) {
      return warn('bridge-netfilter', `${SYSCTL}=1 and iptables cannot be read as this user (${whyFailed(rules)}): a FORWARD policy DROP would drop all of ${bridge}'s lab traffic`,
        'run the doctor as root to check: `sudo npm run lvs-lab -- doctor`');
    }
    const tables: { command: string; verdict: ForwardVerdict }[] = [{ command: 'iptables', verdict: forwardVerdict(rules.stdout, bridge) }];
    if (LEGACY_PRESENT.test(rules.stderr)) {
      const legacy = host.run('iptables-legacy', ['-S']);
      if (legacy.status !== 0) {
        return warn('bridge-netfilter', `${SYSCTL}=1 and the legacy iptables tables exist but cannot be read (${whyFailed(legacy)}): a FORWARD policy DROP there would drop all of ${bridge}'s lab traffic`,
          'look with `sudo iptables-legacy -S FORWARD`');
      }
      tables.push({ command: 'iptables-legacy', verdict: forwardVerdict(legacy.stdout, bridge) });
    }
    const dropping = tables.filter(({ verdict }) => verdict.policy === 'DROP' && !verdict.acceptsBridge);
    if (dropping.length === 0) {
      const policies = tables.map(({ command, verdict }) => `${tables.length > 1 ? `${command}: ` : ''}FORWARD policy ${verdict.policy ?? 'ACCEPT'}`);
      if (tables.some(({ verdict }) => verdict.policy === 'DROP')) {
        return pass('bridge-netfilter', `${SYSCTL}=1 and ${policies.join(', ')}, but a rule accepts the frames bridged through ${bridge}`);
      }
      return pass('bridge-netfilter', `${SYSCTL}=1, ${policies.join(', ')}`);
    }
    const docker = dropping.some(({ verdict }) => verdict.dockerUser);
    const where = dropping.map(({ command, verdict }) =>
      `${command === 'iptables' ? 'the FORWARD chain' : `the FORWARD chain of the legacy tables (${command})`} drops them (policy DROP${verdict.dockerUser ? ', as Docker sets it' : ''})`);
    const rule = dropping.map(({ command, verdict }) => `\`${command} -I ${verdict.dockerUser ? 'DOCKER-USER' : 'FORWARD'} -i ${bridge} -o ${bridge} -j ACCEPT\``);
    return fail('bridge-netfilter',
      `br_netfilter passes the frames bridged through ${bridge} to iptables (${SYSCTL}=1) and ${where.join(', and ')}: ` +
        'the VMs would boot, but no lab traffic would pass, silently',
      `accept the bridge's frames: ${rule.join(' and ')}; or stop bridged frames going through iptables: ` +
        `\`sysctl -w ${SYSCTL}=0\` (keep it in /etc/sysctl.d/${docker ? '; Docker\'s container isolation relies on it: prefer the rule' : ''})`);
  },
};
