import { renderKeepalivedConf, type HealthCheck, type VirtualService } from '../../cloud-init';
import { miscCheckCommand } from '../../cloud-init/keepalived-virtual-server';
import { masterDownIntervalSec, vrrpSkewSec } from '../../cloud-init/keepalived-limits';
import {
  DIRECTOR_CHECK,
  fastFailoverDirector,
  fwmarkService,
  QUORUM_LOGGER,
  READY_CHECK,
  REFERENCE_SERVICE,
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

describe('renderKeepalivedConf transport', () => {
  test('multicast needs no peer', () => {
    expect(renderKeepalivedConf(withInstance({ transport: 'multicast' }, referenceDirector({ peers: [] })))).toContain('vrrp_instance VI_LAB {');
  });
});

describe('renderKeepalivedConf: fast failover (issue 8)', () => {
  test('renders the gratuitous ARP timing and the yielding MASTER\'s last advert in global_defs', () => {
    // GIVEN the reference MASTER on VRRPv3 with 0.2 s adverts and fast failover
    const conf = renderKeepalivedConf(fastFailoverDirector());

    // THEN global_defs carries the fast-failover lines, before the sync daemon
    expect(conf).toContain(`    router_id lvs_director_1
    ! Fast failover: a BACKUP takes over 3 adverts plus its skew, (256 - priority) / 256
    ! x advert_int with VRRPv3, after the last advert it heard. The second burst of
    ! gratuitous ARPs follows 1 s after becoming MASTER (default 5 s).
    vrrp_garp_master_delay 1
    ! After a moment with two MASTERs (adverts lost or late for 3 intervals), the one that
    ! yields sends one more advert, which the one that stays answers with a burst of
    ! gratuitous ARPs: the last ARPs clients see point at the MASTER that stays.
    vrrp_garp_lower_prio_repeat 5
    vrrp_higher_prio_send_advert
    ! IPVS connection sync:`);
    // AND the instance is VRRPv3 with the fractional interval and no authentication
    expect(conf).toContain('    priority 250\n    advert_int 0.2\n    version 3\n');
    expect(conf).not.toMatch(/authentication/);
  });

  test('without fastFailover no gratuitous ARP keyword is rendered (keepalived\'s defaults)', () => {
    expect(renderKeepalivedConf(referenceDirector())).not.toMatch(/vrrp_garp|higher_prio/);
    expect(renderKeepalivedConf(withInstance({ version: 3, advertIntSec: 0.2, authPass: undefined }))).not.toMatch(/vrrp_garp|higher_prio/);
  });

  test('the skew is (256 - priority) / 256 of an advert with VRRPv3 and of a second with VRRPv2', () => {
    // keepalived: VRRP_TIMER_SKEW_CALC, (pri * centiseconds * 625) / 16 µs for v3, pri * 1 s / 256 for v2
    expect(vrrpSkewSec(240, 0.2, 3)).toBeCloseTo(0.0125, 6);
    expect(vrrpSkewSec(80, 0.2, 3)).toBeCloseTo(0.1375, 6);
    expect(vrrpSkewSec(80, 1, 2)).toBeCloseTo(0.6875, 6);
    expect(vrrpSkewSec(192, 0.5, 3)).toBeCloseTo(0.125, 6);
    // the features lab's BACKUP (240 at 0.2 s) takes over 0.6125 s after the last advert
    expect(masterDownIntervalSec(240, 0.2, 3)).toBeCloseTo(0.6125, 6);
    // the reference BACKUP (80 at 1 s, VRRPv2): 3.6875 s
    expect(masterDownIntervalSec(80, 1, 2)).toBeCloseTo(3.6875, 6);
  });
});

describe('renderKeepalivedConf: the director check (vrrp.trackScript, issue 8)', () => {
  test('renders one vrrp_script, tracked by the instance, with the command quoted as one string', () => {
    const conf = renderKeepalivedConf(referenceDirector({ trackScript: DIRECTOR_CHECK }));
    expect(conf).toContain(`}

! The director check: keepalived runs the command itself (no shell) every interval
! seconds; fall failures in a row fail it, rise successes in a row pass it again.
! A director whose check fails has its priority lowered by 20.
vrrp_script DIRECTOR_CHECK {
    script "/usr/bin/ping -c 1 -W 1 192.168.20.1"
    interval 2
    timeout 2
    fall 2
    rise 2
    weight -20
}

vrrp_instance VI_LAB {
`);
    expect(conf).toContain(`    virtual_ipaddress {
        192.168.20.140/32 dev lab0
    }
    track_script {
        DIRECTOR_CHECK
    }
    notify /usr/local/sbin/lvs-lab-notify
`);
  });

  test('weight 0 says FAULT, a positive weight says raised', () => {
    expect(renderKeepalivedConf(referenceDirector({ trackScript: { ...DIRECTOR_CHECK, weight: 0 } })))
      .toContain('! A director whose check fails goes FAULT and gives up the VIP.\nvrrp_script DIRECTOR_CHECK {');
    expect(renderKeepalivedConf(referenceDirector({ trackScript: { ...DIRECTOR_CHECK, weight: 120 } })))
      .toContain('! A director whose check passes has its priority raised by 120.\n');
  });

  test('script security is on for the check even without a notify hook', () => {
    const conf = renderKeepalivedConf(referenceDirector({ trackScript: DIRECTOR_CHECK, notifyScriptPath: undefined }));
    expect(conf).toContain(`    ! The director check runs as root: keepalived disables it unless its executable and
    ! every directory above it are writable by root only.
    enable_script_security
    script_user root
}`);
    expect(conf).not.toMatch(/notify/);
  });

  test('with the notify hook, both explain themselves and script security is stated once', () => {
    const conf = renderKeepalivedConf(referenceDirector({ trackScript: DIRECTOR_CHECK }));
    expect(conf.match(/enable_script_security/g)).toHaveLength(1);
    expect(conf).toContain('    ! the script and every directory above it are writable by root only.\n    ! The director check runs as root');
  });

  test('no check, no vrrp_script and no track_script', () => {
    expect(renderKeepalivedConf(referenceDirector())).not.toMatch(/vrrp_script|track_script/);
  });

  test('link failure needs no line: keepalived tracks the instance\'s own interface (no track_interface)', () => {
    expect(renderKeepalivedConf(fastFailoverDirector({ trackScript: DIRECTOR_CHECK }))).not.toMatch(/track_interface|dont_track_primary/);
  });
});

describe('renderKeepalivedConf: the director check with a sync group', () => {
  test('a weighted check with a sync group renders sync_group_tracking_weight (else keepalived drops the weight)', () => {
    const second = { ...REFERENCE_INSTANCE, name: 'VI_LAB_2', virtualRouterId: 113, vips: ['192.168.20.150'] };
    const model = referenceDirector({ instances: [REFERENCE_INSTANCE, second], trackScript: DIRECTOR_CHECK });
    const conf = renderKeepalivedConf(model);
    expect(conf).toContain([
      'vrrp_sync_group LVS_LAB {',
      '    group {',
      '        VI_LAB',
      '        VI_LAB_2',
      '    }',
      "    ! The director check's weight applies to every instance alike (keepalived drops",
      '    ! weighted checks from a sync group without this).',
      '    sync_group_tracking_weight',
      '}',
    ].join('\n'));
    expect(conf.match(/track_script \{/g)).toHaveLength(2);
    // weight 0 (FAULT on failure) needs no tracking weight; one instance has no group at all
    expect(renderKeepalivedConf({ ...model, trackScript: { ...DIRECTOR_CHECK, weight: 0 } })).not.toContain('sync_group_tracking_weight');
    expect(renderKeepalivedConf(referenceDirector({ trackScript: DIRECTOR_CHECK }))).not.toContain('sync_group_tracking_weight');
  });
});

describe('renderKeepalivedConf: service options', () => {
  const confOf = (...services: VirtualService[]) => renderKeepalivedConf(referenceDirector({ services }));
  const virtualServer = (conf: string) => conf.slice(conf.indexOf('virtual_server '));

  test('renders a firewall-mark service with every option exactly', () => {
    // GIVEN ports 80+443 under mark 7, https check, sorry server, inhibit, quorum with hooks, misc check
    const conf = confOf(fwmarkService());

    // THEN no protocol, no port on the real or sorry servers (keepalived 2.2.7 warns on both)
    expect(virtualServer(conf)).toBe(`virtual_server fwmark 7 {
    delay_loop 6
    lb_algo wrr
    ! DR: the director only rewrites the destination MAC, so replies go straight from the
    ! real server to the client, each real server must own the VIP (on lo, ARP-silenced)
    ! and the real port must equal the virtual port.
    lb_kind DR
    ! Firewall mark 7: nftables on the directors marks TCP packets to 192.168.20.140
    ! on ports 80, 443; the real servers get them on the port the client chose.
    ! The service is up while its healthy real servers weigh at least quorum (up again at
    ! quorum + hysteresis, down below quorum - hysteresis).
    quorum 100
    hysteresis 10
    quorum_up "/usr/bin/logger -t lvs-lab-quorum up"
    quorum_down "/usr/bin/logger -t lvs-lab-quorum down"
    ! When the quorum is lost, IPVS delivers to the director itself (a local destination):
    ! its sorry site answers 503.
    sorry_server 127.0.0.1
    real_server 192.168.20.143 {
        weight 100
        inhibit_on_failure
        SSL_GET {
            url {
                path /healthz
                status_code 200
            }
            connect_port 443
            connect_timeout 3
            retry 5
            delay_before_retry 3
        }
        MISC_CHECK {
            misc_path "/usr/bin/curl -fsS -o /dev/null --max-time 2 http://192.168.20.143:80/ready"
            misc_timeout 5
        }
    }
    real_server 192.168.20.144 {
        weight 100
        inhibit_on_failure
        SSL_GET {
            url {
                path /healthz
                status_code 200
            }
            connect_port 443
            connect_timeout 3
            retry 5
            delay_before_retry 3
        }
        MISC_CHECK {
            misc_path "/usr/bin/curl -fsS -o /dev/null --max-time 2 http://192.168.20.144:80/ready"
            misc_timeout 5
        }
    }
}
`);
  });

  test('a plain service keeps its protocol and ports; its sorry server names the port', () => {
    const conf = virtualServer(confOf(service({ sorryServer: true })));
    expect(conf).toMatch(/^virtual_server 192\.168\.20\.140 80 \{\n/);
    expect(conf).toContain('    protocol TCP\n');
    expect(conf).toContain('    sorry_server 127.0.0.1 80\n');
    expect(conf).toContain('    real_server 192.168.20.143 80 {\n');
  });

  test('an https check renders SSL_GET with url, status code, connect port and timings', () => {
    const conf = confOf(service({ healthCheck: { type: 'https', path: '/ready', statusCode: 200, connectTimeoutSec: 2, retry: 1, delayBeforeRetrySec: 4, connectPort: 8443 } }));
    expect(conf).toContain(`        SSL_GET {
            url {
                path /ready
                status_code 200
            }
            connect_port 8443
            connect_timeout 2
            retry 1
            delay_before_retry 4
        }
`);
    expect(conf).not.toContain('HTTP_GET');
  });

  test('a check port other than the service port is the connect_port of tcp and http checks too', () => {
    expect(confOf(service({ healthCheck: { ...REFERENCE_SERVICE.healthCheck, connectPort: 8080 } as HealthCheck }))).toContain('            connect_port 8080\n');
    expect(confOf(service())).toContain('            connect_port 80\n');
  });

  test('inhibit_on_failure is in every real server of the service, and only when asked for', () => {
    expect(confOf(service({ inhibitOnFailure: true })).match(/^ {8}inhibit_on_failure$/gm)).toHaveLength(2);
    expect(confOf(service())).not.toContain('inhibit_on_failure');
  });

  test('a quorum without hooks renders quorum and hysteresis only, and needs no script security', () => {
    const conf = renderKeepalivedConf(referenceDirector({ notifyScriptPath: undefined, services: [service({ quorum: { weight: 150, hysteresis: 0 } })] }));
    expect(conf).toContain('    quorum 150\n    hysteresis 0\n');
    expect(conf).not.toMatch(/quorum_up|quorum_down|enable_script_security/);
  });

  test('a quorum hook alone turns script security on', () => {
    const conf = renderKeepalivedConf(referenceDirector({ notifyScriptPath: undefined, services: [service({ quorum: { weight: 1, hysteresis: 0, down: QUORUM_LOGGER.down } })] }));
    expect(conf).toContain('    quorum_down "/usr/bin/logger -t lvs-lab-quorum down"\n');
    expect(conf).not.toContain('quorum_up');
    expect(conf).toContain('    enable_script_security\n    script_user root\n}');
  });

  test('a misc check alone turns script security on; its placeholders are replaced per real server', () => {
    const conf = renderKeepalivedConf(referenceDirector({
      notifyScriptPath: undefined,
      services: [service({ port: 8080, miscCheck: { command: ['/usr/local/bin/probe', '--host={name}', '{address}:{port}', '{address}'], timeoutSec: 9 } })],
    }));
    expect(conf).toContain('            misc_path "/usr/local/bin/probe --host=rs-1 192.168.20.143:8080 192.168.20.143"\n            misc_timeout 9\n');
    expect(conf).toContain('            misc_path "/usr/local/bin/probe --host=rs-2 192.168.20.144:8080 192.168.20.144"\n');
    expect(conf).toContain('    enable_script_security\n');
  });

  test('miscCheckCommand replaces only the three placeholders', () => {
    expect(miscCheckCommand({ command: ['/bin/x', '{address}{port}', '{name}', '{other}'], timeoutSec: 1 }, { address: '10.0.0.1', port: 443, name: 'web' }))
      .toEqual(['/bin/x', '10.0.0.1443', 'web', '{other}']);
  });

  test('the misc check runs beside the health check, after it', () => {
    const conf = confOf(service({ miscCheck: READY_CHECK }));
    expect(conf).toMatch(/TCP_CHECK \{[^}]*\}\n {8}MISC_CHECK \{/);
  });
});
