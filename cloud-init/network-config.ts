import { DEBIAN_RELEASE_FACTS } from './debian-release';
import { toCloudInitYaml } from './yaml-text';
import type { StaticInterface } from './model';

/**
 * Renders cloud-init network-config version 2 for one static NIC, matched by MAC address and
 * renamed to a stable name (keepalived.conf names the interface).
 *
 * The default route, by the release whose cloud-init reads it:
 * - Debian 13: `routes: [{to: 0.0.0.0/0, via: ...}]`. Its genericcloud image hands v2 to
 *   netplan 1.1, which warns that `gateway4` is deprecated; cloud-init 25.1 still cannot parse
 *   `to: default` ("Address default is not a valid ip address") and would drop the whole
 *   network config, while 0.0.0.0/0 is a default route to both;
 * - Debian 12: `gateway4`. cloud-init 22.4 cannot parse `to: default` either, and its ENI renderer turns
 *   `routes` entries into `post-up route add ... || true` — net-tools' `route`, absent from the
 *   images, so the default route would silently be missing — while `gateway4` becomes
 *   ifupdown's native `gateway` line.
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
    if (DEBIAN_RELEASE_FACTS[iface.release].defaultRoute === 'routes') {
      ethernet.routes = [{ to: '0.0.0.0/0', via: iface.gateway }];
    } else {
      ethernet.gateway4 = iface.gateway;
    }
  }
  if (iface.dns.length > 0) {
    ethernet.nameservers = { addresses: [...iface.dns] };
  }
  return { version: 2, ethernets: { [iface.name]: ethernet } };
}
