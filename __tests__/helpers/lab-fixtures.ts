import type { LabVmProps } from '../../constructs/lab-vm';
import { renderVmSeed } from '../../constructs/vm-seed';
import { keepalivedLine } from '../../cloud-init/keepalived-text';
import type {
  DirectorKeepalivedModel,
  DirectorUserDataModel,
  RealServerUserDataModel,
  TrackScriptModel,
  VirtualService,
  VrrpInstanceModel,
} from '../../cloud-init/model';

/**
 * The reference topology of the field write-up (keepalived-lvs-dr-notes.txt), in today's
 * syntax: VIP 192.168.20.140:80, real servers .143/.144 (weight 100, wrr, DR, TCP checks),
 * VRID 112, MASTER .141 priority 180 / BACKUP .142 priority 80, unicast, auth_pass 1111.
 */
export const REFERENCE_SERVICE: VirtualService = {
  vip: '192.168.20.140',
  port: 80,
  protocol: 'TCP',
  scheduler: 'wrr',
  persistenceTimeoutSec: 0,
  delayLoopSec: 6,
  healthCheck: { type: 'tcp', connectTimeoutSec: 3, retry: 5, delayBeforeRetrySec: 3 },
  realServers: [
    { name: 'rs-1', address: '192.168.20.143', weight: 100 },
    { name: 'rs-2', address: '192.168.20.144', weight: 100 },
  ],
};

export const REFERENCE_INSTANCE: VrrpInstanceModel = {
  name: 'VI_LAB',
  state: 'MASTER',
  virtualRouterId: 112,
  priority: 180,
  advertIntSec: 1,
  version: 2,
  transport: 'unicast',
  authPass: '1111',
  nopreempt: false,
  vips: ['192.168.20.140'],
};

export const NOTIFY_SCRIPT_PATH = '/usr/local/sbin/lvs-lab-notify';

/** The MASTER director (.141) of the reference topology, with optional overrides. */
export function referenceDirector(overrides: Partial<DirectorKeepalivedModel> = {}): DirectorKeepalivedModel {
  return {
    routerId: 'lvs_director_1',
    interfaceName: 'lab0',
    address: '192.168.20.141',
    peers: ['192.168.20.142'],
    instances: [REFERENCE_INSTANCE],
    connectionSync: true,
    notifyScriptPath: NOTIFY_SCRIPT_PATH,
    services: [REFERENCE_SERVICE],
    ...overrides,
  };
}

/** The reference MASTER director with its single VRRP instance changed. */
export function withInstance(overrides: Partial<VrrpInstanceModel>, model: DirectorKeepalivedModel = referenceDirector()): DirectorKeepalivedModel {
  return { ...model, instances: model.instances.map((instance) => ({ ...instance, ...overrides })) };
}

/** The BACKUP director (.142) of the reference topology. */
export function referenceBackupDirector(): DirectorKeepalivedModel {
  return withInstance(
    { state: 'BACKUP', priority: 80 },
    referenceDirector({ routerId: 'lvs_director_2', address: '192.168.20.142', peers: ['192.168.20.141'] }),
  );
}

/** A director check as issue 8's features lab has it: ping the router, 20 below the other on failure. */
export const DIRECTOR_CHECK: TrackScriptModel = {
  command: ['/usr/bin/ping', '-c', '1', '-W', '1', '192.168.20.1'],
  intervalSec: 2,
  timeoutSec: 2,
  fall: 2,
  rise: 2,
  weight: -20,
};

/** The reference MASTER in fast-failover mode: VRRPv3, adverts every 0.2 s, priority 250 (no authentication in v3). */
export function fastFailoverDirector(overrides: Partial<DirectorKeepalivedModel> = {}): DirectorKeepalivedModel {
  return withInstance({ version: 3, advertIntSec: 0.2, authPass: undefined, priority: 250 }, referenceDirector({ fastFailover: true, ...overrides }));
}

/** The reference service with overrides. */
export function service(overrides: Partial<VirtualService> = {}): VirtualService {
  return { ...REFERENCE_SERVICE, ...overrides };
}

export const SSH_USER = {
  name: 'lab',
  authorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk6r2mFJqzKcQ0u1Bf4bX5tUuJv7YlN3m9p2cQe8sXw operator@lab'],
};

export function directorUserData(overrides: Partial<DirectorUserDataModel> = {}): DirectorUserDataModel {
  return { hostname: 'director-1', release: 13, ssh: SSH_USER, preinstalled: false, keepalived: referenceDirector(), ...overrides };
}

