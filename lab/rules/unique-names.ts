import { type LabRule, join, type Vm, vmsOf, DR_SEPARATE_HOSTS } from './read';

/** VM names are unique; a director may not double as a real server. */
export const uniqueNamesRule: LabRule = {
  id: 'unique-names',
  check: (input, report) => {
    const seen = new Map<string, Vm>();
    for (const vm of vmsOf(input)) {
      if (typeof vm.name !== 'string') continue;
      const first = seen.get(vm.name);
      if (!first) seen.set(vm.name, vm);
      else if (first.kind !== vm.kind) {
        report(join(vm.at, 'name'), vm.name, `a real server that is not also a director (${first.at}.name)`, DR_SEPARATE_HOSTS);
      } else report(join(vm.at, 'name'), vm.name, `a name no other VM has (${first.at}.name has it)`);
    }
  },
};
