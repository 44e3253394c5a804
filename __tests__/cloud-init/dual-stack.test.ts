import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  renderKeepalivedConf, renderNginxSite, renderNotifyScript, renderRealServerScript,
} from '../../cloud-init';
import { NOTIFY_LOG_FILE } from '../../cloud-init/paths';
import { directorKeepalivedModel, directorUserDataModel, realServerUserDataModel, resolveLabConfig, staticInterface, type LabConfig } from '../../lab';
import { cloudInitNetworkView, cloudInitSchema, cloudConfigView } from '../helpers/cloud-init';
import { expectRoundTrips, recordRenders } from '../helpers/round-trip';
import { DUAL_STACK_LAB, dualStackLab } from '../helpers/dual-stack';
import { keepalivedConfigTest } from '../helpers/keepalived';
import { DIRECTOR_CHECK, NOTIFY_SCRIPT_PATH, referenceDirector, REFERENCE_INSTANCE } from '../helpers/lab-fixtures';
import { NetnsSandbox } from '../helpers/netns';
import { shellcheck } from '../helpers/shellcheck';
import { requireTool } from '../helpers/tools';

/** Every document this file renders, read back by cloud-init's loader in the last test. */
const rendered = recordRenders();

/** Both directors' keepalived.conf of a lab, MASTER first. */
function directorConfs(config: LabConfig): string[] {
  const lab = resolveLabConfig(config);
  return lab.directors.map((director) => renderKeepalivedConf(directorKeepalivedModel(lab, director)));
}

