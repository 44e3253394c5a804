import { domIfForMac, installedOrigins, ipvsTable, parseNotifyLog, parsePacketLine, parseArpLine } from '../../e2e/parse';

describe('ipvsTable', () => {
  test('reads every real server of every service with forwarding, weight and active connections', () => {
    // GIVEN `ipvsadm -Ln` of a director
    const text = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  192.168.20.140:80 wrr',
      '  -> 192.168.20.143:80            Route   100    2          7',
      '  -> 192.168.20.144:80            Route   50     0          3',
      'UDP  192.168.20.140:53 rr',
      '',
    ].join('\n');

    // WHEN
    const table = ipvsTable(text);

    // THEN
    expect([...table.keys()]).toEqual(['TCP 192.168.20.140:80', 'UDP 192.168.20.140:53']);
    expect(table.get('TCP 192.168.20.140:80')).toEqual([
      { address: '192.168.20.143', port: 80, forward: 'Route', weight: 100, activeConns: 2 },
      { address: '192.168.20.144', port: 80, forward: 'Route', weight: 50, activeConns: 0 },
    ]);
    expect(table.get('UDP 192.168.20.140:53')).toEqual([]);
  });
});

describe('installedOrigins', () => {
  test('the installed version and the sources it came from, per package', () => {
    // GIVEN `apt-cache policy keepalived ipvsadm` after a first-boot install from a mirror
    const text = [
      'keepalived:',
      '  Installed: 1:2.2.7-1+b2',
      '  Candidate: 1:2.2.7-1+b2',
      '  Version table:',
      ' *** 1:2.2.7-1+b2 500',
      '        500 http://apt.lvs-lab.test/debian bookworm/main amd64 Packages',
      '        100 /var/lib/dpkg/status',
      'ipvsadm:',
      '  Installed: (none)',
      '  Candidate: 1:1.31-1+b1',
      '  Version table:',
      '     1:1.31-1+b1 500',
      '        500 http://apt.lvs-lab.test/debian bookworm/main amd64 Packages',
      '',
    ].join('\n');

    // WHEN
    const origins = installedOrigins(text);

    // THEN
    expect(origins.get('keepalived')).toEqual({
      installed: '1:2.2.7-1+b2',
      sources: ['http://apt.lvs-lab.test/debian bookworm/main amd64 Packages', '/var/lib/dpkg/status'],
    });
    expect(origins.get('ipvsadm')).toEqual({ installed: '(none)', sources: [] });
  });
});

describe('parsePacketLine', () => {
  test('a TCP packet captured on "any" (interface and direction before IP)', () => {
    expect(parsePacketLine('01:02:03.456789 br-lab In  IP 10.77.0.21.43210 > 203.0.113.1.80: Flags [S], seq 1, length 0')).toEqual({
      src: '10.77.0.21', sport: 43210, dst: '203.0.113.1', dport: 80,
    });
  });
  test('a DNS question', () => {
    expect(parsePacketLine('01:02:03.456789 IP 192.168.20.143.5353 > 192.168.20.1.53: 4660+ A? apt.lvs-lab.test. (34)')).toEqual({
      src: '192.168.20.143', sport: 5353, dst: '192.168.20.1', dport: 53, query: { type: 'A', name: 'apt.lvs-lab.test' },
    });
  });
  test('ICMP has no ports', () => {
    expect(parsePacketLine('01:02:03.4 IP 192.168.20.143 > 8.8.8.8: ICMP echo request, id 1, seq 1, length 64')).toEqual({ src: '192.168.20.143', dst: '8.8.8.8' });
  });
  test('not an IPv4 packet', () => {
    expect(parsePacketLine('01:02:03.4 ARP, Request who-has 192.168.20.140 tell 192.168.20.254, length 28')).toBeUndefined();
  });
});

describe('parseArpLine', () => {
  test('a broadcast request: who asks for which address, from which MAC, when', () => {
    const line = '1764220800.250131 52:54:00:aa:bb:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.20.140 tell 192.168.20.254, length 28';
    expect(parseArpLine(line)).toEqual({ t: 1764220800250, srcMac: '52:54:00:aa:bb:01', op: 'request', target: '192.168.20.140', sender: '192.168.20.254' });
  });

  test('a request naming the hardware address it asks (unicast probe)', () => {
    const line = '1764220801.000000 52:54:00:aa:bb:01 > 52:54:00:aa:bb:02, ethertype ARP (0x0806), length 42: Request who-has 192.168.20.140 (52:54:00:aa:bb:02) tell 192.168.20.254, length 28';
    expect(parseArpLine(line)).toMatchObject({ op: 'request', target: '192.168.20.140', sender: '192.168.20.254' });
  });

  test('a reply: the address, the MAC it claims, and the frame sender', () => {
    const line = '1764220800.251000 52:54:00:aa:bb:02 > 52:54:00:aa:bb:01, ethertype ARP (0x0806), length 42: Reply 192.168.20.140 is-at 52:54:00:aa:bb:02, length 28';
    expect(parseArpLine(line)).toEqual({ t: 1764220800251, srcMac: '52:54:00:aa:bb:02', op: 'reply', target: '192.168.20.140', mac: '52:54:00:aa:bb:02' });
  });

  test('not ARP, or not -e -tt output', () => {
    expect(parseArpLine('1764220800.25 52:54:00:aa:bb:02 > 52:54:00:aa:bb:01, ethertype IPv4 (0x0800), length 74: 10.0.0.1.80 > 10.0.0.2.5000: Flags [S]')).toBeUndefined();
    expect(parseArpLine('ARP, Reply 192.168.20.140 is-at 52:54:00:aa:bb:02, length 28')).toBeUndefined();
  });
});

describe('parseNotifyLog', () => {
  test('reads instance transitions, skipping group lines and noise', () => {
    // GIVEN the notify hook's log of a director that failed over and took the VIP back
    const text = [
      '2026-11-27T07:01:02+00:00 INSTANCE VI_E2EF BACKUP 250',
      '2026-11-27T07:01:03+00:00 INSTANCE VI_E2EF MASTER 250',
      '2026-11-27T07:05:00+00:00 GROUP LVS_LAB FAULT',
      'garbage',
      '2026-11-27T07:05:00+00:00 INSTANCE VI_E2EF FAULT',
      '',
    ].join('\n');

    // THEN
    expect(parseNotifyLog(text).map((t) => `${t.state} ${t.priority ?? '-'}`)).toEqual(['BACKUP 250', 'MASTER 250', 'FAULT -']);
    expect(parseNotifyLog(text)[0]).toEqual({ time: '2026-11-27T07:01:02+00:00', type: 'INSTANCE', name: 'VI_E2EF', state: 'BACKUP', priority: 250 });
  });
});

describe('domIfForMac', () => {
  test("finds the host-side interface of a domain's NIC by its MAC (virsh -q domiflist)", () => {
    const text = [
      ' vnet3      bridge   br-feat   virtio   52:54:00:1a:2b:3c',
      ' vnet4      network  default   virtio   52:54:00:aa:bb:cc',
      '',
    ].join('\n');
    expect(domIfForMac(text, '52:54:00:AA:BB:CC')).toBe('vnet4');
    expect(domIfForMac(text, '52:54:00:1a:2b:3c')).toBe('vnet3');
    expect(domIfForMac(text, '52:54:00:00:00:00')).toBeUndefined();
  });
});
