import { isMapping } from '../check-schema';
import { type LabRule, join, isIntegerIn, entries, checkExecutable } from './read';

/** `quorum`: a weight the real servers can reach, hooks with an absolute executable. */
export const quorumRule: LabRule = {
  id: 'quorum',
  check: (input, report) => {
    const realServers = entries(input, 'realServers');
    for (const service of entries(input, 'services')) {
      if (!isMapping(service.quorum)) continue;
      const at = join(service.at, 'quorum');
      const quorum = service.quorum;
      for (const key of ['up', 'down'] as const) checkExecutable(quorum[key], join(at, key), report, '/usr/bin/logger');
      if (isIntegerIn(quorum.weight, 1, 65535) && isIntegerIn(quorum.hysteresis, 0, 65535) && quorum.hysteresis >= quorum.weight) {
        report(join(at, 'hysteresis'), quorum.hysteresis, `less than quorum.weight (${quorum.weight}), i.e. 0-${quorum.weight - 1}`,
          'keepalived lowers a hysteresis of weight or more to weight - 1 (with a warning that fails its config test)');
      }
      const members = realServers.filter((rs) => !Array.isArray(service.realServers) || service.realServers.includes(rs.name));
      const weights = members.map((rs) => rs.weight);
      if (!weights.every((w) => isIntegerIn(w, 0, 65535))) continue;
      const total = (weights as number[]).reduce((sum, w) => sum + w, 0);
      if (isIntegerIn(quorum.weight, 1, 65535) && total > 0 && quorum.weight > total) {
        report(join(at, 'weight'), quorum.weight, `at most ${total}, the sum of the weights of the service's real servers (${members.map((rs) => `${String(rs.name)} ${String(rs.weight)}`).join(', ')})`,
          'keepalived refuses a quorum its real servers can never reach');
      }
    }
  },
};
