/**
 * The first boot's package install without the package scripts' systemd reloads. Every Debian
 * package with a service runs `systemctl daemon-reload` twice while it is set up (once in
 * update-rc.d, once in its postinst) and starts its service. On Debian 13 under emulation (TCG)
 * each reload costs a VM one to three minutes of a lab's first boot: a director's ipvsadm and
 * keepalived took over ten minutes of reloads alone. So while cloud-init's `packages` module
 * installs, apt runs dpkg with SYSTEMD_OFFLINE=1 (systemctl then neither reloads nor starts, as in a
 * chroot); the unit files are still installed and enabled. Then runcmd removes the two files,
 * reloads systemd once and starts the lab's services itself, each after checking its config (as it
 * did already). Nothing else changes: cloud-init still installs the packages, and a failed install
 * is reported as before.
 *
 * The wrapper stays harmless if a first boot dies before runcmd: once cloud-init has finished a
 * boot (boot-finished exists), it is plain dpkg.
 */
import type { DebianRelease } from './debian-release';
import type { CloudFile } from './model';
import { CLOUD_INIT_BOOT_FINISHED_PATH, FIRST_BOOT_APT_CONF_PATH, FIRST_BOOT_DPKG_PATH } from './paths';
import { shellQuote } from './shell';

/** Where the wrapper finds dpkg and cloud-init's end-of-boot file (the tests point them elsewhere). */
export interface FirstBootDpkgPaths {
  readonly dpkg: string;
  readonly bootFinished: string;
}

const GUEST_PATHS: FirstBootDpkgPaths = { dpkg: '/usr/bin/dpkg', bootFinished: CLOUD_INIT_BOOT_FINISHED_PATH };

/** The dpkg wrapper: offline for systemd until the first boot has finished, then plain dpkg. */
export function renderFirstBootDpkg(paths: FirstBootDpkgPaths = GUEST_PATHS): string {
  return [
    '#!/bin/sh',
    '# lvs-dr-lab: the dpkg apt runs while cloud-init installs the lab\'s packages at first boot',
    `# (${FIRST_BOOT_APT_CONF_PATH}; runcmd removes both files, reloads systemd once and starts the`,
    '# lab\'s services). SYSTEMD_OFFLINE=1: the package scripts neither reload systemd nor start services.',
    `if [ ! -e ${shellQuote(paths.bootFinished)} ]; then`,
    '  SYSTEMD_OFFLINE=1',
    '  export SYSTEMD_OFFLINE',
    'fi',
    `exec ${shellQuote(paths.dpkg)} "$@"`,
    '',
  ].join('\n');
}

/** The apt setting: dpkg is the wrapper (at `wrapper`: the tests point it elsewhere). */
export function renderFirstBootAptConf(wrapper: string = FIRST_BOOT_DPKG_PATH): string {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(wrapper)) throw new Error(`renderFirstBootAptConf: an absolute path of letters, digits, '.', '_', '-' and '/', got '${wrapper}'`);
  return `// lvs-dr-lab: the first boot's package install; runcmd removes this file and the wrapper.\nDir::Bin::dpkg "${wrapper}";\n`;
}

/** Which releases install this way: 13, where the reloads were measured to cost minutes each. */
export const OFFLINE_PACKAGE_SCRIPTS: Readonly<Record<DebianRelease, boolean>> = { 13: true, 12: false };

/** The files written before the install (cloud-init's init stage) and the runcmd items that come first. */
export function firstBootInstall(release: DebianRelease): { files: CloudFile[]; runcmd: string[][] } {
  if (!OFFLINE_PACKAGE_SCRIPTS[release]) return { files: [], runcmd: [] };
  return {
    files: [
      { path: FIRST_BOOT_DPKG_PATH, content: renderFirstBootDpkg(), permissions: '0755', owner: 'root:root' },
      { path: FIRST_BOOT_APT_CONF_PATH, content: renderFirstBootAptConf(), permissions: '0644', owner: 'root:root' },
    ],
    runcmd: [
      ['rm', '-f', FIRST_BOOT_APT_CONF_PATH, FIRST_BOOT_DPKG_PATH],
      ['systemctl', 'daemon-reload'],
    ],
  };
}
