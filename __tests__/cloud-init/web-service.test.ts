import { renderNginxSite, servedByBody } from '../../cloud-init';

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

  test('fails with every problem listed', () => {
    expect(() => renderNginxSite({ hostname: 'rs 1', address: 'x"y', ports: [0], healthPaths: ['status'] })).toThrow(
      [
        'renderNginxSite:',
        "  - hostname: expected letters, digits, '.' and '-', got 'rs 1'",
        `  - address: expected an IP address, got 'x"y'`,
        '  - ports: expected integers 1-65535, got 0',
        "  - healthPaths: expected a plain absolute URL path, got 'status'",
      ].join('\n'),
    );
  });

  test('fails without ports', () => {
    expect(() => renderNginxSite({ hostname: 'rs-1', ports: [] })).toThrow('ports: at least one TCP port is required');
  });
});