/** The `name { ... }` block that starts with `header` in a rendered config. */
function blockOf(conf: string, header: string): string {
  const start = conf.indexOf(`${header} {\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  return conf.slice(start, conf.indexOf('\n}\n', start) + 3);
}

/** One readiness check for both families: `{host}` is the real server's address as a URL host. */
const HOST_CHECK = { command: ['/usr/bin/curl', '-fsS', '-o', '/dev/null', '--max-time', '2', 'http://{host}:{port}/ready'] };
const HOST_CHECK_SERVICES = [{ vip: '10.77.0.100', miscCheck: HOST_CHECK }, { vip: 'fd77::100', port: 8080, miscCheck: HOST_CHECK }];

describe('a misc check URL for both families ({host})', () => {
  test('{host} is the IPv6 address in brackets, the IPv4 address as is; {address} stays bare', () => {
    const [conf] = directorConfs(dualStackLab({}, {
      services: [...HOST_CHECK_SERVICES, { vip: 'fd77::100', port: 443, miscCheck: { command: ['/usr/bin/ping', '-c', '1', '{address}'] } }],
    }));
    expect(blockOf(conf, 'virtual_server 10.77.0.100 80')).toContain('misc_path "/usr/bin/curl -fsS -o /dev/null --max-time 2 http://10.77.0.21:80/ready"');
    expect(blockOf(conf, 'virtual_server fd77::100 8080')).toContain('misc_path "/usr/bin/curl -fsS -o /dev/null --max-time 2 http://[fd77::21]:8080/ready"');
    expect(blockOf(conf, 'virtual_server fd77::100 8080')).toContain('http://[fd77::22]:8080/ready"');
    expect(blockOf(conf, 'virtual_server fd77::100 443')).toContain('misc_path "/usr/bin/ping -c 1 fd77::21"');
  });

  test('curl reads the bracketed URL as an IPv6 host (its URL globbing leaves an IPv6 literal alone)', () => {
    requireTool('curl', 'curl');
    const [conf] = directorConfs(dualStackLab({}, { services: HOST_CHECK_SERVICES }));
    const argv = /misc_path "([^"]*\[fd77::21\][^"]*)"/.exec(conf)![1].split(' ');
    // fd77::21 is nowhere here: curl only has to parse the URL and say where it tries to go
    const r = spawnSync(argv[0], [...argv.slice(1), '-v', '--connect-timeout', '1', '--max-time', '1'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/bad range|URL using bad\/illegal format|globbing/i);
    expect(r.stderr).toMatch(/fd77::21/);
  });
});

describe('keepalived.conf of a dual-stack director', () => {
  const [master, backup] = directorConfs(DUAL_STACK_LAB);

  test('the IPv6 VIPs are a second VRRPv3 instance: same VRID, priority and state, unicast between the address6s, deprecated /128s', () => {
    expect(blockOf(master, 'vrrp_instance VI_LVS_LAB6')).toBe(`vrrp_instance VI_LVS_LAB6 {
    state MASTER
    interface lab0
    virtual_router_id 112
    priority 180
    advert_int 1
    version 3
    unicast_src_ip fd77::11
    unicast_peer {
        fd77::12
    }
    ! The virtual router's link-local address first (RFC 5798), then the VIPs as deprecated
    ! /128s: never the source of the director's own connections (health checks).
    virtual_ipaddress {
        fe80::1:70/64 dev lab0
        fd77::100/128 dev lab0 preferred_lft 0
    }
    notify /usr/local/sbin/lvs-lab-notify
}
`);
    expect(blockOf(backup, 'vrrp_instance VI_LVS_LAB6')).toContain('    state BACKUP\n    interface lab0\n    virtual_router_id 112\n    priority 80\n');
    expect(blockOf(backup, 'vrrp_instance VI_LVS_LAB6')).toContain('    unicast_src_ip fd77::12\n    unicast_peer {\n        fd77::11\n    }\n');
  });

  test('the IPv4 instance keeps the IPv4 VIP and addresses only', () => {
    const ipv4 = blockOf(master, 'vrrp_instance VI_LVS_LAB');
    expect(ipv4).toContain('    unicast_src_ip 10.77.0.11\n    unicast_peer {\n        10.77.0.12\n    }\n');
    expect(ipv4).toContain('    virtual_ipaddress {\n        10.77.0.100/32 dev lab0\n    }\n');
    expect(ipv4).not.toMatch(/fd77/);
  });

  test('both instances are in the sync group, which the IPVS sync daemon follows through the IPv4 one', () => {
    expect(blockOf(master, 'vrrp_sync_group LVS_LAB')).toBe('vrrp_sync_group LVS_LAB {\n    group {\n        VI_LVS_LAB\n        VI_LVS_LAB6\n    }\n}\n');
    expect(master).toContain('    lvs_sync_daemon lab0 VI_LVS_LAB\n');
  });

  test('an IPv6 virtual server forwards (DR) to and checks the real servers\' address6', () => {
    expect(blockOf(master, 'virtual_server fd77::100 80')).toBe(`virtual_server fd77::100 80 {
    delay_loop 6
    lb_algo wrr
    ! DR: the director only rewrites the destination MAC, so replies go straight from the
    ! real server to the client, each real server must own the VIP (on lo, ARP-silenced)
    ! and the real port must equal the virtual port.
    lb_kind DR
    protocol TCP
    real_server fd77::21 80 {
        weight 100
        TCP_CHECK {
            connect_port 80
            connect_timeout 3
            retry 5
            delay_before_retry 3
        }
    }
    real_server fd77::22 80 {
        weight 100
        TCP_CHECK {
            connect_port 80
            connect_timeout 3
            retry 5
            delay_before_retry 3
        }
    }
}
`);
    expect(blockOf(master, 'virtual_server fd77::100 8080')).toMatch(/real_server fd77::21 8080 \{\n {8}weight 100\n {8}HTTP_GET \{\n {12}url \{\n {16}path \/healthz/);
    expect(blockOf(master, 'virtual_server 10.77.0.100 80')).toMatch(/real_server 10\.77\.0\.21 80[\s\S]*real_server 10\.77\.0\.22 80/);
  });

  test('multicast: neither instance has unicast lines', () => {
    const [conf] = directorConfs(dualStackLab({ transport: 'multicast' }));
    expect(conf).not.toMatch(/unicast_/);
    expect(blockOf(conf, 'vrrp_instance VI_LVS_LAB6')).toContain('    version 3\n    ! The virtual router\'s link-local address first');
  });

  test('only IPv6 VIPs: one instance, VI_LVS_LAB6, and no sync group (keepalived refuses a VRRPv3 instance without VIPs)', () => {
    const [conf] = directorConfs(dualStackLab({}, { services: [{ vip: 'fd77::100' }] }));
    expect(conf.match(/^vrrp_instance /gm)).toEqual(['vrrp_instance ']);
    expect(conf).toContain('vrrp_instance VI_LVS_LAB6 {');
    expect(conf).not.toContain('vrrp_sync_group');
    expect(conf).toContain('    lvs_sync_daemon lab0 VI_LVS_LAB6\n');
  });

  test('a weighted director check with the two instances renders sync_group_tracking_weight', () => {
    const [conf] = directorConfs(dualStackLab({ trackScript: { command: ['/usr/bin/true'], weight: -120 } }));
    expect(blockOf(conf, 'vrrp_sync_group LVS_LAB')).toContain('    sync_group_tracking_weight\n');
    expect(conf.match(/track_script \{\n {8}DIRECTOR_CHECK\n/g)).toHaveLength(2);
  });
});

describe('keepalived --config-test accepts both directors of a dual-stack lab', () => {
  let ns: NetnsSandbox;
  const notifyHook = { path: NOTIFY_SCRIPT_PATH, content: renderNotifyScript({ logFile: NOTIFY_LOG_FILE }) };
  const hostHadScript = fs.existsSync(NOTIFY_SCRIPT_PATH);

  beforeAll(() => {
    requireTool('keepalived', 'keepalived');
    ns = NetnsSandbox.create('kt6', [{ name: 'lab0' }]);
  });

  afterAll(() => {
    ns?.destroy();
    // THEN nothing leaked onto the host
    expect(ns && NetnsSandbox.exists(ns.name)).toBe(false);
    expect(fs.existsSync(NOTIFY_SCRIPT_PATH)).toBe(hostHadScript);
  });

  const labs: Record<string, LabConfig> = {
    unicast: DUAL_STACK_LAB,
    multicast: dualStackLab({ transport: 'multicast' }),
    'unicast, nopreempt, fast failover': dualStackLab({ nopreempt: true, fastFailover: true, advertIntSec: 0.2 }, {
      directors: [{ name: 'director-1', address: '10.77.0.11', priority: 250 }, { name: 'director-2', address: '10.77.0.12', priority: 240 }],
    }),
    'a weighted director check (sync_group_tracking_weight)': dualStackLab({ trackScript: { command: ['/usr/bin/true'], weight: -120 } }),
    'only IPv6 VIPs': dualStackLab({}, { services: [{ vip: 'fd77::100' }, { vip: 'fd77::200', port: 443 }] }),
    'a misc check with {host} in its URL on an IPv6 and an IPv4 service': dualStackLab({}, { services: HOST_CHECK_SERVICES }),
    'three directors, given address6s': dualStackLab({}, {
      directors: [
        { name: 'director-1', address: '10.77.0.11', address6: 'fd77::a:11', priority: 180 },
        { name: 'director-2', address: '10.77.0.12', priority: 80 },
        { name: 'director-3', address: '10.77.0.13', address6: 'fd77::beef', priority: 120 },
      ],
    }),
  };

  test.each(Object.entries(labs))('%s', (_name, config) => {
    for (const conf of directorConfs(config)) {
      // WHEN keepalived 2.2.7 checks each director's config
      const result = keepalivedConfigTest(ns, conf, notifyHook);
      // THEN it is silent and exits 0 (a warning, an unknown keyword or a family mismatch is a line)
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    }
  });

  test('why sync_group_tracking_weight: without it keepalived drops a weighted check from both instances', () => {
    const [conf] = directorConfs(dualStackLab({ trackScript: { command: ['/usr/bin/true'], weight: -120 } }));
    const result = keepalivedConfigTest(ns, conf.replace(/^ {4}sync_group_tracking_weight\n/m, ''), notifyHook);
    expect(result.output).toContain('(VI_LVS_LAB) ignoring tracked script DIRECTOR_CHECK with weights due to SYNC group');
    expect(result.output).toContain('(VI_LVS_LAB6) ignoring tracked script DIRECTOR_CHECK with weights due to SYNC group');
    expect(result.status).not.toBe(0);
  });

  test('the same holds for two IPv4 instances (the renderer\'s own sync group)', () => {
    const second = { ...REFERENCE_INSTANCE, name: 'VI_LAB_2', virtualRouterId: 113, vips: ['192.168.20.150'] };
    const conf = renderKeepalivedConf(referenceDirector({ instances: [REFERENCE_INSTANCE, second], trackScript: { ...DIRECTOR_CHECK, command: ['/usr/bin/true'] } }));
    expect(conf).toContain('sync_group_tracking_weight');
    const result = keepalivedConfigTest(ns, conf, notifyHook);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('why preferred_lft is spelled out: keepalived parses it (a bad value is an error)', () => {
    const [conf] = directorConfs(DUAL_STACK_LAB);
    const result = keepalivedConfigTest(ns, conf.replace('preferred_lft 0', 'preferred_lft never'), notifyHook);
    expect(result.output).toContain('preferred_lft never is invalid');
  });

  test('why the IPv6 instance speaks from address6: an IPv4 source with IPv6 peers is refused', () => {
    const [conf] = directorConfs(DUAL_STACK_LAB);
    const result = keepalivedConfigTest(ns, conf.replace('unicast_src_ip fd77::11', 'unicast_src_ip 10.77.0.11').replace('        fd77::12\n', '        10.77.0.12\n'), notifyHook);
    expect(result.output).toMatch(/VI_LVS_LAB6.*(same family|address family)/);
    expect(result.status).not.toBe(0);
  });
});

describe('network-config of a dual-stack VM', () => {
  const lab = resolveLabConfig(DUAL_STACK_LAB);
  const iface = staticInterface(lab, lab.realServers[1]);

  test('lab0 gets both addresses and no IPv6 gateway', () => {
    expect(rendered.network(iface)).toBe(`version: 2
ethernets:
  lab0:
    match:
      macaddress: ${iface.macAddress}
    set-name: lab0
    addresses:
      - 10.77.0.22/24
      - fd77::22/64
`);
  });

  test("cloud-init's v2 parser and Debian's ENI renderer make a static inet6 stanza beside the inet one", () => {
    const view = cloudInitNetworkView(rendered.network(iface));
    expect(view.eni).toMatch(/iface lab0 inet static\n\s+address 10\.77\.0\.22\/24/);
    expect(view.eni).toMatch(/iface lab0 inet6 static\n\s+address fd77::22\/64/);
    expect(view.eni).not.toMatch(/gateway/);
  });
});

describe('user-data of a dual-stack lab', () => {
  const lab = resolveLabConfig(DUAL_STACK_LAB);

  test.each([
    ['director-1', () => rendered.director(directorUserDataModel(lab, lab.directors[0]))],
    ['rs-1', () => rendered.realServer(realServerUserDataModel(lab, lab.realServers[0]))],
  ])('%s passes cloud-init schema', (_name, render) => {
    const result = cloudInitSchema(render());
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`Valid cloud-config: ${result.file}\n`);
    expect(result.status).toBe(0);
  });

  test('a real server gets the IPv6 VIP in its script and [::] listeners in its nginx site', () => {
    const files = cloudConfigView(rendered.realServer(realServerUserDataModel(lab, lab.realServers[0]))).config.write_files as { path: string; content: string }[];
    const script = files.find((f) => f.path.endsWith('/lvs-real-server'))?.content ?? '';
    expect(script).toContain("readonly VIPS=('10.77.0.100')\nreadonly VIPS6=('fd77::100')\n");
    const site = files.find((f) => f.path.includes('sites-available'))?.content ?? '';
    expect(site).toContain('    listen 80 default_server;\n    listen 8080 default_server;\n    listen [::]:80 default_server;\n    listen [::]:8080 default_server;\n    server_name _;');
  });
});

describe('renderNginxSite', () => {
  test('ipv6 adds one [::] listener per port after the IPv4 lines; without it nothing changes', () => {
    const opts = { hostname: 'rs-1', ports: [80, 8080, 80] };
    const ipv4Only = renderNginxSite(opts);
    const dual = renderNginxSite({ ...opts, ipv6: true });
    expect(dual).toBe(ipv4Only.replace('    listen 8080 default_server;\n', '    listen 8080 default_server;\n    listen [::]:80 default_server;\n    listen [::]:8080 default_server;\n'));
    expect(renderNginxSite({ ...opts, ipv6: false })).toBe(ipv4Only);
  });
});

describe('the real-server script with IPv6 VIPs', () => {
  const VIPS = ['192.168.20.140'];
  const VIPS6 = ['fd77::100', 'fd77::200'];

  test('passes shellcheck', () => {
    const result = shellcheck(renderRealServerScript(VIPS, VIPS6));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('without IPv6 VIPs the script is the IPv4 one, character for character', () => {
    expect(renderRealServerScript(VIPS, [])).toBe(renderRealServerScript(VIPS));
    expect(renderRealServerScript(VIPS)).not.toMatch(/VIPS6|ip -6|IPv6/);
  });

  describe('in a throwaway network namespace', () => {
    let ns: NetnsSandbox;
    let dir: string;
    let script: string;

    beforeAll(() => {
      ns = NetnsSandbox.create('rs6');
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-rs6-'));
      script = path.join(dir, 'lvs-real-server');
      fs.writeFileSync(script, renderRealServerScript(VIPS, VIPS6), { mode: 0o755 });
    });

    afterAll(() => {
      ns?.destroy();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      expect(ns && NetnsSandbox.exists(ns.name)).toBe(false);
    });

    const action = (verb: string) => ns.run(['bash', script, verb]);
    /** `address/prefix flags` of every global IPv6 address on lo, from `ip -j`. */
    const lo6 = (): string[] => {
      const [lo] = JSON.parse(ns.run(['ip', '-j', '-6', 'addr', 'show', 'dev', 'lo', 'scope', 'global']).stdout) as {
        addr_info: { local: string; prefixlen: number; nodad?: boolean; deprecated?: boolean; preferred_life_time: number }[];
      }[];
      // `ip -j` also lists a lifetime-only entry per address: keep the entries that name one.
      return (lo?.addr_info ?? []).filter((a) => a.local !== undefined)
        .map((a) => `${a.local}/${a.prefixlen}${a.nodad ? ' nodad' : ''}${a.deprecated ? ' deprecated' : ''}`);
    };
    const lo4 = (): string[] => {
      const [lo] = JSON.parse(ns.run(['ip', '-j', '-4', 'addr', 'show', 'dev', 'lo']).stdout) as { addr_info: { local: string; prefixlen: number }[] }[];
      return lo.addr_info.map((a) => `${a.local}/${a.prefixlen}`);
    };

    test('before start: status exits 3 and names the unbound IPv6 VIPs', () => {
      const status = action('status');
      expect(status.stdout).toContain('VIP fd77::100/128 NOT bound on lo');
      expect(status.status).toBe(3);
    });

    test('start binds both families on lo: IPv4 /32, IPv6 /128 nodad and deprecated; status exits 0', () => {
      const start = action('start');
      expect(start.output).toBe('lvs-real-server: bound 1 VIP(s) on lo, ARP silenced\nlvs-real-server: bound 2 IPv6 VIP(s) on lo\n');
      expect(start.status).toBe(0);
      expect(lo4()).toEqual(['127.0.0.1/8', '192.168.20.140/32']);
      expect(lo6()).toEqual(['fd77::200/128 nodad deprecated', 'fd77::100/128 nodad deprecated']);
      const status = action('status');
      expect(status.stdout).toContain('VIP fd77::100/128 bound on lo\nVIP fd77::200/128 bound on lo\n');
      expect(status.stdout).not.toContain('NOT');
      expect(status.status).toBe(0);
    });

    test('start again is harmless', () => {
      expect(action('start').status).toBe(0);
      expect(lo6()).toEqual(['fd77::200/128 nodad deprecated', 'fd77::100/128 nodad deprecated']);
    });

    test('status exits 3 when an IPv6 VIP went missing', () => {
      ns.run(['ip', '-6', 'addr', 'del', 'fd77::200/128', 'dev', 'lo']);
      const status = action('status');
      expect(status.stdout).toContain('VIP fd77::200/128 NOT bound on lo');
      expect(status.status).toBe(3);
      expect(action('start').status).toBe(0);
    });

    test('stop removes both families; stop again is harmless', () => {
      expect(action('stop').status).toBe(0);
      expect(lo4()).toEqual(['127.0.0.1/8']);
      expect(lo6()).toEqual([]);
      expect(action('stop').status).toBe(0);
      expect(action('status').status).toBe(3);
    });
  });
});

test('every user-data and network-config rendered above is read back by cloud-init\'s YAML loader as exactly the object it serializes', () => {
  expectRoundTrips(rendered);
});
