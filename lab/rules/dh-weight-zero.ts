import { type LabRule, join, entries } from './read';

/**
 * dh with servers at weight 0: dh hashes the VIP, so every client of the service lands in one
 * bucket, and ip_vs_dh_schedule has no fallback when that bucket names a server at weight 0
 * (inhibit_on_failure after a failed check, or drained): IPVS refuses every client. (sh has
 * sh-fallback, which the renderer always sets; the other schedulers skip weight 0.)
 */
export const dhWeightZeroRule: LabRule = {
  id: 'dh-weight-zero',
  check: (input, report) => {
    const why = 'dh sends every client of the VIP to the one server its hash names and cannot fall back: when that server is at weight 0 IPVS refuses them all';
    const realServers = entries(input, 'realServers');
    for (const service of entries(input, 'services')) {
      if (service.scheduler !== 'dh') continue;
      if (service.inhibitOnFailure === true) {
        report(join(service.at, 'inhibitOnFailure'), true, 'false with scheduler dh (a failed server is then removed, and dh rehashes over the others), or another scheduler', why);
      }
      const members = realServers.filter((rs) => !Array.isArray(service.realServers) || service.realServers.includes(rs.name));
      const drained = members.filter((rs) => rs.weight === 0);
      if (drained.length > 0 && drained.length < members.length) {
        report(join(service.at, 'realServers'), members.map((rs) => rs.name),
          `real servers with a weight above 0 with scheduler dh (${drained.map((rs) => `${String(rs.name)} has weight 0`).join(', ')}), or another scheduler`, why);
      }
    }
  },
};
