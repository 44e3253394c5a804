import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEBIAN_RELEASE_FACTS, type DebianRelease } from '../../cloud-init/debian-release';
import { DEFAULT_NOTIFY_SCRIPT_PATH, KEEPALIVED_CONF_PATH, NFTABLES_CONF_PATH, NGINX_SITE_PATH, NOTIFY_LOG_FILE, SORRY_SITE_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from '../../cloud-init/paths';
import { renderNotifyScript } from '../../cloud-init';
import { cloudConfigText, directorCloudConfig, realServerCloudConfig, selfSignedCertificate } from '../../cloud-init/user-data';
import { networkConfig } from '../../cloud-init/network-config';
import { renderNetworkConfig } from '../../cloud-init';
import {
  directorUserDataModel, loadLabConfig, realServerUserDataModel, resolveLabConfig, staticInterface, type LabConfig, type ResolvedLab,
} from '../../lab';
import { cloudInitSchemaAll, keepalivedConfigTestAll } from '../helpers/batch';
import { aptAfterFirstBoot, cloudInitNetplanView, cloudInitNetworkView } from '../helpers/cloud-init';
import { releaseCommand, releaseRoot, releaseScratch, RELEASES } from '../helpers/debian-release';
import { MIRROR_SIGNING_KEY } from '../helpers/lab-fixtures';
import { NetnsSandbox } from '../helpers/netns';
import { requireRoot } from '../helpers/tools';

/*
 * Each Debian release's own tools judge what the lab renders for it (Debian 12's are this
 * machine's, 13's chrooted into the root scripts/debian-root.sh builds): keepalived 2.2.7 / 2.3.3
 * --config-test, nginx 1.22 / 1.26 -t, nft 1.0.6 / 1.1.3 -c, cloud-init 22.4 / 25.1's schema, its
 * network renderer (ENI / netplan 1.1) and its apt module on a genericcloud image's /etc/apt.
 * The labs are the e2e matrix's and the examples', every feature the renderers have among them.
 */
const root = path.resolve(__dirname, '..', '..');
const LAB_FILES = ['e2e/lab.yaml', 'e2e/lab-multicast.yaml', 'examples/full.yaml', 'examples/dual-stack.yaml'];
const MIRROR = { mirror: 'http://mirror.lab.example/debian', securityMirror: 'http://mirror.lab.example/debian-security' };

/** The lab of `file` on Debian `release`'s genericcloud image, installing at first boot from MIRROR. */
function labOn(file: string, release: DebianRelease): ResolvedLab {
  const config = loadLabConfig(path.join(root, file)) as LabConfig;
  return resolveLabConfig({ ...config, image: { release, preinstalled: false }, packages: { ...MIRROR } });
}

type CloudConfig = Record<string, unknown>;
const filesOf = (config: CloudConfig) => (config.write_files as { path: string; content: string }[]);
const fileOf = (config: CloudConfig, at: string) => filesOf(config).find((f) => f.path === at)?.content;

/** `nginx -t` of `release` on a main config including `site`, its certificate made by the first-boot command with the release's openssl. */
function nginxTest(release: DebianRelease, site: string): { status: number | null; output: string } {
  const scratch = releaseScratch(release, 'nginx');
  try {
    const { inside } = scratch;
    const moved = (text: string) => text.split(TLS_CERT_PATH).join(`${inside}/lvs-lab.crt`).split(TLS_KEY_PATH).join(`${inside}/lvs-lab.key`);
    const [bash, ...args] = releaseCommand(release, ['bash', '-c', moved(selfSignedCertificate('rs-1'))]);
    const made = spawnSync(bash, args, { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`the certificate command failed on Debian ${release}: ${made.stderr}`);
    fs.writeFileSync(path.join(scratch.dir, 'site'), moved(site));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((what) => `    ${what}_temp_path ${inside}/${what};`);
    fs.writeFileSync(path.join(scratch.dir, 'nginx.conf'), [
      'user root;', `pid ${inside}/nginx.pid;`, 'error_log stderr;', 'events {}', 'http {', '    access_log off;', ...temp, `    include ${inside}/site;`, '}', '',
    ].join('\n'));
    const [nginx, ...nginxArgs] = releaseCommand(release, ['nginx', '-t', '-q', '-e', 'stderr', '-p', inside, '-c', `${inside}/nginx.conf`]);
    const result = spawnSync(nginx, nginxArgs, { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  } finally {
    scratch.remove();
  }
}

/** `nft -c -f` of `release` in a network namespace of its own. */
function nftCheck(release: DebianRelease, conf: string): { status: number | null; output: string } {
  requireRoot('nft -c talks to the kernel in a network namespace of its own');
  const scratch = releaseScratch(release, 'nft');
  try {
    fs.writeFileSync(path.join(scratch.dir, 'nftables.conf'), conf);
    const result = spawnSync('unshare', ['--net', ...releaseCommand(release, ['nft', '-c', '-f', scratch.file('nftables.conf').inside])], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  } finally {
    scratch.remove();
  }
}

describe.each(RELEASES)('Debian %i: its own tools accept what the lab renders for it', (release) => {
  const labs = LAB_FILES.map((file) => ({ file, lab: labOn(file, release) }));
  const directors = labs.flatMap(({ file, lab }) => lab.directors.map((d) => ({ file, config: directorCloudConfig(directorUserDataModel(lab, d)) })));
  const realServers = labs.flatMap(({ file, lab }) => lab.realServers.map((r) => ({ file, config: realServerCloudConfig(realServerUserDataModel(lab, r)) })));

  beforeAll(() => {
    releaseRoot(release);
  });

  test('keepalived --config-test: every director\'s keepalived.conf, silently', () => {
    const ns = NetnsSandbox.create(`rel${release}`, [{ name: 'lab0' }]);
    try {
      const notify = { path: DEFAULT_NOTIFY_SCRIPT_PATH, content: renderNotifyScript({ logFile: NOTIFY_LOG_FILE }) };
      const confs = directors.map((d) => fileOf(d.config, KEEPALIVED_CONF_PATH) as string);
      const verdicts = keepalivedConfigTestAll(ns, confs, notify, release);
      expect(verdicts.map((v, i) => `${directors[i].file}: ${v.status} ${v.output}`)).toEqual(directors.map((d) => `${d.file}: 0 `));
    } finally {
      ns.destroy();
    }
  });

  test('nginx -t: every real server\'s site and every sorry site, with the first-boot certificate', () => {
    const sites = [
      ...realServers.map((r) => ({ file: r.file, site: fileOf(r.config, NGINX_SITE_PATH) as string })),
      ...directors.flatMap((d) => (fileOf(d.config, SORRY_SITE_PATH) !== undefined ? [{ file: d.file, site: fileOf(d.config, SORRY_SITE_PATH) as string }] : [])),
    ];
    expect(sites.some((s) => s.site.includes('ssl_certificate'))).toBe(true);
    expect(sites.map((s) => ({ file: s.file, ...nginxTest(release, s.site) }))).toEqual(sites.map((s) => ({ file: s.file, status: 0, output: '' })));
  });

  test('nft -c: every director\'s /etc/nftables.conf', () => {
    const rulesets = directors.flatMap((d) => (fileOf(d.config, NFTABLES_CONF_PATH) !== undefined ? [{ file: d.file, conf: fileOf(d.config, NFTABLES_CONF_PATH) as string }] : []));
    expect(rulesets.length).toBeGreaterThan(0);
    expect(rulesets.map((r) => ({ file: r.file, ...nftCheck(release, r.conf) }))).toEqual(rulesets.map((r) => ({ file: r.file, status: 0, output: '' })));
  });

  test('cloud-init schema: every user-data, without a deprecated key', () => {
    const all = [...directors, ...realServers];
    const verdicts = cloudInitSchemaAll(all.map((u) => cloudConfigText(u.config)), release);
    expect(verdicts.map((v, i) => `${all[i].file}: ${v.status} ${v.output}`)).toEqual(all.map((u) => `${u.file}: 0 `));
  });

  test('network-config: the release\'s cloud-init renders every VM\'s NIC, address and default route', () => {
    for (const { lab } of labs) {
      for (const vm of [...lab.directors, ...lab.realServers]) {
        const iface = staticInterface(lab, vm);
        const text = renderNetworkConfig(iface);
        if (release === 13) {
          const view = cloudInitNetplanView(text);
          expect(view.loaded).toEqual(networkConfig(iface));
          const network = view.networkd['10-netplan-lab0.network'];
          expect(network).toContain(`Address=${vm.address}/${lab.network.prefixLength}\n`);
          if (iface.gateway !== undefined) expect(network).toContain(`[Route]\nDestination=0.0.0.0/0\nGateway=${iface.gateway}\n`);
          expect(view.generateOutput).not.toMatch(/WARNING|deprecated|error/i);
        } else {
          const view = cloudInitNetworkView(text);
          expect(view.loaded).toEqual(networkConfig(iface));
          expect(view.eni).toContain(`iface lab0 inet static\n    address ${vm.address}/${lab.network.prefixLength}\n`);
          if (iface.gateway !== undefined) expect(view.eni).toContain(`    gateway ${iface.gateway}\n`);
          expect(view.eni).not.toMatch(/route add/);
        }
      }
    }
  });
});

describe.each(RELEASES)('Debian %i: packages.mirror replaces the genericcloud image\'s apt sources at first boot', (release) => {
  const { codename } = DEBIAN_RELEASE_FACTS[release];
  const userData = (packages: Record<string, string>) => {
    const lab = resolveLabConfig({ image: { release }, packages });
    return cloudConfigText(directorCloudConfig(directorUserDataModel(lab, lab.directors[0])));
  };
  const mirrorOnly = [
    `http://mirror.lab.example/debian-security/dists/${codename}-security/InRelease`,
    `http://mirror.lab.example/debian/dists/${codename}-updates/InRelease`,
    `http://mirror.lab.example/debian/dists/${codename}/InRelease`,
  ];

  test.each([false, true])('apt fetches from the mirror only (an image with a one-line sources.list too: %s)', (legacySourcesList) => {
    // GIVEN the image's deb822 sources through deb.debian.org mirror lists, and cloud-init's generate_mirrorlists on
    // WHEN the release's cloud-init applies the user-data's apt configuration
    const apt = aptAfterFirstBoot(release, userData(MIRROR), { legacySourcesList });

    // THEN apt would fetch the three suites from the mirror and nothing else
    expect(apt.releaseUris).toEqual(mirrorOnly);
    expect(apt.files['/etc/apt/sources.list.d/debian.sources']).toContain(`URIs: ${MIRROR.mirror}\nSuites: ${codename} ${codename}-updates\n`);
    if (release === 13) expect(apt.files).not.toHaveProperty(['/etc/apt/sources.list']);
  });

  test('with a signing key, the mirror is trusted by that key alone', () => {
    const key = MIRROR_SIGNING_KEY;
    const apt = aptAfterFirstBoot(release, userData({ ...MIRROR, signingKey: key }));
    expect(apt.releaseUris).toEqual(mirrorOnly);
    expect(apt.files['/etc/apt/keyrings/lvs-lab-mirror.asc']).toBe(key.endsWith('\n') ? key : `${key}\n`);
    expect(apt.files['/etc/apt/sources.list.d/debian.sources'].match(/^Signed-By: \/etc\/apt\/keyrings\/lvs-lab-mirror\.asc$/gm)).toHaveLength(2);
  });

  test('the check is not vacuous: one-line sources_list alone (the image\'s generate_mirrorlists left on) leaves apt on deb.debian.org', () => {
    const oneLine = ['', '-updates', '-security'].map((suite) => `deb ${suite === '-security' ? MIRROR.securityMirror : MIRROR.mirror} ${codename}${suite} main`).join('\n');
    const apt = aptAfterFirstBoot(release, cloudConfigText({ apt: { preserve_sources_list: false, sources_list: `${oneLine}\n` } }));
    expect(apt.releaseUris).toEqual(expect.arrayContaining([`mirror+file:/etc/apt/mirrors/debian.list/dists/${codename}/InRelease`]));
    expect(apt.releaseUris).not.toContain(mirrorOnly[2]);
  });
});
