import { type Loose, type LabRule, join, entries, isPort, portsOf, tlsPortsOf } from './read';

/** `tlsPorts`: TCP only, ports of the service, each once; a port is TLS on every service of a real server or on none. */
export const tlsPortsRule: LabRule = {
  id: 'tls-ports',
  check: (input, report) => {
    const services = entries(input, 'services');
    for (const service of services) {
      if (!Array.isArray(service.tlsPorts)) continue;
      const at = join(service.at, 'tlsPorts');
      if (service.protocol === 'UDP') {
        report(at, service.tlsPorts, 'no tlsPorts on a UDP service', 'TLS runs over TCP');
        continue;
      }
      const ports = portsOf(service);
      const seen = new Set<number>();
      service.tlsPorts.forEach((port: unknown, i: number) => {
        if (!isPort(port)) return;
        if (ports.length > 0 && !ports.includes(port)) report(`${at}[${i}]`, port, `one of the service's ports (${ports.join(', ')})`);
        else if (seen.has(port)) report(`${at}[${i}]`, port, 'each port listed once');
        seen.add(port);
      });
    }
    // One nginx per real server (and one sorry site per director): a port cannot be HTTPS for
    // one service and plain for another on the same VMs.
    const members = (s: Loose) => (Array.isArray(s.realServers) ? s.realServers : entries(input, 'realServers').map((r) => r.name));
    const tcp = services.filter((s) => s.protocol !== 'UDP');
    tcp.forEach((service, i) => {
      for (const other of tcp.slice(0, i)) {
        const bothSorry = service.sorryServer === true && other.sorryServer === true;
        if (!bothSorry && !members(service).some((name: unknown) => members(other).includes(name))) continue;
        const mine = tlsPortsOf(service);
        const theirs = tlsPortsOf(other);
        for (const port of portsOf(service).filter((p) => portsOf(other).includes(p))) {
          if (mine.includes(port) !== theirs.includes(port)) {
            report(join(service.at, 'tlsPorts'), service.tlsPorts, `port ${port} ${theirs.includes(port) ? 'in' : 'not in'} tlsPorts, as in ${other.at}`,
              `both services share ${bothSorry ? 'the directors\' sorry site' : 'real servers'}, whose one nginx speaks ${theirs.includes(port) ? 'HTTPS' : 'plain http'} on port ${port}`);
          }
        }
      }
    });
  },
};
