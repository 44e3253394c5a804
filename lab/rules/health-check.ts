import { defaultCheckPort, defaultCheckType } from '../derive';
import { type LabRule, section, list, join, entries, rawServiceOf, isPort, portsOf, tlsPortsOf } from './read';

/**
 * Health checks: path/statusCode only with http/https; timers and port not with none; a UDP
 * service can only have none (a TCP connect or an HTTP GET cannot probe it, and the demo real
 * servers have no UDP responder: any other check removes every real server). The port is one of
 * the service's; https checks a TLS port, http a plain one.
 */
export const healthCheckRule: LabRule = {
  id: 'health-check',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      const given = section(rawServiceOf(input, service).healthCheck);
      const at = join(service.at, 'healthCheck');
      const protocol = service.protocol === 'UDP' ? 'UDP' : 'TCP';
      const type = given.type ?? defaultCheckType(protocol);
      if (typeof type !== 'string' || !['tcp', 'http', 'https', 'none'].includes(type)) continue;
      if (type !== 'http' && type !== 'https') {
        for (const key of ['path', 'statusCode'] as const) {
          if (given[key] !== undefined) report(join(at, key), given[key], `no ${key} with a ${type} check`, 'it only applies to types http and https');
        }
      }
      if (service.protocol === 'UDP' && type !== 'none') {
        report(join(at, 'type'), type, 'none for a UDP service', 'TCP and HTTP checks cannot probe a UDP service');
      }
      if (type === 'none') {
        for (const key of ['connectTimeoutSec', 'retry', 'delayBeforeRetrySec', 'port'] as const) {
          if (given[key] !== undefined) report(join(at, key), given[key], `no ${key} with type none`, 'there is no active check to time');
        }
        continue;
      }
      const ports = portsOf(service);
      const tlsPorts = tlsPortsOf(service).filter((p) => ports.includes(p));
      if (given.port !== undefined && isPort(given.port) && ports.length > 0 && !ports.includes(given.port)) {
        report(join(at, 'port'), given.port, `one of the service's ports (${ports.join(', ')})`, 'the check probes the service on the real servers');
        continue;
      }
      if (ports.length === 0 || (given.port !== undefined && !isPort(given.port))) continue;
      if (type === 'https' && tlsPorts.length === 0) {
        report(join(at, 'type'), type, `an https check only on a service with tlsPorts (this one has ${list(service.tlsPorts).length > 0 ? 'none among its ports' : 'none'})`,
          'the real servers speak HTTPS only on tlsPorts');
        continue;
      }
      const port = isPort(given.port) ? given.port : defaultCheckPort(type as 'tcp' | 'http' | 'https', ports, tlsPorts);
      const where = given.port !== undefined ? join(at, 'port') : join(at, 'type');
      const shown = given.port !== undefined ? port : type;
      if (type === 'https' && !tlsPorts.includes(port)) {
        report(where, shown, `a port of tlsPorts (${tlsPorts.join(', ')}) for an https check`, `port ${port} is plain http on the real servers`);
      } else if (type === 'http' && tlsPorts.includes(port)) {
        report(where, shown, `for an http check, a port not in tlsPorts (${ports.filter((p) => !tlsPorts.includes(p)).join(', ') || 'none'}); or type https`,
          `port ${port} speaks HTTPS on the real servers`);
      }
    }
  },
};
