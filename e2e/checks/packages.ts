/**
 * What the VMs installed: every package the lab's cloud-init installs is the repository's version,
 * from the config's mirror, and works; or, from a preinstalled image, nothing at all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIRECTOR_PACKAGES, REAL_SERVER_PACKAGES } from '../../cloud-init/user-data';
import { type E2eCheck, expect } from '../context';
import { installedOrigins } from '../parse';

/** One VM's `apt-cache policy` against the repository's manifest and the mirror. */
export function judgeInstalled(vm: string, policy: string, packages: readonly string[], manifest: ReadonlyMap<string, string>, mirror: string): void {
  const origins = installedOrigins(policy);
  for (const pkg of packages) {
    const o = origins.get(pkg);
    expect(o !== undefined && o.installed !== '(none)', `${vm}: ${pkg} is not installed`);
    expect(o!.installed === manifest.get(pkg), `${vm}: ${pkg} ${o!.installed} installed, the repository holds ${manifest.get(pkg) ?? 'none'}`);
    expect(o!.sources.some((src) => src.startsWith(`${mirror} `)), `${vm}: ${pkg} ${o!.installed} comes from ${o!.sources.join(', ')}, not ${mirror}`);
  }
}

export const packagesFromMirror: E2eCheck = {
  id: 'packages-from-mirror',
  appliesTo: ({ lab }) => !lab.image.preinstalled,
  name: ({ lab }) => `the packages installed at first boot come from ${lab.packages!.mirror}`,
  run({ settings, sb, lab, state }) {
    // The stand-in may have served another lab of the sandbox before this one.
    const requests = () => state.internet!.requests().filter((q) => q.t >= state.deployStart * 1000);
    const mirror = lab.packages!.mirror!.replace(/\/+$/, '');
    const manifest = new Map(
      fs.readFileSync(path.join(settings.repo, `debian${lab.image.release}.manifest`), 'utf8').split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/) as [string, string]),
    );
    const roles = [
      { vms: lab.directors, packages: DIRECTOR_PACKAGES, works: 'keepalived --version 2>&1 | head -n 1 && sudo ipvsadm --version' },
      { vms: lab.realServers, packages: REAL_SERVER_PACKAGES, works: 'systemctl is-active nginx' },
    ];
    const lines: string[] = [];
    for (const role of roles) {
      for (const vm of role.vms) {
        const r = sb.ssh(lab.ssh.user, vm.address, `apt-cache policy ${role.packages.join(' ')} && ${role.works}`, 60);
        expect(r.status === 0, `${vm.name}: ${r.stderr.trim() || r.stdout.trim()}`);
        judgeInstalled(vm.name, r.stdout, role.packages, manifest, mirror);
      }
      const debs = requests().filter((q) => q.method === 'GET' && q.status === 200 && q.path.endsWith('.deb'));
      for (const pkg of role.packages) {
        const fetched = debs.filter((q) => path.basename(q.path).startsWith(`${pkg}_`)).length;
        expect(fetched >= role.vms.length, `the stand-in served ${pkg} ${fetched} times for ${role.vms.length} VMs`);
        lines.push(`${pkg} ${manifest.get(pkg)} (${fetched}×)`);
      }
    }
    const total = requests().filter((q) => q.method === 'GET' && q.path.endsWith('.deb')).length;
    return `on every VM from ${mirror}: ${lines.join(', ')}; ${total} packages downloaded in all`;
  },
};

export const nothingInstalled: E2eCheck = {
  id: 'nothing-installed',
  appliesTo: ({ lab }) => lab.image.preinstalled,
  name: () => 'a preinstalled image installs nothing at first boot',
  run({ state }) {
    const debs = state.internet!.requests().filter((r) => r.t >= state.deployStart * 1000 && r.method === 'GET' && r.path.endsWith('.deb'));
    expect(debs.length === 0, `the stand-in served ${debs.length} packages: ${debs.slice(0, 5).map((r) => r.path).join(', ')}`);
    return 'no package downloaded from the stand-in';
  },
};
