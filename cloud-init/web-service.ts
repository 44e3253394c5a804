import { WEB_ROOT } from './paths';

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
  assertSiteOptions(opts, ports, healthPaths, webRoot);

  const body = servedByBody(opts.hostname, opts.address);
  return [
    '# Managed by lvs-dr-lab: demo web service of an LVS-DR real server.',
    '# nginx listens on the wildcard address, so it also accepts requests for the VIPs bound on lo.',
    'server {',
    ...ports.map((port) => `    listen ${port} default_server;`),
    ...(opts.ipv6 === true ? ports.map((port) => `    listen [::]:${port} default_server;`) : []),
    '    server_name _;',
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

function assertSiteOptions(opts: NginxSiteOptions, ports: number[], healthPaths: string[], webRoot: string): void {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(opts.hostname)) {
    problems.push(`hostname: expected letters, digits, '.' and '-', got '${opts.hostname}'`);
  }
  if (opts.address !== undefined && !/^[0-9a-fA-F.:]+$/.test(opts.address)) {
    problems.push(`address: expected an IP address, got '${opts.address}'`);
  }
  if (ports.length === 0) {
    problems.push('ports: at least one TCP port is required');
  }
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push(`ports: expected integers 1-65535, got ${port}`);
    }
  }
  for (const path of healthPaths) {
    if (!HEALTH_PATH_PATTERN.test(path)) {
      problems.push(`healthPaths: expected a plain absolute URL path, got '${path}'`);
    }
  }
  if (!/^\/[A-Za-z0-9._\/-]*$/.test(webRoot)) {
    problems.push(`webRoot: expected an absolute path, got '${webRoot}'`);
  }
  if (problems.length > 0) {
    throw new Error(`renderNginxSite:\n  - ${problems.join('\n  - ')}`);
  }
}
