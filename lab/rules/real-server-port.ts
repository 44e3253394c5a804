import { type LabRule, join, isIntegerIn, entries, portsOf } from './read';

/** A real server's `port`, when given, must equal the port of every service it belongs to. */
export const realServerPortRule: LabRule = {
  id: 'real-server-port',
  check: (input, report) => {
    const services = entries(input, 'services');
    for (const rs of entries(input, 'realServers')) {
      if (!isIntegerIn(rs.port, 1, 65535)) continue;
      for (const service of services) {
        const belongs = !Array.isArray(service.realServers) || service.realServers.includes(rs.name);
        const port = portsOf(service)[0];
        if (belongs && port !== undefined && port !== rs.port) {
          report(join(rs.at, 'port'), rs.port, `${port}, the ${Array.isArray(service.ports) ? 'first ' : ''}port of ${service.at} it belongs to`,
            'DR forwards packets unchanged (only the MAC is rewritten), so it cannot remap ports');
        }
      }
    }
  },
};
