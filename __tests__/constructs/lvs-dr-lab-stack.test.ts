import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from '../../constructs/engine';
import { Domain } from '../../.gen/providers/libvirt/domain';
import { Network } from '../../.gen/providers/libvirt/network';
import { Pool } from '../../.gen/providers/libvirt/pool';
import { Volume } from '../../.gen/providers/libvirt/volume';
import { renderDirectorUserData, renderRealServerUserData } from '../../cloud-init';
import { LvsDrCluster, LvsDrLabStack, type LvsDrClusterProps } from '../../constructs';
import { directorUserDataModel, realServerUserDataModel, resolveLabConfig } from '../../lab';
import { roundTripFailures } from '../helpers/round-trip';
import { isoJolietNames, seedDocuments, seedFiles, seedIsoPath, synthToDisk } from '../helpers/seed';
import { terraform } from '../helpers/terraform';

interface SynthJson {
  terraform: { required_providers: Record<string, { source: string; version: string }> };
  provider: { libvirt: { uri: string }[] };
  resource: Record<string, Record<string, Record<string, any>>>;
  output: Record<string, { value: unknown }>;
}

/** The stack of `lab`, synthesized: as text for cdktf's matchers. */
function synthText(lab: LvsDrClusterProps = {}): string {
  const app = Testing.app();
  return Testing.synth(new LvsDrLabStack(app, 'test', { lab }));
}

function synth(lab: LvsDrClusterProps = {}): SynthJson {
  return JSON.parse(synthText(lab)) as SynthJson;
}

const resources = (json: SynthJson, type: string) => Object.values(json.resource[type] ?? {});
/** The NoCloud seed volumes (LabVm names them `<domain>-cidata.iso`). */
const seedVolumes = (json: SynthJson) => resources(json, Volume.tfResourceType).filter((v) => v.name.endsWith('-cidata.iso'));

