import { renderKeepalivedConf } from '../../cloud-init';
import {
  REFERENCE_INSTANCE,
  referenceBackupDirector,
  referenceDirector,
  service,
  withInstance,
} from '../helpers/lab-fixtures';

describe('renderKeepalivedConf', () => {
  test('renders the reference topology (MASTER director .141) exactly', () => {
    // GIVEN the reference lab of the field write-up, in keepalived 2.2 syntax
    const model = referenceDirector();

    // WHEN
    const conf = renderKeepalivedConf(model);

    // THEN
    expect(conf).toBe(`! Managed by lvs-dr-lab: rendered from the lab config, local edits are overwritten.

global_defs {
    router_id lvs_director_1
    ! IPVS connection sync: the MASTER multicasts its connection table to the BACKUP,
    ! so established client connections survive a failover. keepalived starts the
    ! sync daemon as master/backup following the named VRRP instance.
    lvs_sync_daemon lab0 VI_LAB
    ! The notify hook runs as root; with script security keepalived refuses it unless
    ! the script and every directory above it are writable by root only.
    enable_script_security
    script_user root
}

vrrp_instance VI_LAB {
    state MASTER
    interface lab0
    virtual_router_id 112
    priority 180
    advert_int 1
    unicast_src_ip 192.168.20.141
    unicast_peer {
        192.168.20.142
    }
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        192.168.20.140/32 dev lab0
    }
    notify /usr/local/sbin/lvs-lab-notify
}

virtual_server 192.168.20.140 80 {
    delay_loop 6
    lb_algo wrr
    ! DR: the director only rewrites the destination MAC, so replies go straight from the
    ! real server to the client, each real server must own the VIP (on lo, ARP-silenced)
    ! and the real port must equal the virtual port.
    lb_kind DR
    protocol TCP
    real_server 192.168.20.143 80 {
        weight 100
        TCP_CHECK {
            connect_port 80
            connect_timeout 3
            retry 5
            delay_before_retry 3
        }
    }
    real_server 192.168.20.144 80 {
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
  });

  test('the BACKUP director differs only in router_id, state, priority and unicast addresses', () => {
    const master = renderKeepalivedConf(referenceDirector()).split('\n');
    const backup = renderKeepalivedConf(referenceBackupDirector()).split('\n');

    const changed = backup.filter((line, i) => line !== master[i]).map((line) => line.trim());

    expect(backup).toHaveLength(master.length);
    expect(changed).toEqual([
      'router_id lvs_director_2',
      'state BACKUP',
      'priority 80',
      'unicast_src_ip 192.168.20.142',
      '192.168.20.141',
    ]);
  });

  test('never emits the pre-2.x keyword nb_get_retry', () => {
    const conf = renderKeepalivedConf(
      referenceDirector({
        services: [
          service(),
          service({ port: 8080, healthCheck: { type: 'http', path: '/healthz', statusCode: 200, connectTimeoutSec: 3, retry: 2, delayBeforeRetrySec: 1 } }),
        ],
      }),
    );
    expect(conf).not.toMatch(/nb_get_retry/);
    expect(conf.match(/^\s+retry \d+$/gm)).toHaveLength(4);
  });

  test('multicast transport has no unicast_src_ip and no unicast_peer', () => {
    const conf = renderKeepalivedConf(withInstance({ transport: 'multicast' }));
    expect(conf).not.toMatch(/unicast/);
  });

  test('authentication block is omitted without authPass', () => {
    const conf = renderKeepalivedConf(withInstance({ authPass: undefined }));
    expect(conf).not.toMatch(/authentication|auth_type|auth_pass/);
  });

  test('nopreempt is rendered for a BACKUP instance that asks for it', () => {
    const conf = renderKeepalivedConf(withInstance({ state: 'BACKUP', priority: 80, nopreempt: true }));
    expect(conf).toMatch(/^    state BACKUP\n[\s\S]*^    nopreempt$/m);
  });

  test('nopreempt is absent by default', () => {
    expect(renderKeepalivedConf(referenceDirector())).not.toMatch(/nopreempt/);
  });

  test('persistence_timeout only when persistence is on', () => {
    expect(renderKeepalivedConf(referenceDirector())).not.toMatch(/persistence_timeout/);
    const conf = renderKeepalivedConf(referenceDirector({ services: [service({ persistenceTimeoutSec: 300 })] }));
    expect(conf).toContain('    lb_kind DR\n    persistence_timeout 300\n    protocol TCP\n');
  });

  test('an http check renders HTTP_GET with url, status code and timings', () => {
    const conf = renderKeepalivedConf(
      referenceDirector({
        services: [service({ healthCheck: { type: 'http', path: '/healthz', statusCode: 200, connectTimeoutSec: 2, retry: 3, delayBeforeRetrySec: 1 } })],
      }),
    );
    expect(conf).toContain(`    real_server 192.168.20.143 80 {
        weight 100
        HTTP_GET {
            url {
                path /healthz
                status_code 200
            }
            connect_port 80
            connect_timeout 2
            retry 3
            delay_before_retry 1
        }
    }`);
    expect(conf).not.toMatch(/TCP_CHECK/);
  });

  test("a 'none' check renders real servers with a weight and no checker", () => {
    const conf = renderKeepalivedConf(referenceDirector({ services: [service({ healthCheck: { type: 'none' } })] }));
    expect(conf).toContain('    real_server 192.168.20.143 80 {\n        weight 100\n    }\n');
    expect(conf).not.toMatch(/_CHECK|HTTP_GET/);
  });

  test('version 3 is stated only for VRRPv3 instances', () => {
    expect(renderKeepalivedConf(referenceDirector())).not.toMatch(/version/);
    const conf = renderKeepalivedConf(withInstance({ version: 3, advertIntSec: 0.5, authPass: undefined }));
    expect(conf).toContain('    advert_int 0.5\n    version 3\n');
  });

  test('connection sync off means no lvs_sync_daemon', () => {
    const conf = renderKeepalivedConf(referenceDirector({ connectionSync: false }));
    expect(conf).not.toMatch(/lvs_sync_daemon/);
  });

  test('one instance has no vrrp_sync_group (keepalived warns about a group of one)', () => {
    expect(renderKeepalivedConf(referenceDirector())).not.toMatch(/vrrp_sync_group/);
  });

  test('two instances are tied together by a vrrp_sync_group; the sync daemon follows the first', () => {
    const second = { ...REFERENCE_INSTANCE, name: 'VI_LAB_2', virtualRouterId: 113, vips: ['192.168.20.150'] };
    const conf = renderKeepalivedConf(referenceDirector({ instances: [REFERENCE_INSTANCE, second] }));
    expect(conf).toContain('vrrp_sync_group LVS_LAB {\n    group {\n        VI_LAB\n        VI_LAB_2\n    }\n}\n');
    expect(conf).toContain('    lvs_sync_daemon lab0 VI_LAB\n');
    expect(conf.match(/^vrrp_instance /gm)).toEqual(['vrrp_instance ', 'vrrp_instance ']);
  });

  test('notification settings render notification_email, the SMTP options and turn alerts on', () => {
    const conf = renderKeepalivedConf(
      referenceDirector({
        notification: { email: ['ops@example.org', 'oncall@example.org'], from: 'lvs@example.org', smtpServer: '127.0.0.1', smtpConnectTimeoutSec: 30 },
      }),
    );
    expect(conf).toContain(`    router_id lvs_director_1
    notification_email {
        ops@example.org
        oncall@example.org
    }
    notification_email_from lvs@example.org
    smtp_server 127.0.0.1
    smtp_connect_timeout 30
    smtp_alert
`);
  });

  test('no notification settings means no SMTP keywords', () => {
    expect(renderKeepalivedConf(referenceDirector())).not.toMatch(/notification_email|smtp_/);
  });

  test('a UDP service says protocol UDP', () => {
    const conf = renderKeepalivedConf(referenceDirector({ services: [service({ port: 53, protocol: 'UDP', healthCheck: { type: 'none' } })] }));
    expect(conf).toContain('virtual_server 192.168.20.140 53 {\n');
    expect(conf).toContain('    protocol UDP\n');
  });

  test('without a notify script there is no notify line and no script security', () => {
    const conf = renderKeepalivedConf(referenceDirector({ notifyScriptPath: undefined }));
    expect(conf).not.toMatch(/notify|script_security|script_user/);
  });

  test('each VIP is a /32 on the lab interface', () => {
    const conf = renderKeepalivedConf(withInstance({ vips: ['192.168.20.140', '192.168.20.150'] }));
    expect(conf).toContain('    virtual_ipaddress {\n        192.168.20.140/32 dev lab0\n        192.168.20.150/32 dev lab0\n    }\n');
  });
});

describe('renderKeepalivedConf failures', () => {
  test('fails when nopreempt is asked of a MASTER', () => {
    expect(() => renderKeepalivedConf(withInstance({ nopreempt: true }))).toThrow(
      "instances[0] (VI_LAB): nopreempt requires state BACKUP, got 'MASTER'",
    );
  });

  test('fails when a VRRPv2 instance has a fractional advert_int', () => {
    expect(() => renderKeepalivedConf(withInstance({ advertIntSec: 0.5 }))).toThrow('advertIntSec 0.5 is fractional; VRRPv2 needs whole seconds');
  });

  test('fails when a VRRPv3 instance has authentication', () => {
    expect(() => renderKeepalivedConf(withInstance({ version: 3 }))).toThrow('authPass is set but VRRPv3 has no authentication');
  });

  test('fails when unicast has no peer', () => {
    expect(() => renderKeepalivedConf(referenceDirector({ peers: [] }))).toThrow('unicast transport needs at least one peer');
  });

  test('multicast needs no peer', () => {
    expect(renderKeepalivedConf(withInstance({ transport: 'multicast' }, referenceDirector({ peers: [] })))).toContain('vrrp_instance VI_LAB {');
  });

  test('fails when the notify script path is relative', () => {
    expect(() => renderKeepalivedConf(referenceDirector({ notifyScriptPath: 'lvs-lab-notify' }))).toThrow(
      "notifyScriptPath: expected an absolute path without spaces or quotes, got 'lvs-lab-notify'",
    );
  });

  test('reports every problem at once', () => {
    const model = withInstance({ nopreempt: true, advertIntSec: 0.5 }, referenceDirector({ notifyScriptPath: 'x' }));
    expect(() => renderKeepalivedConf(model)).toThrow(/nopreempt[\s\S]*advertIntSec[\s\S]*notifyScriptPath/);
  });
});
