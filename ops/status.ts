/**
 * `lvs-lab status`: the live cluster as the e2e checks see it. Every director is asked for its
 * VRRP state, the VIPs on lab0, its IPVS table and sync daemons; every real server for the VIPs
 * on lo and its ARP sysctls; this machine resolves each VIP and says which director's MAC it got.
 * Healthy means: one director holds each VIP, the MASTER's IPVS table lists every real server of
 * every service, the VIP resolves to the MASTER's MAC, every real server has its VIPs on lo with
 * arp_ignore 1 and arp_announce 2.
 */
import { labVips, labVips6, type ResolvedDirector, type ResolvedLab, type ResolvedRealServer } from '../lab';
import { REMOTE_TIMEOUT_MS, type OpsHost, type RemoteOutcome } from './host';
import { boundVips, canonicalAddress, CONFIRMED_NEIGHBOUR_STATES, parseNeighbour, parseRouteGet } from './iproute';
import { parseIpvsServices, parseSyncDaemons, realServerAddress, serviceKey, serviceUrl, type IpvsService, type SyncDaemon } from './ipvs';
import { cloudInitProblem, judgeCloudInit, vmCloudInit, type VmCloudInitStatus } from './ready';
import { ARP_SYSCTL_FILES, DIRECTOR_QUESTIONS, lastLine, privilegeFix, REAL_SERVER_QUESTIONS, reachFix } from './remote';
import type { Finding } from './table';

export type { Finding } from './table';
export type { VmCloudInitStatus } from './ready';

export interface DirectorStatus {
  readonly name: string;
  readonly address: string;
  /** The MAC the lab gives it (derived from the lab and VM names). */
  readonly macAddress: string;
  readonly priority: number;
  /** False when ssh did not get through (then only the config's values are known). */
  readonly reached: boolean;
  /** The notify hook's last state (`MASTER`, `BACKUP`, `FAULT`, `STOP`); null when unknown. */
  readonly vrrpState: string | null;
  /** `systemctl is-active keepalived`: `active`, `inactive`, `failed`; null when unknown. */
  readonly keepalived: string | null;
  /** The lab's VIPs bound on lab0: the ones it serves as MASTER. */
  readonly vips: readonly string[];
  readonly syncDaemons: readonly SyncDaemon[];
  /** Its IPVS table; null when it could not be read. */
  readonly ipvs: readonly IpvsService[] | null;
  /** Its first boot; null when ssh did not get through. */
  readonly cloudInit: VmCloudInitStatus | null;
}

export interface ServiceRealServerStatus {
  readonly name: string;
  readonly address: string;
  /** The weight the config gives it. */
  readonly configuredWeight: number;
  /** Listed in the MASTER's IPVS table (false: its health check failed, or the table is incomplete). */
  readonly inTable: boolean;
  readonly weight: number | null;
  readonly forward: string | null;
  readonly activeConns: number | null;
  readonly inactiveConns: number | null;
}

export interface ServiceStatus {
  /** `TCP 192.168.20.140:80`. */
  readonly key: string;
  readonly protocol: string;
  readonly vip: string;
  readonly port: number;
  readonly scheduler: string;
  /** The director holding the VIP, whose table this is; null when none (or more than one) does. */
  readonly master: string | null;
  readonly realServers: readonly ServiceRealServerStatus[];
}

export interface RealServerStatus {
  readonly name: string;
  readonly address: string;
  readonly reached: boolean;
  /** The VIPs of its services bound on lo. */
  readonly vipsOnLo: readonly string[];
  readonly missingVips: readonly string[];
  /** net.ipv4.conf.{all,lo}.arp_ignore / arp_announce; null when unknown. */
  readonly arpIgnore: { readonly all: number; readonly lo: number } | null;
  readonly arpAnnounce: { readonly all: number; readonly lo: number } | null;
  /** `systemctl is-active nginx`; null when unknown. */
  readonly webService: string | null;
  /** Its first boot; null when ssh did not get through. */
  readonly cloudInit: VmCloudInitStatus | null;
}

/** How this machine resolves a VIP. */
export interface VipArp {
  /** False when this machine is not on the lab's segment (the VIP is routed) or could not be asked. */
  readonly checked: boolean;
  readonly mac: string | null;
  /** The neighbour entry's state (REACHABLE, STALE, ...). */
  readonly state: string | null;
  /** The director whose MAC it is; null when none's. */
  readonly director: string | null;
  readonly note?: string;
}

