import * as fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LvsDrCluster, LvsDrLabStack } from '../../constructs';
import { Domain } from '../../.gen/providers/libvirt/domain';
import { LabConfigError, loadLab, resolveLabConfig, validateLabConfig, type LabConfig } from '../../lab';
import { App, Testing } from '../../constructs/engine';
import { validLab } from '../helpers/lab-arbitraries';

/*
 * Every name a lab gives a libvirt object, read from the synthesized stack: its domains, its
 * volumes (disks, seeds and the base image), its pool and the pool's directory, its network.
 * libvirt refuses a second object with a name in use, so a collision would fail a deploy
 * halfway, after the first objects exist: within a lab, and between two labs of different names
 * on one host, every name must be distinct. (The properties synthesize whole labs, 10 each: the
 * scheme itself is checked over many more names in __tests__/lab/derive.test.ts.)
 */
let outdir: string;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-names-'));
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function libvirtNames(lab: LabConfig): string[] {
  const app = new App({ outdir });
  const stack = new LvsDrLabStack(app, 'names', { lab });
  const json = JSON.parse(Testing.synth(stack));
  const of = (type: string): Record<string, any>[] => Object.values(json.resource[type] ?? {});
  return [
    ...of('libvirt_domain').map((d) => d.name),
    ...of('libvirt_volume').map((v) => v.name),
    ...of('libvirt_pool').flatMap((p) => [p.name, p.target.path]),
    ...of('libvirt_network').map((n) => n.name),
  ];
}

const duplicates = (names: readonly string[]) => names.filter((name, i) => names.indexOf(name) !== i);
const shared = (a: readonly string[], b: readonly string[]) => a.filter((name) => b.includes(name));

describe('the libvirt names of a lab', () => {
  test('the reference lab: every object has its own name', () => {
    const names = libvirtNames({});
    expect(names.sort()).toEqual([
      '/var/lib/libvirt/images/lvs-lab',
      'lvs-lab--director-1', 'lvs-lab--director-1-cidata.iso', 'lvs-lab--director-1.qcow2',
      'lvs-lab--director-2', 'lvs-lab--director-2-cidata.iso', 'lvs-lab--director-2.qcow2',
      'lvs-lab--rs-1', 'lvs-lab--rs-1-cidata.iso', 'lvs-lab--rs-1.qcow2',
      'lvs-lab--rs-2', 'lvs-lab--rs-2-cidata.iso', 'lvs-lab--rs-2.qcow2',
      'lvs-lab-base.qcow2', 'lvs-lab-net', 'lvs-lab-pool',
    ]);
  });

  test('a VM named base, net or pool takes no name of the lab\'s own objects (the base image volume, ...)', () => {
    const names = libvirtNames({
      realServers: [
        { name: 'base', address: '192.168.20.143' },
        { name: 'net', address: '192.168.20.144' },
        { name: 'pool', address: '192.168.20.145' },
      ],
    });
    expect(duplicates(names)).toEqual([]);
  });

  test('lab "lab" with a VM "a-b" and lab "lab-a" with a VM "b" share no name', () => {
    const first = libvirtNames({ name: 'lab', directors: [{ name: 'a-b', address: '192.168.20.141', priority: 180 }, { name: 'd2', address: '192.168.20.142', priority: 80 }] });
    const second = libvirtNames({ name: 'lab-a', directors: [{ name: 'b', address: '192.168.20.141', priority: 180 }, { name: 'd2', address: '192.168.20.142', priority: 80 }] });
    expect(shared(first, second)).toEqual([]);
  });

  test('property: within a generated lab, whatever its VMs are called, every name is distinct', () => {
    const labs = fc
      .tuple(validLab, fc.constantFrom(undefined, 'base', 'net', 'pool', 'cidata', 'base-qcow2'))
      .map(([lab, name]) => (name === undefined ? lab : { ...lab, directors: [lab.directors![0], { ...lab.directors![1], name }, ...lab.directors!.slice(2)] }))
      .filter((lab) => validateLabConfig(lab).length === 0);
    fc.assert(fc.property(labs, (lab) => expect(duplicates(libvirtNames(lab))).toEqual([])), { numRuns: 10 });
  });

  test('property: two generated labs of different names share no name, even when one lab\'s name runs into the other\'s VM names', () => {
    // GIVEN a lab, and a second lab named "<first lab>-<head>" with a director "<rest>", where
    // "<head>-<rest>" is a VM of the first lab (or any second lab when that VM name has no '-')
    const pairs = fc
      .tuple(validLab, validLab)
      .map(([first, other]) => {
        const vm = first.directors![0].name;
        const cut = vm.indexOf('-');
        if (cut < 0) return [first, { ...other, name: `${first.name}-x` }] as const;
        const director = { ...other.directors![0], name: vm.slice(cut + 1) };
        return [first, { ...other, name: `${first.name}-${vm.slice(0, cut)}`, directors: [director, ...other.directors!.slice(1)] }] as const;
      })
      .filter(([, second]) => validateLabConfig(second).length === 0);

    // THEN no libvirt name of one is a name of the other
    fc.assert(fc.property(pairs, ([first, second]) => expect(shared(libvirtNames(first), libvirtNames(second))).toEqual([])), { numRuns: 10 });
  });
});

describe('the lab a cluster builds', () => {
  test('a resolved lab is taken as it is: the same object, not parsed again', () => {
    const lab = resolveLabConfig({ name: 'resolved' });
    Testing.synthScope((scope) => {
      const cluster = new LvsDrCluster(scope, 'Lab', { resolvedLab: lab });
      expect(cluster.lab).toBe(lab);
      expect(cluster.directors.map((d) => d.name)).toEqual(lab.directors.map((d) => d.name));
    });
  });

  test('a lab file is validated once, from loadLab to the synthesized stack', () => {
    // GIVEN a lab file
    const file = path.join(outdir, 'once.yaml');
    fs.writeFileSync(file, 'name: once-only\nvrrp:\n  virtualRouterId: 7\n');
    const checks = jest.spyOn(jest.requireActual('../../lab/check-schema'), 'checkSchema');
    try {
      // WHEN it is loaded and its lab built and synthesized, as the app does
      const { lab } = loadLab(file);
      const synthesized = Testing.synthScope((scope) => {
        new LvsDrCluster(scope, 'Lab', { resolvedLab: lab });
      });
      // THEN the schema walk ran once, and the stack is the file's lab
      expect(checks).toHaveBeenCalledTimes(1);
      expect(synthesized).toHaveResourceWithProperties(Domain, { name: 'once-only--director-1' });
    } finally {
      checks.mockRestore();
    }
  });

  test('a config is resolved (validated) by the cluster itself', () => {
    Testing.synthScope((scope) => {
      expect(new LvsDrCluster(scope, 'Lab', { name: 'config' }).lab).toEqual(resolveLabConfig({ name: 'config' }));
    });
  });

  test('fails on an invalid config, before any resource exists', () => {
    expect(() => Testing.synthScope((scope) => new LvsDrCluster(scope, 'Lab', { vrrp: { virtualRouterId: 999 } }))).toThrow(LabConfigError);
  });
});
