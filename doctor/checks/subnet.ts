import { isLocalLibvirt } from '../../lab/pool-directory';
import { formatIpv4, overlaps, parseCidr } from '../../lab/ipv4';
import { fail, pass, whyFailed, type DoctorCheck, type LabContext } from '../check';
import { ipRoutes, virshNetBridge, type HostRoute } from '../parse';

/**
 * `network.cidr` against the host's own routes (`ip -j route`). libvirt refuses a NAT network on
 * a subnet the host already routes ("Network is already in use by interface …"), and an
 * overlapping one leaves the host unable to tell lab addresses from that network's. Routes of the
 * lab's own bridge (a lab deployed before, or the bridge of `bridge` mode) are the lab's.
 */
export const subnetCheck: DoctorCheck<LabContext> = {
  id: 'subnet',
  run: ({ host, lab }) => {
    const { mode, cidr } = lab.network;
    if (mode === 'isolated') return pass('subnet', 'not needed: an isolated network gives the host no address or route');
    if (!isLocalLibvirt(lab.libvirtUri)) return pass('subnet', `not checked: the routes that matter are the libvirt host's (${lab.libvirtUri})`);
    const r = host.run('ip', ['-j', 'route']);
    if (r.error === 'ENOENT') return fail('subnet', 'ip is not installed, so the host routes cannot be read', 'apt-get install iproute2');
    if (r.status !== 0) return fail('subnet', `\`ip -j route\` failed: ${whyFailed(r)}`, 'run `ip -j route` to see why');
    const routes = ipRoutes(r.stdout);
    const own = mode === 'bridge' ? lab.network.bridge : labBridge(host.run('virsh', ['-c', lab.libvirtUri, 'net-info', `${lab.name}-net`]));
    const network = parseCidr(cidr)!;
    const clashes = routes.filter((route) => overlaps(route.network, network) && (own === undefined || route.dev !== own));
    if (clashes.length === 0) return pass('subnet', `no host route overlaps network.cidr ${cidr}`);
    const why = mode === 'nat'
      ? 'libvirt refuses a NAT network on a subnet the host already routes ("Network is already in use by interface …"), and the host could not tell lab addresses from that network\'s'
      : `the host would send traffic for the lab out of ${clashes[0].dev ?? 'that route'} instead of ${lab.network.bridge}`;
    const free = freeSubnet(routes);
    return fail('subnet', `network.cidr ${cidr} overlaps the host's route${clashes.length > 1 ? 's' : ''} ${clashes.map((c) => c.text).join(', ')}: ${why}`,
      `choose another network.cidr (and directors', real servers' and VIP addresses in it)${free ? `, e.g. ${free}` : ''}`);
  },
};

/** The bridge of the lab's libvirt network when it exists already (`virsh net-info`), else undefined. */
function labBridge(netInfo: { status: number | null; stdout: string }): string | undefined {
  return netInfo.status === 0 ? virshNetBridge(netInfo.stdout) : undefined;
}

/** A private /24 that no route overlaps: 192.168.100.0/24 upward, then 10.100.0.0/24 upward. */
function freeSubnet(routes: readonly HostRoute[]): string | undefined {
  const candidates = [
    ...Array.from({ length: 155 }, (_, i) => `192.168.${100 + i}.0/24`),
    ...Array.from({ length: 156 }, (_, i) => `10.${100 + i}.0.0/24`),
  ];
  const free = candidates.map((c) => parseCidr(c)!).find((c) => routes.every((route) => !overlaps(route.network, c)));
  return free ? `${formatIpv4(free.networkAddress)}/24` : undefined;
}
