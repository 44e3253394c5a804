import { type LabRule, join, entries } from './read';

/** `sorryServer`: the sorry site is nginx, TCP only. */
export const sorryServerRule: LabRule = {
  id: 'sorry-server',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      if (service.sorryServer === true && service.protocol === 'UDP') {
        report(join(service.at, 'sorryServer'), true, 'false for a UDP service', 'the directors\' sorry site is an nginx web site (TCP)');
      }
    }
  },
};