export interface VipStatus {
  readonly vip: string;
  /** The directors with the VIP on lab0. */
  readonly holders: readonly string[];
  readonly arp: VipArp;
}

/** The whole report; its JSON form (`--json`) is this object. */
export interface StatusReport {
  /** Shape version: 1. Fields are only ever added. */
  readonly version: 1;
  /** No problem found (warnings allowed). */
  readonly ok: boolean;
  readonly lab: string;
  readonly configFile: string | null;
  readonly directors: readonly DirectorStatus[];
  readonly services: readonly ServiceStatus[];
  readonly realServers: readonly RealServerStatus[];
  readonly vips: readonly VipStatus[];
  readonly problems: readonly Finding[];
  readonly warnings: readonly Finding[];
}

/** Time limit of one ssh session of status. */
const STATUS_SSH_TIMEOUT_MS = REMOTE_TIMEOUT_MS;

/** Reads one director (one ssh session). */
async function readDirector(host: OpsHost, lab: ResolvedLab, d: ResolvedDirector, findings: Findings): Promise<DirectorStatus & { readMac?: string }> {
  const questions = Object.values(DIRECTOR_QUESTIONS);
  const base = { name: d.name, address: d.address, macAddress: d.macAddress, priority: d.priority };
  const r = await host.remote(d.address, questions, STATUS_SSH_TIMEOUT_MS);
  if (!r.reached) {
    findings.unreachable(d.name, host.describeRemote(d.address), r, lab.libvirtUri);
    return { ...base, reached: false, vrrpState: null, keepalived: null, vips: [], syncDaemons: [], ipvs: null, cloudInit: null };
  }
  const [state, active, addresses, mac, ipvs, daemons, cloudInit] = r.steps;
  const boot = await readCloudInit(host, d, cloudInit.output, findings);
  const vips = boundVips(addresses.output, [...labVips(lab), ...labVips6(lab)], 'lab0');
  let table: IpvsService[] | null = null;
  if (ipvs.status === 0) table = parseIpvsServices(ipvs.output);
  else {
    findings.problem('sudo', d.name, `\`${DIRECTOR_QUESTIONS.ipvs}\` on ${d.name} failed: ${lastLine(ipvs.output, ipvs.status)}`, privilegeFix(ipvs.output, lab.ssh.user));
  }
  const readMac = mac.status === 0 ? mac.output.trim().toLowerCase() : undefined;
  return {
    ...base,
    reached: true,
    vrrpState: state.status === 0 && state.output.trim() ? state.output.trim() : null,
    keepalived: active.output.trim() || null,
    vips,
    syncDaemons: daemons.status === 0 ? parseSyncDaemons(daemons.output) : [],
    ipvs: table,
    cloudInit: boot,
    ...(readMac ? { readMac } : {}),
  };
}

/** Reads one real server (one ssh session). */
async function readRealServer(host: OpsHost, lab: ResolvedLab, rs: ResolvedRealServer, findings: Findings): Promise<RealServerStatus> {
  const wanted = [...new Set(lab.services.filter((s) => s.realServers.includes(rs.name)).map((s) => s.vip))];
  const r = await host.remote(rs.address, Object.values(REAL_SERVER_QUESTIONS), STATUS_SSH_TIMEOUT_MS);
  if (!r.reached) {
    findings.unreachable(rs.name, host.describeRemote(rs.address), r, lab.libvirtUri);
    return { name: rs.name, address: rs.address, reached: false, vipsOnLo: [], missingVips: [], arpIgnore: null, arpAnnounce: null, webService: null, cloudInit: null };
  }
  const [addresses, sysctls, web, cloudInit] = r.steps;
  const boot = await readCloudInit(host, rs, cloudInit.output, findings);
  const vipsOnLo = boundVips(addresses.output, wanted, 'lo');
  const values = sysctls.output.trim().split(/\s+/).map(Number);
  const known = sysctls.status === 0 && values.length === ARP_SYSCTL_FILES.length && values.every(Number.isInteger);
  return {
    name: rs.name,
    address: rs.address,
    reached: true,
    vipsOnLo,
    missingVips: wanted.filter((vip) => !vipsOnLo.includes(vip)),
    arpIgnore: known ? { all: values[0], lo: values[2] } : null,
    arpAnnounce: known ? { all: values[1], lo: values[3] } : null,
    webService: web.output.trim() || null,
    cloudInit: boot,
  };
}

