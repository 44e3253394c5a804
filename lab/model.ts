/**
 * Pure builders from a ResolvedLab to the renderer models of cloud-init/model.ts.
 *
 * The constructs call these and hand the result to the renderers; nothing here knows about
 * cdktf or libvirt, so the mapping is tested without synthesizing anything.
 */
import type {
  DirectorKeepalivedModel,
  DirectorUserDataModel,
  FirewallMarkRule,
  RealServerUserDataModel,
  ServiceProtocol,
  SorrySiteModel,
  SshUser,
  StaticInterface,
  VirtualService,
  VrrpInstanceModel,
} from '../cloud-init/model';
import { DEFAULT_NOTIFY_SCRIPT_PATH } from '../cloud-init/paths';
import { LAB_INTERFACE, serviceFamily, type ResolvedDirector, type ResolvedLab, type ResolvedRealServer, type ResolvedService, type ResolvedVm } from './resolve';


/** keepalived instance name of the lab's VRRP instance: `VI_` + the lab name, e.g. `VI_LVS_LAB`. */
export function vrrpInstanceName(lab: ResolvedLab): string {
  return `VI_${lab.name.toUpperCase().replace(/-/g, '_')}`;
}

/** Every distinct IPv4 VIP of the lab, in service order (IPv6 VIPs: labVips6). */
export function labVips(lab: ResolvedLab): string[] {
  return distinct(lab.services.filter((s) => serviceFamily(s) === 4).map((s) => s.vip));
}

/** Dual stack: every distinct IPv6 VIP of the lab, in service order. */
export function labVips6(lab: ResolvedLab): string[] {
  return distinct(lab.services.filter((s) => serviceFamily(s) === 6).map((s) => s.vip));
}

/** keepalived instance name of the lab's IPv6 VRRP instance: the IPv4 one's plus `6`, e.g. `VI_LVS_LAB6`. */
export function vrrpInstanceName6(lab: ResolvedLab): string {
  return `${vrrpInstanceName(lab)}6`;
}

/** The services a real server is behind. */
export function servicesOf(lab: ResolvedLab, realServer: ResolvedRealServer): ResolvedService[] {
  return lab.services.filter((s) => s.realServers.includes(realServer.name));
}

/**
 * keepalived.conf input for one director.
 *
 * One VRRP instance holds every VIP. The highest-priority director starts as MASTER, the
 * others BACKUP; with nopreempt every director starts BACKUP, because keepalived ignores
 * `nopreempt` on an instance whose initial state is MASTER.
 */
export function directorKeepalivedModel(lab: ResolvedLab, director: ResolvedDirector): DirectorKeepalivedModel {
  const self = findVm(lab.directors, director, 'director');
  const highest = Math.max(...lab.directors.map((d) => d.priority));
  const instance: VrrpInstanceModel = {
    name: vrrpInstanceName(lab),
    state: !lab.vrrp.nopreempt && self.priority === highest ? 'MASTER' : 'BACKUP',
    virtualRouterId: lab.vrrp.virtualRouterId,
    priority: self.priority,
    advertIntSec: lab.vrrp.advertIntSec,
    version: lab.vrrp.version,
    transport: lab.vrrp.transport,
    ...(lab.vrrp.authPass !== undefined ? { authPass: lab.vrrp.authPass } : {}),
    nopreempt: lab.vrrp.nopreempt,
    vips: labVips(lab),
  };
  return {
    routerId: `${lab.name}-${self.name}`,
    interfaceName: LAB_INTERFACE,
    address: self.address,
    peers: lab.directors.filter((d) => d.name !== self.name).map((d) => d.address),
    ...dualStackDirector(lab, self),
    instances: vrrpInstances(lab, instance),
    connectionSync: lab.vrrp.connectionSync,
    ...(lab.notification ? { notification: lab.notification } : {}),
    notifyScriptPath: DEFAULT_NOTIFY_SCRIPT_PATH,
    // Only when asked for: every other lab renders exactly as before.
    ...(lab.vrrp.fastFailover ? { fastFailover: true } : {}),
    ...(lab.vrrp.trackScript ? { trackScript: lab.vrrp.trackScript } : {}),
    services: lab.services.map((service) => virtualService(lab, service)),
  };
}

/**
 * Dual stack: the IPv6 VIPs go into an instance of their own (keepalived's instances are one
 * family each), with the same VRID (IPv4 and IPv6 VRIDs are separate spaces, RFC 5798), priority,
 * state, timing and nopreempt; both are in the sync group, so a director holds every VIP or none.
 * The IPv4 instance is left out only when every VIP is IPv6 (keepalived refuses a VRRPv3
 * instance without VIPs).
 */
function vrrpInstances(lab: ResolvedLab, ipv4: VrrpInstanceModel): VrrpInstanceModel[] {
  const vips6 = labVips6(lab);
  if (vips6.length === 0) return [ipv4];
  const ipv6: VrrpInstanceModel = { ...ipv4, name: vrrpInstanceName6(lab), vips: vips6, family: 6 };
  return ipv4.vips.length > 0 ? [ipv4, ipv6] : [ipv6];
}

/** The director's own and its peers' IPv6 addresses, for an IPv6 instance's unicast. */
function dualStackDirector(lab: ResolvedLab, self: ResolvedDirector): { address6?: string; peers6?: string[] } {
  if (self.address6 === undefined) return {};
  return {
    address6: self.address6,
    peers6: lab.directors.filter((d) => d.name !== self.name && d.address6 !== undefined).map((d) => d.address6 as string),
  };
}

