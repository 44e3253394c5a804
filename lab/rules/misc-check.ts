import { MISC_CHECK_ARG_PATTERN } from '../../cloud-init/keepalived-limits';
import { isMapping } from '../check-schema';
import { type LabRule, join, entries, checkExecutable } from './read';

/** `miscCheck.command`: an absolute executable (placeholders only in its arguments). */
export const miscCheckRule: LabRule = {
  id: 'misc-check',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      if (!isMapping(service.miscCheck)) continue;
      checkExecutable(service.miscCheck.command, join(service.at, 'miscCheck.command'), report, '/usr/bin/curl', MISC_CHECK_ARG_PATTERN);
    }
  },
};
