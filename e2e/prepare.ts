/**
 * A run's context before its first check: the user's lab with this machine's overrides (written
 * where cdktf reads it), what the stand-in serves for it, the client's addresses, the result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultAddress6, labConfigFromEnv, labVips, resolveLabConfig, serviceFamily } from '../lab';
import { e2eLabConfig, makeDefaultKeyHome, standInSites } from './cdktf';
import { engineName } from './checks/deploy';
import { type RunContext, expect } from './context';
import { clientAddresses } from './lab-state';
import { makeSandbox, now } from './sandbox';
import type { Settings } from './settings';

/** The run's logger: each line names its lab when two labs run at once. */
export const makeLogger = (label: string) => (msg: string) =>
  process.stderr.write(`[e2e ${label}${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

export function prepare(settings: Settings): RunContext {
  fs.mkdirSync(settings.logDir, { recursive: true });
  const sshPublicKey = fs.readFileSync(`${settings.sshKey}.pub`, 'utf8').trim();
  const repoKey = fs.readFileSync(path.join(settings.repo, 'archive-key.asc'), 'utf8');
  const labConfig = e2eLabConfig(settings, labConfigFromEnv(settings.env), sshPublicKey, repoKey);
  const lab = resolveLabConfig(labConfig);
  const log = makeLogger(settings.handoff ? `${lab.name} ` : '');
  const { sites, image } = standInSites(settings, lab);
  const labFile = path.join(settings.runDir, 'lab.json');
  fs.writeFileSync(labFile, JSON.stringify(labConfig, null, 2));
  makeDefaultKeyHome(settings);
  // The IPv4 TCP services go through every generic check; IPv6 ones have checks of their own.
  const tcpServices = lab.services.filter((s) => s.protocol === 'TCP' && serviceFamily(s) === 4);
  const v6Services = lab.services.filter((s) => s.protocol === 'TCP' && serviceFamily(s) === 6);
  const [ip, ...extra] = clientAddresses(lab, 17);
  const ctxBase = { settings, lab };
  const result: RunContext['result'] = {
    lab: lab.name,
    config: settings.configSource,
    transport: lab.vrrp.transport,
    engine: engineName(ctxBase),
    networkMode: lab.network.mode,
    release: lab.image.release,
    imageMode: `${/^https?:/.test(lab.image.source) ? 'URL' : 'path'}, ${lab.image.preinstalled ? 'preinstalled' : 'packages at first boot'}`,
    startedAt: new Date().toISOString(),
    directors: lab.directors.length,
    realServers: lab.realServers.length,
    advertIntSec: lab.vrrp.advertIntSec,
    connectionSync: lab.vrrp.connectionSync,
    ...(settings.handoff?.role === 'second' ? { besideAnother: true } : {}),
    checks: [],
    figures: {},
  };
  log(`lab ${lab.name} from ${settings.configSource}: ${lab.directors.length} directors, ${lab.realServers.length} real servers, ${lab.vrrp.transport} VRRP, ` +
    `${lab.network.mode} network, image ${result.imageMode}, engine ${result.engine}`);
  expect(tcpServices.length > 0, 'the lab has no TCP service: the harness checks through HTTP');
  return {
    settings, sb: makeSandbox(settings), log, lab, labConfig, labFile, sites, image,
    /** The names this lab's config points at (the sandbox's stand-in may serve another lab's too). */
    ownHosts: [...new Set(sites.map((x) => new URL(x.url).hostname))],
    tcpServices, v6Services, s0: tcpServices[0], s6: v6Services[0],
    // On a dual-stack lab the client has an IPv6 address of the lab prefix beside each IPv4 one (10.77.0.254 -> fd77::254).
    client: { ip, extra, v6: lab.network.ipv6 ? [ip, ...extra].slice(0, 9).map((a) => defaultAddress6(lab.network.ipv6!.cidr, a)!) : [] },
    vips: labVips(lab),
    result,
    state: {
      deployed: false, deployStart: now(), readyAt: Number.POSITIVE_INFINITY, internet: undefined, failover: undefined,
      drillRoles: undefined, standbyRestartedAt: undefined, ran: new Set(), processes: [],
    },
    roles: { master: lab.directors[0], backup: lab.directors[1] },
  };
}
