/**
 * What the running lab is now, asked of the VMs and libvirt from the sandbox: who holds the VIP,
 * a director's IPVS table, its VRRP transitions, the domains, what a destroy left.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NOTIFY_LOG_FILE, NOTIFY_STATE_FILE } from '../cloud-init/paths';
import { type ResolvedLab, type ResolvedService, LAB_INTERFACE, formatIpv4, labVips, parseCidr, vrrpInstanceName, vrrpInstanceName6 } from '../lab';
import { holdsVips } from '../ops/drill';
import { ipvsComplete, ipvsTable, parseIpvsServices, realServerAddress, serviceKey, serviceUrl } from '../ops/ipvs';
import { ONE_SERVER, SOURCE_HASH } from '../ops/shares';
import { servedBy } from '../ops/traffic';
import { CheckFailed, waitFor } from './context';
import { parseNotifyLog, type VrrpTransition } from './parse';
import { sleep, type Sandbox } from './sandbox';

/** Whether the director has the VIP (either family) on lab0 now. */
export function holdsVip(sb: Sandbox, lab: ResolvedLab, director: { address: string }, vip: string): boolean {
  const r = sb.ssh(lab.ssh.user, director.address, `ip -o addr show dev ${LAB_INTERFACE}`, 10);
  return r.status === 0 && holdsVips(r.stdout, [vip]);
}

/** Which director holds the VIP right now (from the directors themselves). */
export function vipHolder(sb: Sandbox, lab: ResolvedLab, vip: string): string | undefined {
  return lab.directors.find((d) => holdsVip(sb, lab, d, vip))?.name;
}

/** The director named, and the other one: the roles once `name` holds the VIP. */
export function rolesOf(lab: ResolvedLab, name: string) {
  return { master: lab.directors.find((d) => d.name === name)!, backup: lab.directors.find((d) => d.name !== name)! };
}

/**
 * Whether the director's IPVS table, read now, has the real server in service under the service
 * (undefined: no such service): listed, and with inhibitOnFailure not inhibited (weight 0).
 */
export const inIpvsTable = (sb: Sandbox, lab: ResolvedLab, director: { address: string }, s: ResolvedService, rs: { address: string }) =>
  ipvsTable(sb.ssh(lab.ssh.user, director.address, 'sudo ipvsadm -Ln', 10).stdout).get(serviceKey(s))
    ?.some((x) => x.address === realServerAddress(s, rs) && (x.weight > 0 || !s.inhibitOnFailure));

/** The director's IPVS table, read now, is complete. */
export const directorIpvsComplete = (sb: Sandbox, lab: ResolvedLab, director: { address: string }) =>
  ipvsComplete(lab, ipvsTable(sb.ssh(lab.ssh.user, director.address, 'sudo ipvsadm -Ln', 15).stdout));

/** The service's row in the director's table, read now. */
export function ipvsRow(sb: Sandbox, lab: ResolvedLab, director: { address: string }, s: ResolvedService) {
  return parseIpvsServices(sb.ssh(lab.ssh.user, director.address, 'sudo ipvsadm -Ln', 10).stdout).find((x) => serviceKey(x) === serviceKey(s));
}

/** The domains of this lab's VMs that libvirt does not list as running. */
export function domainsNotRunning(sb: Sandbox, lab: ResolvedLab): string[] {
  const running = new Set(sb.virsh('list', '--name').stdout.split('\n').map((l) => l.trim()));
  return [...lab.directors, ...lab.realServers].map((vm) => vm.domainName).filter((d) => !running.has(d));
}

/** The libvirt domains of this lab (`<lab>--<vm>`), whatever their state. */
export function labDomains(sb: Sandbox, lab: ResolvedLab): string[] {
  return sb.virsh('list', '--all', '--name').stdout.split('\n').map((l) => l.trim()).filter((n) => n.startsWith(`${lab.name}--`));
}

/** Everything of the lab libvirt still lists, and files left in its pool directory. */
export function leftovers(sb: Sandbox, labName: string): string[] {
  const left: string[] = [];
  const mine = (s: string) => s.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n.startsWith(labName));
  left.push(...mine(sb.virsh('list', '--all', '--name').stdout).map((n) => `domain ${n}`));
  left.push(...mine(sb.virsh('net-list', '--all', '--name').stdout).map((n) => `network ${n}`));
  const pools = mine(sb.virsh('pool-list', '--all', '--name').stdout);
  left.push(...pools.map((n) => `pool ${n}`));
  for (const p of pools) left.push(...sb.virsh('vol-list', p).stdout.split('\n').filter(Boolean).map((l) => `volume ${l.trim()}`));
  const poolDir = path.join(sb.settings.poolDir, labName);
  if (fs.existsSync(poolDir) && fs.readdirSync(poolDir).length > 0) left.push(`files in ${poolDir}: ${fs.readdirSync(poolDir).join(', ')}`);
  return left;
}

