import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { noCloudSeedFiles, renderSeedIso } from '../../cloud-init';
import { isoFile, isoJolietNames } from '../helpers/seed';
import { requireTool } from '../helpers/tools';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-seed-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function writeIso(image: Buffer): string {
  const file = path.join(tmp, `seed-${n++}.iso`);
  fs.writeFileSync(file, image);
  return file;
}

function tool(name: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(requireTool(name, name === 'blkid' ? 'util-linux' : 'genisoimage'), args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// A user-data larger than one 2048-byte sector, with non-ASCII text and shell `${…}`.
const userData = `#cloud-config\nhostname: director-1\nwrite_files:\n  - path: /x\n    content: "é ${'${1:-UNKNOWN}'} ${'x'.repeat(5000)}"\n`;
const metaData = 'instance-id: director-1-0123456789ab\nlocal-hostname: director-1\n';
const networkConfig = 'version: 2\nethernets:\n  lab0:\n    match: { macaddress: "52:54:00:00:00:01" }\n';
const seed = () => renderSeedIso(noCloudSeedFiles({ userData, metaData, networkConfig }));

describe('renderSeedIso: a NoCloud seed that real ISO 9660 tools read back', () => {
  const iso = writeIso(seed());

  test('is a whole number of 2048-byte sectors', () => {
    expect(fs.statSync(iso).size % 2048).toBe(0);
  });

  test('isovfy finds no errors', () => {
    const r = tool('isovfy', [iso]);
    expect(r.out).toContain('No errors found');
    expect(r.status).toBe(0);
  });

  test("blkid sees an iso9660 filesystem labelled cidata (what cloud-init's NoCloud looks for)", () => {
    const r = tool('blkid', ['-p', '-o', 'export', iso]);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^TYPE=iso9660$/m);
    expect(r.out).toMatch(/^LABEL=cidata$/m);
  });

  test('isoinfo reports volume id cidata and a Joliet tree', () => {
    const r = tool('isoinfo', ['-d', '-i', iso]);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^Volume id: cidata$/m);
    expect(r.out).toContain('Joliet with UCS level 3 found');
  });

  test('the Joliet tree holds user-data, meta-data and network-config byte for byte', () => {
    expect(isoJolietNames(iso)).toEqual(['meta-data', 'network-config', 'user-data']);
    expect(isoFile(iso, 'user-data')).toBe(userData);
    expect(isoFile(iso, 'meta-data')).toBe(metaData);
    expect(isoFile(iso, 'network-config')).toBe(networkConfig);
  });

  test('the primary tree carries level-1 8.3 names for readers without Joliet', () => {
    const r = tool('isoinfo', ['-f', '-i', iso]);
    expect(r.out.split('\n').filter(Boolean).sort()).toEqual(['/META_DAT.;1', '/NETWORK_.;1', '/USER_DAT.;1']);
  });

  test('without network-config the seed holds only user-data and meta-data', () => {
    const only = writeIso(renderSeedIso(noCloudSeedFiles({ userData, metaData })));
    expect(isoJolietNames(only)).toEqual(['meta-data', 'user-data']);
  });

  test('an empty file is stored as an empty file', () => {
    const empty = writeIso(renderSeedIso([{ name: 'meta-data', content: '' }, { name: 'user-data', content: userData }]));
    expect(isoFile(empty, 'meta-data')).toBe('');
    expect(isoFile(empty, 'user-data')).toBe(userData);
  });
});

describe('renderSeedIso is reproducible', () => {
  test('the same files give the same bytes (so the asset hash, and the plan, stay put)', () => {
    expect(seed().equals(seed())).toBe(true);
  });

  test('a one-byte change of user-data changes the image', () => {
    const other = renderSeedIso(noCloudSeedFiles({ userData: `${userData} `, metaData, networkConfig }));
    expect(other.equals(seed())).toBe(false);
  });
});

describe('renderSeedIso fails when', () => {
  test('the volume id is not 1-32 letters, digits or _', () => {
    expect(() => renderSeedIso(noCloudSeedFiles({ userData, metaData }), { volumeId: 'ci data' })).toThrow(
      "volumeId: got 'ci data', expected 1-32 letters, digits or '_'",
    );
  });

  test('there are no files', () => {
    expect(() => renderSeedIso([])).toThrow('files: got none, expected at least one');
  });

  test('a name has characters outside [A-Za-z0-9._-] or appears twice, reporting both at once', () => {
    expect(() =>
      renderSeedIso([
        { name: 'user data', content: '' },
        { name: 'meta-data', content: '' },
        { name: 'meta-data', content: '' },
      ]),
    ).toThrow(/files\[0\]\.name: got 'user data'.*; files\[2\]\.name: 'meta-data' appears twice/);
  });

  test('two names collapse to the same 8.3 name', () => {
    expect(() => renderSeedIso([{ name: 'user-data-1', content: '' }, { name: 'user-data-2', content: '' }])).toThrow(
      /collide as ISO 9660 names: USER_DAT\.;1, USER_DAT\.;1/,
    );
  });
});
