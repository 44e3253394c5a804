import { resolveLabConfig, type LabConfig } from '../../lab';
import {
  directorKeepalivedModel,
  directorUserDataModel,
  realServerUserDataModel,
  staticInterface,
} from '../../lab';

const reference = resolveLabConfig({});
const [director1, director2] = reference.directors;

/** Three directors, two VIPs, services on 80 (http check), 443 and 53/UDP, real servers in different services. */
const MULTI: LabConfig = {
  name: 'multi',
  vrrp: { authPass: 'lab-pass' },
  directors: [
    { name: 'lb-b', address: '192.168.20.12', priority: 100 },
    { name: 'lb-a', address: '192.168.20.11', priority: 200 },
    { name: 'lb-c', address: '192.168.20.13', priority: 50 },
  ],
  services: [
    { vip: '192.168.20.100', port: 80, healthCheck: { type: 'http', path: '/healthz' }, realServers: ['web-1', 'web-2'] },
    { vip: '192.168.20.100', port: 443, realServers: ['web-1'] },
    { vip: '192.168.20.101', port: 53, protocol: 'UDP', healthCheck: { type: 'none' }, realServers: ['dns-1'] },
  ],
  realServers: [
    { name: 'web-1', address: '192.168.20.21', weight: 3 },
    { name: 'web-2', address: '192.168.20.22' },
    { name: 'dns-1', address: '192.168.20.31' },
  ],
};
const multi = resolveLabConfig(MULTI);

describe('directorKeepalivedModel', () => {
  test('the reference MASTER: router id, interface, own address, peer, one instance with the VIP', () => {
    expect(directorKeepalivedModel(reference, director1)).toEqual({
      routerId: 'lvs-lab-director-1',
      interfaceName: 'lab0',
      address: '192.168.20.141',
      peers: ['192.168.20.142'],
      instances: [
        {
          name: 'VI_LVS_LAB',
          state: 'MASTER',
          virtualRouterId: 112,
          priority: 180,
          advertIntSec: 1,
          version: 2,
          transport: 'unicast',
          authPass: '1111',
          nopreempt: false,
          vips: ['192.168.20.140'],
        },
      ],
      connectionSync: true,
      notifyScriptPath: '/usr/local/sbin/lvs-lab-notify',
      services: [
        {
          vip: '192.168.20.140',
          port: 80,
          protocol: 'TCP',
          scheduler: 'wrr',
          persistenceTimeoutSec: 0,
          delayLoopSec: 6,
          healthCheck: { type: 'tcp', connectTimeoutSec: 3, retry: 5, delayBeforeRetrySec: 3 },
          realServers: [
            { name: 'rs-1', address: '192.168.20.143', weight: 100 },
            { name: 'rs-2', address: '192.168.20.144', weight: 100 },
          ],
        },
      ],
    });
  });

  test('the lower-priority director starts BACKUP with its own priority and the MASTER as peer', () => {
    const model = directorKeepalivedModel(reference, director2);
    expect(model.instances[0]).toMatchObject({ state: 'BACKUP', priority: 80 });
    expect(model.peers).toEqual(['192.168.20.141']);
    expect(model.routerId).toBe('lvs-lab-director-2');
  });

  test('with nopreempt every director starts BACKUP (keepalived ignores nopreempt on a MASTER)', () => {
    const lab = resolveLabConfig({ vrrp: { nopreempt: true } });
    expect(lab.directors.map((d) => directorKeepalivedModel(lab, d).instances[0].state)).toEqual(['BACKUP', 'BACKUP']);
    expect(directorKeepalivedModel(lab, lab.directors[0]).instances[0].nopreempt).toBe(true);
  });

  test('three directors: only the highest priority is MASTER; peers are the two others', () => {
    const states = multi.directors.map((d) => [d.name, directorKeepalivedModel(multi, d).instances[0].state]);
    expect(states).toEqual([['lb-a', 'MASTER'], ['lb-b', 'BACKUP'], ['lb-c', 'BACKUP']]);
    const lbB = multi.directors.find((d) => d.name === 'lb-b')!;
    expect(directorKeepalivedModel(multi, lbB).peers).toEqual(['192.168.20.11', '192.168.20.13']);
  });

  test('one instance holds every distinct VIP; services map names to addresses and weights', () => {
    const model = directorKeepalivedModel(multi, multi.directors[0]);
    expect(model.instances).toHaveLength(1);
    expect(model.instances[0].name).toBe('VI_MULTI');
    expect(model.instances[0].vips).toEqual(['192.168.20.100', '192.168.20.101']);
    expect(model.services.map((s) => [s.port, s.realServers])).toEqual([
      [80, [{ name: 'web-1', address: '192.168.20.21', weight: 3 }, { name: 'web-2', address: '192.168.20.22', weight: 100 }]],
      [443, [{ name: 'web-1', address: '192.168.20.21', weight: 3 }]],
      [53, [{ name: 'dns-1', address: '192.168.20.31', weight: 100 }]],
    ]);
  });

  test('VRRPv3 has no authPass; notification passes through', () => {
    const lab = resolveLabConfig({ vrrp: { version: 3 }, notification: { email: ['ops@example.com'], from: 'lvs@example.com' } });
    const model = directorKeepalivedModel(lab, lab.directors[0]);
    expect(model.instances[0]).not.toHaveProperty('authPass');
    expect(model.instances[0].version).toBe(3);
    expect(model.notification).toEqual({ email: ['ops@example.com'], from: 'lvs@example.com', smtpServer: '127.0.0.1', smtpConnectTimeoutSec: 30 });
  });

  test('fails for a director that is not in the lab', () => {
    expect(() => directorKeepalivedModel(reference, multi.directors[0])).toThrow('lb-a is not a director of this lab (director-1, director-2)');
  });
});

