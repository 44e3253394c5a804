import * as fs from 'node:fs';
import * as path from 'node:path';
import { firstBootInstall, renderFirstBootAptConf, renderFirstBootDpkg } from '../../cloud-init/first-boot-install';
import { FIRST_BOOT_APT_CONF_PATH, FIRST_BOOT_DPKG_PATH } from '../../cloud-init/paths';
import { cloudConfigView } from '../helpers/cloud-init';
import { RELEASES, releaseScratch, runInRelease } from '../helpers/debian-release';
import { directorUserData, realServerUserData } from '../helpers/lab-fixtures';
import { shellcheck } from '../helpers/shellcheck';
import { directorCloudConfig, realServerCloudConfig, cloudConfigText } from '../../cloud-init/user-data';

/*
 * The first boot's package install with the package scripts offline for systemd: each release's
 * own systemctl ignores reloads and starts under SYSTEMD_OFFLINE=1, its own apt runs the dpkg the
 * rendered setting names, and the rendered wrapper sets SYSTEMD_OFFLINE=1 until cloud-init has
 * finished a boot, then runs plain dpkg.
 */

describe.each(RELEASES)('Debian %i', (release) => {
  test('systemctl under SYSTEMD_OFFLINE=1 neither reloads nor starts: it says so and succeeds (=0: it tries, and fails here)', () => {
    // The last line: chrooted, systemd 257 warns first that /proc is not mounted.
    const last = (out: string) => out.trim().split('\n').pop();
    for (const verb of [['daemon-reload'], ['start', 'keepalived.service'], ['restart', 'nginx.service']]) {
      const offline = runInRelease(release, ['env', 'SYSTEMD_OFFLINE=1', 'systemctl', ...verb]);
      expect({ verb: verb[0], status: offline.status, last: last(`${offline.stdout}${offline.stderr}`) })
        .toEqual({ verb: verb[0], status: 0, last: `Running in chroot, ignoring command '${verb[0]}'` });
      const online = runInRelease(release, ['env', 'SYSTEMD_OFFLINE=0', 'systemctl', ...verb]);
      expect(online.status).not.toBe(0);
      expect(`${online.stdout}${online.stderr}`).not.toMatch(/ignoring command/);
    }
  });

  test('apt runs the wrapper the rendered setting names, and the wrapper runs dpkg offline until the first boot has finished', () => {
    const scratch = releaseScratch(release, 'first-boot');
    try {
      const fake = scratch.file('dpkg');
      const calls = scratch.file('calls');
      const finished = scratch.file('boot-finished');
      const wrapper = scratch.file('first-boot-dpkg');
      const conf = scratch.file('apt.conf');
      fs.writeFileSync(fake.host, `#!/bin/sh\necho "offline=\${SYSTEMD_OFFLINE:-unset} $*" >> ${calls.inside}\nexec /usr/bin/dpkg "$@"\n`, { mode: 0o755 });
      fs.writeFileSync(wrapper.host, renderFirstBootDpkg({ dpkg: fake.inside, bootFinished: finished.inside }), { mode: 0o755 });
      fs.writeFileSync(conf.host, renderFirstBootAptConf(wrapper.inside));

      const dump = runInRelease(release, ['env', `APT_CONFIG=${conf.inside}`, 'apt-config', 'dump', 'Dir::Bin::dpkg']);
      expect(dump.stdout.trim()).toBe(`Dir::Bin::dpkg "${wrapper.inside}";`);
      const first = runInRelease(release, ['env', `APT_CONFIG=${conf.inside}`, 'apt-get', '-s', 'check']);
      expect(first.status).toBe(0);
      const during = fs.readFileSync(calls.host, 'utf8').trim().split('\n');
      expect(during.length).toBeGreaterThan(0);
      expect(new Set(during)).toEqual(new Set(['offline=1 --print-foreign-architectures']));

      fs.writeFileSync(calls.host, '');
      fs.writeFileSync(finished.host, '');
      expect(runInRelease(release, ['env', `APT_CONFIG=${conf.inside}`, 'apt-get', '-s', 'check']).status).toBe(0);
      expect(new Set(fs.readFileSync(calls.host, 'utf8').trim().split('\n'))).toEqual(new Set(['offline=unset --print-foreign-architectures']));
    } finally {
      scratch.remove();
    }
  });
});

test('the wrapper passes shellcheck as /bin/sh; the setting refuses a path apt would misread', () => {
  const result = shellcheck(renderFirstBootDpkg(), 'sh');
  expect(result.output).toBe('');
  expect(renderFirstBootAptConf()).toBe(`// lvs-dr-lab: the first boot's package install; runcmd removes this file and the wrapper.\nDir::Bin::dpkg "${FIRST_BOOT_DPKG_PATH}";\n`);
  expect(() => renderFirstBootAptConf('/x";\nAPT::y "z')).toThrow(/an absolute path/);
});

describe('which first boots install offline', () => {
  const paths = (config: Record<string, unknown>) => (config.write_files as { path: string }[]).map((f) => f.path);

  test('Debian 13 with packages at first boot: both files before the install, and runcmd removes them and reloads systemd once, first', () => {
    for (const config of [directorCloudConfig(directorUserData({ release: 13 })), realServerCloudConfig(realServerUserData({ release: 13 }))]) {
      expect(paths(config)).toEqual(expect.arrayContaining([FIRST_BOOT_DPKG_PATH, FIRST_BOOT_APT_CONF_PATH]));
      const { runcmd } = cloudConfigView(cloudConfigText(config));
      expect(runcmd.split('\n').slice(1, 3)).toEqual([
        `'rm' '-f' '${FIRST_BOOT_APT_CONF_PATH}' '${FIRST_BOOT_DPKG_PATH}'`,
        "'systemctl' 'daemon-reload'",
      ]);
      expect(runcmd.match(/daemon-reload/g)).toHaveLength(1);
    }
    const { files } = firstBootInstall(13);
    expect(files.every((f) => f.defer !== true)).toBe(true);
  });

  test('Debian 12, and any preinstalled image: neither file, no extra runcmd', () => {
    for (const model of [directorUserData({ release: 12 }), directorUserData({ release: 13, preinstalled: true }), directorUserData({ release: 12, preinstalled: true })]) {
      const config = directorCloudConfig(model);
      expect(paths(config).filter((p) => p.includes('first-boot'))).toEqual([]);
      expect(JSON.stringify(config.runcmd)).not.toMatch(/daemon-reload|first-boot/);
    }
    expect(path.basename(FIRST_BOOT_APT_CONF_PATH)).toMatch(/^00/);
  });
});
