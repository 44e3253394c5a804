import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DoctorResult } from '../../doctor';
import type { LabConfig } from '../../lab';
import { LibvirtSandbox } from '../helpers/libvirtd';
import { NetnsSandbox } from '../helpers/netns';
import { requireTool } from '../helpers/tools';

/*
 * The real doctor (`lvs-lab doctor --json`, scripts/lvs-lab.ts as a user runs it) on a host broken
 * on purpose, one thing at a time, then mended: each breakage must be diagnosed by its check with
 * the real cause and the fix. The "host" is a throwaway network namespace (its own links, iptables
 * tables and bridge sysctls; the doctor runs under `ip netns exec`), a libvirtd of the test's own
 * (e2e/sandbox.sh, reached by its socket) and a scratch directory for the pool: nothing of the
 * machine's own network, iptables, sysctls or libvirt is read or changed.
 */
const root = path.resolve(__dirname, '../..');
const BRIDGE = 'br-lab';
const SYSCTL = 'net.bridge.bridge-nf-call-iptables';
/** A user that owns nothing on the way to the pool, as a directory copied from another machine. */
const STRANGER_UID = 4242;

let ns: NetnsSandbox;
let libvirt: LibvirtSandbox;
let dir: string;
/** The lab's pool directory (storagePoolPath), under `dir`. */
let pool: string;
let qemuUid: number;

