import { isLocalLibvirt } from '../../lab/pool-directory';
import { fail, pass, whyFailed, type DoctorCheck, type LabContext } from '../check';
import { ipLinks } from '../parse';

/** In `bridge` mode the VMs join an existing host bridge: it must exist, be a bridge, and be up. */
export const bridgeCheck: DoctorCheck<LabContext> = {
  id: 'bridge',
  run: ({ host, lab }) => {
    const bridge = lab.network.bridge;
    if (lab.network.mode !== 'bridge' || !bridge) return pass('bridge', `not needed: network.mode is ${lab.network.mode} (libvirt creates the bridge)`);
    if (!isLocalLibvirt(lab.libvirtUri)) return pass('bridge', `not checked: libvirt runs on another host (${lab.libvirtUri})`);
    const create = `create it: \`ip link add ${bridge} type bridge && ip link set ${bridge} up\`, put the uplink in it ` +
      `(\`ip link set <NIC> master ${bridge}\`; to keep it: /etc/network/interfaces or systemd-networkd), or use network.mode: nat`;
    const r = host.run('ip', ['-j', '-d', 'link', 'show', 'dev', bridge]);
    if (r.error === 'ENOENT') return fail('bridge', 'ip is not installed, so the bridge cannot be looked up', 'apt-get install iproute2');
    if (r.status !== 0) return fail('bridge', `network.bridge ${bridge} does not exist on this host (${whyFailed(r)})`, create);
    const link = ipLinks(r.stdout).find((l) => l.name === bridge);
    if (!link) return fail('bridge', `network.bridge ${bridge} does not exist on this host`, create);
    if (link.kind !== 'bridge') {
      return fail('bridge', `network.bridge ${bridge} is ${link.kind ? `a ${link.kind} link` : 'a plain network interface'}, not a bridge`,
        `name a bridge in network.bridge, or ${create}`);
    }
    if (!link.up) return fail('bridge', `bridge ${bridge} is down: the VMs' links would have no carrier`, `\`ip link set ${bridge} up\``);
    return pass('bridge', `${bridge} is a bridge and up`);
  },
};
