/**
 * The Debian releases a lab's image may run, and what each one's tools take: the apt suites of a
 * package mirror, the apt sources format cloud-init writes, and the network-config its cloud-init
 * parses. keepalived 2.2.7 (12) and 2.3.3 (13), nginx 1.22 and 1.26, nftables 1.0.6 and 1.1.3
 * accept the same rendered files (the tests run each release's own binaries over them).
 */

/** A Debian release by its number: 13 (trixie, the stable release) or 12 (bookworm). */
export type DebianRelease = 12 | 13;

/** The release a lab runs unless its config or image says otherwise. */
export const DEFAULT_DEBIAN_RELEASE: DebianRelease = 13;

/** Every supported release, newest first. */
export const DEBIAN_RELEASES: readonly DebianRelease[] = [13, 12];

/** What differs between the releases, as the renderers and the lab's defaults need it. */
export interface DebianReleaseFacts {
  /** The codename: the suite of the main archive (`<codename>`, `-updates`, `-security`). */
  readonly codename: string;
  /** Debian's generic cloud image (cloud-init, no cloud vendor's agents) for amd64. */
  readonly genericCloudImage: string;
  /**
   * The apt sources cloud-init writes from `apt.sources_list`: cloud-init 25.1 (13) writes a
   * deb822 text to /etc/apt/sources.list.d/debian.sources (the file Debian's cloud images read)
   * and removes /etc/apt/sources.list; cloud-init 22.4 (12) writes only /etc/apt/sources.list.
   */
  readonly aptSources: 'deb822' | 'one-line';
  /**
   * How network-config writes the default route: a `routes` entry to 0.0.0.0/0 on 13 (netplan
   * 1.1 warns that `gateway4` is deprecated), `gateway4` on 12 (cloud-init 22.4's ENI renderer
   * makes `routes` into net-tools' `route add`, absent from the images). Neither release's
   * cloud-init parses `to: default`.
   */
  readonly defaultRoute: 'routes' | 'gateway4';
}

export const DEBIAN_RELEASE_FACTS: Readonly<Record<DebianRelease, DebianReleaseFacts>> = {
  13: {
    codename: 'trixie',
    genericCloudImage: 'https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2',
    aptSources: 'deb822',
    defaultRoute: 'routes',
  },
  12: {
    codename: 'bookworm',
    genericCloudImage: 'https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2',
    aptSources: 'one-line',
    defaultRoute: 'gateway4',
  },
};

/**
 * The release an image names, if it names one the way Debian's images are named: a file
 * `debian-<N>-…` (or `…debian<N>-…`, as the e2e's images) or a directory `/<codename>/`
 * (cloud.debian.org/images/cloud/<codename>/…).
 */
export function releaseNamedBy(source: string): DebianRelease | undefined {
  const file = source.replace(/[?#].*$/, '').split('/').pop() ?? '';
  for (const release of DEBIAN_RELEASES) {
    if (new RegExp(`(^|[^a-z0-9])debian-?${release}-`, 'i').test(file)) return release;
  }
  for (const release of DEBIAN_RELEASES) {
    if (source.includes(`/${DEBIAN_RELEASE_FACTS[release].codename}/`)) return release;
  }
  return undefined;
}