beforeAll(() => {
  requireTool('iptables', 'iptables');
  requireTool('iptables-legacy', 'iptables');
  requireTool('sysctl', 'procps');
  requireTool('virsh', 'libvirt-clients');
  const id = spawnSync('id', ['-u', 'libvirt-qemu'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('user libvirt-qemu not found: install libvirt with `apt-get install libvirt-daemon-system` (it creates the user)');
  qemuUid = Number(id.stdout.trim());
  if (!fs.existsSync(`/proc/sys/net/bridge/bridge-nf-call-iptables`)) {
    throw new Error(`/proc/sys/net/bridge is missing: load br_netfilter (\`modprobe br_netfilter\`), the module the bridge-netfilter check is about`);
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-broken-'));
  fs.chmodSync(dir, 0o711); // libvirt's qemu user passes through on the way to the pool
  pool = path.join(dir, 'pool');
  fs.mkdirSync(path.join(dir, 'home', '.ssh'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'home', '.ssh', 'id_ed25519.pub'),
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk6r2mFJqzKcQ0u1Bf4bX5tUuJv7YlN3m9p2cQe8sXw me@laptop\n');
  ns = NetnsSandbox.create('broken');
  libvirt = LibvirtSandbox.up('broken');
}, 180_000);

afterAll(() => {
  libvirt?.down();
  ns?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `argv` in the test's namespace, or throws with what it printed. */
function must(argv: string[]): void {
  const r = ns.run(argv, { timeoutMs: 30_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.output}`);
}

/** A bridged lab in 10.77.0.0/24 (a subnet nothing in the namespace routes), on the test's libvirtd. */
function labConfig(): LabConfig {
  return {
    name: 'broken',
    libvirtUri: libvirt.uri,
    domainType: 'qemu',
    storagePoolPath: pool,
    network: { mode: 'bridge', bridge: BRIDGE, cidr: '10.77.0.0/24' },
    // a local image that is not there: no DNS lookup (that check is not what this file is about)
    image: { source: path.join(dir, 'missing.qcow2'), preinstalled: true },
    directors: [{ name: 'd1', address: '10.77.0.11', priority: 100 }, { name: 'd2', address: '10.77.0.12', priority: 50 }],
    services: [{ vip: '10.77.0.10' }],
    realServers: [{ name: 'rs1', address: '10.77.0.21' }],
  };
}

/**
 * `lvs-lab doctor --json` inside the namespace, as root, for {@link labConfig}: the report's
 * result of check `id` (the exit status is checked against the report's verdict).
 */
function doctor(id: string): DoctorResult {
  const config = path.join(dir, 'lab.json');
  fs.writeFileSync(config, JSON.stringify(labConfig()));
  const r = ns.run([
    'env', `LAB_CONFIG=${config}`, `HOME=${path.join(dir, 'home')}`, 'CHECKPOINT_DISABLE=1',
    process.execPath, '-r', 'ts-node/register/transpile-only', path.join(root, 'scripts', 'lvs-lab.ts'), 'doctor', '--json',
  ], { timeoutMs: 120_000 });
  let report: { ok: boolean; checks: DoctorResult[] };
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`lvs-lab doctor --json printed no report (exit status ${r.status}): ${r.output}`);
  }
  expect(r.status).toBe(report.ok ? 0 : 1);
  const result = report.checks.find((c) => c.id === id);
  if (!result) throw new Error(`the report has no check ${id}: ${r.stdout}`);
  return result;
}

describe('bridge: network.bridge missing, down, then up', () => {
  test('fails when the bridge does not exist, with the commands that create it', () => {
    const r = doctor('bridge');
    expect(r.ok).toBe(false);
    expect(r.problem).toBe(`network.bridge ${BRIDGE} does not exist on this host (Device "${BRIDGE}" does not exist.)`);
    expect(r.fix).toContain(`\`ip link add ${BRIDGE} type bridge && ip link set ${BRIDGE} up\``);
    expect(r.fix).toContain('network.mode: nat');
  });

  test('fails when the bridge exists but is down, with the command that brings it up', () => {
    must(['ip', 'link', 'add', BRIDGE, 'type', 'bridge']);
    const r = doctor('bridge');
    expect(r).toEqual({ id: 'bridge', ok: false, problem: `bridge ${BRIDGE} is down: the VMs' links would have no carrier`, fix: `\`ip link set ${BRIDGE} up\`` });
  });

  test('passes once the bridge is up', () => {
    must(['ip', 'link', 'set', BRIDGE, 'up']);
    expect(doctor('bridge')).toEqual({ id: 'bridge', ok: true, summary: `${BRIDGE} is a bridge and up` });
  });
});

describe('bridge-netfilter: br_netfilter on and a FORWARD policy DROP', () => {
  afterEach(() => {
    ns.run(['iptables', '-P', 'FORWARD', 'ACCEPT']);
    ns.run(['iptables', '-F', 'FORWARD']);
  });

  test('fails when iptables drops what br_netfilter hands it, with the ACCEPT rule and the sysctl', () => {
    must(['sysctl', '-q', '-w', `${SYSCTL}=1`]);
    must(['iptables', '-P', 'FORWARD', 'DROP']);
    const r = doctor('bridge-netfilter');
    expect(r.ok).toBe(false);
    expect(r.problem).toContain(`br_netfilter passes the frames bridged through ${BRIDGE} to iptables (${SYSCTL}=1) and the FORWARD chain drops them (policy DROP)`);
    expect(r.fix).toContain(`\`iptables -I FORWARD -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT\``);
    expect(r.fix).toContain(`\`sysctl -w ${SYSCTL}=0\``);
  });

  test('on a Docker host (a DOCKER-USER chain), the rule goes into DOCKER-USER', () => {
    must(['sysctl', '-q', '-w', `${SYSCTL}=1`]);
    must(['iptables', '-N', 'DOCKER-USER']);
    try {
      must(['iptables', '-A', 'DOCKER-USER', '-j', 'RETURN']);
      must(['iptables', '-A', 'FORWARD', '-j', 'DOCKER-USER']);
      must(['iptables', '-P', 'FORWARD', 'DROP']);
      const r = doctor('bridge-netfilter');
      expect(r.ok).toBe(false);
      expect(r.problem).toContain('(policy DROP, as Docker sets it)');
      expect(r.fix).toContain(`\`iptables -I DOCKER-USER -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT\``);
    } finally {
      ns.run(['iptables', '-F', 'FORWARD']);
      ns.run(['iptables', '-F', 'DOCKER-USER']);
      ns.run(['iptables', '-X', 'DOCKER-USER']);
    }
  });

  test('passes once a rule accepts the bridge\'s frames', () => {
    must(['sysctl', '-q', '-w', `${SYSCTL}=1`]);
    must(['iptables', '-P', 'FORWARD', 'DROP']);
    must(['iptables', '-I', 'FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT']);
    expect(doctor('bridge-netfilter')).toEqual({ id: 'bridge-netfilter', ok: true,
      summary: `${SYSCTL}=1 and FORWARD policy DROP, but a rule accepts the frames bridged through ${BRIDGE}` });
  });

  test('passes with a FORWARD policy ACCEPT', () => {
    must(['sysctl', '-q', '-w', `${SYSCTL}=1`]);
    expect(doctor('bridge-netfilter')).toEqual({ id: 'bridge-netfilter', ok: true, summary: `${SYSCTL}=1, FORWARD policy ACCEPT` });
  });

  test('passes with the DROP policy when br_netfilter is off for the namespace (bridged frames skip iptables)', () => {
    must(['sysctl', '-q', '-w', `${SYSCTL}=0`]);
    must(['iptables', '-P', 'FORWARD', 'DROP']);
    expect(doctor('bridge-netfilter')).toEqual({ id: 'bridge-netfilter', ok: true, summary: `${SYSCTL}=0: bridged frames do not pass iptables` });
  });

  // Last: the legacy tables, once made, stay until the namespace goes (only a module unload removes them).
  test('fails when the DROP policy is in the legacy iptables tables (`iptables` itself is the nf_tables one)', () => {
    // Both sets of tables filter the same frames: a DROP in either drops them. A Docker or a tool
    // that runs iptables-legacy writes there, where `iptables` (nf_tables) does not look.
    must(['sysctl', '-q', '-w', `${SYSCTL}=1`]);
    must(['iptables-legacy', '-P', 'FORWARD', 'DROP']);
    const r = doctor('bridge-netfilter');
    expect(r.ok).toBe(false);
    expect(r.problem).toContain('and the FORWARD chain of the legacy tables (iptables-legacy) drops them (policy DROP)');
    expect(r.fix).toContain(`\`iptables-legacy -I FORWARD -i ${BRIDGE} -o ${BRIDGE} -j ACCEPT\``);
  });

  test('passes once the legacy tables accept the bridge\'s frames too', () => {
    must(['iptables-legacy', '-I', 'FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT']);
    expect(doctor('bridge-netfilter')).toEqual({ id: 'bridge-netfilter', ok: true,
      summary: `${SYSCTL}=1 and iptables: FORWARD policy ACCEPT, iptables-legacy: FORWARD policy DROP, but a rule accepts the frames bridged through ${BRIDGE}` });
  });
});

describe('pool-directory: a pool directory of another owner that libvirt\'s qemu user cannot enter', () => {
  beforeAll(() => {
    fs.mkdirSync(pool);
    fs.chownSync(pool, STRANGER_UID, STRANGER_UID);
    fs.chmodSync(pool, 0o700);
  });

  test('passes while the libvirtd runs qemu as root (as e2e/sandbox.sh sets it up): root enters any directory', () => {
    // The libvirtd reached through libvirtUri says whom it runs qemu as; its qemu.conf is not the
    // machine's /etc/libvirt/qemu.conf (here it is bind-mounted in the daemon's own mount namespace).
    const r = doctor('pool-directory');
    expect(r).toEqual({ id: 'pool-directory', ok: true, summary: `${pool} exists and holds nothing but this lab's volumes` });
  });

  test('fails once libvirtd runs qemu as libvirt-qemu: the directory, its owner and mode, and the chmod that mends it', () => {
    libvirt.setQemuUser('libvirt-qemu');
    const r = doctor('pool-directory');
    expect(r.ok).toBe(false);
    expect(r.problem).toBe(
      `libvirt starts the VMs as libvirt-qemu (uid ${qemuUid}), which cannot enter ${pool} (mode 0700, owner uid ${STRANGER_UID}): ` +
        'the first domain would fail to open its disk (Permission denied)',
    );
    expect(r.fix).toContain(`\`chmod o+x ${pool}\``);
  });

  test('fails when a directory on the way is closed (a pool in a 0700 home), naming that directory', () => {
    fs.chmodSync(pool, 0o711);
    fs.chmodSync(dir, 0o700);
    try {
      const r = doctor('pool-directory');
      expect(r.ok).toBe(false);
      expect(r.problem).toContain(`cannot enter ${dir} (mode 0700, owner uid 0)`);
      expect(r.fix).toContain(`\`chmod o+x ${dir}\``);
    } finally {
      fs.chmodSync(dir, 0o711);
    }
  });

  test('passes once libvirt-qemu may enter every directory on the way', () => {
    fs.chmodSync(pool, 0o711);
    expect(doctor('pool-directory')).toEqual({ id: 'pool-directory', ok: true, summary: `${pool} exists and holds nothing but this lab's volumes` });
  });
});

describe('libvirt: libvirtd running, then stopped', () => {
  test('passes while libvirtd answers on its socket', () => {
    const r = doctor('libvirt');
    expect(r.ok).toBe(true);
    expect(r.summary).toMatch(new RegExp(`^${escape(libvirt.uri)} answers \\(QEMU \\d`));
  });

  test('fails once libvirtd is stopped: the socket error, and how to start the libvirtd of that socket', () => {
    libvirt.stopLibvirtd();
    const socket = new URL(libvirt.uri).searchParams.get('socket');
    const r = doctor('libvirt');
    expect(r.ok).toBe(false);
    expect(r.problem).toBe(`libvirt at ${libvirt.uri} does not answer: Failed to connect socket to '${socket}': No such file or directory`);
    expect(r.fix).toContain(`nothing listens on ${socket}`);
    // how to start it as this machine starts services: systemd when it runs (sd_booted), by hand if not
    if (fs.existsSync('/run/systemd/system')) {
      expect(r.fix).toContain('start it: `sudo systemctl enable --now libvirtd`');
    } else {
      expect(r.fix).toContain('start it: `sudo virtlogd -d && sudo libvirtd -d` (this machine runs no systemd)');
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
