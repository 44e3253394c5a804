/**
 * The NoCloud seed image: an ISO 9660 filesystem labelled `cidata` holding `user-data`,
 * `meta-data` and `network-config`, with Joliet names so the files keep their lower-case,
 * hyphenated names when the guest mounts it.
 *
 * Written here rather than by the provider's `libvirt_cloudinit_disk`: provider 0.8.3 reads
 * that resource back on every plan by streaming the ISO out of libvirt, and its libvirt client
 * intermittently truncates that stream or deadlocks on it, which hangs `cdktf deploy` and
 * `cdktf destroy`. A seed uploaded as a plain volume is never read back.
 *
 * The output is a pure function of the files: fixed timestamps, sorted entries, so the same
 * input always gives the same bytes (and the same asset hash, so a second deploy is a no-op).
 */

const SECTOR = 2048;

// Layout: 16 system sectors, PVD, Joliet SVD, terminator, four path tables, two root
// directories (one sector each), then the files.
const pvdSector = 16;
const svdSector = 17;
const terminatorSector = 18;
const pathTables = { primaryL: 19, primaryM: 20, jolietL: 21, jolietM: 22 };
const primaryRootSector = 23;
const jolietRootSector = 24;
const FIRST_FILE_SECTOR = 25;
const sectorAt = (sector: number) => sector * SECTOR;
/** 2000-01-01 00:00:00 UTC: every timestamp in the image (reproducible output). */
const EPOCH = { year: 2000, month: 1, day: 1 };

export interface SeedFile {
  /** File name in the image root, e.g. `user-data`. */
  readonly name: string;
  readonly content: string | Uint8Array;
}

export interface SeedIsoOptions {
  /** Volume label: NoCloud looks for `cidata`. @default 'cidata' */
  readonly volumeId?: string;
}

/** The files of a NoCloud seed, in the order cloud-init documents them. */
export function noCloudSeedFiles(files: { userData: string; metaData: string; networkConfig?: string }): SeedFile[] {
  return [
    { name: 'user-data', content: files.userData },
    { name: 'meta-data', content: files.metaData },
    ...(files.networkConfig === undefined ? [] : [{ name: 'network-config', content: files.networkConfig }]),
  ];
}

/** Renders an ISO 9660 image (primary volume with 8.3 names plus a Joliet tree) of `files`. */
export function renderSeedIso(files: readonly SeedFile[], options: SeedIsoOptions = {}): Buffer {
  const volumeId = options.volumeId ?? 'cidata';
  checkInputs(files, volumeId);

  const entries = files.map((f) => ({
    joliet: f.name,
    primary: primaryName(f.name),
    data: typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content),
  }));
  const primaryNames = new Set(entries.map((e) => e.primary));
  if (primaryNames.size !== entries.length) {
    throw new Error(`seed ISO: file names collide as ISO 9660 names: ${entries.map((e) => e.primary).join(', ')}`);
  }

  let next = FIRST_FILE_SECTOR;
  const placed = entries.map((e) => {
    const sector = next;
    next += Math.max(1, Math.ceil(e.data.length / SECTOR));
    return { ...e, sector };
  });
  const totalSectors = next;

  const image = Buffer.alloc(totalSectors * SECTOR);
  const at = (sector: number) => sector * SECTOR;

  const primaryRoot = directory(
    primaryRootSector,
    [...placed].sort((a, b) => compare(a.primary, b.primary)).map((e) => ({ id: Buffer.from(e.primary, 'ascii'), ...e })),
  );
  const jolietRoot = directory(
    jolietRootSector,
    [...placed].sort((a, b) => compare(a.joliet, b.joliet)).map((e) => ({ id: ucs2(e.joliet), ...e })),
  );
  if (primaryRoot.length > SECTOR || jolietRoot.length > SECTOR) {
    throw new Error('seed ISO: too many files for a one-sector root directory');
  }
  primaryRoot.copy(image, at(primaryRootSector));
  jolietRoot.copy(image, at(jolietRootSector));

  writeDescriptors(image, volumeId, totalSectors);

  for (const e of placed) e.data.copy(image, at(e.sector));
  return image;
}

