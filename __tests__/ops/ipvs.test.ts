import { resolveLabConfig } from '../../lab';
import { ipvsComplete, ipvsTable, parseIpvsServices, parseSyncDaemons, realServersInTable, serviceKey, serviceUrl, serviceUrls } from '../../ops/ipvs';
import { IPVSADM_NO_IPVS, ipvsadmList, syncDaemons } from '../helpers/ops-output';

// ipvsadm 1.31's output, byte for byte (format strings of the Debian 12 binary; trailing spaces kept)
const TWO_SERVICES = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  'TCP  192.168.20.140:80 wrr',
  '  -> 192.168.20.143:80            Route   1      0          12        ',
  '  -> 192.168.20.144:80            Route   1      1          11        ',
  'TCP  10.77.0.10:8080 wlc persistent 300',
  'UDP  10.77.0.10:53 rr ops',
  'FWM  7 rr persistent 300',
  '  -> 127.0.0.1:8080               Local   1      0          2         ',
  '  -> 10.77.0.21:8080              Route   0      0          0         ',
  '',
].join('\n');

describe('parseIpvsServices', () => {
  test('every IPv4 service with scheduler, persistence and each real server with its counts', () => {
    const services = parseIpvsServices(TWO_SERVICES);
    expect(services).toEqual([
      {
        protocol: 'TCP', vip: '192.168.20.140', port: 80, scheduler: 'wrr', persistenceSec: 0,
        destinations: [
          { address: '192.168.20.143', port: 80, forward: 'Route', weight: 1, activeConns: 0, inactiveConns: 12 },
          { address: '192.168.20.144', port: 80, forward: 'Route', weight: 1, activeConns: 1, inactiveConns: 11 },
        ],
      },
      { protocol: 'TCP', vip: '10.77.0.10', port: 8080, scheduler: 'wlc', persistenceSec: 300, destinations: [] },
      { protocol: 'UDP', vip: '10.77.0.10', port: 53, scheduler: 'rr', persistenceSec: 0, destinations: [] },
      {
        protocol: 'FWM', vip: '', port: 0, fwmark: 7, scheduler: 'rr', persistenceSec: 300,
        destinations: [
          { address: '127.0.0.1', port: 8080, forward: 'Local', weight: 1, activeConns: 0, inactiveConns: 2 },
          { address: '10.77.0.21', port: 8080, forward: 'Route', weight: 0, activeConns: 0, inactiveConns: 0 },
        ],
      },
    ]);
  });

  test("a firewall-mark service's real servers are not taken for the service before it", () => {
    const udp = parseIpvsServices(TWO_SERVICES).find((s) => s.port === 53)!;
    expect(udp.destinations).toEqual([]);
  });

  test('an IPv6 service and its real servers, addresses without brackets, keyed as ipvsadm prints them', () => {
    const text = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  [fd77::10]:8080 wlc',
      '  -> [fd77::21]:8080              Route   3      0          4         ',
      '  -> [fd77::22]:8080              Route   1      0          1         ',
      '',
    ].join('\n');
    const [v6] = parseIpvsServices(text);
    expect(v6).toEqual({
      protocol: 'TCP', vip: 'fd77::10', port: 8080, scheduler: 'wlc', persistenceSec: 0,
      destinations: [
        { address: 'fd77::21', port: 8080, forward: 'Route', weight: 3, activeConns: 0, inactiveConns: 4 },
        { address: 'fd77::22', port: 8080, forward: 'Route', weight: 1, activeConns: 0, inactiveConns: 1 },
      ],
    });
    expect(serviceKey(v6)).toBe('TCP [fd77::10]:8080');
    // a config may spell the address differently: the key is ipvsadm's spelling
    expect(serviceKey({ protocol: 'TCP', vip: 'FD77:0:0:0::10', port: 8080 })).toBe('TCP [fd77::10]:8080');
  });

  test('a firewall-mark service is keyed by its mark, a plain one by protocol, VIP and port', () => {
    const keys = parseIpvsServices(TWO_SERVICES).map(serviceKey);
    expect(keys).toEqual(['TCP 192.168.20.140:80', 'TCP 10.77.0.10:8080', 'UDP 10.77.0.10:53', 'FWM 7']);
    expect(serviceKey({ protocol: 'TCP', vip: '10.77.0.9', port: 8080, fwmark: 7 })).toBe('FWM 7');
  });

  test('an empty table (keepalived stopped) and the error of a kernel without IPVS read as no service', () => {
    expect(parseIpvsServices(ipvsadmList([]))).toEqual([]);
    expect(parseIpvsServices(IPVSADM_NO_IPVS)).toEqual([]);
  });
});

