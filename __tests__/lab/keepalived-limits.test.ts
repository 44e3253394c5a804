import {
  fastFailoverMaxAdvertSec, fastFailoverMinPriority, keepsFastFailoverBound, MAX_FWMARK, TRACK_SCRIPT_MAX_WORDS,
} from '../../cloud-init/keepalived-limits';
import { directorKeepalivedModel, realServerUserDataModel, resolveLabConfig } from '../../lab';
import { expectRule } from '../helpers/expect-rule';

/*
 * The renderers (cloud-init/) trust the resolved lab: every limit they once checked again is held
 * here, before anything is rendered, by a rule or the schema (ids: the rule's, or format / range /
 * count for the schema's), or holds by construction of the lab model (asserted on the model).
 */
const VIP = '192.168.20.140';
const D1 = { name: 'director-1', address: '192.168.20.141', priority: 250 };
const D2 = { name: 'director-2', address: '192.168.20.142', priority: 200 };
const trackScript = (patch: Record<string, unknown>) => ({ vrrp: { trackScript: { command: ['/usr/bin/true'], ...patch } } });
const service = (patch: Record<string, unknown>) => ({ services: [{ vip: VIP, ...patch }] });
const DUAL_STACK_NETWORK = { mode: 'bridge' as const, bridge: 'br0', gateway: '192.168.20.1', dns: ['192.168.20.1'], ipv6Cidr: 'fd77::/64' };