/** The path tables, the primary and Joliet volume descriptors and the set terminator, into `image`. */
function writeDescriptors(image: Buffer, volumeId: string, totalSectors: number): void {
  const pathTableSize = 10;
  pathTable(primaryRootSector, 'le').copy(image, sectorAt(pathTables.primaryL));
  pathTable(primaryRootSector, 'be').copy(image, sectorAt(pathTables.primaryM));
  pathTable(jolietRootSector, 'le').copy(image, sectorAt(pathTables.jolietL));
  pathTable(jolietRootSector, 'be').copy(image, sectorAt(pathTables.jolietM));

  volumeDescriptor({
    type: 1,
    volumeId: Buffer.from(volumeId.padEnd(32, ' '), 'ascii'),
    systemId: Buffer.from('LINUX'.padEnd(32, ' '), 'ascii'),
    totalSectors,
    pathTableSize,
    pathTableL: pathTables.primaryL,
    pathTableM: pathTables.primaryM,
    root: dirRecord(Buffer.from([0]), primaryRootSector, SECTOR, true),
    text: (n) => Buffer.from(''.padEnd(n, ' '), 'ascii'),
  }).copy(image, sectorAt(pvdSector));

  volumeDescriptor({
    type: 2,
    volumeId: padUcs2(volumeId, 32),
    systemId: padUcs2('LINUX', 32),
    totalSectors,
    pathTableSize,
    pathTableL: pathTables.jolietL,
    pathTableM: pathTables.jolietM,
    root: dirRecord(Buffer.from([0]), jolietRootSector, SECTOR, true),
    // UCS-2 level 3 escape sequence: this supplementary descriptor is the Joliet one.
    escapes: Buffer.from('%/E', 'ascii'),
    text: (n) => padUcs2('', n),
  }).copy(image, sectorAt(svdSector));

  const terminator = image.subarray(sectorAt(terminatorSector), sectorAt(terminatorSector) + 7);
  terminator[0] = 255;
  terminator.write('CD001', 1, 'ascii');
  terminator[6] = 1;
}

function checkInputs(files: readonly SeedFile[], volumeId: string): void {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_]{1,32}$/.test(volumeId)) {
    problems.push(`volumeId: got '${volumeId}', expected 1-32 letters, digits or '_'`);
  }
  if (files.length === 0) problems.push('files: got none, expected at least one');
  const seen = new Set<string>();
  for (const [i, f] of files.entries()) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(f.name)) {
      problems.push(`files[${i}].name: got '${f.name}', expected 1-64 characters of [A-Za-z0-9._-]`);
    }
    if (seen.has(f.name)) problems.push(`files[${i}].name: '${f.name}' appears twice`);
    seen.add(f.name);
  }
  if (problems.length > 0) throw new Error(`seed ISO: ${problems.join('; ')}`);
}

/** ISO 9660 level 1 name: upper-case d-characters, 8.3, version 1 (`USER_DAT.;1`). */
function primaryName(name: string): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : [name, ''];
  const clean = (s: string, n: number) => s.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, n);
  return `${clean(stem, 8)}.${clean(ext, 3)};1`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ucs2(text: string): Buffer {
  const b = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) b.writeUInt16BE(text.charCodeAt(i), i * 2);
  return b;
}

/** `text` space-padded to `bytes` in UCS-2 (an odd last byte stays 0). */
function padUcs2(text: string, bytes: number): Buffer {
  return Buffer.concat([ucs2(text.padEnd(Math.floor(bytes / 2), ' ')), Buffer.alloc(bytes % 2)]);
}

function both16(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(value, 0);
  b.writeUInt16BE(value, 2);
  return b;
}

