import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdktf';
import { CloudinitDisk } from '../../.gen/providers/libvirt/cloudinit-disk';
import { Domain } from '../../.gen/providers/libvirt/domain';
import { Network } from '../../.gen/providers/libvirt/network';
import { Pool } from '../../.gen/providers/libvirt/pool';
import { Volume } from '../../.gen/providers/libvirt/volume';
import { renderDirectorUserData } from '../../cloud-init';
import { LvsDrLabStack, directorUserDataModel, resolveLabConfig, type LvsDrClusterProps } from '../../constructs';
import { terraform } from '../helpers/terraform';

interface SynthJson {
  terraform: { required_providers: Record<string, { source: string; version: string }> };
  provider: { libvirt: { uri: string }[] };
  resource: Record<string, Record<string, Record<string, any>>>;
  output: Record<string, { value: unknown }>;
}

function synth(lab: LvsDrClusterProps = {}): SynthJson {
  const app = Testing.app();
  const stack = new LvsDrLabStack(app, 'test', { lab });
  return JSON.parse(Testing.synth(stack)) as SynthJson;
}

const resources = (json: SynthJson, type: string) => Object.values(json.resource[type] ?? {});

describe('LvsDrLabStack with the default (reference) lab', () => {
  // GIVEN no lab config WHEN synthesized
  const json = synth();

  test('pins provider dmacvicar/libvirt to exactly 0.8.3', () => {
    expect(json.terraform.required_providers.libvirt).toEqual({ source: 'dmacvicar/libvirt', version: '0.8.3' });
    expect(json.provider.libvirt).toEqual([{ uri: 'qemu:///system' }]);
  });

  test('creates 4 domains and 4 cloud-init disks: two directors, two real servers', () => {
    const domains = resources(json, Domain.tfResourceType);
    expect(domains.map((d) => d.name).sort()).toEqual([
      'lvs-lab-director-1',
      'lvs-lab-director-2',
      'lvs-lab-rs-1',
      'lvs-lab-rs-2',
    ]);
    expect(resources(json, CloudinitDisk.tfResourceType)).toHaveLength(4);
  });

  test('every domain runs the kvm type with a serial console, a fixed MAC and a COW disk', () => {
    for (const domain of resources(json, Domain.tfResourceType)) {
      expect(domain.type).toBe('kvm');
      expect(domain.vcpu).toBe(1);
      expect(domain.memory).toBe(512);
      expect(domain.console[0]).toEqual({ type: 'pty', target_type: 'serial', target_port: '0' });
      expect(domain.network_interface[0].mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
      expect(domain.network_interface[0].network_id).toMatch(/libvirt_network\..*\.id/);
      expect(domain.disk[0].volume_id).toMatch(/libvirt_volume\..*\.id/);
      expect(domain.cloudinit).toMatch(/libvirt_cloudinit_disk\..*\.id/);
    }
  });

  test('domain and disk are marked for replacement whenever their cloud-init disk is replaced (cloud-init only runs on first boot)', () => {
    for (const domain of resources(json, Domain.tfResourceType)) {
      expect(domain.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^libvirt_cloudinit_disk\./)]);
    }
    const disks = resources(json, Volume.tfResourceType).filter((v) => v.base_volume_id);
    expect(disks).toHaveLength(4);
    for (const disk of disks) {
      expect(disk.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^libvirt_cloudinit_disk\./)]);
    }
  });

  test('one NAT network for 192.168.20.0/24 with DHCP off, one pool, one base volume', () => {
    const networks = resources(json, Network.tfResourceType);
    expect(networks).toHaveLength(1);
    expect(networks[0]).toMatchObject({ name: 'lvs-lab-net', mode: 'nat', addresses: ['192.168.20.0/24'], dhcp: { enabled: false } });
    expect(resources(json, Pool.tfResourceType)).toEqual([
      expect.objectContaining({ name: 'lvs-lab-pool', type: 'dir', target: { path: '/var/lib/libvirt/images/lvs-lab' } }),
    ]);
    const base = resources(json, Volume.tfResourceType).filter((v) => v.source);
    expect(base).toEqual([expect.objectContaining({ name: 'lvs-lab-base.qcow2', format: 'qcow2' })]);
    expect(base[0].source).toMatch(/debian-12-genericcloud-amd64\.qcow2$/);
  });

  test('cloud-init disks carry the rendered user-data, network-config and a content-derived instance-id', () => {
    const disks = resources(json, CloudinitDisk.tfResourceType);
    const director1 = disks.find((d) => d.name === 'lvs-lab-director-1-cloudinit.iso')!;
    expect(director1.user_data.split('\n')[0]).toBe('#cloud-config');
    expect(director1.user_data).toContain('$${1:-UNKNOWN}');
    expect(director1.user_data).toContain('virtual_server 192.168.20.140 80');
    expect(director1.network_config).toContain('192.168.20.141/24');
    expect(director1.meta_data).toMatch(/instance-id: lvs-lab-director-1-[0-9a-f]{12}/);
    const rs1 = disks.find((d) => d.name === 'lvs-lab-rs-1-cloudinit.iso')!;
    expect(rs1.network_config).toContain('192.168.20.143/24');
    expect(rs1.user_data).toContain('arp_ignore');
  });

  test('outputs the VIP URL, every VM address and ssh commands', () => {
    expect(json.output.vip_urls.value).toEqual(['http://192.168.20.140/']);
    expect(json.output.directors.value).toEqual({ 'director-1': '192.168.20.141', 'director-2': '192.168.20.142' });
    expect(json.output.real_servers.value).toEqual({ 'rs-1': '192.168.20.143', 'rs-2': '192.168.20.144' });
    expect(json.output.ssh_commands.value).toMatchObject({ 'director-1': 'ssh lab@192.168.20.141' });
  });
});

