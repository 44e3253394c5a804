import { renderKeepalivedConf, type HealthCheck, type VirtualService } from '../../cloud-init';
import {
  fastFailoverMaxAdvertSec, fastFailoverMinPriority, keepsFastFailoverBound, masterDownIntervalSec, miscCheckCommand, vrrpSkewSec,
} from '../../cloud-init/keepalived-conf';
import {
  commandOfLine,
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

describe('renderKeepalivedConf failures: issue 8 options', () => {
  test('fails when fastFailover runs on VRRPv2 with whole-second adverts', () => {
    const model = withInstance({ priority: 180 }, referenceDirector({ fastFailover: true }));
    expect(() => renderKeepalivedConf(model)).toThrow(
      [
        'Cannot render keepalived.conf for lvs_director_1:',
        '  - instances[0] (VI_LAB): fastFailover needs VRRP version 3 (fractional advert_int), got version 2',
        "  - instances[0] (VI_LAB): fastFailover needs every director, as a BACKUP, to take over within 1 s of the MASTER's last advert: " +
          "3 × advertIntSec + (256 - priority) / 256 × advertIntSec (RFC 5798's master-down interval) + 0.2 s (the new MASTER's gratuitous ARPs and the client's retry); " +
          'priority 180 at advertIntSec 1 takes 3.497 s',
      ].join('\n'),
    );
  });

  test('fails when a fastFailover BACKUP cannot take over within 1 s (0.3 s adverts at priority 200: 0.966 s + 0.2 s margin)', () => {
    expect(() => renderKeepalivedConf(withInstance({ state: 'BACKUP', priority: 200, advertIntSec: 0.3 }, fastFailoverDirector())))
      .toThrow('priority 200 at advertIntSec 0.3 takes 1.166 s');
  });

  test("fails on any line longer than keepalived's 1023 characters (it would cut it)", () => {
    const long = referenceDirector({ trackScript: { ...DIRECTOR_CHECK, command: commandOfLine('trackScript', 1024) } });
    expect(() => renderKeepalivedConf(long)).toThrow("keepalived reads lines of at most 1023 characters, got 1024 ('script \"/usr/bin/true");
    expect(() => renderKeepalivedConf(referenceDirector({ trackScript: { ...DIRECTOR_CHECK, command: commandOfLine('trackScript', 1023) } }))).not.toThrow();
  });

  test('fails when fastFailover has adverts below 0.1 s', () => {
    expect(() => renderKeepalivedConf(withInstance({ advertIntSec: 0.05 }, fastFailoverDirector()))).toThrow('fastFailover needs advertIntSec of at least 0.1, got 0.05');
  });

  test('fastFailoverMaxAdvertSec and fastFailoverMinPriority invert the bound', () => {
    expect(fastFailoverMaxAdvertSec(254)).toBe(0.26);
    expect(fastFailoverMaxAdvertSec(1)).toBe(0.2);
    expect(fastFailoverMinPriority(0.2)).toBe(1);
    expect(fastFailoverMinPriority(0.25)).toBe(205);
    expect(fastFailoverMinPriority(0.27)).toBeUndefined();
    for (const [priority, advert] of [[205, 0.25], [1, 0.2], [254, 0.26]] as const) expect(keepsFastFailoverBound(priority, advert)).toBe(true);
    for (const [priority, advert] of [[204, 0.25], [254, 0.27]] as const) expect(keepsFastFailoverBound(priority, advert)).toBe(false);
  });

  test.each([
    ['a relative executable', ['ping', '-c', '1'], "trackScript.command[0]: expected the absolute path of an executable, got 'ping'"],
    ['a .. component', ['/usr/bin/../bin/ping'], "trackScript.command[0]: expected the absolute path of an executable, got '/usr/bin/../bin/ping'"],
    ['a shell word', ['/bin/sh', '-c', 'ping;reboot'], "trackScript.command[2]: expected a word of letters, digits and . _ / : = @ % + , -, got 'ping;reboot'"],
    ['a quote', ['/usr/bin/test', '-e', '"/x"'], "trackScript.command[2]: expected a word of letters, digits and . _ / : = @ % + , -, got '\"/x\"'"],
    ['a keepalived comment', ['/usr/bin/test', '!', '-e', '/x'], "trackScript.command[1]: expected a word of letters, digits and . _ / : = @ % + , -, got '!'"],
    ['a space inside a word', ['/usr/bin/ping', '-c 1'], "trackScript.command[1]: expected a word of letters, digits and . _ / : = @ % + , -, got '-c 1'"],
    ['no command', [], "trackScript.command[0]: expected the absolute path of an executable, got ''"],
  ])('fails on %s in the check command', (_what, command, message) => {
    expect(() => renderKeepalivedConf(referenceDirector({ trackScript: { ...DIRECTOR_CHECK, command } }))).toThrow(message);
  });

  test('fails when the timeout outlasts the interval, or fall/rise/weight are out of range', () => {
    const model = referenceDirector({ trackScript: { ...DIRECTOR_CHECK, intervalSec: 2, timeoutSec: 5, fall: 0, rise: 1.5, weight: -300 } });
    expect(() => renderKeepalivedConf(model)).toThrow(/timeoutSec: expected more than 0 and at most intervalSec \(2\), got 5[\s\S]*fall: expected an integer >= 1, got 0[\s\S]*rise: expected an integer >= 1, got 1.5[\s\S]*weight: expected an integer -253..253, got -300/);
  });

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

describe('renderKeepalivedConf failures: service options', () => {
  test('fails on a relative quorum hook, a misc word with a stray brace, a quorum above the weights and a bad mark', () => {
    const broken = fwmarkService({
      fwmark: 0,
      quorum: { weight: 201, hysteresis: 0, up: ['logger', 'up'] },
      miscCheck: { command: ['/usr/bin/curl', 'http://{hostname}/'], timeoutSec: 0 },
    });
    expect(() => renderKeepalivedConf(referenceDirector({ services: [broken] }))).toThrow(
      'Cannot render keepalived.conf for lvs_director_1:\n' +
      '  - services[0].fwmark: expected an integer 1-2147483647, got 0\n' +
      "  - services[0].quorum.weight: expected an integer 1-200 (the sum of the real servers' weights), got 201\n" +
      "  - services[0].quorum.up[0]: expected the absolute path of an executable, got 'logger'\n" +
      "  - services[0].miscCheck.command[1]: expected a word of letters, digits, . _ / : = @ % + , - and {address}, {host}, {port}, {name}, got 'http://{hostname}/'\n" +
      '  - services[0].miscCheck.timeoutSec: expected an integer >= 1, got 0',
    );
  });

  test('fails on an https check with a path that is not absolute', () => {
    const check = { type: 'https', path: 'ready', statusCode: 200, connectTimeoutSec: 3, retry: 5, delayBeforeRetrySec: 3 } as const;
    expect(() => renderKeepalivedConf(referenceDirector({ services: [service({ healthCheck: check })] }))).toThrow(
      "services[0].healthCheck.path: expected an absolute URL path without spaces, got 'ready'",
    );
  });
});