describe('LvsDrLabStack with the default (reference) lab', () => {
  // GIVEN no lab config WHEN synthesized
  const json = synth();

  test('pins provider dmacvicar/libvirt to exactly 0.8.3', () => {
    expect(json.terraform.required_providers.libvirt).toEqual({ source: 'dmacvicar/libvirt', version: '0.8.3' });
    expect(json.provider.libvirt).toEqual([{ uri: 'qemu:///system' }]);
  });

  test('creates 4 domains, each with its own NoCloud seed volume: two directors, two real servers', () => {
    const domains = resources(json, Domain.tfResourceType);
    expect(domains.map((d) => d.name).sort()).toEqual([
      'lvs-lab--director-1',
      'lvs-lab--director-2',
      'lvs-lab--rs-1',
      'lvs-lab--rs-2',
    ]);
    const seeds = seedVolumes(json);
    expect(seeds.map((v) => v.name).sort()).toEqual([
      'lvs-lab--director-1-cidata.iso',
      'lvs-lab--director-2-cidata.iso',
      'lvs-lab--rs-1-cidata.iso',
      'lvs-lab--rs-2-cidata.iso',
    ]);
    for (const seed of seeds) {
      expect(seed).toMatchObject({ pool: expect.stringMatching(/libvirt_pool\..*\.name/), format: 'iso' });
      expect(seed.source).toMatch(/^assets\/.*\/[0-9A-F]{32}\/lvs-lab--.*-cidata\.iso$/);
    }
    // Provider 0.8.3's cloud-init disk is never used: its refresh streams the ISO back and hangs.
    expect(json.resource.libvirt_cloudinit_disk).toBeUndefined();
  });

  test('every domain runs the kvm type with a serial console, a fixed MAC and a COW disk', () => {
    for (const domain of resources(json, Domain.tfResourceType)) {
      expect(domain.type).toBe('kvm');
      expect(domain.vcpu).toBe(1);
      expect(domain.memory).toBe(512);
      expect(domain.console[0]).toEqual({ type: 'pty', target_type: 'serial', target_port: '0' });
      expect(domain.network_interface[0].mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
      expect(domain.network_interface[0].network_id).toMatch(/libvirt_network\..*\.id/);
      expect(domain.disk).toEqual([
        { volume_id: expect.stringMatching(/^\$\{libvirt_volume\..*_vm_disk_.*\.id\}$/) },
        { volume_id: expect.stringMatching(/^\$\{libvirt_volume\..*_vm_seed_.*\.id\}$/) },
      ]);
      expect(domain.cloudinit).toBeUndefined();
    }
  });

  test('domain and disk are marked for replacement whenever their seed is replaced (cloud-init only runs on first boot)', () => {
    for (const domain of resources(json, Domain.tfResourceType)) {
      const seedRef = /^\$\{(libvirt_volume\.[^.]+)\.id\}$/.exec(domain.disk[1].volume_id)![1];
      expect(domain.lifecycle.replace_triggered_by).toEqual([seedRef]);
    }
    const disks = resources(json, Volume.tfResourceType).filter((v) => v.base_volume_id);
    expect(disks).toHaveLength(4);
    for (const disk of disks) {
      expect(disk.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^libvirt_volume\..*_vm_seed_/)]);
    }
  });

  test('a changed user-data changes the seed source (so terraform replaces seed, disk and domain)', () => {
    const other = synth({ vrrp: { advertIntSec: 2 } });
    const seedSources = (j: SynthJson) => Object.fromEntries(seedVolumes(j).map((v) => [v.name, v.source]));
    const before = seedSources(json);
    const after = seedSources(other);
    // directors' keepalived.conf changed; real servers' seeds did not
    expect(after['lvs-lab--director-1-cidata.iso']).not.toBe(before['lvs-lab--director-1-cidata.iso']);
    expect(after['lvs-lab--rs-1-cidata.iso']).toBe(before['lvs-lab--rs-1-cidata.iso']);
    // and the same config always gives the same seed (a second deploy changes nothing)
    expect(seedSources(synth())).toEqual(before);
  });

  test('one NAT network for 192.168.20.0/24 with DHCP off, one pool, one base volume', () => {
    const synthesized = synthText();
    expect(synthesized).toHaveResourceWithProperties(Network, { name: 'lvs-lab-net', mode: 'nat', addresses: ['192.168.20.0/24'], dhcp: { enabled: false } });
    expect(synthesized).toHaveResourceWithProperties(Pool, { name: 'lvs-lab-pool', type: 'dir', target: { path: '/var/lib/libvirt/images/lvs-lab' } });
    expect(synthesized).toHaveResourceWithProperties(Volume, {
      name: 'lvs-lab-base.qcow2', format: 'qcow2', source: 'https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2',
    });
    // and only one of each
    expect([Network, Pool].map((type) => resources(json, type.tfResourceType).length)).toEqual([1, 1]);
  });

  test('seed ISOs written by synth carry exactly the rendered user-data, network-config and a content-derived instance-id', () => {
    const out = synthToDisk((app) => new LvsDrLabStack(app, 'lvs-dr-lab', { lab: {} }));
    try {
      const lab = resolveLabConfig({});
      const director1 = seedFiles(out, 'lvs-lab--director-1');
      expect(director1.userData).toBe(renderDirectorUserData(directorUserDataModel(lab, lab.directors[0])));
      expect(director1.userData).toContain('${1:-UNKNOWN}');
      expect(director1.networkConfig).toContain('192.168.20.141/24');
      expect(director1.metaData).toMatch(/instance-id: lvs-lab--director-1-[0-9a-f]{12}/);
      const rs1 = seedFiles(out, 'lvs-lab--rs-1');
      expect(rs1.userData).toBe(renderRealServerUserData(realServerUserDataModel(lab, lab.realServers[0])));
      expect(rs1.networkConfig).toContain('192.168.20.143/24');
      expect(isoJolietNames(seedIsoPath(out, 'lvs-lab--rs-1'))).toEqual(['meta-data', 'network-config', 'user-data']);
      // and cloud-init's own YAML loader reads every VM's seed as exactly the object rendered
      expect(roundTripFailures(seedDocuments(out, lab))).toEqual([]);
    } finally {
      out.dispose();
    }
  });

  test('outputs the VIP URL, every VM address and ssh commands', () => {
    expect(json.output.vip_urls.value).toEqual(['http://192.168.20.140/']);
    expect(json.output.directors.value).toEqual({ 'director-1': '192.168.20.141', 'director-2': '192.168.20.142' });
    expect(json.output.real_servers.value).toEqual({ 'rs-1': '192.168.20.143', 'rs-2': '192.168.20.144' });
    expect(json.output.ssh_commands.value).toMatchObject({ 'director-1': 'ssh lab@192.168.20.141' });
  });
});