export function realServerUserData(overrides: Partial<RealServerUserDataModel> = {}): RealServerUserDataModel {
  return {
    hostname: 'rs-1',
    release: 13,
    address: '192.168.20.143',
    ssh: SSH_USER,
    preinstalled: false,
    vips: ['192.168.20.140'],
    webPorts: [{ port: 80, protocol: 'TCP' }],
    healthPaths: ['/healthz'],
    ...overrides,
  };
}

/** A real ASCII-armored OpenPGP public key (ed25519, made with gpg for these tests only). */
export const MIRROR_SIGNING_KEY = `-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEawjbsxYJKwYBBAHaRw8BAQdAhzz5/IWZ7A/Xp+4R7rmMNeCyT25shvS3HSaw
PY+AhkS0K2x2cy1kci1sYWIgdGVzdCBtaXJyb3IgPG1pcnJvckBsYWIuZXhhbXBs
ZT6IkAQTFggAOBYhBDLWUXrtP0PvJ8159Tf4aIO48IPkBQJrCNuzAhsDBQsJCAcC
BhUKCQgLAgQWAgMBAh4BAheAAAoJEDf4aIO48IPkkYgBAIkcBS9u0cqlggdtOm2Y
89cYEgZmD1lGO09OeXzICy0+AP9F3+A9keoMF7qKh/xCnsBifOESnYoZZcl7bCHN
6QJ5CA==
=ceGO
-----END PGP PUBLIC KEY BLOCK-----
`;

/** The quorum hooks of docs/config.md's example: a syslog line when the quorum changes. */
export const QUORUM_LOGGER = {
  up: ['/usr/bin/logger', '-t', 'lvs-lab-quorum', 'up'],
  down: ['/usr/bin/logger', '-t', 'lvs-lab-quorum', 'down'],
} as const;

/** The readiness check of docs/config.md: GET /ready on each real server's first port. */
export const READY_CHECK = {
  command: ['/usr/bin/curl', '-fsS', '-o', '/dev/null', '--max-time', '2', 'http://{address}:{port}/ready'],
  timeoutSec: 5,
} as const;

/**
 * A firewall-mark service with every service option: ports 80 and 443 under mark 7, HTTPS on
 * 443 checked by SSL_GET, a sorry server, inhibit_on_failure, a quorum with hooks and a misc check.
 */
export function fwmarkService(overrides: Partial<VirtualService> = {}): VirtualService {
  return service({
    fwmark: 7,
    ports: [80, 443],
    healthCheck: { type: 'https', path: '/healthz', statusCode: 200, connectTimeoutSec: 3, retry: 5, delayBeforeRetrySec: 3, connectPort: 443 },
    sorryServer: true,
    inhibitOnFailure: true,
    quorum: { weight: 100, hysteresis: 10, ...QUORUM_LOGGER },
    miscCheck: READY_CHECK,
    ...overrides,
  });
}

/**
 * A command (/usr/bin/true and filler words of at most 128 characters) whose keepalived.conf line
 * (`keepalivedLine[kind]`, indentation included) is exactly `length` characters.
 */
export function commandOfLine(kind: 'trackScript' | 'miscPath' | 'quorumHook', length: number, key: 'up' | 'down' = 'up'): string[] {
  const lineOf = (command: readonly string[]) =>
    kind === 'quorumHook' ? keepalivedLine.quorumHook(key, command) : keepalivedLine[kind](command);
  const command = ['/usr/bin/true'];
  let left = length - lineOf(command).length;
  while (left > 0) {
    const word = 'x'.repeat(Math.min(128, left - 1 > 0 ? left - 1 : 1));
    command.push(word);
    left = length - lineOf(command).length;
  }
  if (left < 0) throw new Error(`commandOfLine: cannot make a ${kind} line of ${length} characters`);
  return command;
}

/**
 * LabVm props of one small VM named `name` (its domain name and hostname), its seed rendered
 * from `seed`: the construct tests' VM.
 */
export function labVmFixture(name: string, patch: Partial<LabVmProps> = {}, seed: { userData?: string; networkConfig?: string } = {}): LabVmProps {
  return {
    name, poolName: 'pool', baseVolumeId: 'base', network: { networkId: 'net' }, macAddress: '52:54:00:00:00:01',
    seed: renderVmSeed({ domainName: name, hostname: name, userData: seed.userData ?? '#cloud-config\n', networkConfig: seed.networkConfig ?? 'version: 2\n' }),
    ...patch,
  };
}