/** user-data input for one director. */
export function directorUserDataModel(lab: ResolvedLab, director: ResolvedDirector): DirectorUserDataModel {
  const self = findVm(lab.directors, director, 'director');
  return {
    // The VM's own name: short, and what the demo page and prompts show.
    hostname: self.name,
    release: lab.image.release,
    ssh: sshUser(lab),
    preinstalled: lab.image.preinstalled,
    ...(lab.packages ? { packages: lab.packages } : {}),
    keepalived: directorKeepalivedModel(lab, self),
    // Only when asked for: every other lab renders exactly as before.
    ...firewallMarksOf(lab),
    ...sorrySiteOf(lab),
  };
}

/** The nftables marks of the firewall-mark services, when there is any. */
function firewallMarksOf(lab: ResolvedLab): { firewallMarks?: FirewallMarkRule[] } {
  const rules = lab.services.flatMap((s) => (s.fwmark !== undefined ? [{ vip: s.vip, protocol: s.protocol, ports: [...s.ports], fwmark: s.fwmark }] : []));
  return rules.length > 0 ? { firewallMarks: rules } : {};
}

/** The directors' sorry site: every port (and TLS port) of the services with a sorry server. */
function sorrySiteOf(lab: ResolvedLab): { sorrySite?: SorrySiteModel } {
  const services = lab.services.filter((s) => s.sorryServer);
  if (services.length === 0) return {};
  return { sorrySite: { ports: distinct(services.flatMap((s) => s.ports)), tlsPorts: distinct(services.flatMap((s) => s.tlsPorts)) } };
}

/**
 * user-data input for one real server: the VIPs of its services (bound on lo, ARP-silenced:
 * the DR ARP problem), one demo web listener per distinct TCP port, and the http-check paths.
 */
export function realServerUserDataModel(lab: ResolvedLab, realServer: ResolvedRealServer): RealServerUserDataModel {
  const self = findVm(lab.realServers, realServer, 'real server');
  const services = servicesOf(lab, self);
  const tcpServices = services.filter((s) => s.protocol === 'TCP');
  const tcpPorts = distinct(tcpServices.flatMap((s) => s.ports));
  const tlsPorts = new Set(tcpServices.flatMap((s) => s.tlsPorts));
  return {
    hostname: self.name,
    release: lab.image.release,
    address: self.address,
    ssh: sshUser(lab),
    preinstalled: lab.image.preinstalled,
    ...(lab.packages ? { packages: lab.packages } : {}),
    vips: distinct(services.filter((s) => serviceFamily(s) === 4).map((s) => s.vip)),
    ...(services.some((s) => serviceFamily(s) === 6) ? { vips6: distinct(services.filter((s) => serviceFamily(s) === 6).map((s) => s.vip)) } : {}),
    webPorts: tcpPorts.map((port) => ({ port, protocol: 'TCP' as ServiceProtocol, ...(tlsPorts.has(port) ? { tls: true } : {}) })),
    healthPaths: distinct(services.flatMap((s) => (s.healthCheck.type === 'http' || s.healthCheck.type === 'https' ? [s.healthCheck.path] : []))),
    // The readiness file for misc checks such as `curl http://{address}/ready`; only in labs
    // with a misc check, so every other lab renders exactly as before.
    ...(lab.services.some((s) => s.miscCheck !== undefined) ? { readyFile: true } : {}),
  };
}

/** network-config input: the VM's NIC, matched by its deterministic MAC and renamed to LAB_INTERFACE. */
export function staticInterface(lab: ResolvedLab, vm: ResolvedVm): StaticInterface {
  return {
    release: lab.image.release,
    name: LAB_INTERFACE,
    macAddress: vm.macAddress,
    address: vm.address,
    prefixLength: lab.network.prefixLength,
    ...(lab.network.gateway !== undefined ? { gateway: lab.network.gateway } : {}),
    dns: [...lab.network.dns],
    ...(vm.address6 !== undefined && lab.network.ipv6 ? { address6: vm.address6, prefixLength6: lab.network.ipv6.prefixLength } : {}),
  };
}

function virtualService(lab: ResolvedLab, service: ResolvedService): VirtualService {
  return {
    vip: service.vip,
    port: service.port,
    protocol: service.protocol,
    scheduler: service.scheduler,
    persistenceTimeoutSec: service.persistenceTimeoutSec,
    delayLoopSec: service.delayLoopSec,
    healthCheck: service.healthCheck,
    realServers: service.realServers.map((name) => {
      const rs = lab.realServers.find((r) => r.name === name);
      if (!rs) throw new Error(`service ${service.vip}:${service.port} names unknown real server ${name}; resolve the lab with resolveLabConfig`);
      // An IPv6 service checks and forwards to the real server's IPv6 address.
      const address = serviceFamily(service) === 6 ? rs.address6 : rs.address;
      if (address === undefined) throw new Error(`service ${service.vip}:${service.port} is IPv6 but real server ${name} has no address6`);
      return { name: rs.name, address, weight: rs.weight };
    }),
    // Only when asked for: every other lab renders exactly as before.
    ...(service.fwmark !== undefined ? { fwmark: service.fwmark, ports: [...service.ports] } : {}),
    ...(service.sorryServer ? { sorryServer: true } : {}),
    ...(service.inhibitOnFailure ? { inhibitOnFailure: true } : {}),
    ...(service.quorum !== undefined ? { quorum: service.quorum } : {}),
    ...(service.miscCheck !== undefined ? { miscCheck: service.miscCheck } : {}),
  };
}

function sshUser(lab: ResolvedLab): SshUser {
  return { name: lab.ssh.user, authorizedKeys: [...lab.ssh.authorizedKeys] };
}

function findVm<T extends ResolvedVm>(vms: readonly T[], vm: ResolvedVm, kind: string): T {
  const found = vms.find((v) => v.name === vm.name);
  if (!found) throw new Error(`${vm.name} is not a ${kind} of this lab (${vms.map((v) => v.name).join(', ')})`);
  return found;
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