describe('LvsDrCluster options', () => {
  // GIVEN a cluster of these options WHEN synthesized in a stack of its own
  const cluster = (lab: LvsDrClusterProps) => Testing.synthScope((scope) => {
    new LvsDrCluster(scope, 'Lab', lab);
  });

  test('isolated mode creates a libvirt network with no host address', () => {
    const synthesized = cluster({ network: { mode: 'isolated', cidr: '10.77.0.0/24' }, image: { preinstalled: true }, directors: [
      { name: 'd1', address: '10.77.0.11', priority: 150 },
      { name: 'd2', address: '10.77.0.12', priority: 100 },
    ], services: [{ vip: '10.77.0.10' }], realServers: [{ name: 'r1', address: '10.77.0.21' }] });
    expect(synthesized).toHaveResourceWithProperties(Network, { name: 'lvs-lab-net', mode: 'none' });
    expect(synthesized).not.toHaveResourceWithProperties(Network, { addresses: expect.anything() });
  });

  test('bridge mode attaches NICs to the host bridge and creates no network', () => {
    const synthesized = cluster({ network: { mode: 'bridge', bridge: 'br-lab', cidr: '192.168.20.0/24' }, image: { preinstalled: true } });
    expect(synthesized).not.toHaveResource(Network);
    expect(synthesized).toHaveResourceWithProperties(Domain, { name: 'lvs-lab--director-1', network_interface: [expect.objectContaining({ bridge: 'br-lab' })] });
    expect(synthesized).toHaveResourceWithProperties(Domain, { name: 'lvs-lab--rs-2', network_interface: [expect.objectContaining({ bridge: 'br-lab' })] });
  });

  test('domainType qemu drops host-passthrough CPU (TCG cannot pass a host CPU through)', () => {
    const synthesized = cluster({ domainType: 'qemu' });
    expect(synthesized).toHaveResourceWithProperties(Domain, { name: 'lvs-lab--director-1', type: 'qemu' });
    expect(synthesized).not.toHaveResourceWithProperties(Domain, { cpu: expect.anything() });
  });

  test('consoleLogDir logs each serial console to a file named after the domain', () => {
    expect(cluster({ consoleLogDir: '/var/log/lab' })).toHaveResourceWithProperties(Domain, {
      name: 'lvs-lab--rs-2', xml: { xslt: expect.stringContaining('<log file="/var/log/lab/lvs-lab--rs-2.log" append="on"/>') },
    });
  });

  test('sizes set vcpu and memory per role', () => {
    const synthesized = cluster({ sizes: { director: { vcpu: 2, memoryMiB: 1024 }, realServer: { memoryMiB: 768 } } });
    expect(synthesized).toHaveResourceWithProperties(Domain, { name: 'lvs-lab--director-1', vcpu: 2, memory: 1024 });
    expect(synthesized).toHaveResourceWithProperties(Domain, { name: 'lvs-lab--rs-1', vcpu: 1, memory: 768 });
  });

  test('fails when the lab config is invalid, before any resource exists', () => {
    const app = Testing.app();
    expect(() => new LvsDrLabStack(app, 'bad', { lab: { vrrp: { virtualRouterId: 999 } } })).toThrow(/vrrp\.virtualRouterId/);
  });
});

describe('the synthesized default stack with the real provider', () => {
  test('passes terraform validate with dmacvicar/libvirt 0.8.3', () => {
    // GIVEN the default stack written out as a terraform working directory
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-synth-'));
    try {
      const app = new App({ outdir });
      new LvsDrLabStack(app, 'lvs-dr-lab', { lab: {} });
      app.synth();
      const stackDir = path.join(outdir, 'stacks', 'lvs-dr-lab');

      // WHEN terraform installs the provider from the mirror and validates
      const init = terraform(stackDir, ['init', '-input=false', '-backend=false', '-no-color']);
      expect(init.output).toContain('dmacvicar/libvirt v0.8.3');
      expect(init.status).toBe(0);
      const validate = terraform(stackDir, ['validate', '-no-color']);

      // THEN it is valid
      expect(validate.output).toContain('The configuration is valid');
      expect(validate.status).toBe(0);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
