import { vmDomainName } from '../derive';
import { MAX_HOSTNAME, MAX_LAB_NAME, NAME_PATTERN } from '../schema';
import { type LabRule, join, vmsOf } from './read';

const isLabName = (name: unknown): name is string =>
  typeof name === 'string' && new RegExp(NAME_PATTERN).test(name) && name.length <= MAX_LAB_NAME;

/** `<lab>--<vm>` is the libvirt domain name: at most 63 characters. */
export const vmNameLengthRule: LabRule = {
  id: 'vm-name-length',
  check: (input, report) => {
    if (!isLabName(input.lab.name)) return;
    for (const vm of vmsOf(input)) {
      if (typeof vm.name !== 'string') continue;
      const domain = vmDomainName(input.lab.name, vm.name);
      if (domain.length > MAX_HOSTNAME) {
        report(join(vm.at, 'name'), vm.name, `a name for which the libvirt domain name "${domain}" is at most ${MAX_HOSTNAME} characters (it is ${domain.length})`);
      }
    }
  },
};