describe('the VRRP instance limits', () => {
  test('fails when a VRRPv2 advert interval is fractional', () => {
    expectRule({ vrrp: { advertIntSec: 0.5 } }, 'advert-interval', 'vrrp.advertIntSec');
  });

  test('fails when VRRPv3 is given authentication', () => {
    expectRule({ vrrp: { version: 3, authPass: 'secret' } }, 'auth-pass-version', 'vrrp.authPass');
  });

  test('fails when an IPv6 VIP meets VRRPv2', () => {
    expectRule({ network: DUAL_STACK_NETWORK, services: [{ vip: 'fd77::100' }] }, 'ipv6-vip-version', 'vrrp.version');
  });

  test('fails with one director: unicast has a peer in every lab', () => {
    expectRule({ directors: [D1] }, 'count', 'directors');
  });

  test('nopreempt: every director starts BACKUP (keepalived ignores nopreempt on a MASTER)', () => {
    const lab = resolveLabConfig({ vrrp: { nopreempt: true } });
    for (const director of lab.directors) {
      expect(directorKeepalivedModel(lab, director).instances.map((i) => [i.state, i.nopreempt])).toEqual([['BACKUP', true]]);
    }
  });

  test('an IPv6 instance holds IPv6 VIPs only, and its unicast has address6 and peers6', () => {
    const lab = resolveLabConfig({ network: DUAL_STACK_NETWORK, vrrp: { version: 3 }, services: [{ vip: VIP }, { vip: 'fd77::100' }] });
    const model = directorKeepalivedModel(lab, lab.directors[0]);
    expect(model.instances.map((i) => [i.family ?? 4, i.vips])).toEqual([[4, [VIP]], [6, ['fd77::100']]]);
    expect(model.address6).toMatch(/^fd77::/);
    expect(model.peers6).toHaveLength(1);
    expect(model.notifyScriptPath).toMatch(/^\/[^\s"']+$/);
  });
});

describe('fast failover', () => {
  test('fails on VRRPv2 (whole-second adverts)', () => {
    expectRule({ vrrp: { fastFailover: true } }, 'fast-failover', 'vrrp.version', 1);
  });

  test('fails with adverts below 0.1 s', () => {
    expectRule({ vrrp: { version: 3, fastFailover: true, advertIntSec: 0.05 } }, 'fast-failover', 'vrrp.advertIntSec');
  });

  test('fails when a BACKUP cannot take over within 1 s (0.3 s adverts: even priority 254 takes 1.1 s)', () => {
    expectRule({ vrrp: { version: 3, fastFailover: true, advertIntSec: 0.3 }, directors: [D1, D2] }, 'fast-failover', 'vrrp.advertIntSec');
  });

  test('fails when one director is too low for the bound (0.25 s adverts need priority 205)', () => {
    expectRule({ vrrp: { version: 3, fastFailover: true, advertIntSec: 0.25 }, directors: [D1, D2] }, 'fast-failover', 'directors[1].priority');
  });

  test('fastFailoverMaxAdvertSec and fastFailoverMinPriority invert the bound', () => {
    expect(fastFailoverMaxAdvertSec(254)).toBe(0.26);
    expect(fastFailoverMaxAdvertSec(1)).toBe(0.2);
    expect(fastFailoverMinPriority(0.2)).toBe(1);
    expect(fastFailoverMinPriority(0.25)).toBe(205);
    expect(fastFailoverMinPriority(0.27)).toBeUndefined();
    for (const [priority, advert] of [[205, 0.25], [1, 0.2], [254, 0.26]] as const) expect(keepsFastFailoverBound(priority, advert)).toBe(true);
    for (const [priority, advert] of [[204, 0.25], [254, 0.27]] as const) expect(keepsFastFailoverBound(priority, advert)).toBe(false);
  });
});

describe('the director check (vrrp_script)', () => {
  test.each([
    ['a relative executable', ['ping', '-c', '1'], 'track-script', 'vrrp.trackScript.command[0]'],
    ['a .. component', ['/usr/bin/../bin/ping'], 'track-script', 'vrrp.trackScript.command[0]'],
    ['a shell word', ['/bin/sh', '-c', 'ping;reboot'], 'format', 'vrrp.trackScript.command[2]'],
    ['a quote', ['/usr/bin/test', '-e', '"/x"'], 'format', 'vrrp.trackScript.command[2]'],
    ['a keepalived comment', ['/usr/bin/test', '!', '-e', '/x'], 'format', 'vrrp.trackScript.command[1]'],
    ['a space inside a word', ['/usr/bin/ping', '-c 1'], 'format', 'vrrp.trackScript.command[1]'],
    ['no command', [], 'count', 'vrrp.trackScript.command'],
    [`more than ${TRACK_SCRIPT_MAX_WORDS} words`, ['/usr/bin/true', ...Array<string>(TRACK_SCRIPT_MAX_WORDS).fill('x')], 'count', 'vrrp.trackScript.command'],
    ["a line longer than keepalived's 1023 characters", ['/usr/bin/true', ...Array<string>(15).fill('x'.repeat(70))], 'keepalived-line', 'vrrp.trackScript.command'],
  ])('fails on %s', (_what, command, rule, path) => {
    expectRule(trackScript({ command }), rule, path);
  });

  test.each([
    ['the timeout outlasts the interval', { intervalSec: 2, timeoutSec: 5 }, 'track-script', 'vrrp.trackScript.timeoutSec'],
    ['fall is 0', { fall: 0 }, 'range', 'vrrp.trackScript.fall'],
    ['rise is fractional', { rise: 1.5 }, 'range', 'vrrp.trackScript.rise'],
    ['the weight is beyond -253..253', { weight: -300 }, 'range', 'vrrp.trackScript.weight'],
  ])('fails when %s', (_what, patch, rule, path) => {
    expectRule(trackScript(patch), rule, path);
  });
});

describe('the virtual server limits', () => {
  test.each([
    ['a firewall mark of 0', { ports: [80, 81], fwmark: 0 }, 'range', 'services[0].fwmark'],
    [`a firewall mark above ${MAX_FWMARK}`, { ports: [80, 81], fwmark: MAX_FWMARK + 1 }, 'range', 'services[0].fwmark'],
    ['a quorum above the real servers\' weights', { quorum: { weight: 201 } }, 'quorum', 'services[0].quorum.weight'],
    ['a quorum of 0', { quorum: { weight: 0 } }, 'range', 'services[0].quorum.weight'],
    ['a hysteresis of the quorum or more', { quorum: { weight: 100, hysteresis: 100 } }, 'quorum', 'services[0].quorum.hysteresis'],
    ['a relative quorum hook', { quorum: { weight: 100, up: ['logger', 'up'] } }, 'quorum', 'services[0].quorum.up[0]'],
    ['a shell word in a quorum hook', { quorum: { weight: 100, down: ['/usr/bin/logger', 'a;b'] } }, 'format', 'services[0].quorum.down[1]'],
    ['a misc word with a stray brace', { miscCheck: { command: ['/usr/bin/curl', 'http://{hostname}/'] } }, 'format', 'services[0].miscCheck.command[1]'],
    ['a relative misc check', { miscCheck: { command: ['curl'] } }, 'misc-check', 'services[0].miscCheck.command[0]'],
    ['a misc timeout of 0', { miscCheck: { command: ['/usr/bin/curl'], timeoutSec: 0 } }, 'range', 'services[0].miscCheck.timeoutSec'],
    ['an http check path with a space', { healthCheck: { type: 'http', path: '/a b' } }, 'format', 'services[0].healthCheck.path'],
  ])('fails on %s', (_what, patch, rule, path) => {
    expectRule(service(patch), rule, path);
  });

  test('fails on a relative https check path (and the schema names it)', () => {
    expectRule(service({ healthCheck: { type: 'https', path: 'ready' } }), 'format', 'services[0].healthCheck.path', 1);
  });
});

describe('the nftables marks, the real servers and the web sites', () => {
  test.each([
    ['a VIP that is not an address', { vip: '192.168.20.300' }, 'format', 'services[0].vip'],
    ['port 0', { vip: VIP, port: 0 }, 'range', 'services[0].port'],
    ['a TLS port that is not one of the ports', { vip: VIP, tlsPorts: [443] }, 'tls-ports', 'services[0].tlsPorts[0]'],
  ])('fails on %s', (_what, svc, rule, path) => {
    expectRule({ services: [svc] }, rule, path);
  });

  test('fails on a VM name that is no hostname', () => {
    expectRule({ realServers: [{ name: 'rs 1', address: '192.168.20.143' }] }, 'format', 'realServers[0].name');
    expectRule({ directors: [{ ...D1, name: 'director 1' }, D2] }, 'format', 'directors[0].name');
  });

  test('a real server binds its IPv4 and IPv6 VIPs apart', () => {
    const lab = resolveLabConfig({ network: DUAL_STACK_NETWORK, vrrp: { version: 3 }, services: [{ vip: VIP }, { vip: 'fd77::100' }] });
    const model = realServerUserDataModel(lab, lab.realServers[0]);
    expect([model.vips, model.vips6]).toEqual([[VIP], ['fd77::100']]);
  });
});
