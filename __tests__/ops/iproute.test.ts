import { boundVips, parseAddresses, parseNeighbour, parseRouteGet } from '../../ops/iproute';
import { directorAddresses, neighbour, realServerLo, routeOnLink, routeVia } from '../helpers/ops-output';

describe('parseAddresses (ip -o addr show, recorded)', () => {
  test('a MASTER director: its own address and the VIP /32 on lab0', () => {
    expect(parseAddresses(directorAddresses('192.168.20.141', ['192.168.20.140']))).toEqual([
      { device: 'lab0', label: 'lab0', address: '192.168.20.141', prefixLength: 24 },
      { device: 'lab0', label: 'lab0', address: '192.168.20.140', prefixLength: 32 },
      { device: 'lab0', label: 'lab0', address: 'fe80::5054:ff:fe3b:910e', prefixLength: 64 },
    ]);
  });

  test('a dual-stack MASTER: the IPv6 VIP beside the IPv4 one', () => {
    expect(parseAddresses(directorAddresses('10.77.0.11', ['10.77.0.10', 'fd77::10'], 24, '10.77.0.255')).map((a) => `${a.address}/${a.prefixLength}`))
      .toEqual(['10.77.0.11/24', '10.77.0.10/32', 'fd77::10/128', 'fe80::5054:ff:fe3b:910e/64']);
  });

  test('a real server: the VIP on lo under its label', () => {
    expect(parseAddresses(realServerLo(['192.168.20.140']))[1]).toEqual({ device: 'lo', label: 'lo:0', address: '192.168.20.140', prefixLength: 32 });
  });
});

describe('boundVips', () => {
  test('only VIPs bound as /32, on the device asked for', () => {
    const text = directorAddresses('192.168.20.141', ['192.168.20.140']);
    expect(boundVips(text, ['192.168.20.140', '192.168.20.150'], 'lab0')).toEqual(['192.168.20.140']);
    expect(boundVips(text, ['192.168.20.140'], 'lo')).toEqual([]);
    // the director's own /24 address is no VIP even when asked for
    expect(boundVips(text, ['192.168.20.141'])).toEqual([]);
  });

  test('an IPv6 VIP, however the config spells it, on lab0 and on a real server\'s lo', () => {
    const director = directorAddresses('10.77.0.11', ['10.77.0.10', 'fd77::10'], 24, '10.77.0.255');
    expect(boundVips(director, ['10.77.0.10', 'FD77:0::10', 'fd77::99'], 'lab0')).toEqual(['10.77.0.10', 'FD77:0::10']);
    expect(boundVips(realServerLo(['10.77.0.10', 'fd77::10']), ['fd77::10', '10.77.0.10'], 'lo')).toEqual(['fd77::10', '10.77.0.10']);
    expect(boundVips(realServerLo(['10.77.0.10']), ['fd77::10'], 'lo')).toEqual([]);
  });
});

describe('parseNeighbour (ip neigh show to, recorded)', () => {
  test('a resolved entry: MAC (lower case) and state', () => {
    expect(parseNeighbour(neighbour('192.168.20.140', '52:54:00:3B:91:0E'), '192.168.20.140')).toEqual({
      address: '192.168.20.140', device: 'eth0', mac: '52:54:00:3b:91:0e', state: 'REACHABLE',
    });
  });
  test('a stale entry keeps its MAC', () => {
    expect(parseNeighbour('192.168.20.140 dev eth0 lladdr 52:54:00:3b:91:0e STALE \n', '192.168.20.140')).toMatchObject({ state: 'STALE', mac: '52:54:00:3b:91:0e' });
  });
  test('a failed resolution has no MAC; no entry at all is undefined', () => {
    expect(parseNeighbour('192.168.20.99 dev eth0 FAILED \n', '192.168.20.99')).toEqual({ address: '192.168.20.99', device: 'eth0', state: 'FAILED' });
    expect(parseNeighbour('', '192.168.20.140')).toBeUndefined();
    expect(parseNeighbour('192.168.20.1 dev eth0 lladdr 52:54:00:00:00:01 REACHABLE\n', '192.168.20.140')).toBeUndefined();
  });
});

describe('parseRouteGet (ip route get, recorded)', () => {
  test('on the segment: a device, no next hop', () => {
    expect(parseRouteGet(routeOnLink('192.168.20.140'))).toEqual({ device: 'eth0', source: '192.168.20.254' });
  });
  test('routed: the next hop', () => {
    expect(parseRouteGet(routeVia('192.168.20.140', '10.0.0.1'))).toEqual({ device: 'eth0', via: '10.0.0.1', source: '10.0.0.5' });
  });
  test('no route: nothing', () => {
    expect(parseRouteGet('RTNETLINK answers: Network is unreachable\n')).toBeUndefined();
  });
});
