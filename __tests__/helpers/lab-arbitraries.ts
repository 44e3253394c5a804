/**
 * fast-check arbitraries of lab configs: valid ones spanning what the schema accepts (bounds
 * included, fast-check biases integers towards them), and mutations that break one rule.
 */
import * as fc from 'fast-check';
import { HEALTH_PATH_PATTERN } from '../../cloud-init/web-service';
import { formatIpv4, labMacAddress, parseIpv4, type LabConfig } from '../../lab';
import { RESERVED_PORTS } from '../../lab/schema';
import { isReservedUser } from '../../lab/rules';
import { MIRROR_SIGNING_KEY } from './lab-fixtures';

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq'] as const;
/** Printable ASCII without '"', '#', '!', '{', '}', '\\' (the schema's authPass characters). */
const AUTH_PASS_CHARS = [...Array(0x7f - 0x21).keys()].map((i) => String.fromCharCode(0x21 + i)).filter((c) => !'"#!{}\\'.includes(c));

/** VM and lab names: a letter, then letters and digits, single '-' between them ('--' joins the two in libvirt names). */
export const vmName = fc.stringMatching(/^[a-z](-?[a-z0-9]){1,15}$/);
export const labName = fc.stringMatching(/^[a-z](-?[a-z0-9]){0,19}$/);
const hostLabel = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hostName = fc.tuple(hostLabel, fc.array(hostLabel, { maxLength: 2 })).map(([first, rest]) => [first, ...rest, 'example'].join('.'));
const email = fc.tuple(fc.stringMatching(/^[A-Za-z0-9._%+-]{1,12}$/), hostName).map(([local, host]) => `${local}@${host}`);
const seconds = (max: number) => fc.integer({ min: 1, max });

/** A real OpenSSH ed25519 public key line with a comment of any printable ASCII. */
const sshKey = fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ unit: 'grapheme-ascii', maxLength: 30 })).map(([key, comment]) => {
  const u32 = (n: number) => Buffer.from([0, 0, 0, n]);
  const blob = Buffer.concat([u32(11), Buffer.from('ssh-ed25519'), u32(32), Buffer.from(key)]);
  return `ssh-ed25519 ${blob.toString('base64')}${comment.trim() ? ` ${comment.trim()}` : ''}`;
});

const mirrorUrl = fc
  .tuple(fc.constantFrom('http', 'https'), hostName, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.array(fc.stringMatching(/^[A-Za-z0-9._~%+-]{0,12}$/), { maxLength: 3 }))
  .map(([scheme, host, port, segments]) => `${scheme}://${host}${port !== undefined ? `:${port}` : ''}${segments.map((s) => `/${s}`).join('')}`);
const proxyUrl = fc
  .tuple(fc.constantFrom('http', 'https'), fc.option(fc.tuple(fc.stringMatching(/^[A-Za-z0-9._~%!*'()+,;=-]{1,8}$/), fc.option(fc.stringMatching(/^[A-Za-z0-9._~%!*'()+,;=-]{0,8}$/), { nil: undefined })), { nil: undefined }), hostName, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([scheme, user, host, port]) => `${scheme}://${user ? `${user[0]}${user[1] !== undefined ? `:${user[1]}` : ''}@` : ''}${host}${port !== undefined ? `:${port}` : ''}`);

const timings = fc.record(
  { connectTimeoutSec: seconds(3600), retry: fc.integer({ min: 0, max: 100 }), delayBeforeRetrySec: seconds(3600) },
  { requiredKeys: [] },
);
const healthPath = fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,254}$/).filter((p) => HEALTH_PATH_PATTERN.test(p));
const tcpServiceCheck = fc.oneof(
  fc.constant(undefined),
  fc.constant({}),
  fc.constant({ type: 'none' as const }),
  timings.map((t) => ({ type: 'tcp' as const, ...t })),
  fc.tuple(timings, fc.option(healthPath, { nil: undefined }), fc.boolean()).map(([t, path, status]) => ({
    type: 'http' as const, ...t, ...(path !== undefined ? { path } : {}), ...(status ? { statusCode: 200 } : {}),
  })),
);
const udpServiceCheck = fc.constantFrom(undefined, {}, { type: 'none' as const });

