import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderNginxSite, renderSorrySite } from '../../cloud-init';
import { TLS_CERT_PATH, TLS_KEY_PATH } from '../../cloud-init/paths';
import { selfSignedCertificate } from '../../cloud-init/user-data';
import { servedByBody, sorryBody } from '../../cloud-init/web-service';
import { requireTool } from '../helpers/tools';

describe('renderNginxSite', () => {
  test('renders the demo site for a real server exactly', () => {
    // GIVEN rs-1 serving two TCP ports with an extra health path
    const site = renderNginxSite({ hostname: 'rs-1', address: '192.168.20.143', ports: [80, 8080], healthPaths: ['/healthz', '/status'] });

    // THEN
    expect(site).toBe(`# Managed by lvs-dr-lab: demo web service of an LVS-DR real server.
# nginx listens on the wildcard address, so it also accepts requests for the VIPs bound on lo.
server {
    listen 80 default_server;
    listen 8080 default_server;
    server_name _;
    root /var/www/lvs-lab;
    default_type text/plain;
    add_header X-Served-By "rs-1" always;

    location = / {
        return 200 "served-by rs-1 192.168.20.143\\n";
    }

    location = /healthz {
        return 200 "ok\\n";
    }

    location = /status {
        return 200 "ok\\n";
    }

    location / {
        try_files $uri =404;
    }
}
`);
  });

  test('/healthz always answers, even without health paths', () => {
    const site = renderNginxSite({ hostname: 'rs-2', ports: [80] });
    expect(site).toContain('    location = /healthz {\n        return 200 "ok\\n";\n    }\n');
  });

  test('without an address the body names the hostname only', () => {
    expect(servedByBody('rs-2')).toBe('served-by rs-2');
    expect(renderNginxSite({ hostname: 'rs-2', ports: [80] })).toContain('return 200 "served-by rs-2\\n";');
  });

  test('duplicate ports and paths are listed once; "/" is already 200', () => {
    const site = renderNginxSite({ hostname: 'rs-1', ports: [80, 80], healthPaths: ['/', '/healthz', '/healthz'] });
    expect(site.match(/listen 80 /g)).toHaveLength(1);
    expect(site.match(/location = \/healthz /g)).toHaveLength(1);
    expect(site.match(/location = \/ /g)).toHaveLength(1);
  });

  test('the web root can be moved', () => {
    expect(renderNginxSite({ hostname: 'rs-1', ports: [80], webRoot: '/srv/www' })).toContain('    root /srv/www;\n');
  });
});

describe('renderNginxSite: tlsPorts', () => {
  test('listens with ssl on the TLS ports only and names the first-boot certificate', () => {
    const site = renderNginxSite({ hostname: 'rs-1', address: '192.168.20.143', ports: [80, 443, 8443], tlsPorts: [443, 8443] });
    expect(site).toContain(`server {
    listen 80 default_server;
    listen 443 ssl default_server;
    listen 8443 ssl default_server;
    server_name _;
    # Self-signed, generated at first boot: clients and checks do not verify it.
    ssl_certificate /etc/ssl/certs/lvs-lab.crt;
    ssl_certificate_key /etc/ssl/private/lvs-lab.key;
    root /var/www/lvs-lab;
`);
  });

  test('without tlsPorts there is no ssl at all', () => {
    expect(renderNginxSite({ hostname: 'rs-1', ports: [80, 443] })).not.toMatch(/ssl/);
  });
});

describe('renderSorrySite', () => {
  test('renders the directors\' sorry site exactly: 503 and the director\'s name on every port', () => {
    expect(renderSorrySite({ hostname: 'director-1', ports: [80, 443], tlsPorts: [443] })).toBe(`# Managed by lvs-dr-lab: sorry site of an LVS director. keepalived adds the director itself
# (sorry_server 127.0.0.1) to a service whose real servers are all down, and IPVS delivers
# its clients here: every request answers 503.
server {
    listen 80 default_server;
    listen 443 ssl default_server;
    server_name _;
    # Self-signed, generated at first boot: clients and checks do not verify it.
    ssl_certificate /etc/ssl/certs/lvs-lab.crt;
    ssl_certificate_key /etc/ssl/private/lvs-lab.key;
    default_type text/plain;
    add_header X-Served-By "director-1" always;

    location / {
        return 503 "sorry-from director-1\\n";
    }
}
`);
    expect(sorryBody('director-2')).toBe('sorry-from director-2');
  });
});

/**
 * The first-boot certificate command as the VM runs it (bash, the runcmd item), with its paths
 * moved into `dir`, then `nginx -t` on a main config that includes `site` with those paths:
 * nginx loads the certificate and key, so a broken command or site fails here.
 */
function nginxTest(site: string): { status: number | null; output: string; keyMode: number } {
  requireTool('openssl', 'openssl');
  requireTool('nginx', 'nginx');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-nginx-'));
  try {
    const cert = path.join(dir, 'lvs-lab.crt');
    const key = path.join(dir, 'lvs-lab.key');
    const moved = (text: string) => text.split(TLS_CERT_PATH).join(cert).split(TLS_KEY_PATH).join(key);
    const generated = spawnSync('bash', ['-c', moved(selfSignedCertificate('rs-1'))], { encoding: 'utf8' });
    if (generated.status !== 0) throw new Error(`the certificate command failed: ${generated.stderr}`);
    fs.writeFileSync(path.join(dir, 'site'), moved(site));
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((what) => `    ${what}_temp_path ${path.join(dir, what)};`);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), [
      'user root;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      'error_log stderr;',
      'events {}',
      'http {',
      `    access_log off;`,
      ...temp,
      `    include ${path.join(dir, 'site')};`,
      '}',
      '',
    ].join('\n'));
    const result = spawnSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, keyMode: fs.statSync(key).mode & 0o777 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('nginx -t accepts the rendered sites with the first-boot certificate', () => {
  test('the demo site with plain and TLS ports', () => {
    const result = nginxTest(renderNginxSite({ hostname: 'rs-1', address: '192.168.20.143', ports: [80, 443, 8443], tlsPorts: [443, 8443], healthPaths: ['/ready'] }));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
    expect(result.keyMode).toBe(0o600);
  });

  test('the sorry site', () => {
    const result = nginxTest(renderSorrySite({ hostname: 'director-1', ports: [80, 443], tlsPorts: [443] }));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('the check is not vacuous: a certificate path that does not exist is refused', () => {
    const result = nginxTest(renderSorrySite({ hostname: 'director-1', ports: [443], tlsPorts: [443] }).replace(TLS_CERT_PATH, '/nonexistent/lvs-lab.crt'));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('/nonexistent/lvs-lab.crt');
  });
});
