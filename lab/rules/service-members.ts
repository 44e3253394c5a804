import { type LabRule, join, entries } from './read';

/** Service members: known real servers, each listed once. */
export const serviceMembersRule: LabRule = {
  id: 'service-members',
  check: (input, report) => {
    const realServers = input.lab.realServers;
    const usable = Array.isArray(realServers);
    const known = entries(input, 'realServers').map((r) => r.name).filter((n): n is string => typeof n === 'string');
    for (const service of entries(input, 'services')) {
      if (!Array.isArray(service.realServers)) continue; // every real server
      const at = join(service.at, 'realServers');
      const seen = new Set<unknown>();
      service.realServers.forEach((name: unknown, i: number) => {
        if (typeof name !== 'string') return;
        if (usable && !known.includes(name)) {
          report(`${at}[${i}]`, name, `the name of a real server (${known.join(', ') || 'none defined'})`);
        } else if (seen.has(name)) report(`${at}[${i}]`, name, 'each real server listed once');
        seen.add(name);
      });
    }
  },
};
