import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatReport, formatReportJson, runDoctor } from '../../doctor';
import { ROOT, fakeHost, healthyHost } from '../helpers/doctor-host';

/* The doctor as a whole: which checks run, the verdict, and the two report formats. */
const ALL_CHECKS = ['config', 'terraform', 'provider', 'libvirt', 'kvm', 'bridge', 'subnet', 'bridge-netfilter', 'pool-directory', 'image', 'ssh-key'];

describe('runDoctor', () => {
  test('on a machine where the reference lab deploys, every check passes', () => {
    const report = runDoctor(fakeHost(healthyHost()), ROOT);
    expect(report.results.map((r) => [r.id, r.ok])).toEqual(ALL_CHECKS.map((id) => [id, true]));
    expect(report.ok).toBe(true);
    expect(report.lab).toBe('lvs-lab');
    expect(report.results[0].summary).toBe('LAB_CONFIG unset: the reference topology: lab lvs-lab, 2 directors, 2 real servers');
  });

  test('fails when the config is invalid: its problems listed, the tool checks still run, the lab checks do not', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-doctor-'));
    try {
      const file = path.join(dir, 'lab.yaml');
      fs.writeFileSync(file, 'vrrp: { virtualRouterId: 300 }\n');
      const spec = healthyHost();
      spec.env.LAB_CONFIG = file;
      const report = runDoctor(fakeHost(spec), ROOT);
      expect(report.ok).toBe(false);
      expect(report.results.map((r) => r.id)).toEqual(['config', 'terraform', 'provider']);
      expect(report.results[0].problem).toContain('vrrp.virtualRouterId: got 300, expected an integer 1-255');
      expect(report.configFile).toBe(file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails the config check on a lab whose VMs cannot get their first-boot packages (issue 12): bridged without dns, isolated without a mirror', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-doctor-'));
    try {
      const cases: [string, RegExp][] = [
        ['network: { mode: bridge, bridge: br0, gateway: 192.168.20.1 }\n', /network\.dns: got nothing, expected at least one DNS server.*resolves deb\.debian\.org/],
        ['network: { mode: isolated }\n', /network\.mode: got "isolated", expected nat or bridge; or, to stay isolated, image\.preinstalled: true, packages\.mirror or packages\.proxy .*, or network\.gateway: a router on the segment/],
      ];
      for (const [yaml, problem] of cases) {
        const file = path.join(dir, 'lab.yaml');
        fs.writeFileSync(file, yaml);
        const spec = healthyHost();
        spec.env.LAB_CONFIG = file;
        const report = runDoctor(fakeHost(spec), ROOT);
        expect(report.ok).toBe(false);
        expect(report.results[0]).toMatchObject({ id: 'config', ok: false });
        expect(report.results[0].problem).toMatch(problem);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a check whose tool prints what its parser does not know fails alone; the others still run', () => {
    const spec = healthyHost();
    spec.commands['ip -j route'] = { stdout: 'Error: ipv4: FIB table does not exist.' };
    const report = runDoctor(fakeHost(spec), ROOT);
    const failed = report.results.filter((r) => !r.ok);
    expect(failed).toEqual([expect.objectContaining({ id: 'subnet', problem: expect.stringMatching(/^the check could not run: ip -j route printed no JSON/) })]);
    expect(report.results).toHaveLength(ALL_CHECKS.length);
  });
});

describe('the reports', () => {
  /** The healthy machine without libvirtd and without the provider mirror. */
  function brokenReport() {
    const spec = healthyHost();
    spec.commands['virsh -c qemu:///system version'] = {
      status: 1,
      stderr: "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
    };
    delete spec.files[`${ROOT}/.provider/mirror/registry.terraform.io/dmacvicar/libvirt/0.8.3/linux_amd64/terraform-provider-libvirt_v0.8.3`];
    return runDoctor(fakeHost(spec), ROOT);
  }

  test('human: ✓ per passed check, ! and ✗ with their fixes, then the verdict', () => {
    const text = formatReport(brokenReport());
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => /^[✓!✗] /.test(l)).map((l) => l.slice(0, 18))).toEqual([
      '✓ config          ', '✓ terraform       ', '! provider        ', '✗ libvirt         ', '✓ kvm             ',
      '✓ bridge          ', '✓ subnet          ', '✓ bridge-netfilter', '✓ pool-directory  ', '✓ image           ', '✓ ssh-key         ',
    ]);
    expect(text).toContain(
      "✗ libvirt          libvirt at qemu:///system does not answer: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n" +
        '                   fix: start libvirtd: `sudo systemctl enable --now libvirtd` (not installed: `apt-get install libvirt-daemon-system`)\n',
    );
    expect(lines[lines.length - 1]).toBe('lvs-lab doctor: 1 of 11 checks failed (1 warning): a deploy would fail; fix it first.');
  });

  test('human, quiet (what `npm run deploy` shows): only the warning and the failure, with fixes', () => {
    expect(formatReport(brokenReport(), { quiet: true }).split('\n').filter((l) => !l.startsWith(' '))).toEqual([
      expect.stringMatching(/^! provider +the libvirt provider mirror is not built/),
      expect.stringMatching(/^✗ libvirt +libvirt at qemu:\/\/\/system does not answer/),
      'lvs-lab doctor: 1 of 11 checks failed (1 warning): a deploy would fail; fix it first.',
      '',
    ]);
  });

  test('human, quiet, on a healthy machine: nothing at all', () => {
    expect(formatReport(runDoctor(fakeHost(healthyHost()), ROOT), { quiet: true })).toBe('');
  });

  test('json: the verdict, the lab and every check with its fields', () => {
    const json = JSON.parse(formatReportJson(brokenReport()));
    expect(json.ok).toBe(false);
    expect(json.lab).toBe('lvs-lab');
    expect(json.configFile).toBeNull();
    expect(json.checks.map((c: { id: string }) => c.id)).toEqual(ALL_CHECKS);
    expect(json.checks.find((c: { id: string }) => c.id === 'libvirt')).toEqual({
      id: 'libvirt',
      ok: false,
      problem: "libvirt at qemu:///system does not answer: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
      fix: 'start libvirtd: `sudo systemctl enable --now libvirtd` (not installed: `apt-get install libvirt-daemon-system`)',
    });
  });
});