describe('ipvsTable (the e2e harness\'s shape)', () => {
  test('keys PROTO VIP:PORT, rows without the inactive count', () => {
    const table = ipvsTable(TWO_SERVICES);
    expect([...table.keys()]).toEqual(['TCP 192.168.20.140:80', 'TCP 10.77.0.10:8080', 'UDP 10.77.0.10:53', 'FWM 7']);
    expect(table.get('TCP 192.168.20.140:80')![1]).toEqual({ address: '192.168.20.144', port: 80, forward: 'Route', weight: 1, activeConns: 1 });
  });
});

describe('completeness', () => {
  const lab = resolveLabConfig({});
  const full = ipvsadmList([{ protocol: 'TCP', vip: '192.168.20.140', port: 80, scheduler: 'wrr', rows: [
    { address: '192.168.20.143', port: 80, weight: 1 }, { address: '192.168.20.144', port: 80, weight: 1 },
  ] }]);
  const one = ipvsadmList([{ protocol: 'TCP', vip: '192.168.20.140', port: 80, scheduler: 'wrr', rows: [{ address: '192.168.20.144', port: 80, weight: 1 }] }]);

  test('ipvsComplete: every service of the reference lab with both real servers', () => {
    expect(ipvsComplete(lab, ipvsTable(full))).toBe(true);
    expect(ipvsComplete(lab, ipvsTable(one))).toBe(false);
    expect(ipvsComplete(lab, ipvsTable(''))).toBe(false);
  });

  test('realServersInTable names the lab\'s real servers the table lists', () => {
    expect(realServersInTable(lab, lab.services[0], parseIpvsServices(full))).toEqual(['rs-1', 'rs-2']);
    expect(realServersInTable(lab, lab.services[0], parseIpvsServices(one))).toEqual(['rs-2']);
    expect(serviceKey(lab.services[0])).toBe('TCP 192.168.20.140:80');
  });
});

describe('parseSyncDaemons', () => {
  test('the master daemon with every option ipvsadm 1.31 prints', () => {
    expect(parseSyncDaemons(syncDaemons('master'))).toEqual([
      { role: 'master', interface: 'lab0', syncId: 51, options: { maxlen: '1472', group: '224.0.0.81', port: '8848', ttl: '1' } },
    ]);
  });

  test('the short form of older ipvsadm, and both daemons at once', () => {
    const text = 'master sync daemon (mcast=lab0, syncid=0)\nbackup sync daemon (mcast=lab0, syncid=0)\n';
    expect(parseSyncDaemons(text).map((d) => [d.role, d.interface, d.syncId])).toEqual([['master', 'lab0', 0], ['backup', 'lab0', 0]]);
  });

  test('no daemon: nothing printed', () => {
    expect(parseSyncDaemons(syncDaemons('none'))).toEqual([]);
  });
});

describe('URLs', () => {
  test('serviceUrl: an IPv4 VIP as it is, an IPv6 VIP in brackets (canonical)', () => {
    expect(serviceUrl({ vip: '192.168.20.140', port: 80 })).toBe('http://192.168.20.140:80/');
    expect(serviceUrl({ vip: 'fd77:0::80', port: 8080 }, 'big.bin')).toBe('http://[fd77::80]:8080/big.bin');
  });
  test('serviceUrls: every port, https on the TLS ones, an IPv6 VIP in brackets', () => {
    expect(serviceUrls({ vip: '10.77.0.9', ports: [80, 8443], tlsPorts: [8443] })).toEqual(['http://10.77.0.9:80/', 'https://10.77.0.9:8443/']);
    expect(serviceUrls({ vip: 'fd77::1:10', ports: [8000, 8443], tlsPorts: [8443] })).toEqual(['http://[fd77::1:10]:8000/', 'https://[fd77::1:10]:8443/']);
  });
});
