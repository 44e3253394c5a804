import { labMacAddress } from '../derive';
import { type LabRule, join, vmsOf } from './read';

/** Derived MACs (sha256 of `<lab>/<vm>`, 24 bits) must differ within the lab. */
export const macCollisionRule: LabRule = {
  id: 'mac-collision',
  check: (input, report) => {
    const name = input.lab.name;
    if (typeof name !== 'string') return;
    const seen = new Map<string, string>();
    for (const vm of vmsOf(input)) {
      if (typeof vm.name !== 'string') continue;
      const mac = labMacAddress(name, vm.name);
      const first = seen.get(mac);
      if (first && first !== vm.name) {
        report(join(vm.at, 'name'), vm.name, `a name whose derived MAC differs from ${first}'s (both are ${mac})`, 'rename either VM');
      } else seen.set(mac, vm.name);
    }
  },
};
