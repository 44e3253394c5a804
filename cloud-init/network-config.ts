import { toCloudInitYaml } from './yaml-text';
import type { StaticInterface } from './model';

/**
 * Renders cloud-init network-config version 2 for one static NIC, matched by MAC address and
 * renamed to a stable name (keepalived.conf names the interface).
 *
 * The default route is written as `gateway4`, not as `routes: [{to: default, ...}]`:
 * - cloud-init 22.4 (Debian 12) cannot parse `to: default` ("Address default is not a valid
 *   ip address") and would drop the whole network config;
 * - Debian 12 images render v2 through the ENI renderer, which turns `routes` entries into
 *   `post-up route add ... || true` — net-tools' `route`, absent from the images, so the
 *   default route would silently be missing — while `gateway4` becomes ifupdown's native
 *   `gateway` line. netplan still accepts `gateway4` (with a deprecation note).
 */
export function renderNetworkConfig(iface: StaticInterface): string {
  return toCloudInitYaml(networkConfig(iface));
}

/** The network-config object `renderNetworkConfig` serializes (what cloud-init must read back). */
export function networkConfig(iface: StaticInterface): Record<string, unknown> {
  const ethernet: Record<string, unknown> = {
    match: { macaddress: iface.macAddress.toLowerCase() },
    'set-name': iface.name,
    addresses: [`${iface.address}/${iface.prefixLength}`],
  };
  if (iface.address6 !== undefined) {
    // Dual stack: the IPv6 address beside the IPv4 one, and no IPv6 gateway (the lab's IPv6 is
    // its own segment; the VIPs and real servers are on-link).
    (ethernet.addresses as string[]).push(`${iface.address6}/${iface.prefixLength6 ?? 64}`);
  }
  if (iface.gateway !== undefined) {
    ethernet.gateway4 = iface.gateway;
  }
  if (iface.dns.length > 0) {
    ethernet.nameservers = { addresses: [...iface.dns] };
  }
  return { version: 2, ethernets: { [iface.name]: ethernet } };
}
