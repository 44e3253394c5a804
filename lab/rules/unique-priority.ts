import { PRIORITY_MAX, PRIORITY_MIN } from '../../cloud-init/keepalived-limits';
import { type LabRule, join, isIntegerIn, entries } from './read';

/** Priorities are distinct, so the initial MASTER is unambiguous. */
export const uniquePriorityRule: LabRule = {
  id: 'unique-priority',
  check: (input, report) => {
    const seen = new Map<number, string>();
    for (const director of entries(input, 'directors')) {
      if (!isIntegerIn(director.priority, PRIORITY_MIN, PRIORITY_MAX)) continue;
      const at = join(director.at, 'priority');
      const first = seen.get(director.priority);
      if (first) report(at, director.priority, `a priority no other director has (${first} has it)`, 'the initial MASTER must be unambiguous');
      else seen.set(director.priority, at);
    }
  },
};
