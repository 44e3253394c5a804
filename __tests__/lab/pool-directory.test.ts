import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveLabConfig, validatePoolDirectory, type LabProblem } from '../../lab';
import { isLocalLibvirt } from '../../lab/pool-directory';

/*
 * The pool directory as it is on this machine (issue "Safe deploys", 5): checked each time the
 * app synthesizes, so a deploy never builds a pool over files the lab did not create, and a
 * destroy never starts when it would stop at them.
 */
const ids = (problems: readonly LabProblem[]) => problems.map((p) => `${p.rule} ${p.path}`);

describe('validatePoolDirectory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-pooldir-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lab = (storagePoolPath: string, libvirtUri = 'qemu:///system') => resolveLabConfig({ name: 'lab2', libvirtUri, storagePoolPath });

  test('accepts a directory that does not exist yet (libvirt creates it), an empty one, and one holding only this lab\'s volumes', () => {
    expect(validatePoolDirectory(lab(path.join(dir, 'new', 'pool')))).toEqual([]);
    expect(validatePoolDirectory(lab(dir))).toEqual([]);
    for (const volume of ['lab2-base.qcow2', 'lab2--rs-1.qcow2', 'lab2--rs-1-cidata.iso', 'lab2--base.qcow2']) fs.writeFileSync(path.join(dir, volume), '');
    expect(validatePoolDirectory(lab(dir))).toEqual([]);
  });

  test('fails when the directory holds a file the lab did not create: names it, says what is allowed and what to do', () => {
    // GIVEN the lab's pool directory with its volumes and a stray file
    fs.writeFileSync(path.join(dir, 'lab2-base.qcow2'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');

    // WHEN checked THEN one problem at storagePoolPath
    const problems = validatePoolDirectory(lab(dir));
    expect(ids(problems)).toEqual(['pool-directory storagePoolPath']);
    expect(problems[0].message).toBe(
      `storagePoolPath: got ${JSON.stringify(dir)}, expected a directory that does not exist yet, is empty, or holds only this lab's volumes (lab2-base.qcow2, lab2--<vm>.qcow2, lab2--<vm>-cidata.iso); ` +
        "it holds notes.txt, which this lab did not create: libvirt would list them as volumes of the lab's pool, and destroy, which removes " +
        'the pool directory, would stop at them; move them out, or choose another storagePoolPath',
    );
  });

  test('fails when the directory holds another lab\'s volumes or a subdirectory, naming at most five entries', () => {
    for (const entry of ['a', 'b', 'c', 'd', 'lab1-base.qcow2', '.hidden']) fs.writeFileSync(path.join(dir, entry), '');
    fs.mkdirSync(path.join(dir, 'sub'));
    const [problem] = validatePoolDirectory(lab(dir));
    expect(problem.message).toContain('it holds .hidden, a, b, c, d and 2 more, which this lab did not create');
  });

  test.each([
    ['lab2-x-base.qcow2', "lab lab2-x's base image"],
    ['lab2-x--rs-1.qcow2', "lab lab2-x's VM disk"],
    ['lab2-x--rs-1-cidata.iso', "lab lab2-x's seed"],
    ['lab2-notes.txt', 'a file that only starts with the lab name'],
    ['lab2--rs-1.raw', 'a file named after a VM, but not a volume the lab creates'],
    ['lab2---x.qcow2', 'no VM name (names have no "--")'],
  ])('fails when the directory holds %s (%s): only the names the lab creates are its own', (entry) => {
    fs.writeFileSync(path.join(dir, 'lab2-base.qcow2'), '');
    fs.writeFileSync(path.join(dir, entry), '');
    const problems = validatePoolDirectory(lab(dir));
    expect(ids(problems)).toEqual(['pool-directory storagePoolPath']);
    expect(problems[0].message).toContain(`it holds ${entry}, which this lab did not create`);
    expect(problems[0].allowed).toBe("a directory that does not exist yet, is empty, or holds only this lab's volumes (lab2-base.qcow2, lab2--<vm>.qcow2, lab2--<vm>-cidata.iso)");
  });

  test('fails when storagePoolPath is a file', () => {
    const file = path.join(dir, 'pool');
    fs.writeFileSync(file, '');
    expect(validatePoolDirectory(lab(file)).map((p) => [p.rule, p.allowed])).toEqual([['pool-directory', 'a directory, or a path that does not exist yet']]);
  });

  test.each([
    ['/etc', 'link/lab', '/etc/lab is inside /etc, a system directory'],
    ['/var/lib/libvirt/images', 'link', '/var/lib/libvirt/images is a shared directory of the host'],
  ])('fails when a symbolic link leads into %s (a system or shared directory)', (target, below, reason) => {
    fs.symlinkSync(target, path.join(dir, 'link'));
    const problems = validatePoolDirectory(lab(path.join(dir, below)));
    expect(ids(problems)).toEqual(['pool-directory storagePoolPath']);
    expect(problems[0].message).toContain(`it leads to ${path.join(target, below.replace(/^link\/?/, ''))} through a symbolic link, and ${reason}`);
  });

  test('checks nothing for a remote libvirt: the directory is on its host, not here', () => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    expect(validatePoolDirectory(lab(dir, 'qemu+ssh://root@kvm-host/system'))).toEqual([]);
  });
});

describe('isLocalLibvirt', () => {
  test.each([
    ['qemu:///system', true],
    ['qemu:///session', true],
    ['qemu+unix:///system?socket=/run/lab/libvirt-sock', true],
    ['qemu+ssh://localhost/system', true],
    ['qemu+ssh://root@kvm-host/system', false],
    ['qemu+tls://kvm-host:16514/system', false],
  ])('%s: %s', (uri, local) => expect(isLocalLibvirt(uri)).toBe(local));
});
