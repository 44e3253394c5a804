import { NOTIFY_STATE_FILE } from '../../cloud-init/paths';
import { ARP_SYSCTLS } from '../../cloud-init/real-server';
import { resolveLabConfig } from '../../lab';
import { VRRP_STATE_FILE, WEB_SERVICE } from '../../ops/remote';
import { collectStatus } from '../../ops/status';
import { formatStatus, formatStatusJson } from '../../ops/status-format';
import { FakeLab, settle } from '../helpers/ops-lab';

/* `lvs-lab status` against a lab that answers with the tools' own output, healthy, then broken one way at a time. */
const lab = resolveLabConfig({});
const [d1, d2] = lab.directors;
const VIP = '192.168.20.140';

beforeEach(() => jest.useFakeTimers({ now: 1_764_220_800_000 }));
afterEach(() => jest.useRealTimers());

const ids = (findings: readonly { id: string; subject: string }[]) => findings.map((f) => `${f.id} ${f.subject}`);

describe('a healthy lab', () => {
  test('exit-worthy verdict ok: one MASTER, a complete table, the VIP at the MASTER\'s MAC, real servers in order', async () => {
    const fake = new FakeLab(lab);
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.problems).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.directors.map((d) => [d.name, d.vrrpState, d.keepalived, d.vips])).toEqual([
      [d1.name, 'MASTER', 'active', [VIP]],
      [d2.name, 'BACKUP', 'active', []],
    ]);
    expect(report.services).toEqual([{
      key: `TCP ${VIP}:80`, protocol: 'TCP', vip: VIP, port: 80, scheduler: 'wrr', master: d1.name,
      realServers: [
        { name: 'rs-1', address: '192.168.20.143', configuredWeight: 100, inTable: true, weight: 100, forward: 'Route', activeConns: 0, inactiveConns: 0 },
        { name: 'rs-2', address: '192.168.20.144', configuredWeight: 100, inTable: true, weight: 100, forward: 'Route', activeConns: 0, inactiveConns: 0 },
      ],
    }]);
    expect(report.vips).toEqual([{ vip: VIP, holders: [d1.name], arp: { checked: true, mac: d1.macAddress, state: 'REACHABLE', director: d1.name } }]);
    expect(report.realServers[0]).toEqual({
      name: 'rs-1', address: '192.168.20.143', reached: true, vipsOnLo: [VIP], missingVips: [], arpIgnore: { all: 1, lo: 1 }, arpAnnounce: { all: 2, lo: 2 }, webService: 'active',
      cloudInit: { phase: 'done', status: 'done' },
    });
  });

  test('one ssh session per VM, privileged reads through sudo -n only', async () => {
    const fake = new FakeLab(lab);
    await settle(collectStatus(fake.host(), lab));
    expect(fake.log.filter((l) => l.startsWith(`${d1.name}: `))).toEqual([
      `${d1.name}: cat /run/keepalived/state`,
      `${d1.name}: systemctl is-active keepalived`,
      `${d1.name}: ip -o addr show dev lab0`,
      `${d1.name}: cat /sys/class/net/lab0/address`,
      `${d1.name}: sudo -n ipvsadm -Ln`,
      `${d1.name}: sudo -n ipvsadm -L --daemon`,
      `${d1.name}: cloud-init status --long --format json`,
    ]);
    expect(fake.log.filter((l) => l.includes('sudo') && !l.includes('sudo -n'))).toEqual([]);
  });

  test('the human report: tables of directors, the IPVS table, real servers and VIPs, then the verdict', async () => {
    const text = formatStatus(await settle(collectStatus(new FakeLab(lab).host(), lab)));
    expect(text).toContain('lab lvs-lab (LAB_CONFIG unset: the reference topology)');
    expect(text).toMatch(new RegExp(`│ ${d1.name} +│ 192\\.168\\.20\\.141 │ \\d+ +│ MASTER +│ active +│ ${VIP.replace(/\./g, '\\.')} +│ master \\(lab0, id 51\\) │`));
    expect(text).toContain(`Service TCP ${VIP}:80 wrr: IPVS table of ${d1.name} (MASTER)`);
    expect(text).toMatch(/│ rs-2 +│ 192\.168\.20\.144:80 │ yes +│ Route +│ +100 │ +0 │ +0 │/);
    expect(text).toMatch(/│ rs-1 +│ 192\.168\.20\.143 │ 192\.168\.20\.140 │ 1\/1 +│ 2\/2 +│ active +│/);
    expect(text).toContain(`│ ${VIP} │ ${d1.name} │ ${d1.macAddress} │ REACHABLE │ ${d1.name} │`);
    expect(text.trimEnd().split('\n').pop()).toBe('lvs-lab status: healthy.');
    expect(text).not.toMatch(/\u001b\[/); // no colour codes
  });

  test('--json: the documented shape', async () => {
    const json = JSON.parse(formatStatusJson(await settle(collectStatus(new FakeLab(lab).host(), lab, '/labs/lab.yaml'))));
    expect(Object.keys(json)).toEqual(['version', 'ok', 'lab', 'configFile', 'directors', 'services', 'realServers', 'vips', 'problems', 'warnings']);
    expect(json).toMatchObject({ version: 1, ok: true, lab: 'lvs-lab', configFile: '/labs/lab.yaml' });
    expect(Object.keys(json.directors[0])).toEqual(['name', 'address', 'macAddress', 'priority', 'reached', 'vrrpState', 'keepalived', 'vips', 'syncDaemons', 'ipvs', 'cloudInit']);
    expect(json.realServers[0].cloudInit).toEqual({ phase: 'done', status: 'done' });
    expect(json.directors[0].ipvs[0]).toMatchObject({ protocol: 'TCP', vip: VIP, port: 80, scheduler: 'wrr', persistenceSec: 0 });
  });
});

