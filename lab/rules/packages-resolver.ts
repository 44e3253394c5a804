import { formatIpv4, parseIpv4 } from '../ipv4';
import { type LabRule, subnetHolds } from './read';
import { firstBootPackages, offSegment, FIRST_BOOT_WHY } from './packages';

/**
 * A source given by host name needs a resolver: outside nat mode `network.dns` defaults to none,
 * and a VM that cannot resolve its mirror installs nothing (cloud-init ends in error, nothing
 * serves). A mirror or proxy given by IP address needs no resolver. A DNS server off the segment
 * of a lab without a way out is left to `packages-route`, which refuses the route itself.
 */
export const packagesResolverRule: LabRule = {
  id: 'packages-resolver',
  check: (input, report) => {
    const needs = firstBootPackages(input);
    if (!needs) return;
    // With no DNS server at all every named source is reported here, reachable or not yet (the
    // route to it is packages-route's): both problems at once, not one after the other's fix.
    const named = needs.sources.filter((s) => parseIpv4(s.host) === undefined && (needs.wayOut || !offSegment(s, needs.subnet) || needs.dns.length === 0));
    if (named.length === 0) return;
    const hosts = [...new Set(named.map((s) => s.host))].join(', ');
    const why = `${FIRST_BOOT_WHY}, and resolves ${hosts} to do so`;
    const reachable = needs.dns.filter((server) => {
      const address = parseIpv4(server);
      return address !== undefined && (needs.wayOut || subnetHolds(needs.subnet, address));
    });
    if (needs.dns.length === 0) {
      report('network.dns', needs.dnsGiven ? needs.dns : undefined, 'at least one DNS server address the VMs can reach',
        `${why}; ${needs.dnsGiven ? 'network.dns is empty' : 'outside nat mode network.dns defaults to none'} (or give packages.mirror/packages.proxy by IP address, or image.preinstalled: true)`);
    } else if (reachable.length === 0) {
      const cidr = `${formatIpv4(needs.subnet.networkAddress)}/${needs.subnet.prefixLength}`;
      report('network.dns', needs.dns, `a DNS server on the lab segment (inside ${cidr})`,
        `${why}, and with no network.gateway the VMs reach nothing off the segment`);
    }
  },
};
