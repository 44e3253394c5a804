import type { LabConfig } from '../../lab';

/**
 * A dual-stack lab: IPv4 10.77.0.0/24 and IPv6 fd77::/64 on a host bridge (the only mode with
 * IPv6 for now), VRRPv3 (IPv6 VIPs need it), one IPv4 and two IPv6 services. rs-2 gives its
 * address6 in a non-canonical spelling; every other VM gets the default (fd77::<last octet>).
 * The image is preinstalled: with no gateway, the VMs could not reach a mirror at first boot.
 */
export const DUAL_STACK_LAB: LabConfig = {
  network: { mode: 'bridge', bridge: 'br0', cidr: '10.77.0.0/24', ipv6Cidr: 'fd77::/64' },
  image: { preinstalled: true },
  vrrp: { version: 3 },
  directors: [
    { name: 'director-1', address: '10.77.0.11', priority: 180 },
    { name: 'director-2', address: '10.77.0.12', priority: 80 },
  ],
  realServers: [
    { name: 'rs-1', address: '10.77.0.21' },
    { name: 'rs-2', address: '10.77.0.22', address6: 'FD77:0:0::0022' },
  ],
  services: [
    { vip: '10.77.0.100' },
    { vip: 'fd77::100' },
    { vip: 'fd77::100', port: 8080, healthCheck: { type: 'http', path: '/healthz' } },
  ],
};

/** The dual-stack lab with its vrrp section changed. */
export function dualStackLab(vrrp: NonNullable<LabConfig['vrrp']> = {}, patch: Partial<LabConfig> = {}): LabConfig {
  return { ...DUAL_STACK_LAB, vrrp: { ...DUAL_STACK_LAB.vrrp, ...vrrp }, ...patch };
}