/** Judges a VM's cloud-init status: a failure is a problem (with the log's first error line), a boot still under way a warning. */
async function readCloudInit(host: OpsHost, vm: { name: string; address: string }, output: string, findings: Findings): Promise<VmCloudInitStatus> {
  const reading = await judgeCloudInit(host, vm.address, output, STATUS_SSH_TIMEOUT_MS);
  if (reading.phase === 'error') findings.problems.push(cloudInitProblem(host, vm, reading));
  else if (reading.phase === 'running') {
    findings.warning('cloud-init', vm.name, `cloud-init on ${vm.name} is ${reading.cloudInit ?? 'not reporting'}${reading.unreachable ? ` (${reading.unreachable})` : ''}: its first boot is not finished`,
      '`npm run lvs-lab -- wait` waits for it and says how it ended');
  } else if (reading.phase === 'disabled') {
    findings.problem('cloud-init', vm.name, `cloud-init is disabled on ${vm.name}'s image: nothing configures it`, 'use an image whose cloud-init is enabled with the NoCloud datasource (image.source)');
  }
  return vmCloudInit(reading);
}

/** How many times this machine asks for a VIP before it takes an unconfirmed neighbour entry as it is. */
const ARP_TRIES = 3;

/** Resolves a VIP from this machine: one request to it, then its neighbour entry, mapped to a director. */
async function resolveVip(host: OpsHost, lab: ResolvedLab, vip: string, directorMacs: ReadonlyMap<string, string>): Promise<VipArp> {
  const route = parseRouteGet((await host.local('ip', ['route', 'get', vip])).stdout);
  if (!route) return { checked: false, mac: null, state: null, director: null, note: `\`ip route get ${vip}\`: no route from this machine` };
  if (route.via) {
    return { checked: false, mac: null, state: null, director: null, note: `this machine reaches ${vip} through ${route.via}, not on the lab's segment: its ARP entry cannot be seen from here` };
  }
  const service = lab.services.find((s) => s.vip === vip && s.protocol === 'TCP') ?? lab.services.find((s) => s.vip === vip)!;
  let entry: ReturnType<typeof parseNeighbour>;
  for (let i = 0; i < ARP_TRIES; i++) {
    // any answer will do: the request only makes this machine resolve the VIP
    await host.httpGet(serviceUrl(service), 2000);
    entry = parseNeighbour((await host.local('ip', ['neigh', 'show', 'to', vip])).stdout, canonicalAddress(vip));
    if (entry?.mac && CONFIRMED_NEIGHBOUR_STATES.has(entry.state)) break;
    if (i < ARP_TRIES - 1) await host.sleep(1000);
  }
  const mac = entry?.mac ?? null;
  const director = mac ? [...directorMacs].find(([, m]) => m === mac)?.[0] ?? null : null;
  return { checked: true, mac, state: entry?.state ?? null, director };
}

/** Problems and warnings as they are found. */
class Findings {
  readonly problems: Finding[] = [];
  readonly warnings: Finding[] = [];
  problem(id: string, subject: string, message: string, fix: string) {
    this.problems.push({ id, subject, message, fix });
  }
  warning(id: string, subject: string, message: string, fix: string) {
    this.warnings.push({ id, subject, message, fix });
  }
  unreachable(name: string, tried: string, r: RemoteOutcome & { reached: false }, uri: string) {
    this.problem('ssh', name, `\`${tried}\` did not get through: ${r.why}`, reachFix(r.why, uri));
  }
}

/** Asks every VM and this machine, and judges the cluster. */
type ReadDirector = DirectorStatus & { readMac?: string };

