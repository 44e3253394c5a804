import { type LabRule, list, join, entries, rawServiceOf, isPort } from './read';

/** `ports` instead of `port`: never both, each port once. */
export const servicePortsRule: LabRule = {
  id: 'service-ports',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      const raw = rawServiceOf(input, service);
      if (raw.ports === undefined) continue;
      if (raw.port !== undefined) {
        report(join(service.at, 'port'), raw.port, 'no port with ports', 'ports replaces port: its first port is the service\'s port');
      }
      const seen = new Set<number>();
      list(raw.ports).forEach((port, i) => {
        if (!isPort(port)) return;
        if (seen.has(port)) report(`${join(service.at, 'ports')}[${i}]`, port, 'each port listed once');
        seen.add(port);
      });
    }
  },
};
