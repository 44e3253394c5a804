import { type LabRule, join, entries } from './read';

/**
 * A service needs a real server with a weight above 0: with every member drained keepalived
 * refuses the config ("quorum 1 exceeds total weight of real servers 0", --config-test exit 5).
 */
export const serviceWeightRule: LabRule = {
  id: 'service-weight',
  check: (input, report) => {
    const realServers = entries(input, 'realServers');
    for (const service of entries(input, 'services')) {
      const members = realServers.filter((rs) => !Array.isArray(service.realServers) || service.realServers.includes(rs.name));
      const weights = members.map((rs) => rs.weight);
      if (members.length > 0 && weights.every((w) => w === 0)) {
        report(join(service.at, 'realServers'), members.map((rs) => rs.name), 'at least one real server with a weight above 0',
          'keepalived refuses a virtual server whose real servers are all drained (weight 0)');
      }
    }
  },
};
