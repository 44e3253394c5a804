/**
 * What the rules share: the rule's types and the lenient readers (any field may be missing or of
 * the wrong type: the schema reported that), the VMs and services of a config, the lab subnet and
 * gateway, and the messages several rules give.
 */
import { TRACK_SCRIPT_ARG_PATTERN, TRACK_SCRIPT_PATH_PATTERN } from '../../cloud-init/keepalived-limits';
import { formatIpv4, parseCidr, type Ipv4Network } from '../ipv4';
import { isMapping } from '../check-schema';
import { defaultGateway } from '../derive';
import { NETWORK_MODES, type NetworkMode } from '../schema';

/** A mapping read leniently: any field may be missing or of the wrong type. */
export type Loose = Readonly<Record<string, unknown>>;

export interface RuleInput {
  /** The config with the schema's literal defaults applied. */
  readonly lab: Loose;
  /** The config as written (`{}` when it was not a mapping). */
  readonly raw: Loose;
}

export interface LabRule {
  /** Stable id, reported with every problem of this rule. */
  readonly id: string;
  readonly check: (input: RuleInput, report: RuleReport) => void;
}

/** A rule's report: the rule id is added for it. */
export type RuleReport = (path: string, value: unknown, allowed: string, why?: string) => void;

export const section = (value: unknown): Loose => (isMapping(value) ? value : {});
export const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
export const join = (at: string, key: string): string => (at ? `${at}.${key}` : key);
export const isIntegerIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

export interface Vm {
  readonly at: string;
  readonly kind: 'director' | 'real server';
  readonly name: unknown;
  readonly address: unknown;
  readonly fromDefault: boolean;
}

export function entries(input: RuleInput, key: 'directors' | 'realServers' | 'services'): (Loose & { at: string; fromDefault: boolean })[] {
  const fromDefault = input.raw[key] === undefined;
  return list(input.lab[key]).flatMap((item, i) => (isMapping(item) ? [{ ...item, at: `${key}[${i}]`, fromDefault }] : []));
}

export function vmsOf(input: RuleInput): Vm[] {
  return [
    ...entries(input, 'directors').map((d) => ({ at: d.at, kind: 'director' as const, name: d.name, address: d.address, fromDefault: d.fromDefault })),
    ...entries(input, 'realServers').map((r) => ({ at: r.at, kind: 'real server' as const, name: r.name, address: r.address, fromDefault: r.fromDefault })),
  ];
}

/** The lab subnet when `cidr` is usable (valid, prefix 1-30); host bits are masked off. */
export function usableNetwork(cidr: unknown): Ipv4Network | undefined {
  const network = parseCidr(cidr);
  return network && network.prefixLength >= 1 && network.prefixLength <= 30 ? network : undefined;
}

/** The gateway the lab gets: the user's, or the nat default. */
export function gatewayOf(input: RuleInput): { value: unknown; isDefault: boolean } {
  const network = section(input.lab.network);
  if (section(input.raw.network).gateway !== undefined) return { value: network.gateway, isDefault: false };
  const mode = NETWORK_MODES.includes(network.mode as NetworkMode) ? (network.mode as NetworkMode) : undefined;
  const value = mode && usableNetwork(network.cidr) ? defaultGateway(mode, network.cidr as string) : undefined;
  return { value, isDefault: true };
}

export const DR_SEPARATE_HOSTS =
  'DR forwards by rewriting the destination MAC address, so directors and real servers must be separate hosts';
export const DEFAULT_ADDRESS_HINT =
  'this is a default; directors, services and realServers replace the defaults wholesale, so list all three when you change network.cidr';

/** True for a host address of the network (not its network or broadcast address). */
export function subnetHolds(network: Ipv4Network, address: number): boolean {
  return address > network.networkAddress && address < network.broadcastAddress;
}

export function subnetText(network: Ipv4Network): string {
  const cidr = `${formatIpv4(network.networkAddress)}/${network.prefixLength}`;
  return `an address inside ${cidr} other than its network (${formatIpv4(network.networkAddress)}) and broadcast (${formatIpv4(network.broadcastAddress)}) addresses`;
}

/**
 * The executable of a command keepalived runs (argv[0]): an absolute, normalized path. Words of
 * the wrong form are schema problems; only a word of the right form that is not such a path is
 * reported here.
 */
export function checkExecutable(command: unknown, at: string, report: RuleReport, example: string, argPattern = TRACK_SCRIPT_ARG_PATTERN): void {
  const path = list(command)[0];
  if (typeof path === 'string' && argPattern.test(path) && !TRACK_SCRIPT_PATH_PATTERN.test(path)) {
    report(`${at}[0]`, path, `the absolute path of an executable on the directors, such as ${example} (no '.' or '..' component${argPattern === TRACK_SCRIPT_ARG_PATTERN ? '' : ', no placeholder'})`,
      'keepalived runs it directly, without a shell or a search of PATH');
  }
}

/** A service as written (`raw`): which of `port`/`ports` the user gave. */
export function rawServiceOf(input: RuleInput, service: { at: string }): Loose {
  const index = Number(/\[(\d+)\]$/.exec(service.at)?.[1]);
  return section(list(input.raw.services)[index]);
}

export const isPort = (value: unknown): value is number => isIntegerIn(value, 1, 65535);

/** The ports of a service: its `ports` when given (the valid ones), else its `port` (default 80). */
export function portsOf(service: Loose): number[] {
  if (Array.isArray(service.ports)) return service.ports.filter(isPort);
  return isPort(service.port) ? [service.port] : [];
}

/** The valid TLS ports of a service. */
export function tlsPortsOf(service: Loose): number[] {
  return list(service.tlsPorts).filter(isPort);
}
