import { DEBIAN_RELEASE_FACTS, type DebianRelease } from './debian-release';
import { firstBootInstall } from './first-boot-install';
import { renderKeepalivedConf } from './keepalived-conf';
import type { CloudFile, DirectorUserDataModel, PackageSources, RealServerUserDataModel, UserDataBase } from './model';
import { renderNotifyScript } from './notify-script';
import {
  ARP_SYSCTL_PATH,
  IPVS_MODULES_LOAD_PATH,
  IPVS_SYSCTL_PATH,
  KEEPALIVED_CONF_PATH,
  NFTABLES_CONF_PATH,
  NGINX_SITE_ENABLED_PATH,
  NGINX_SITE_PATH,
  NOTIFY_LOG_FILE,
  READY_FILE_NAME,
  REAL_SERVER_SCRIPT_PATH,
  REAL_SERVER_UNIT_NAME,
  REAL_SERVER_UNIT_PATH,
  SORRY_SITE_ENABLED_PATH,
  SORRY_SITE_PATH,
  TLS_CERT_PATH,
  TLS_KEY_PATH,
  WEB_ROOT,
} from './paths';
import { renderNftablesConf } from './nftables-conf';
import { renderArpSysctl, renderRealServerScript, renderRealServerUnit } from './real-server';
import { shellQuote } from './shell';
import { renderNginxSite, renderSorrySite } from './web-service';
import { toCloudInitYaml } from './yaml-text';

/** Packages a director needs when the image does not already have them. */
export const DIRECTOR_PACKAGES: readonly string[] = ['keepalived', 'ipvsadm'];
/** Packages a real server needs when the image does not already have them. */
export const REAL_SERVER_PACKAGES: readonly string[] = ['nginx'];

/** Where a mirror's signing key goes; the mirror's sources trust it alone (`signed-by`). */
export const MIRROR_KEY_PATH = '/etc/apt/keyrings/lvs-lab-mirror.asc';
/** The apt sources Debian's cloud images read (deb822, since Debian 12): a mirror replaces this file. */
export const DEBIAN_SOURCES_PATH = '/etc/apt/sources.list.d/debian.sources';

type RunCmd = string | readonly string[];

/**
 * A cloud-config as an object: what `cloudConfigText` serializes and what cloud-init must read
 * back from the user-data, key for key and string for string.
 */
export type CloudConfig = Record<string, unknown>;

/** Renders a director's `#cloud-config`: keepalived + IPVS, validated before it starts. */
export function renderDirectorUserData(m: DirectorUserDataModel): string {
  return cloudConfigText(directorCloudConfig(m));
}

/** A director's cloud-config object (`renderDirectorUserData` serializes it). */
export function directorCloudConfig(m: DirectorUserDataModel): CloudConfig {
  const keepalived = m.keepalived;
  const schedulers = [...new Set(keepalived.services.map((s) => s.scheduler))];
  const modules = ['ip_vs', ...schedulers.map((s) => `ip_vs_${s}`)];

  const files: CloudFile[] = [
    // Written after the package is installed: the Debian unit only starts keepalived when this
    // file exists, so the package's postinst never starts it before runcmd has validated it.
    { path: KEEPALIVED_CONF_PATH, content: renderKeepalivedConf(keepalived), permissions: '0640', owner: 'root:root', defer: true },
    { path: IPVS_MODULES_LOAD_PATH, content: `${modules.join('\n')}\n`, permissions: '0644', owner: 'root:root' },
  ];
  if (keepalived.notifyScriptPath !== undefined) {
    // Root-owned and writable by root only, or keepalived's script security disables it.
    files.push({
      path: keepalived.notifyScriptPath,
      content: renderNotifyScript({ logFile: NOTIFY_LOG_FILE }),
      permissions: '0755',
      owner: 'root:root',
    });
  }

  const packages = [...DIRECTOR_PACKAGES];
  const runcmd: RunCmd[] = [['modprobe', '-a', ...modules]];
  if (keepalived.services.some((s) => s.persistenceTimeoutSec > 0)) {
    // systemd-sysctl runs after systemd-modules-load, so at every boot the keys exist when it
    // applies the file; at first boot the modules were loaded just above.
    files.push({ path: IPVS_SYSCTL_PATH, content: renderIpvsSysctl(), permissions: '0644', owner: 'root:root' });
    runcmd.push(['sysctl', '-q', '-p', IPVS_SYSCTL_PATH]);
  }
  const firewallMarks = m.firewallMarks ?? [];
  if (firewallMarks.length > 0) {
    packages.push('nftables');
    // Debian's own tooling: nftables.service loads /etc/nftables.conf at every boot. Written
    // after the package is installed, so the package's own file does not replace it.
    files.push({ path: NFTABLES_CONF_PATH, content: renderNftablesConf(firewallMarks), permissions: '0755', owner: 'root:root', defer: true });
    runcmd.push(failLoudly(
      'systemctl enable --now nftables.service',
      `nftables.service FAILED to load ${NFTABLES_CONF_PATH}: the firewall-mark services get no packets`,
    ));
  }
  if (m.sorrySite !== undefined) {
    packages.push('nginx');
    if (m.sorrySite.tlsPorts.length > 0) packages.push('openssl');
    files.push({
      path: SORRY_SITE_PATH,
      content: renderSorrySite({ hostname: m.hostname, ports: m.sorrySite.ports, tlsPorts: m.sorrySite.tlsPorts }),
      permissions: '0644',
      owner: 'root:root',
      // /etc/nginx/sites-available belongs to the nginx package.
      defer: true,
    });
    runcmd.push(
      ...(m.sorrySite.tlsPorts.length > 0 ? [selfSignedCertificate(m.hostname)] : []),
      ...enableNginxSite(SORRY_SITE_PATH, SORRY_SITE_ENABLED_PATH, 'the sorry site is NOT started'),
    );
  }
  runcmd.push(
    failLoudly(
      `keepalived --config-test -f ${KEEPALIVED_CONF_PATH}`,
      `keepalived --config-test FAILED for ${KEEPALIVED_CONF_PATH}: keepalived NOT started`,
    ),
    enableUnits('keepalived.service'),
    ['systemctl', 'restart', 'keepalived.service'],
  );

  return cloudConfig(m, packages, files, runcmd);
}

