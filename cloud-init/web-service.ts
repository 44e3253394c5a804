import { TLS_CERT_PATH, TLS_KEY_PATH, WEB_ROOT } from './paths';

/** Health-check paths the demo web service can serve: plain absolute URL paths. */
export const HEALTH_PATH_PATTERN = /^\/[A-Za-z0-9._~\/-]*$/;

/** The status the demo web service answers health paths with (keepalived's `status_code`). */
export const HEALTH_STATUS_CODE = 200;

/** The demo web service's health endpoint; always answers 200. */
export const HEALTHZ_PATH = '/healthz';

/** Options of {@link renderNginxSite}. */
export interface NginxSiteOptions {
  /** Hostname of the real server, shown in every response. */
  readonly hostname: string;
  /**
   * The real server's own lab address, shown after the hostname.
   * @default - the body names the hostname only
   */
  readonly address?: string;
  /** TCP ports to listen on (one `listen` each; duplicates are dropped). */
  readonly ports: readonly number[];
  /**
   * The ports of `ports` that serve HTTPS, with the self-signed certificate generated at first
   * boot (`TLS_CERT_PATH`, `TLS_KEY_PATH`).
   * @default - none: every port is plain http
   */
  readonly tlsPorts?: readonly number[];
  /** Extra paths that must answer 200 for HTTP health checks (`/healthz` always does). */
  readonly healthPaths?: readonly string[];
  /**
   * Directory of static files; anything else requested is served from here (404 if absent),
   * so the e2e harness can drop e.g. a large file for bandwidth tests.
   * @default '/var/www/lvs-lab'
   */
  readonly webRoot?: string;
  /**
   * Dual stack: also listen on IPv6 (`[::]:<port>`), for the IPv6 VIPs bound on lo.
   * @default false
   */
  readonly ipv6?: boolean;
}

/** The text/plain body of `GET /`, e.g. `served-by rs-1 192.168.20.143`. */
export function servedByBody(hostname: string, address?: string): string {
  return address === undefined ? `served-by ${hostname}` : `served-by ${hostname} ${address}`;
}

/**
 * Renders the nginx site (Debian layout: `/etc/nginx/sites-available/lvs-lab`, enabled by a
 * symlink, with the `default` site removed). `GET /` answers `served-by <hostname> <address>`
 * as text/plain, so repeated requests to the VIP show which real server was picked;
 * `/healthz` and every health path answer 200 `ok`; other paths are static files.
 */
export function renderNginxSite(opts: NginxSiteOptions): string {
  const webRoot = opts.webRoot ?? WEB_ROOT;
  const ports = [...new Set(opts.ports)];
  const healthPaths = [...new Set([HEALTHZ_PATH, ...(opts.healthPaths ?? [])])].filter((p) => p !== '/');

  const tlsPorts = opts.tlsPorts ?? [];
  const body = servedByBody(opts.hostname, opts.address);
  return [
    '# Managed by lvs-dr-lab: demo web service of an LVS-DR real server.',
    '# nginx listens on the wildcard address, so it also accepts requests for the VIPs bound on lo.',
    'server {',
    ...listenLines(ports, tlsPorts),
    ...(opts.ipv6 === true ? listenLines(ports, tlsPorts).map((line) => line.replace(/listen (\d+)/, 'listen [::]:$1')) : []),
    '    server_name _;',
    ...certificateLines(tlsPorts),
    `    root ${webRoot};`,
    '    default_type text/plain;',
    `    add_header X-Served-By "${opts.hostname}" always;`,
    '',
    '    location = / {',
    `        return 200 "${body}\\n";`,
    '    }',
    ...healthPaths.flatMap((path) => ['', `    location = ${path} {`, '        return 200 "ok\\n";', '    }']),
    '',
    '    location / {',
    '        try_files $uri =404;',
    '    }',
    '}',
    '',
  ].join('\n');
}

/** The `listen` lines: `ssl` on the TLS ports. */
function listenLines(ports: readonly number[], tlsPorts: readonly number[]): string[] {
  return ports.map((port) => `    listen ${port}${tlsPorts.includes(port) ? ' ssl' : ''} default_server;`);
}

/** The certificate lines when any port speaks TLS (none otherwise). */
function certificateLines(tlsPorts: readonly number[]): string[] {
  if (tlsPorts.length === 0) return [];
  return [
    '    # Self-signed, generated at first boot: clients and checks do not verify it.',
    `    ssl_certificate ${TLS_CERT_PATH};`,
    `    ssl_certificate_key ${TLS_KEY_PATH};`,
  ];
}

/** The text/plain body the directors' sorry site answers with, e.g. `sorry-from director-1`. */
export function sorryBody(hostname: string): string {
  return `sorry-from ${hostname}`;
}

/** Options of {@link renderSorrySite}. */
export interface SorrySiteOptions {
  /** The director's hostname, named in every answer. */
  readonly hostname: string;
  /** Every port of the services with a sorry server. */
  readonly ports: readonly number[];
  /**
   * The ports of `ports` that speak TLS.
   * @default - none
   */
  readonly tlsPorts?: readonly number[];
}

/**
 * Renders the directors' sorry site (`/etc/nginx/sites-available/lvs-lab-sorry`): when a service
 * loses its quorum, keepalived adds the director itself (`sorry_server 127.0.0.1`) and IPVS
 * delivers the clients' packets locally, where this site answers every request with 503
 * `sorry-from <hostname>`.
 */
export function renderSorrySite(opts: SorrySiteOptions): string {
  const ports = [...new Set(opts.ports)];
  const tlsPorts = [...new Set(opts.tlsPorts ?? [])];
  return [
    '# Managed by lvs-dr-lab: sorry site of an LVS director. keepalived adds the director itself',
    '# (sorry_server 127.0.0.1) to a service whose real servers are all down, and IPVS delivers',
    '# its clients here: every request answers 503.',
    'server {',
    ...listenLines(ports, tlsPorts),
    '    server_name _;',
    ...certificateLines(tlsPorts),
    '    default_type text/plain;',
    `    add_header X-Served-By "${opts.hostname}" always;`,
    '',
    '    location / {',
    `        return 503 "${sorryBody(opts.hostname)}\\n";`,
    '    }',
    '}',
    '',
  ].join('\n');
}