describe('fails when', () => {
  test("a VM's first boot failed: a problem naming it, apt's line and the fix, in the table and --json", async () => {
    const fake = new FakeLab(lab);
    fake.firstBoot.set('rs-2', { outcome: 'package-missing' });
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{
      id: 'cloud-init', subject: 'rs-2',
      message: 'cloud-init failed on rs-2 (192.168.20.144) in package-update-upgrade-install: E: Unable to locate package haproxy',
      fix: expect.stringContaining('packages.mirror'),
    }]);
    expect(report.realServers[1].cloudInit).toMatchObject({ phase: 'error', status: 'error', firstError: 'E: Unable to locate package haproxy', cause: 'package-missing' });
    expect(formatStatus(report)).toMatch(/│ rs-2 +│ 192\.168\.20\.144 │ .*│ error +│/);
  });

  test('a first boot still under way: a warning, pointing at lvs-lab wait', async () => {
    const fake = new FakeLab(lab);
    fake.firstBoot.set(d2.name, { outcome: 'success', endsAt: Date.now() + 600_000 });
    const report = await settle(collectStatus(fake.host(), lab));
    expect(ids(report.warnings)).toEqual([`cloud-init ${d2.name}`]);
    expect(report.warnings[0]).toMatchObject({ message: `cloud-init on ${d2.name} is running: its first boot is not finished`, fix: expect.stringContaining('lvs-lab -- wait') });
  });

  test('no director holds the VIP: says what was asked and where to look', async () => {
    const fake = new FakeLab(lab);
    fake.holders = [];
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toEqual({
      id: 'vip-holder', subject: VIP,
      message: `no director holds ${VIP} (\`ip -o addr show dev lab0\` on ${d1.name}, ${d2.name})`,
      fix: expect.stringContaining('sudo systemctl start keepalived'),
    });
    expect(report.services[0].master).toBeNull();
  });

  test('both directors hold the VIP (split brain)', async () => {
    const fake = new FakeLab(lab);
    fake.holders = [d1.name, d2.name];
    const report = await settle(collectStatus(fake.host(), lab));
    expect(ids(report.problems)).toEqual([`vip-holder ${VIP}`]);
    expect(report.problems[0].message).toContain(`${d1.name} and ${d2.name} all hold ${VIP}`);
    expect(report.problems[0].fix).toContain('tcpdump -ni lab0 vrrp');
  });

  test('a real server is out of the MASTER\'s table (its web service is down)', async () => {
    const fake = new FakeLab(lab);
    fake.outOfTable.add('rs-2');
    fake.web.set('rs-2', 'inactive');
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.problems).toEqual([{
      id: 'ipvs', subject: `TCP ${VIP}:80`,
      message: `rs-2 (192.168.20.144) is not in ${d1.name}'s IPVS table for TCP ${VIP}:80: its health check fails (its web service is inactive)`,
      fix: 'start the web service on rs-2 (`sudo systemctl start nginx`); keepalived adds it back once its check passes',
    }]);
    expect(formatStatus(report)).toMatch(/│ rs-2 +│ 192\.168\.20\.144:80 │ NO +│ - +│ +\(100\) │ +- │ +- │/);
  });

  test("the VIP resolves to the BACKUP's MAC (a stale entry)", async () => {
    const fake = new FakeLab(lab);
    fake.neighbours.set(VIP, { mac: d2.macAddress, state: 'REACHABLE' });
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.problems[0]).toMatchObject({
      id: 'arp',
      message: `this machine resolves ${VIP} to ${d2.macAddress} (${d2.name}) after a request to it (\`ip neigh show to ${VIP}\`), expected ${d1.name}'s ${d1.macAddress}`,
      fix: expect.stringContaining(`sudo ip neigh flush to ${VIP}`),
    });
  });

  test("the VIP resolves to a real server's MAC", async () => {
    const fake = new FakeLab(lab);
    fake.neighbours.set(VIP, { mac: lab.realServers[0].macAddress, state: 'REACHABLE' });
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.problems[0].message).toContain('(no director: a real server answers ARP for the VIP?)');
    expect(report.problems[0].fix).toContain('sudo systemctl restart lvs-real-server');
  });

  test('a real server lost its VIP on lo and its ARP sysctls', async () => {
    const fake = new FakeLab(lab);
    fake.vipsOnLo.set('rs-1', []);
    fake.sysctls.set('rs-1', '0\n0\n0\n0');
    const report = await settle(collectStatus(fake.host(), lab));
    expect(ids(report.problems)).toEqual(['rs-vip rs-1', 'rs-arp-sysctl rs-1']);
    expect(report.problems[1].message).toBe("rs-1's ARP sysctls: arp_ignore 0/0, arp_announce 0/0 (all/lo), expected arp_ignore 1 and arp_announce 2: it may answer ARP for the VIP");
    expect(formatStatus(report)).toContain(`${VIP} MISSING`);
  });

  test('a VM refuses the key: what was run, what ssh said, which key to pass', async () => {
    const fake = new FakeLab(lab);
    fake.unreachable.set(d2.name, 'lab@192.168.20.142: Permission denied (publickey).');
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.problems).toEqual([{
      id: 'ssh', subject: d2.name,
      message: '`ssh -i /home/me/.ssh/id_ed25519 lab@192.168.20.142` did not get through: lab@192.168.20.142: Permission denied (publickey).',
      fix: expect.stringContaining('pass --ssh-key'),
    }]);
    expect(formatStatus(report)).toMatch(new RegExp(`│ ${d2.name} +│ 192\\.168\\.20\\.142 │ \\d+ +│ no answer`));
  });

  test('a VM that does not answer at all: is it running, is this machine on the segment', async () => {
    const fake = new FakeLab(lab);
    fake.unreachable.set('rs-2', 'ssh: connect to host 192.168.20.144 port 22: Connection timed out');
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.problems[0].fix).toBe('is the VM running (`virsh -c qemu:///system list --all`)? is this machine on the lab\'s segment (`ip route get <address>`)?');
  });

  test('sudo wants a password on the MASTER: the table cannot be read, the message is sudo\'s', async () => {
    const fake = new FakeLab(lab);
    fake.sudoPassword.add(d1.name);
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.problems).toEqual([{
      id: 'sudo', subject: d1.name, message: `\`sudo -n ipvsadm -Ln\` on ${d1.name} failed: sudo: a password is required`,
      fix: "the lab's user lab has passwordless sudo on every VM (cloud-init): connect as ssh.user, not as another account",
    }]);
  });
});

