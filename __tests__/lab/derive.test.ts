import * as fc from 'fast-check';
import { vmDomainName } from '../../lab';
import { labName, vmName } from '../helpers/lab-arbitraries';

describe('vmDomainName', () => {
  test('joins the lab and VM names with "--", which neither name may contain', () => {
    expect(vmDomainName('lvs-lab', 'director-1')).toBe('lvs-lab--director-1');
  });

  test('property: the VM "<x>-<vm>" of lab "<lab>" and the VM "<vm>" of lab "<lab>-<x>" get different domain names', () => {
    // With a single '-' between them both were "<lab>-<x>-<vm>": a second lab's domain collided with the first's.
    fc.assert(
      fc.property(labName, vmName, vmName, (lab, x, vm) => {
        expect(vmDomainName(lab, `${x}-${vm}`)).not.toBe(vmDomainName(`${lab}-${x}`, vm));
      }),
      { numRuns: 500 },
    );
  });

  test('property: the domain name gives back the lab and VM names it was made of', () => {
    fc.assert(
      fc.property(labName, vmName, (lab, vm) => {
        const [labPart, ...rest] = vmDomainName(lab, vm).split('--');
        expect([labPart, rest.join('--')]).toEqual([lab, vm]);
      }),
      { numRuns: 500 },
    );
  });
});