function both32(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(value, 0);
  b.writeUInt32BE(value, 4);
  return b;
}

/** 7-byte directory-record date. */
function recordDate(): Buffer {
  return Buffer.from([EPOCH.year - 1900, EPOCH.month, EPOCH.day, 0, 0, 0, 0]);
}

/** 17-byte volume-descriptor date; `unset` is the all-zero "not specified" form. */
function descriptorDate(unset = false): Buffer {
  const b = Buffer.alloc(17);
  if (unset) {
    b.write('0000000000000000', 0, 'ascii');
  } else {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    b.write(`${pad(EPOCH.year, 4)}${pad(EPOCH.month, 2)}${pad(EPOCH.day, 2)}00000000`, 0, 'ascii');
  }
  return b;
}

function dirRecord(id: Buffer, sector: number, size: number, isDirectory: boolean): Buffer {
  const length = 33 + id.length + (id.length % 2 === 0 ? 1 : 0);
  const r = Buffer.alloc(length);
  r[0] = length;
  both32(sector).copy(r, 2);
  both32(size).copy(r, 10);
  recordDate().copy(r, 18);
  r[25] = isDirectory ? 2 : 0;
  both16(1).copy(r, 28);
  r[32] = id.length;
  id.copy(r, 33);
  return r;
}

function directory(sector: number, files: { id: Buffer; sector: number; data: Buffer }[]): Buffer {
  return Buffer.concat([
    dirRecord(Buffer.from([0]), sector, SECTOR, true), // .
    dirRecord(Buffer.from([1]), sector, SECTOR, true), // .. (the root is its own parent)
    ...files.map((f) => dirRecord(f.id, f.sector, f.data.length, false)),
  ]);
}

/** The path table of a volume with only a root directory. */
function pathTable(rootSector: number, endian: 'le' | 'be'): Buffer {
  const t = Buffer.alloc(10);
  t[0] = 1; // identifier length
  if (endian === 'le') {
    t.writeUInt32LE(rootSector, 2);
    t.writeUInt16LE(1, 6);
  } else {
    t.writeUInt32BE(rootSector, 2);
    t.writeUInt16BE(1, 6);
  }
  // identifier 0x00 at 8, padding at 9
  return t;
}

interface DescriptorFields {
  type: 1 | 2;
  volumeId: Buffer;
  systemId: Buffer;
  totalSectors: number;
  pathTableSize: number;
  pathTableL: number;
  pathTableM: number;
  root: Buffer;
  escapes?: Buffer;
  text: (bytes: number) => Buffer;
}

function volumeDescriptor(f: DescriptorFields): Buffer {
  const d = Buffer.alloc(SECTOR);
  d[0] = f.type;
  d.write('CD001', 1, 'ascii');
  d[6] = 1;
  f.systemId.copy(d, 8);
  f.volumeId.copy(d, 40);
  both32(f.totalSectors).copy(d, 80);
  f.escapes?.copy(d, 88);
  both16(1).copy(d, 120); // volume set size
  both16(1).copy(d, 124); // volume sequence number
  both16(SECTOR).copy(d, 128);
  both32(f.pathTableSize).copy(d, 132);
  d.writeUInt32LE(f.pathTableL, 140);
  d.writeUInt32BE(f.pathTableM, 148);
  f.root.copy(d, 156);
  // volume set, publisher, data preparer, application: 128 bytes each
  for (const offset of [190, 318, 446, 574]) f.text(128).copy(d, offset);
  // copyright, abstract, bibliographic file identifiers: 37 bytes each
  for (const offset of [702, 739, 776]) f.text(37).copy(d, offset);
  descriptorDate().copy(d, 813); // creation
  descriptorDate().copy(d, 830); // modification
  descriptorDate(true).copy(d, 847); // expiration
  descriptorDate(true).copy(d, 864); // effective
  d[881] = 1; // file structure version
  return d;
}
