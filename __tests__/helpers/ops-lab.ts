/**
 * A lab for the operator commands' tests, described as data and answering as the real one does:
 * each VM's commands answered with the tools' own output (helpers/ops-output.ts), HTTP requests
 * to the VIPs answered by the real server the director would pick, and faults that play out in
 * (fake) time as they do on a lab: keepalived stopped on the MASTER hands the VIP to the BACKUP
 * after a while, a stopped web service leaves the IPVS table after its health check fails.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedLab } from '../../lab';
import { CLOUD_INIT_ERRORS_COMMAND, CLOUD_INIT_STATUS_COMMAND } from '../../ops/cloud-init';
import type { CommandResult, HttpOutcome, OpsHost, RemoteOutcome, RemoteStep } from '../../ops/host';
import { directorAddresses, ipvsadmList, neighbour, realServerLo, routeOnLink, routeVia, syncDaemons } from './ops-output';

/** Where the recorded outputs of Debian 12's cloud-init (22.4.2) are (see its README.md). */
export const RECORDED_CLOUD_INIT = path.join(__dirname, '..', 'ops', 'recorded', 'cloud-init-22.4');

/** A recorded output: `<scenario>.status.json` (`cloud-init status --long --format json`) or `<scenario>.errors.txt` (the log's error lines). */
export function recordedCloudInit(scenario: string, what: 'status.json' | 'errors.txt'): string {
  const file = path.join(RECORDED_CLOUD_INIT, `${scenario}.${what}`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** Lets jest's fake clock run, 100 ms at a time, until `promise` settles (at most `maxMs`). */
export async function settle<T>(promise: Promise<T>, maxMs = 600_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  promise.then((v) => { done = true; value = v; }, (e) => { done = true; failed = true; failure = e; });
  for (let waited = 0; !done && waited <= maxMs; waited += 100) await jest.advanceTimersByTimeAsync(100);
  if (!done) throw new Error(`still running after ${maxMs} ms of fake time`);
  if (failed) throw failure;
  return value as T;
}

/** How long the lab takes to react to a fault (ms of fake time). */
export interface FakeTimings {
  /** keepalived stopped on the MASTER -> the BACKUP holds the VIP. */
  readonly takeoverMs: number;
  /** keepalived started on the highest priority director -> it has taken the VIP back (without nopreempt). */
  readonly preemptMs: number;
  /** web service stopped -> its real server leaves the IPVS table. */
  readonly removalMs: number;
  /** web service started -> back in the table. */
  readonly readdMs: number;
}

/**
 * A running lab as its VMs answer the operator commands. `lab.state` is changed by a test to
 * break something; the commands the fault drills run (`sudo -n systemctl stop keepalived`, ...)
 * change it the way the real lab would, in fake time.
 */
export class FakeLab {
  /** The director holding the VIPs (one VRRP instance holds them all); undefined: none. */
  holders: string[];
  readonly keepalived = new Map<string, 'active' | 'inactive'>();
  readonly vrrpState = new Map<string, string>();
  readonly web = new Map<string, 'active' | 'inactive'>();
  /** Real servers out of every director's IPVS table. */
  readonly outOfTable = new Set<string>();
  readonly vipsOnLo = new Map<string, string[]>();
  /** all/arp_ignore all/arp_announce lo/arp_ignore lo/arp_announce. */
  readonly sysctls = new Map<string, string>();
  /** VMs ssh does not get through to, with what ssh says. */
  readonly unreachable = new Map<string, string>();
  /** Directors where sudo wants a password. */
  readonly sudoPassword = new Set<string>();
  /** The MAC this machine's neighbour table holds for each VIP, and its state. */
  readonly neighbours = new Map<string, { mac: string; state: string }>();
  /** This machine routes to the VIPs through this gateway (not on the segment). */
  routedVia: string | undefined;
  /** Every command run on a VM, with the VM's name. */
  readonly log: string[] = [];
  /**
   * Each VM's first boot: the recorded outcome (`success`, `package-missing`, `dns-failure`, ...)
   * and when it ends (fake time, ms since the epoch); until then cloud-init says `running`.
   * A VM not listed finished long ago with `success`.
   */
  readonly firstBoot = new Map<string, { outcome: string; endsAt?: number }>();
  /** Inactive connections per real server (grow with each request). */
  readonly inactive = new Map<string, number>();
  private readonly timers: { at: number; apply: () => void }[] = [];
  private readonly picks = new Map<string, number>();

  constructor(readonly lab: ResolvedLab, readonly timings: FakeTimings = { takeoverMs: 3200, preemptMs: 4000, removalMs: 6500, readdMs: 3500 }) {
    this.holders = [lab.directors[0].name];
    for (const d of lab.directors) {
      this.keepalived.set(d.name, 'active');
      this.vrrpState.set(d.name, d === lab.directors[0] ? 'MASTER' : 'BACKUP');
    }
    for (const rs of lab.realServers) {
      this.web.set(rs.name, 'active');
      this.vipsOnLo.set(rs.name, [...new Set(lab.services.filter((s) => s.realServers.includes(rs.name)).map((s) => s.vip))]);
      this.sysctls.set(rs.name, '1\n2\n1\n2');
    }
  }

  private vm(address: string) {
    return [...this.lab.directors, ...this.lab.realServers].find((v) => v.address === address)!;
  }

  /** Applies the effects whose time has come. */
  private tick() {
    const now = Date.now();
    for (const t of [...this.timers].sort((a, b) => a.at - b.at)) {
      if (t.at > now) continue;
      this.timers.splice(this.timers.indexOf(t), 1);
      t.apply();
    }
  }

  private later(ms: number, apply: () => void) {
    this.timers.push({ at: Date.now() + ms, apply });
  }

  private ipvsFor(director: string): string {
    if (this.keepalived.get(director) !== 'active') return ipvsadmList([]);
    return ipvsadmList(this.lab.services.map((s) => ({
      protocol: s.protocol, vip: s.vip, port: s.port, scheduler: s.scheduler, persistenceSec: s.persistenceTimeoutSec,
      rows: s.realServers.filter((n) => !this.outOfTable.has(n)).map((n) => {
        const rs = this.lab.realServers.find((r) => r.name === n)!;
        return { address: rs.address, port: s.port, weight: rs.weight, inactive: this.inactive.get(n) ?? 0 };
      }),
    })));
  }

  private answer(name: string, command: string): RemoteStep {
    const boot = this.firstBoot.get(name) ?? { outcome: 'success' };
    const running = boot.endsAt !== undefined && Date.now() < boot.endsAt;
    if (command === CLOUD_INIT_STATUS_COMMAND) {
      // 22.4 exits 1 on an error, 0 otherwise
      const outcome = running ? 'running' : boot.outcome;
      const output = recordedCloudInit(outcome, 'status.json');
      return { status: JSON.parse(output).status === 'error' ? 1 : 0, output: output.replace(/\n$/, '') };
    }
    if (command === CLOUD_INIT_ERRORS_COMMAND) {
      const output = recordedCloudInit(running ? 'running' : boot.outcome, 'errors.txt');
      return { status: output ? 0 : 1, output: output.replace(/\n$/, '') };
    }
    const d = this.lab.directors.find((x) => x.name === name);
    const rs = this.lab.realServers.find((x) => x.name === name);
    const ok = (output: string): RemoteStep => ({ status: 0, output: output.replace(/\n$/, '') });
    const sudo = (then: () => RemoteStep): RemoteStep => (this.sudoPassword.has(name) ? { status: 1, output: 'sudo: a password is required' } : then());
    if (d) {
      const vips = this.holders.includes(name) ? [...new Set(this.lab.services.map((s) => s.vip))] : [];
      switch (command) {
        case 'cat /run/keepalived/state': return ok(this.vrrpState.get(name)!);
        case 'systemctl is-active keepalived': return { status: this.keepalived.get(name) === 'active' ? 0 : 3, output: this.keepalived.get(name)! };
        case 'ip -o addr show dev lab0': return ok(directorAddresses(d.address, vips));
        case 'cat /sys/class/net/lab0/address': return ok(d.macAddress);
        case 'sudo -n ipvsadm -Ln': return sudo(() => ok(this.ipvsFor(name)));
        case 'sudo -n ipvsadm -L --daemon':
          return sudo(() => ok(this.lab.vrrp.connectionSync && this.keepalived.get(name) === 'active' ? syncDaemons(vips.length ? 'master' : 'backup') : ''));
        case 'sudo -n systemctl stop keepalived': return sudo(() => { this.stopKeepalived(name); return ok(''); });
        case 'sudo -n systemctl start keepalived': return sudo(() => { this.startKeepalived(name); return ok(''); });
      }
    }
    if (rs) {
      switch (command) {
        case 'ip -o addr show dev lo': return ok(realServerLo(this.vipsOnLo.get(name)!));
        case 'cd /proc/sys/net/ipv4/conf && cat all/arp_ignore all/arp_announce lo/arp_ignore lo/arp_announce': return ok(this.sysctls.get(name)!);
        case 'systemctl is-active nginx': return { status: this.web.get(name) === 'active' ? 0 : 3, output: this.web.get(name)! };
        case 'sudo -n systemctl stop nginx':
          this.web.set(name, 'inactive');
          this.later(this.timings.removalMs, () => this.web.get(name) === 'inactive' && this.outOfTable.add(name));
          return ok('');
        case 'sudo -n systemctl start nginx':
          this.web.set(name, 'active');
          this.later(this.timings.readdMs, () => this.web.get(name) === 'active' && this.outOfTable.delete(name));
          return ok('');
      }
    }
    return { status: 127, output: `bash: line 1: ${command.split(' ')[0]}: command not found` };
  }

  private stopKeepalived(name: string) {
    this.keepalived.set(name, 'inactive');
    this.vrrpState.set(name, 'STOP');
    if (!this.holders.includes(name)) return;
    // keepalived removes the VIP as it stops; the BACKUP takes over a moment later
    this.holders = this.holders.filter((h) => h !== name);
    this.later(this.timings.takeoverMs, () => {
      const next = this.lab.directors.find((x) => this.keepalived.get(x.name) === 'active');
      if (next && this.holders.length === 0) {
        this.holders = [next.name];
        this.vrrpState.set(next.name, 'MASTER');
        this.announce(next.macAddress);
      }
    });
  }

  private startKeepalived(name: string) {
    this.keepalived.set(name, 'active');
    this.vrrpState.set(name, 'BACKUP');
    const me = this.lab.directors.find((x) => x.name === name)!;
    const holder = this.lab.directors.find((x) => x.name === this.holders[0]);
    if (!this.lab.vrrp.nopreempt && (!holder || me.priority > holder.priority)) {
      this.later(this.timings.preemptMs, () => {
        if (holder) this.vrrpState.set(holder.name, 'BACKUP');
        this.holders = [name];
        this.vrrpState.set(name, 'MASTER');
        this.announce(me.macAddress);
      });
    }
  }

  /** A new MASTER's gratuitous ARP: this machine's entries for the VIPs now name its MAC. */
  private announce(mac: string) {
    for (const vip of this.neighbours.keys()) this.neighbours.set(vip, { mac, state: 'REACHABLE' });
  }

  /** Its first boot ended well: before that (or after a failed one) it serves nothing and its health check fails. */
  private configured(name: string): boolean {
    const boot = this.firstBoot.get(name);
    return !boot || (boot.outcome === 'success' && (boot.endsAt === undefined || Date.now() >= boot.endsAt));
  }

  /** The real server the MASTER picks for a request to a service: weighted turns over the table. */
  private pick(vip: string, port: number): string | undefined {
    const s = this.lab.services.find((x) => x.vip === vip && x.port === port);
    if (!s) return undefined;
    const live = s.realServers.filter((n) => !this.outOfTable.has(n) && this.configured(n)).map((n) => this.lab.realServers.find((r) => r.name === n)!).filter((r) => r.weight > 0);
    if (live.length === 0) return undefined;
    if (['sh', 'dh', 'lblc', 'lblcr'].includes(s.scheduler) || s.persistenceTimeoutSec > 0) return live[0].name;
    // smooth weighted round robin (even turns for rr)
    const weight = (r: { weight: number }) => (s.scheduler === 'rr' || s.scheduler === 'lc' ? 1 : r.weight);
    const total = live.reduce((a, r) => a + weight(r), 0);
    let best = live[0];
    for (const r of live) {
      this.picks.set(r.name, (this.picks.get(r.name) ?? 0) + weight(r));
      if (this.picks.get(r.name)! > this.picks.get(best.name)!) best = r;
    }
    this.picks.set(best.name, this.picks.get(best.name)! - total);
    return best.name;
  }

  /** The stand-in for this machine and the ssh sessions. */
  host(): OpsHost {
    return {
      remote: async (address, commands): Promise<RemoteOutcome> => {
        this.tick();
        const vm = this.vm(address);
        const why = this.unreachable.get(vm.name);
        if (why) return { reached: false, why };
        const steps = commands.map((c) => {
          this.log.push(`${vm.name}: ${c}`);
          return this.answer(vm.name, c);
        });
        return { reached: true, steps };
      },
      local: async (command, args): Promise<CommandResult> => {
        this.tick();
        const line = [command, ...args].join(' ');
        const route = /^ip route get (\S+)$/.exec(line);
        if (route) return { status: 0, stdout: this.routedVia ? routeVia(route[1], this.routedVia) : routeOnLink(route[1]), stderr: '' };
        const neigh = /^ip neigh show to (\S+)$/.exec(line);
        if (neigh) {
          const entry = this.neighbours.get(neigh[1]);
          return { status: 0, stdout: entry ? neighbour(neigh[1], entry.mac, entry.state) : '', stderr: '' };
        }
        return { status: null, stdout: '', stderr: '', error: 'ENOENT' };
      },
      httpGet: async (url): Promise<HttpOutcome> => {
        this.tick();
        const m = /^http:\/\/([\d.]+):(\d+)\//.exec(url)!;
        const holder = this.lab.directors.find((d) => d.name === this.holders[0]);
        if (!holder || this.holders.length !== 1) return { ok: false, error: 'no answer within 300 ms' };
        if (!this.routedVia && !this.neighbours.has(m[1])) this.neighbours.set(m[1], { mac: holder.macAddress, state: 'REACHABLE' });
        const name = this.pick(m[1], Number(m[2]));
        if (!name) return { ok: false, error: `connect ECONNREFUSED ${m[1]}:${m[2]}` };
        if (this.web.get(name) !== 'active') return { ok: false, error: `connect ECONNREFUSED ${m[1]}:${m[2]}` };
        this.inactive.set(name, (this.inactive.get(name) ?? 0) + 1);
        const rs = this.lab.realServers.find((r) => r.name === name)!;
        return { ok: true, status: 200, body: `served-by ${name} ${rs.address}` };
      },
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      describeRemote: (address) => `ssh -i /home/me/.ssh/id_ed25519 ${this.lab.ssh.user}@${address}`,
    };
  }
}