describe('LvsDrLabStack options', () => {
  test('isolated mode creates a libvirt network with no host address', () => {
    const json = synth({ network: { mode: 'isolated', cidr: '10.77.0.0/24' }, directors: [
      { name: 'd1', address: '10.77.0.11', priority: 150 },
      { name: 'd2', address: '10.77.0.12', priority: 100 },
    ], services: [{ vip: '10.77.0.10' }], realServers: [{ name: 'r1', address: '10.77.0.21' }] });
    const [network] = resources(json, Network.tfResourceType);
    expect(network.mode).toBe('none');
    expect(network.addresses).toBeUndefined();
  });

  test('bridge mode attaches NICs to the host bridge and creates no network', () => {
    const json = synth({ network: { mode: 'bridge', bridge: 'br-lab', cidr: '192.168.20.0/24' } });
    expect(resources(json, Network.tfResourceType)).toHaveLength(0);
    for (const domain of resources(json, Domain.tfResourceType)) {
      expect(domain.network_interface[0]).toMatchObject({ bridge: 'br-lab' });
    }
  });

  test('domainType qemu drops host-passthrough CPU (TCG cannot pass a host CPU through)', () => {
    const json = synth({ domainType: 'qemu' });
    for (const domain of resources(json, Domain.tfResourceType)) {
      expect(domain.type).toBe('qemu');
      expect(domain.cpu).toBeUndefined();
    }
  });

  test('consoleLogDir logs each serial console to a file named after the domain', () => {
    const json = synth({ consoleLogDir: '/var/log/lab' });
    const domain = resources(json, Domain.tfResourceType).find((d) => d.name === 'lvs-lab-rs-2')!;
    expect(domain.xml.xslt).toContain('<log file="/var/log/lab/lvs-lab-rs-2.log" append="on"/>');
  });

  test('sizes set vcpu and memory per role', () => {
    const json = synth({ sizes: { director: { vcpu: 2, memoryMiB: 1024 }, realServer: { memoryMiB: 768 } } });
    const byName = Object.fromEntries(resources(json, Domain.tfResourceType).map((d) => [d.name, d]));
    expect(byName['lvs-lab-director-1']).toMatchObject({ vcpu: 2, memory: 1024 });
    expect(byName['lvs-lab-rs-1']).toMatchObject({ vcpu: 1, memory: 768 });
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

describe('cloud-init text survives terraform unchanged', () => {
  test("terraform evaluates the escaped user-data back to the renderer's exact text", () => {
    // GIVEN the default director user-data, full of shell `${…}`, as the stack writes it
    const json = synth();
    const disk = resources(json, CloudinitDisk.tfResourceType).find((d) => d.name === 'lvs-lab-director-1-cloudinit.iso')!;
    const lab = resolveLabConfig({});
    const rendered = renderDirectorUserData(directorUserDataModel(lab, lab.directors[0]));
    expect(rendered).toContain('${');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-literal-'));
    try {
      fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ output: { user_data: { value: disk.user_data } } }));
      // WHEN terraform evaluates it
      const init = terraform(dir, ['init', '-input=false', '-no-color']);
      expect(init.status).toBe(0);
      const apply = terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color']);
      expect(apply.status).toBe(0);
      const out = terraform(dir, ['output', '-raw', 'user_data']);
      // THEN the provider would receive exactly the rendered text
      expect(out.output).toBe(rendered);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
