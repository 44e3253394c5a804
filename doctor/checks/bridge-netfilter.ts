import { isLocalLibvirt } from '../../lab/pool-directory';
import { fail, pass, warn, whyFailed, type DoctorCheck, type LabContext } from '../check';
import { forwardVerdict } from '../parse';

const SYSCTL = 'net.bridge.bridge-nf-call-iptables';

/**
 * br_netfilter hands frames bridged through a host bridge to iptables' FORWARD chain; with a
 * policy DROP there (Docker sets it) every frame of a `bridge`-mode lab is dropped: the VMs boot,
 * and nothing between them, the directors and the clients passes, without an error anywhere.
 * libvirt's own networks (nat, isolated) get ACCEPT rules from libvirt.
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
    const verdict = forwardVerdict(rules.stdout, bridge);
    if (verdict.policy !== 'DROP') return pass('bridge-netfilter', `${SYSCTL}=1, FORWARD policy ${verdict.policy ?? 'ACCEPT'}`);
    if (verdict.acceptsBridge) return pass('bridge-netfilter', `${SYSCTL}=1 and FORWARD policy DROP, but a rule accepts the frames bridged through ${bridge}`);
    const chain = verdict.dockerUser ? 'DOCKER-USER' : 'FORWARD';
    return fail('bridge-netfilter',
      `br_netfilter passes the frames bridged through ${bridge} to iptables (${SYSCTL}=1) and the FORWARD chain drops them ` +
        `(policy DROP${verdict.dockerUser ? ', as Docker sets it' : ''}): the VMs would boot, but no lab traffic would pass, silently`,
      `accept the bridge's frames: \`iptables -I ${chain} -i ${bridge} -o ${bridge} -j ACCEPT\`; or stop bridged frames going through iptables: ` +
        `\`sysctl -w ${SYSCTL}=0\` (keep it in /etc/sysctl.d/${verdict.dockerUser ? '; Docker\'s container isolation relies on it: prefer the rule' : ''})`);
  },
};