/**
 * The directors' IPVS sysctls for persistent services. A persistent client stays with the server
 * its template names until the template expires, even when that server is quiesced (weight 0:
 * drained by the operator, or inhibited after a failed check with inhibit_on_failure), and then
 * its connections go to a server that does not answer. With expire_quiescent_template the
 * template expires on the client's next packet, and the client is scheduled anew (to another
 * server, or to the sorry server when none is left).
 *
 * Persistent connections are never rescheduled when a client reuses a source port of a
 * connection IPVS still remembers (conn_reuse_mode skips connections a template controls), so
 * a new connection on such a port would follow the old one to the quiesced server: measured in
 * the e2e, 1 of 20 requests refused. expire_nodest_conn expires that old entry when a new
 * connection arrives for a server at weight 0 or removed (established connections of a drained
 * server carry on).
 */
export function renderIpvsSysctl(): string {
  return [
    '# Managed by lvs-dr-lab: IPVS on a director (persistent services).',
    '# A persistent client of a server at weight 0 (drained, or inhibited after a failed check)',
    '# is scheduled anew on its next packet instead of staying with that server until its',
    '# persistence template expires,',
    'net.ipv4.vs.expire_quiescent_template = 1',
    '# and a new connection that reuses the source port of a remembered connection to such a',
    '# server (or a removed one) is scheduled anew instead of following it there.',
    'net.ipv4.vs.expire_nodest_conn = 1',
    '',
  ].join('\n');
}

/** Renders a real server's `#cloud-config`: VIPs on lo with ARP silenced, then the demo nginx site. */
export function renderRealServerUserData(m: RealServerUserDataModel): string {
  return cloudConfigText(realServerCloudConfig(m));
}

/** A real server's cloud-config object (`renderRealServerUserData` serializes it). */
export function realServerCloudConfig(m: RealServerUserDataModel): CloudConfig {
  const tcpPorts = m.webPorts.filter((p) => p.protocol === 'TCP').map((p) => p.port);
  const tlsPorts = m.webPorts.filter((p) => p.protocol === 'TCP' && p.tls === true).map((p) => p.port);
  const packages = [...REAL_SERVER_PACKAGES, ...(tlsPorts.length > 0 ? ['openssl'] : [])];

  const files: CloudFile[] = [
    { path: ARP_SYSCTL_PATH, content: renderArpSysctl(), permissions: '0644', owner: 'root:root' },
    { path: REAL_SERVER_SCRIPT_PATH, content: renderRealServerScript(m.vips, m.vips6), permissions: '0755', owner: 'root:root' },
    { path: REAL_SERVER_UNIT_PATH, content: renderRealServerUnit(REAL_SERVER_SCRIPT_PATH), permissions: '0644', owner: 'root:root' },
  ];
  const runcmd: RunCmd[] = [
    // `enable` reloads systemd after linking the unit: no separate daemon-reload.
    enableUnits(REAL_SERVER_UNIT_NAME),
    ['systemctl', 'restart', REAL_SERVER_UNIT_NAME],
    failLoudly(`${REAL_SERVER_SCRIPT_PATH} status`, 'lvs-real-server status FAILED: VIPs not bound on lo or ARP not silenced'),
  ];

  if (tcpPorts.length > 0) {
    // nginx speaks TCP only; UDP services need their own responder (not part of this demo).
    files.push({
      path: NGINX_SITE_PATH,
      content: renderNginxSite({
        hostname: m.hostname, address: m.address, ports: tcpPorts, healthPaths: m.healthPaths, ...(tlsPorts.length > 0 ? { tlsPorts } : {}),
        ...((m.vips6 ?? []).length > 0 ? { ipv6: true } : {}),
      }),
      permissions: '0644',
      owner: 'root:root',
      // /etc/nginx/sites-available belongs to the nginx package.
      defer: true,
    });
    if (m.readyFile) {
      // A readiness file: `GET /ready` answers 200 while it exists; an operator removes it to
      // fail a readiness check (a miscCheck such as curl http://{address}/ready) on this server.
      files.push({ path: `${WEB_ROOT}/${READY_FILE_NAME}`, content: 'ready\n', permissions: '0644', owner: 'root:root' });
    }
    runcmd.push(
      ['mkdir', '-p', WEB_ROOT],
      ...(tlsPorts.length > 0 ? [selfSignedCertificate(m.hostname)] : []),
      ...enableNginxSite(NGINX_SITE_PATH, NGINX_SITE_ENABLED_PATH, 'the demo web service is NOT started'),
    );
  }

  return cloudConfig(m, packages, files, runcmd);
}

