import { formatIpv4 } from '../ipv4';
import { DEBIAN_SECURITY_ARCHIVE } from '../derive';
import { type LabRule, section } from './read';
import { IMAGE_SOURCES_HOST, firstBootPackages, offSegment, FIRST_BOOT_WHY } from './packages';

/**
 * Without a gateway (isolated mode, or a bridge without `network.gateway`) the VMs reach nothing
 * off the lab segment, so the packages they install at first boot can only come from a mirror
 * or proxy on it.
 */
export const packagesRouteRule: LabRule = {
  id: 'packages-route',
  check: (input, report) => {
    const needs = firstBootPackages(input);
    if (!needs || needs.wayOut) return;
    const network = section(input.lab.network);
    const cidr = `${formatIpv4(needs.subnet.networkAddress)}/${needs.subnet.prefixLength}`;
    const onSegment = `packages.mirror or packages.proxy at an address on the lab segment (inside ${cidr})`;
    const noWayOut = network.mode === 'isolated'
      ? 'an isolated network has no way out'
      : 'without network.gateway the VMs have no route off the segment';
    for (const source of needs.sources.filter((s) => offSegment(s, needs.subnet))) {
      if (source.value !== undefined) {
        report(source.at, source.value, `an address on the lab segment (inside ${cidr})`, `${FIRST_BOOT_WHY}, and ${noWayOut}`);
      } else if (source.at === 'packages.securityMirror') {
        report(source.at, undefined, `a security mirror on the lab segment (inside ${cidr})`,
          `${FIRST_BOOT_WHY}; packages.mirror's path does not end in /debian, so the security archive defaults to ${DEBIAN_SECURITY_ARCHIVE}, and ${noWayOut}`);
      } else if (network.mode === 'isolated') {
        report('network.mode', network.mode, `nat or bridge; or, to stay isolated, image.preinstalled: true, ${onSegment}, or network.gateway: a router on the segment`,
          `${FIRST_BOOT_WHY} from the image's own sources (${IMAGE_SOURCES_HOST}), and ${noWayOut}`);
      } else {
        report('network.gateway', undefined, `the address of the segment's router (inside ${cidr}); or image.preinstalled: true, or ${onSegment}`,
          `${FIRST_BOOT_WHY} from the image's own sources (${IMAGE_SOURCES_HOST}), and ${noWayOut}`);
      }
    }
  },
};