/** Each VM's boot as its console log tells it, for a readiness timeout's message. */
export function cloudInitStatus(sb: Sandbox, lab: ResolvedLab): string {
  return [...lab.directors, ...lab.realServers]
    .map((vm) => {
      const file = path.join(sb.settings.logDir, `${vm.domainName}.log`);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const state = /Cloud-init .* finished/.test(text) ? 'cloud-init finished' : text ? 'booting' : 'no console output';
      const failed = /config-test FAILED|LVS-LAB.*FAIL/i.test(text) ? ' (keepalived config-test FAILED)' : '';
      return `${vm.name}: ${state}${failed}`;
    })
    .join(', ');
}

/** The name of the VM with this MAC (or the MAC). */
export function nameOfMac(lab: ResolvedLab, mac: string): string {
  return [...lab.directors, ...lab.realServers].find((v) => v.macAddress === mac)?.name ?? mac;
}

/** Client addresses: the top of the subnet, clear of every lab address. */
export function clientAddresses(lab: ResolvedLab, count: number): string[] {
  const net = parseCidr(lab.network.cidr)!;
  const used = new Set([
    ...lab.directors.map((d) => d.address),
    ...lab.realServers.map((r) => r.address),
    ...lab.services.map((s) => s.vip),
    ...(lab.network.gateway ? [lab.network.gateway] : []),
  ]);
  const out: string[] = [];
  for (let host = net.broadcastAddress - 1; host > net.networkAddress && out.length < count; host--) {
    const ip = formatIpv4(host);
    if (!used.has(ip)) out.push(ip);
  }
  return out;
}

/** true when cloud-init has finished on every VM (remembered in `finished`, asked once each). */
export function bootFinished(sb: Sandbox, lab: ResolvedLab, finished: Set<string>): boolean {
  for (const vm of [...lab.directors, ...lab.realServers]) {
    if (finished.has(vm.name)) continue;
    if (sb.ssh(lab.ssh.user, vm.address, 'test -f /var/lib/cloud/instance/boot-finished', 15).status !== 0) return false;
    finished.add(vm.name);
  }
  return true;
}

/** true when every live real server has answered through each VIP at least once. */
function labAnswers(sb: Sandbox, lab: ResolvedLab): boolean {
  return lab.services
    .filter((s) => s.protocol === 'TCP')
    .every((s) => {
      const want = new Set(s.realServers.filter((n) => lab.realServers.find((r) => r.name === n)!.weight > 0));
      const seen = new Set<string>();
      for (let i = 0; i < want.size * 4 && seen.size < want.size; i++) {
        const r = sb.httpGet(serviceUrl(s), { maxTimeSec: 2 });
        const name = r.ok ? servedBy(r.body) : undefined;
        if (name) seen.add(name);
      }
      return ONE_SERVER.has(s.scheduler) || s.persistenceTimeoutSec > 0 || SOURCE_HASH.has(s.scheduler) ? seen.size > 0 : seen.size === want.size;
    });
}

/** The readiness of the deployed lab, for the baseline and the reference: answers and booted. */
export function labReady(sb: Sandbox, lab: ResolvedLab): () => boolean {
  const finished = new Set<string>();
  return () => labAnswers(sb, lab) && bootFinished(sb, lab, finished);
}

/**
 * Every director's VRRP transitions so far, from its notify hook's log: those of one instance,
 * the IPv4 one (a dual-stack lab's IPv6 instance is in a sync group with it and logs the same
 * transitions).
 */
export function vrrpTransitions(sb: Sandbox, lab: ResolvedLab): Map<string, VrrpTransition[]> {
  const instance = labVips(lab).length > 0 ? vrrpInstanceName(lab) : vrrpInstanceName6(lab);
  return new Map(lab.directors.map((d) => {
    const r = sb.ssh(lab.ssh.user, d.address, `sudo cat ${NOTIFY_LOG_FILE}`, 15);
    if (r.status !== 0) throw new CheckFailed(`cannot read ${NOTIFY_LOG_FILE} on ${d.name}: ${r.stderr.trim()}`);
    return [d.name, parseNotifyLog(r.stdout).filter((t) => t.name === instance)];
  }));
}

/** The transitions each director logged between two readings, as `name: STATE STATE`. */
export function newTransitions(lab: ResolvedLab, before: Map<string, VrrpTransition[]>, after: Map<string, VrrpTransition[]>): Map<string, string[]> {
  return new Map(lab.directors.map((d) => [d.name, after.get(d.name)!.slice(before.get(d.name)!.length).map((t) => t.state)]));
}

/** Waits until every director's keepalived reports a state (with nopreempt the crashed MASTER may still boot here). */
export async function keepalivedEverywhere(sb: Sandbox, lab: ResolvedLab): Promise<void> {
  await waitFor("every director's keepalived to report a VRRP state", 600, () =>
    (lab.directors.every((d) => sb.ssh(lab.ssh.user, d.address, `cat ${NOTIFY_STATE_FILE}`, 10).stdout.trim() !== '') ? true : undefined), 3000);
  // Past its first election (BACKUP, then MASTER or not).
  await sleep((3 * lab.vrrp.advertIntSec + 2) * 1000);
}