/** Enables an nginx site (Debian layout) in place of the default one, checks nginx and (re)starts it. */
function enableNginxSite(sitePath: string, enabledPath: string, notStarted: string): RunCmd[] {
  return [
    ['ln', '-sfn', sitePath, enabledPath],
    // Debian's default site also claims port 80 as default_server.
    ['rm', '-f', '/etc/nginx/sites-enabled/default'],
    failLoudly('nginx -t -q', `nginx -t FAILED: ${notStarted}`),
    enableUnits('nginx.service'),
    ['systemctl', 'restart', 'nginx.service'],
  ];
}

/**
 * A runcmd shell item generating the self-signed certificate of the TLS ports at first boot,
 * unless it exists (a re-run keeps it): an EC P-256 key (mode 0600) for CN=<hostname>.
 */
export function selfSignedCertificate(hostname: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(hostname)) {
    throw new Error(`selfSignedCertificate: hostname must be letters, digits, '.' and '-', got '${hostname}'`);
  }
  const openssl = [
    'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650',
    `-subj /CN=${hostname} -keyout ${TLS_KEY_PATH} -out ${TLS_CERT_PATH}`,
  ].join(' ');
  const generate = failLoudly(`(umask 077 && ${openssl})`, `openssl FAILED to generate ${TLS_CERT_PATH}: nginx cannot serve TLS`);
  return [
    `if [ ! -e ${TLS_KEY_PATH} ] || [ ! -e ${TLS_CERT_PATH} ]; then`,
    ...generate.split('\n').map((line) => `  ${line}`),
    `  chmod 0600 ${TLS_KEY_PATH}`,
    `  chmod 0644 ${TLS_CERT_PATH}`,
    'fi',
  ].join('\n');
}

/**
 * `systemctl enable` without Debian's SysV hook. For a unit that also ships an /etc/init.d
 * script (keepalived, nginx), Debian's systemctl runs `update-rc.d` as well, which maintains
 * /etc/rc?.d links that nothing reads on a systemd system and costs seconds of perl per call
 * (15-30 s under emulation, the bulk of a real server's final boot stage). The systemd unit is
 * enabled exactly as before.
 */
function enableUnits(...units: string[]): RunCmd {
  return ['env', 'SYSTEMCTL_SKIP_SYSV=1', 'systemctl', 'enable', ...units];
}

/**
 * A runcmd shell item that runs `command` and, if it fails, prints a very visible line to
 * stderr (cloud-init-output.log) and the console, then stops runcmd with a non-zero exit
 * (which marks cloud-init's final stage as failed in `cloud-init status`).
 */
function failLoudly(command: string, message: string): string {
  const banner = `!!!!! lvs-dr-lab: ${message} !!!!!`;
  return [
    `if ! ${command}; then`,
    `  msg=${shellQuote(banner)}`,
    '  echo "$msg" >&2',
    '  { echo "$msg" >/dev/console; } 2>/dev/null || true',
    '  exit 1',
    'fi',
  ].join('\n');
}

/** A cloud-config object as user-data: the `#cloud-config` header, then YAML that PyYAML reads back as `config`. */
export function cloudConfigText(config: CloudConfig): string {
  return `#cloud-config\n${toCloudInitYaml(config, { flowItemsOf: ['runcmd'] })}`;
}