/** Each VIP: which directors hold it and what this machine resolves it to; one holder, its MAC. */
async function judgeVips(host: OpsHost, lab: ResolvedLab, directors: readonly ReadDirector[], directorMacs: ReadonlyMap<string, string>, findings: Findings): Promise<VipStatus[]> {
  const unreached = directors.filter((d) => !d.reached).map((d) => d.name);
  const vips: VipStatus[] = [];
  for (const vip of [...labVips(lab), ...labVips6(lab)]) {
    const holders = directors.filter((d) => d.vips.includes(vip)).map((d) => d.name);
    const arp = await resolveVip(host, lab, vip, directorMacs);
    vips.push({ vip, holders, arp });
    const asked = `\`${DIRECTOR_QUESTIONS.addresses}\` on ${directors.filter((d) => d.reached).map((d) => d.name).join(', ') || 'no director (none answered)'}`;
    if (holders.length === 0) {
      findings.problem('vip-holder', vip, `no director holds ${vip} (${asked}${unreached.length ? `; ${unreached.join(', ')} could not be asked` : ''})`,
        'no keepalived is MASTER: `sudo systemctl status keepalived` and /var/log/keepalived-state.log on the directors; start it with `sudo systemctl start keepalived`');
    } else if (holders.length > 1) {
      findings.problem('vip-holder', vip, `${holders.join(' and ')} all hold ${vip} (${asked}): both are MASTER`,
        "the directors do not hear each other's VRRP adverts: check vrrp.transport and that the segment passes them (`sudo tcpdump -ni lab0 vrrp` on a director)");
    }
    const master = holders.length === 1 ? holders[0] : undefined;
    if (!arp.checked) {
      findings.warning('arp', vip, `the VIP's ARP entry was not checked: ${arp.note}`, "run status from a machine on the lab's segment (the libvirt host of a nat or isolated lab, or a host on the bridge)");
    } else if (master) {
      const want = directorMacs.get(master)!;
      if (arp.mac !== want) {
        const got = arp.mac ? `${arp.mac}${arp.director ? ` (${arp.director})` : ' (no director: a real server answers ARP for the VIP?)'}` : `no MAC (${arp.state ?? 'no entry'})`;
        findings.problem('arp', vip, `this machine resolves ${vip} to ${got} after a request to it (\`ip neigh show to ${vip}\`), expected ${master}'s ${want}`,
          arp.mac && !arp.director
            ? "a real server answers ARP for the VIP: check its arp_ignore/arp_announce (below) and `sudo systemctl restart lvs-real-server` on it"
            : `a stale entry: \`sudo ip neigh flush to ${vip}\` and run status again; if it stays, ${master} did not announce the VIP (gratuitous ARP): check its keepalived log`);
      }
    }
  }
  return vips;
}

/** Each service as the MASTER's IPVS table has it: every real server in it, or a problem. */
function serviceStatuses(lab: ResolvedLab, directors: readonly ReadDirector[], realServers: readonly RealServerStatus[], vips: readonly VipStatus[], findings: Findings): ServiceStatus[] {
  return lab.services.map((s) => {
    const holders = vips.find((v) => v.vip === s.vip)!.holders;
    const master = holders.length === 1 ? directors.find((d) => d.name === holders[0])! : undefined;
    const row = master?.ipvs?.find((x) => serviceKey(x) === serviceKey(s));
    const members = s.realServers.map((name) => {
      const rs = lab.realServers.find((r) => r.name === name)!;
      const dest = row?.destinations.find((x) => x.address === realServerAddress(s, rs));
      return {
        name, address: realServerAddress(s, rs), configuredWeight: rs.weight, inTable: dest !== undefined,
        weight: dest?.weight ?? null, forward: dest?.forward ?? null, activeConns: dest?.activeConns ?? null, inactiveConns: dest?.inactiveConns ?? null,
      };
    });
    if (master && master.ipvs) {
      if (!row) {
        findings.problem('ipvs', serviceKey(s), `${master.name} (MASTER) has no IPVS service ${serviceKey(s)} (\`${DIRECTOR_QUESTIONS.ipvs}\`)`,
          `keepalived on ${master.name} did not load its virtual servers: \`sudo journalctl -u keepalived\` on it`);
      } else {
        for (const m of members.filter((x) => !x.inTable)) {
          const web = realServers.find((r) => r.name === m.name)?.webService;
          findings.problem('ipvs', serviceKey(s), `${m.name} (${m.address}) is not in ${master.name}'s IPVS table for ${serviceKey(s)}: its health check fails` +
            (web ? ` (its web service is ${web})` : ''),
            `start the web service on ${m.name} (\`sudo systemctl start nginx\`); keepalived adds it back once its check passes`);
        }
      }
    }
    return { key: serviceKey(s), protocol: s.protocol, vip: s.vip, port: s.port, scheduler: s.scheduler, master: master?.name ?? null, realServers: members };
  });
}