describe('warnings (exit 0)', () => {
  test('this machine is not on the lab segment: the ARP check is skipped, not failed', async () => {
    const fake = new FakeLab(lab);
    fake.routedVia = '10.0.0.1';
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.ok).toBe(true);
    expect(report.vips[0].arp).toEqual({ checked: false, mac: null, state: null, director: null, note: `this machine reaches ${VIP} through 10.0.0.1, not on the lab's segment: its ARP entry cannot be seen from here` });
    expect(ids(report.warnings)).toEqual([`arp ${VIP}`]);
    expect(formatStatus(report).trimEnd().split('\n').pop()).toBe('lvs-lab status: healthy (1 warning).');
  });

  test('keepalived stopped on the BACKUP: no standby', async () => {
    const fake = new FakeLab(lab);
    fake.keepalived.set(d2.name, 'inactive');
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([expect.objectContaining({ id: 'keepalived', subject: d2.name, message: `keepalived on ${d2.name} is inactive: no standby for a failover` })]);
  });

  test('connection sync on (the reference\'s default): each director runs the daemon of its role, else a warning', async () => {
    expect(lab.vrrp.connectionSync).toBe(true);
    const fake = new FakeLab(lab);
    const report = await settle(collectStatus(fake.host(), lab));
    expect(report.directors.map((d) => d.syncDaemons.map((x) => x.role))).toEqual([['master'], ['backup']]);
    const unsynced = resolveLabConfig({ vrrp: { connectionSync: false } });
    const missing = await settle(collectStatus(new FakeLab(unsynced).host(), lab));
    expect(missing.ok).toBe(true);
    expect(ids(missing.warnings)).toEqual([`sync-daemon ${d1.name}`, `sync-daemon ${d2.name}`]);
    expect(missing.warnings[0].message).toBe(`${d1.name} runs no master sync daemon (\`sudo -n ipvsadm -L --daemon\`): connections would not survive a failover`);
  });
});

describe('the paths and names status reads are the ones the VMs are built with', () => {
  test('the notify hook state file, the web service, the four ARP sysctls', () => {
    expect(VRRP_STATE_FILE).toBe(NOTIFY_STATE_FILE);
    expect(WEB_SERVICE).toBe('nginx');
    expect(ARP_SYSCTLS.map((s) => s.key).sort()).toEqual(['net.ipv4.conf.all.arp_announce', 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.lo.arp_announce', 'net.ipv4.conf.lo.arp_ignore']);
  });
});