describe('directorUserDataModel', () => {
  test('hostname = the VM name, the ssh user, preinstalled and the keepalived model', () => {
    const model = directorUserDataModel(reference, director2);
    expect(model).toEqual({
      hostname: 'director-2',
      release: 13,
      ssh: { name: 'lab', authorizedKeys: [] },
      preinstalled: false,
      keepalived: directorKeepalivedModel(reference, director2),
    });
  });
});

describe('realServerUserDataModel', () => {
  test('the reference real server: the VIP, port 80, no http paths', () => {
    expect(realServerUserDataModel(reference, reference.realServers[0])).toEqual({
      hostname: 'rs-1',
      release: 13,
      address: '192.168.20.143',
      ssh: { name: 'lab', authorizedKeys: [] },
      preinstalled: false,
      vips: ['192.168.20.140'],
      webPorts: [{ port: 80, protocol: 'TCP' }],
      healthPaths: [],
    });
  });

  test('vips and TCP ports of its own services only, http-check paths included', () => {
    const [web1, web2, dns1] = multi.realServers;
    expect(realServerUserDataModel(multi, web1)).toMatchObject({
      vips: ['192.168.20.100'],
      webPorts: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }],
      healthPaths: ['/healthz'],
    });
    expect(realServerUserDataModel(multi, web2)).toMatchObject({ vips: ['192.168.20.100'], webPorts: [{ port: 80, protocol: 'TCP' }] });
    // A UDP-only real server binds its VIP but gets no web listener.
    expect(realServerUserDataModel(multi, dns1)).toMatchObject({ vips: ['192.168.20.101'], webPorts: [], healthPaths: [] });
  });
});

describe('staticInterface', () => {
  test('lab0 matched by the derived MAC, with prefix, gateway and dns', () => {
    const rs = reference.realServers[0];
    expect(staticInterface(reference, rs)).toEqual({
      release: 13,
      name: 'lab0',
      macAddress: rs.macAddress,
      address: '192.168.20.143',
      prefixLength: 24,
      gateway: '192.168.20.1',
      dns: ['192.168.20.1'],
    });
  });

  test('an isolated segment has no gateway and no dns', () => {
    const lab = resolveLabConfig({ network: { mode: 'isolated' }, image: { preinstalled: true } });
    const iface = staticInterface(lab, lab.directors[0]);
    expect(iface).not.toHaveProperty('gateway');
    expect(iface.dns).toEqual([]);
  });
});

describe('issue 8 options in the keepalived model', () => {
  const FEATURES: LabConfig = {
    vrrp: {
      version: 3,
      advertIntSec: 0.2,
      fastFailover: true,
      trackScript: { command: ['/usr/bin/ping', '-c', '1', '192.168.20.1'], intervalSec: 3, weight: -20 },
    },
    directors: [
      { name: 'director-1', address: '192.168.20.141', priority: 250 },
      { name: 'director-2', address: '192.168.20.142', priority: 240 },
    ],
  };

  test('off by default: the model has neither fastFailover nor trackScript (the rendering stays as it was)', () => {
    const model = directorKeepalivedModel(reference, director1);
    expect(model).not.toHaveProperty('fastFailover');
    expect(model).not.toHaveProperty('trackScript');
  });

  test('fastFailover and the check reach every director; the check timeout defaults to its interval', () => {
    const lab = resolveLabConfig(FEATURES);
    expect(lab.vrrp.fastFailover).toBe(true);
    for (const director of lab.directors) {
      const model = directorKeepalivedModel(lab, director);
      expect(model.fastFailover).toBe(true);
      expect(model.trackScript).toEqual({ command: ['/usr/bin/ping', '-c', '1', '192.168.20.1'], intervalSec: 3, timeoutSec: 3, fall: 2, rise: 2, weight: -20 });
    }
    expect(directorKeepalivedModel(lab, lab.directors[1]).instances[0]).toMatchObject({ state: 'BACKUP', priority: 240, version: 3, advertIntSec: 0.2 });
  });
});
