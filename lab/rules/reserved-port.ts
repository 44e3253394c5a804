import { RESERVED_PORTS, RESERVED_PORTS_TEXT } from '../schema';
import { type LabRule, section, join, entries } from './read';

/** `port`/`ports`: none the lab itself listens on (RESERVED_PORTS). */
export const reservedPortRule: LabRule = {
  id: 'reserved-port',
  check: (input, report) => {
    const allowed = `a port the lab does not use itself: not ${RESERVED_PORTS_TEXT}`;
    const syncOn = section(input.lab.vrrp).connectionSync !== false;
    for (const service of entries(input, 'services')) {
      const protocol = service.protocol === 'UDP' ? 'UDP' : 'TCP';
      const at = Array.isArray(service.ports) ? (i: number) => `${join(service.at, 'ports')}[${i}]` : () => join(service.at, 'port');
      const ports = Array.isArray(service.ports) ? service.ports : [service.port];
      ports.forEach((port: unknown, i: number) => {
        const reserved = RESERVED_PORTS.find((r) => r.port === port && r.protocol === protocol && (syncOn || !r.withConnectionSync));
        if (!reserved) return;
        const why = reserved.protocol === 'TCP'
          ? `the real servers' nginx cannot bind a port the VMs already listen on (the demo service dies on every port) and the VIP would balance ${reserved.what.split(' on ')[0]} to the real servers` +
            (service.sorryServer === true ? ", and the directors' sorry site would not start either" : '')
          : `the VIP's packets on it would reach ${reserved.what.split(',')[0]}` +
            (reserved.withConnectionSync ? '; turn vrrp.connectionSync off to use it' : '');
        report(at(i), port, allowed, why);
      });
    }
  },
};