/** Each reachable real server: its VIPs on lo and its ARP sysctls. */
function judgeRealServers(realServers: readonly RealServerStatus[], findings: Findings): void {
  for (const rs of realServers.filter((r) => r.reached)) {
    if (rs.missingVips.length > 0) {
      findings.problem('rs-vip', rs.name, `${rs.name} has no ${rs.missingVips.join(', ')} on lo (\`${REAL_SERVER_QUESTIONS.addresses}\`): it drops the requests the director sends it`,
        `\`sudo systemctl restart lvs-real-server\` on ${rs.name} (it silences ARP, then binds the VIPs on lo)`);
    }
    const bad = !rs.arpIgnore || !rs.arpAnnounce || rs.arpIgnore.all !== 1 || rs.arpIgnore.lo !== 1 || rs.arpAnnounce.all !== 2 || rs.arpAnnounce.lo !== 2;
    if (bad) {
      const shown = rs.arpIgnore && rs.arpAnnounce
        ? `arp_ignore ${rs.arpIgnore.all}/${rs.arpIgnore.lo}, arp_announce ${rs.arpAnnounce.all}/${rs.arpAnnounce.lo} (all/lo)`
        : 'could not be read';
      findings.problem('rs-arp-sysctl', rs.name, `${rs.name}'s ARP sysctls: ${shown}, expected arp_ignore 1 and arp_announce 2: it may answer ARP for the VIP`,
        `\`sudo systemctl restart lvs-real-server\` on ${rs.name}; /etc/sysctl.d/90-lvs-dr-arp.conf keeps them across reboots`);
    }
  }
}

/** Each reachable director: keepalived running, its notify hook agreeing with the VIPs it holds, its sync daemon. */
function judgeDirectors(lab: ResolvedLab, directors: readonly ReadDirector[], findings: Findings): void {
  for (const d of directors.filter((x) => x.reached)) {
    const holds = d.vips.length > 0;
    if (d.keepalived !== 'active') {
      findings.warning('keepalived', d.name, `keepalived on ${d.name} is ${d.keepalived ?? 'unknown'}: ${holds ? 'yet it holds VIPs' : 'no standby for a failover'}`,
        `\`sudo systemctl start keepalived\` on ${d.name}`);
    } else if (d.vrrpState && (d.vrrpState === 'MASTER') !== holds) {
      findings.warning('vrrp-state', d.name, `${d.name}'s notify hook says ${d.vrrpState}, but it ${holds ? 'holds' : 'holds no'} VIP`,
        'a transition under way: run status again; if it stays, read /var/log/keepalived-state.log on it');
    }
    if (lab.vrrp.connectionSync && d.keepalived === 'active') {
      const role = holds ? 'master' : 'backup';
      if (!d.syncDaemons.some((x) => x.role === role)) {
        findings.warning('sync-daemon', d.name, `${d.name} runs no ${role} sync daemon (\`${DIRECTOR_QUESTIONS.syncDaemons}\`): connections would not survive a failover`,
          `vrrp.connectionSync is on: keepalived starts it with the VRRP state; \`sudo journalctl -u keepalived\` on ${d.name}`);
      }
    }
  }
}

export async function collectStatus(host: OpsHost, lab: ResolvedLab, configFile?: string): Promise<StatusReport> {
  const findings = new Findings();
  const [directors, realServers] = await Promise.all([
    Promise.all(lab.directors.map((d) => readDirector(host, lab, d, findings))),
    Promise.all(lab.realServers.map((rs) => readRealServer(host, lab, rs, findings))),
  ]);
  // the VMs answered in any order: their findings so far in the lab's order
  const vmOrder = [...lab.directors, ...lab.realServers].map((vm) => vm.name);
  findings.problems.sort((a, b) => vmOrder.indexOf(a.subject) - vmOrder.indexOf(b.subject));
  const directorMacs = new Map(directors.map((d) => [d.name, d.readMac ?? d.macAddress]));
  for (const d of directors) {
    if (d.readMac && d.readMac !== d.macAddress) {
      findings.warning('mac', d.name, `${d.name}'s lab0 has MAC ${d.readMac}, the lab gives it ${d.macAddress}`, 'the VM was not made by this lab config: check LAB_CONFIG names the deployed lab');
    }
  }
  const vips = await judgeVips(host, lab, directors, directorMacs, findings);
  const services = serviceStatuses(lab, directors, realServers, vips, findings);
  judgeRealServers(realServers, findings);
  judgeDirectors(lab, directors, findings);
  return {
    version: 1,
    ok: findings.problems.length === 0,
    lab: lab.name,
    configFile: configFile ?? null,
    directors: directors.map(({ readMac: _ignored, ...d }) => d),
    services,
    realServers,
    vips,
    problems: findings.problems,
    warnings: findings.warnings,
  };
}