const strip = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** A valid lab config: addresses allocated inside the subnet, names and (vip, port, protocol) unique. */
export const validLab: fc.Arbitrary<LabConfig> = fc
  .record({
    name: labName,
    base: fc.constantFrom('10.0.0.0', '10.77.3.0', '172.16.0.0', '172.31.200.0', '192.168.20.0', '100.64.0.0'),
    prefix: fc.integer({ min: 20, max: 28 }),
    mode: fc.constantFrom('nat', 'isolated', 'bridge'),
    bridge: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/),
    directorCount: fc.integer({ min: 2, max: 3 }),
    realServerCount: fc.integer({ min: 1, max: 4 }),
    vipCount: fc.integer({ min: 1, max: 2 }),
    names: fc.uniqueArray(vmName, { minLength: 7, maxLength: 7 }),
    priorities: fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 3, maxLength: 3 }),
    hostOffsets: fc.uniqueArray(fc.integer({ min: 2, max: 13 }), { minLength: 9, maxLength: 9 }),
    vrrp: fc.oneof(
      fc.record({
        version: fc.constant(2 as const),
        advertIntSec: fc.integer({ min: 1, max: 255 }),
        authPass: fc.option(fc.string({ unit: fc.constantFrom(...AUTH_PASS_CHARS), minLength: 1, maxLength: 8 }), { nil: undefined }),
      }),
      fc.record({ version: fc.constant(3 as const), advertIntSec: fc.integer({ min: 1, max: 4095 }).map((cs) => cs / 100) }),
    ),
    virtualRouterId: fc.integer({ min: 1, max: 255 }),
    transport: fc.constantFrom('unicast', 'multicast'),
    nopreempt: fc.boolean(),
    connectionSync: fc.boolean(),
    services: fc.uniqueArray(
      fc.record({
        vipIndex: fc.integer({ min: 0, max: 1 }),
        // not a port the lab itself listens on (RESERVED_PORTS: 22 ssh, 8848 the sync daemon)
        port: fc.integer({ min: 1, max: 65535 }).filter((p) => !RESERVED_PORTS.some((r) => r.port === p)),
        protocol: fc.constantFrom('TCP', 'UDP'),
        scheduler: fc.constantFrom(...SCHEDULERS),
        persistenceTimeoutSec: fc.option(fc.integer({ min: 0, max: 31 * 86400 }), { nil: undefined }),
        delayLoopSec: fc.option(seconds(3600), { nil: undefined }),
        tcpCheck: tcpServiceCheck,
        udpCheck: udpServiceCheck,
        members: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3, selector: (s) => `${s.vipIndex}:${s.port}:${s.protocol}` },
    ),
    weights: fc.array(fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }), { minLength: 4, maxLength: 4 }),
    sameRealServerPort: fc.boolean(),
    ssh: fc.record({
      user: fc.option(fc.stringMatching(/^[a-z_][a-z0-9_-]{0,31}$/).filter((u) => !isReservedUser(u)), { nil: undefined }),
      authorizedKeys: fc.option(fc.array(sshKey, { maxLength: 2 }), { nil: undefined }),
    }),
    preinstalled: fc.boolean(),
    release: fc.option(fc.constantFrom(13 as const, 12 as const), { nil: undefined }),
    packages: fc.option(
      fc.oneof(
        fc.record({ mirror: mirrorUrl, securityMirror: fc.option(mirrorUrl, { nil: undefined }), proxy: fc.option(proxyUrl, { nil: undefined }), signingKey: fc.option(fc.constant(MIRROR_SIGNING_KEY), { nil: undefined }) }),
        fc.record({ proxy: proxyUrl }),
      ),
      { nil: undefined },
    ),
    notification: fc.option(
      fc.record({
        email: fc.array(email, { minLength: 1, maxLength: 3 }),
        from: email,
        smtpServer: fc.option(fc.ipV4(), { nil: undefined }),
        smtpConnectTimeoutSec: fc.option(seconds(3600), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    sizes: fc.record({ vcpu: fc.integer({ min: 1, max: 64 }), memoryMiB: fc.integer({ min: 256, max: 65536 }) }),
  })
  .map((g): LabConfig => {
    const size = 2 ** (32 - g.prefix);
    const base = parseIpv4(g.base)!;
    const network = base - (base % size);
    const host = (i: number) => formatIpv4(network + g.hostOffsets[i]);
    const directors = Array.from({ length: g.directorCount }, (_, i) => ({ name: g.names[i], address: host(i), priority: g.priorities[i] }));
    const realServers = Array.from({ length: g.realServerCount }, (_, i) => ({
      name: g.names[3 + i], address: host(3 + i), ...(g.weights[i] !== undefined ? { weight: g.weights[i] } : {}),
    }));
    const vips = [host(7), host(8)].slice(0, g.vipCount);
    const services = g.services.map((s) => {
      const members = s.members?.filter((m) => m < g.realServerCount).map((m) => realServers[m].name);
      return strip({
        vip: vips[s.vipIndex % vips.length],
        port: s.port,
        protocol: s.protocol,
        scheduler: s.scheduler,
        persistenceTimeoutSec: s.persistenceTimeoutSec,
        delayLoopSec: s.delayLoopSec,
        healthCheck: s.protocol === 'UDP' ? s.udpCheck : s.tcpCheck,
        realServers: members && members.length > 0 ? members : undefined,
      });
    });
    // (vip, port, protocol) stays unique once vipIndex is folded onto the VIPs there are.
    const unique = services.filter((s, i) => services.findIndex((o) => `${o.vip}:${o.port}:${o.protocol}` === `${s.vip}:${s.port}:${s.protocol}`) === i);
    // keepalived refuses a service whose real servers are all drained: keep one weight above 0.
    for (const service of unique) {
      const members = realServers.filter((rs) => service.realServers === undefined || service.realServers.includes(rs.name));
      if (members.every((rs) => rs.weight === 0)) (members[0] as { weight?: number }).weight = 1;
      // dh cannot skip a server at weight 0 (rule dh-weight-zero): none drained behind it.
      if (service.scheduler === 'dh') for (const rs of members) if (rs.weight === 0) (rs as { weight?: number }).weight = 1;
    }
    const ports = new Set(unique.map((s) => s.port));
    const rsPort = g.sameRealServerPort && ports.size === 1 ? [...ports][0] : undefined;
    return strip({
      name: g.name,
      network: strip({
        mode: g.mode, cidr: `${formatIpv4(network)}/${g.prefix}`, bridge: g.mode === 'bridge' ? g.bridge : undefined,
        // First-boot packages need a router and a resolver, which only nat provides by default.
        ...(g.mode !== 'nat' && !g.preinstalled ? { gateway: formatIpv4(network + 1), dns: [formatIpv4(network + 1)] } : {}),
      }),
      image: { preinstalled: g.preinstalled, ...(g.release !== undefined ? { release: g.release } : {}) },
      packages: g.packages ? strip(g.packages) : undefined,
      ssh: strip(g.ssh),
      vrrp: strip({ virtualRouterId: g.virtualRouterId, transport: g.transport, nopreempt: g.nopreempt, connectionSync: g.connectionSync, ...g.vrrp }),
      directors,
      services: unique,
      realServers: realServers.map((rs) => (rsPort !== undefined ? { ...rs, port: rsPort } : rs)),
      sizes: { director: g.sizes, realServer: g.sizes },
      notification: g.notification ? strip(g.notification) : undefined,
    }) as LabConfig;
  })
  // Two VM names may (rarely) hash to the same 24-bit MAC: the lab rejects that, so skip it here.
  .filter((lab) => {
    const macs = [...lab.directors!, ...lab.realServers!].map((vm) => labMacAddress(lab.name!, vm.name));
    return new Set(macs).size === macs.length;
  });

/** A change that breaks exactly one thing, and the rule and field that must report it. */
export interface Breakage {
  readonly config: unknown;
  readonly rule: string;
  readonly path: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutations poke at any field
type Mutable = Record<string, any>;
const copy = (lab: LabConfig): Mutable => structuredClone(lab) as Mutable;

/** Mutations of a valid lab, each breaking one rule (including every defect of issue 7). */
export const brokenLab: fc.Arbitrary<Breakage> = fc.tuple(validLab, fc.nat(), fc.integer({ min: 1, max: 2000 })).chain(([lab, pick, n]) => {
  const beyond = (max: number) => fc.oneof(fc.integer({ min: max + 1, max: max * 10 + 10 }), fc.constant(1e21));
  const mutations: fc.Arbitrary<Breakage>[] = [
    beyond(31 * 86400).map((v) => { const c = copy(lab); c.services[0].persistenceTimeoutSec = v; return { config: c, rule: 'range', path: 'services[0].persistenceTimeoutSec' }; }),
    beyond(3600).map((v) => { const c = copy(lab); c.services[0].delayLoopSec = v; return { config: c, rule: 'range', path: 'services[0].delayLoopSec' }; }),
    beyond(65536).map((v) => { const c = copy(lab); c.sizes.realServer.memoryMiB = v; return { config: c, rule: 'range', path: 'sizes.realServer.memoryMiB' }; }),
    beyond(254).map((v) => { const c = copy(lab); c.directors[1].priority = v; return { config: c, rule: 'range', path: 'directors[1].priority' }; }),
    beyond(65535).map((v) => { const c = copy(lab); c.realServers[0].weight = v; return { config: c, rule: 'range', path: 'realServers[0].weight' }; }),
    fc.constantFrom('{', '}', 'a{', '}b').map((p) => { const c = copy(lab); c.vrrp = { ...c.vrrp, version: 2, advertIntSec: 1, authPass: p }; return { config: c, rule: 'format', path: 'vrrp.authPass' }; }),
    fc.constant(0).map(() => {
      const c = copy(lab);
      c.services[0] = { ...c.services[0], protocol: 'TCP', healthCheck: { type: 'http', path: `/${'a'.repeat(255 + (n % 1000))}` } };
      return { config: c, rule: 'length', path: 'services[0].healthCheck.path' };
    }),
    fc.constantFrom('127.0.0.0/8', '127.1.0.0/16', '169.254.0.0/16', '224.0.0.0/24', '239.255.0.0/16', '0.0.0.0/8', '240.0.0.0/8')
      .map((cidr) => { const c = copy(lab); c.network = { ...c.network, cidr }; return { config: c, rule: 'cidr', path: 'network.cidr' }; }),
    fc.constantFrom('systemd-network', 'systemd-timesync', 'polkitd', '_apt', 'messagebus', 'root', 'sudo')
      .map((user) => { const c = copy(lab); c.ssh = { ...c.ssh, user }; return { config: c, rule: 'ssh-user-reserved', path: 'ssh.user' }; }),
    fc.constantFrom('nmae', 'Name', 'realservers', 'vrp').map((key) => { const c = copy(lab); c[key] = 'x'; return { config: c, rule: 'unknown-key', path: key }; }),
    fc.constant(0).map(() => { const c = copy(lab); c.vrrp = { ...c.vrrp, virtualRouterId: String(c.vrrp.virtualRouterId) }; return { config: c, rule: 'type', path: 'vrrp.virtualRouterId' }; }),
    fc.constant(0).map(() => { const c = copy(lab); c.realServers[0].name = c.directors[0].name; return { config: c, rule: 'unique-names', path: 'realServers[0].name' }; }),
    fc.constant(0).map(() => { const c = copy(lab); c.directors[1].name = `${c.directors[1].name}--x`; return { config: c, rule: 'format', path: 'directors[1].name' }; }),
    fc.constant(0).map(() => { const c = copy(lab); c.name = `${c.name}--x`; return { config: c, rule: 'format', path: 'name' }; }),
    fc.constant(0).map(() => { const c = copy(lab); c.services[0].vip = '203.0.113.5'; return { config: c, rule: 'address-in-subnet', path: 'services[0].vip' }; }),
    fc.constant(0).map(() => { const c = copy(lab); c.directors[1].priority = c.directors[0].priority; return { config: c, rule: 'unique-priority', path: 'directors[1].priority' }; }),
    fc.constantFrom('tcp', 'http').map((type) => {
      const c = copy(lab);
      c.services[0] = { ...c.services[0], protocol: 'UDP', healthCheck: { type } };
      return { config: c, rule: 'health-check', path: 'services[0].healthCheck.type' };
    }),
  ];
  return mutations[pick % mutations.length];
});