function cloudConfig(base: UserDataBase, packages: readonly string[], files: readonly CloudFile[], runcmd: readonly RunCmd[]): CloudConfig {
  const config: CloudConfig = { hostname: base.hostname };
  if (base.fqdn !== undefined) {
    config.fqdn = base.fqdn;
  }
  Object.assign(config, {
    // Keeps `sudo` from stalling on an unresolvable hostname.
    manage_etc_hosts: true,
    ssh_pwauth: false,
    disable_root: true,
    users: [
      {
        name: base.ssh.name,
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        shell: '/bin/bash',
        lock_passwd: true,
        // cloud-init's schema wants at least one key here (minItems 1): no keys, no key list.
        ...(base.ssh.authorizedKeys.length > 0 ? { ssh_authorized_keys: [...base.ssh.authorizedKeys] } : {}),
      },
    ],
  });
  const allFiles = [...files];
  if (base.packages) {
    config.apt = renderApt(base.packages, base.release);
    // Not deferred: write_files runs in cloud-init's init stage, before apt_configure.
    if (base.packages.mirror !== undefined && DEBIAN_RELEASE_FACTS[base.release].aptSources === 'one-line') {
      allFiles.unshift({ path: DEBIAN_SOURCES_PATH, content: debianSources(base.packages, base.release), permissions: '0644', owner: 'root:root' });
    }
    if (base.packages.signingKey !== undefined) {
      allFiles.unshift({ path: MIRROR_KEY_PATH, content: withNewline(base.packages.signingKey), permissions: '0644', owner: 'root:root' });
    }
  }
  const firstBoot = base.preinstalled ? { files: [], runcmd: [] } : firstBootInstall(base.release);
  if (!base.preinstalled) {
    config.package_update = true;
    config.packages = [...packages];
  }
  // Not deferred: in place before cloud-init's final stage installs the packages.
  allFiles.push(...firstBoot.files);
  config.write_files = allFiles.map(toWriteFile);
  config.runcmd = [...firstBoot.runcmd, ...runcmd].map((item) => (typeof item === 'string' ? item : [...item]));
  return config;
}

/**
 * cloud-init's `apt` section. A mirror replaces the image's sources, written out in full rather
 * than through cloud-init's `primary`/`security` template: Debian's template adds `deb-src` lines
 * (a mirror of binaries only would fail `apt-get update`), and its `$RELEASE` comes from
 * `lsb_release`, which minimal images lack.
 *
 * Debian's cloud images read /etc/apt/sources.list.d/debian.sources (deb822, its URIs through
 * /etc/apt/mirrors/*.list) and set `apt: generate_mirrorlists: true`, with which cloud-init only
 * rewrites those mirror lists and ignores `sources_list`: it is turned off here. cloud-init 25.1
 * (13) then writes a deb822 `sources_list` to debian.sources itself and removes
 * /etc/apt/sources.list; cloud-init 22.4 (12) writes only /etc/apt/sources.list, so there the
 * lab writes debian.sources (write_files) and sources.list keeps nothing but a comment.
 */
function renderApt(p: PackageSources, release: DebianRelease): Record<string, unknown> {
  const apt: Record<string, unknown> = {};
  if (p.mirror !== undefined) {
    apt.generate_mirrorlists = false;
    apt.preserve_sources_list = false;
    apt.sources_list = DEBIAN_RELEASE_FACTS[release].aptSources === 'deb822'
      ? debianSources(p, release)
      : `# The lab's mirror: ${DEBIAN_SOURCES_PATH}\n`;
  }
  if (p.proxy !== undefined) {
    apt.proxy = p.proxy;
    apt.https_proxy = p.proxy;
  }
  return apt;
}

/** The mirror's deb822 sources: the release and its updates, and the security suite. */
function debianSources(p: PackageSources, release: DebianRelease): string {
  const { codename } = DEBIAN_RELEASE_FACTS[release];
  const signedBy = p.signingKey !== undefined ? [`Signed-By: ${MIRROR_KEY_PATH}`] : [];
  const stanza = (uri: string, suites: string) => ['Types: deb', `URIs: ${uri}`, `Suites: ${suites}`, 'Components: main', ...signedBy];
  return [
    ...stanza(p.mirror as string, `${codename} ${codename}-updates`),
    '',
    ...stanza(p.securityMirror ?? (p.mirror as string), `${codename}-security`),
    '',
  ].join('\n');
}

const withNewline = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

function toWriteFile(file: CloudFile): Record<string, unknown> {
  if (!/^0[0-7]{3}$/.test(file.permissions)) {
    throw new Error(`write_files ${file.path}: permissions must be quoted octal like '0644', got '${file.permissions}'`);
  }
  const entry: Record<string, unknown> = { path: file.path, content: file.content, permissions: file.permissions };
  if (file.owner !== undefined) {
    entry.owner = file.owner;
  }
  if (file.defer === true) {
    entry.defer = true;
  }
  return entry;
}
