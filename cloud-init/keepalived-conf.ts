import type {
  DirectorKeepalivedModel,
  HealthCheck,
  MiscCheckModel,
  NotificationSettings,
  QuorumModel,
  RealServerTarget,
  TrackScriptModel,
  VirtualService,
  VrrpInstanceModel,
} from './model';

/** keepalived's sample config indents each block level by four spaces. */
const INDENT = '    ';

/**
 * keepalived's longest config line: it reads its config with fgets into a buffer of MAXBUF
 * (1024, lib/parser.h "Maximum config line length"), so a line of more than 1023 characters
 * (indentation included) is cut, and its rest is read as a line of its own: an unterminated
 * quote, or a fragment parsed as a directive. The rule keepalived-line keeps user text within it.
 */
export const KEEPALIVED_MAX_LINE = 1023;

/** The directives that carry user-given text, as the renderer writes them (unindented). */
const directive = {
  trackScript: (command: readonly string[]) => quotedCommand('script', command),
  quorumHook: (key: 'up' | 'down', command: readonly string[]) => quotedCommand(`quorum_${key}`, command),
  miscPath: (command: readonly string[]) => quotedCommand('misc_path', command),
  notificationFrom: (from: string) => `notification_email_from ${from}`,
};

/**
 * The rendered lines that carry user-given text, indentation included (each at its block
 * depth): the rule keepalived-line measures these against KEEPALIVED_MAX_LINE.
 */
export const keepalivedLine = {
  /** `script "..."` in `vrrp_script`. */
  trackScript: (command: readonly string[]) => INDENT + directive.trackScript(command),
  /** `quorum_up "..."` / `quorum_down "..."` in `virtual_server`. */
  quorumHook: (key: 'up' | 'down', command: readonly string[]) => INDENT + directive.quorumHook(key, command),
  /** `misc_path "..."` in `virtual_server` > `real_server` > `MISC_CHECK`, placeholders expanded. */
  miscPath: (command: readonly string[]) => INDENT.repeat(3) + directive.miscPath(command),
  /** `notification_email_from ...` in `global_defs`. */
  notificationFrom: (from: string) => INDENT + directive.notificationFrom(from),
  /** An address in `global_defs` > `notification_email`. */
  notificationEmail: (email: string) => INDENT.repeat(2) + email,
} as const;

/** A command as keepalived takes it: one quoted string, words joined by spaces. */
function quotedCommand(keyword: string, command: readonly string[]): string {
  return `${keyword} "${command.join(' ')}"`;
}

/** Name of the sync group that keeps several VRRP instances in the same state. */
export const VRRP_SYNC_GROUP_NAME = 'LVS_LAB';

/** Name of the `vrrp_script` holding the user's director check (`TrackScriptModel`). */
export const TRACK_SCRIPT_NAME = 'DIRECTOR_CHECK';

/**
 * The skew time a BACKUP adds to 3 advert intervals before it takes over (RFC 5798 / RFC 3768, as
 * keepalived 2.2 computes it): VRRPv3 `(256 - priority) / 256 × advert_int`, VRRPv2
 * `(256 - priority) / 256` seconds. It lets the highest-priority BACKUP win; with one BACKUP it is
 * only delay.
 */
export function vrrpSkewSec(priority: number, advertIntSec: number, version: 2 | 3): number {
  return ((256 - priority) / 256) * (version === 3 ? advertIntSec : 1);
}

/** How long a BACKUP waits after the last advert it heard before it becomes MASTER (Master_Down_Interval). */
export function masterDownIntervalSec(priority: number, advertIntSec: number, version: 2 | 3): number {
  return 3 * advertIntSec + vrrpSkewSec(priority, advertIntSec, version);
}

/**
 * Fast failover's promise: the service answers again within this many seconds of the MASTER's
 * last advert (the e2e asserts it from the config: the director failure check's gap).
 */
export const FAST_FAILOVER_BOUND_SEC = 1;
/**
 * What a takeover costs beyond the BACKUP's master-down interval: the new MASTER's gratuitous
 * ARPs reaching the client and the client's next try. The e2e measured 0.09 s (a 0.70 s gap for
 * a 0.61 s interval; its probes are 100 ms apart); 0.2 s leaves room for a loaded host.
 */
export const FAST_FAILOVER_MARGIN_SEC = 0.2;
/**
 * The shortest fast-failover advert interval: below it a director that stalls for three adverts
 * (a busy emulated host) loses the VIP. keepalived 2.2 takes fractions with VRRPv3 only.
 */
export const FAST_FAILOVER_MIN_ADVERT_SEC = 0.1;
/** Rounding slack of the second-fractions below (0.2 × 3 is not exactly 0.6). */
const EPSILON = 1e-9;

/**
 * Fast failover: how long after the MASTER's last advert a director that is BACKUP gets the
 * service answering again: its VRRPv3 master-down interval (3 adverts + skew, RFC 5798) plus
 * `FAST_FAILOVER_MARGIN_SEC`.
 */
export function fastFailoverTakeoverSec(priority: number, advertIntSec: number): number {
  return masterDownIntervalSec(priority, advertIntSec, 3) + FAST_FAILOVER_MARGIN_SEC;
}

/** True when a BACKUP of this priority takes over within `FAST_FAILOVER_BOUND_SEC`. */
export function keepsFastFailoverBound(priority: number, advertIntSec: number): boolean {
  return fastFailoverTakeoverSec(priority, advertIntSec) <= FAST_FAILOVER_BOUND_SEC + EPSILON;
}

/** The longest advert interval (whole centiseconds) with which a BACKUP of this priority keeps the bound. */
export function fastFailoverMaxAdvertSec(priority: number): number {
  const exact = (FAST_FAILOVER_BOUND_SEC - FAST_FAILOVER_MARGIN_SEC) / (3 + (256 - priority) / 256);
  return Math.floor(exact * 100 + EPSILON) / 100;
}

/** The lowest priority (1-254) that keeps the bound at this advert interval; undefined when none does. */
export function fastFailoverMinPriority(advertIntSec: number): number | undefined {
  // 3a + (256 - p) / 256 × a + margin <= bound  <=>  p >= 256 - 256 × (bound - margin - 3a) / a
  const lowest = Math.max(1, Math.ceil(256 - (256 * (FAST_FAILOVER_BOUND_SEC - FAST_FAILOVER_MARGIN_SEC - 3 * advertIntSec)) / advertIntSec - EPSILON));
  return lowest <= 254 ? lowest : undefined;
}

/** The rule in words, for messages and the schema. */
export const FAST_FAILOVER_RULE_TEXT =
  `every director, as a BACKUP, to take over within ${FAST_FAILOVER_BOUND_SEC} s of the MASTER's last advert: ` +
  `3 × advertIntSec + (256 - priority) / 256 × advertIntSec (RFC 5798's master-down interval) + ${FAST_FAILOVER_MARGIN_SEC} s ` +
  "(the new MASTER's gratuitous ARPs and the client's retry)";

/**
 * One argument of a track script's command: no whitespace, quotes, `#`/`!` (keepalived comments),
 * braces, `$` (keepalived's config variables), `~`, globs or shell metacharacters. keepalived runs
 * the command itself (execve, no shell); if it ever fell back to `system()` (an executable without
 * a shebang), a shell would still read every word literally.
 */
export const TRACK_SCRIPT_ARG_PATTERN = /^[A-Za-z0-9._/:=@%+,-]{1,128}$/;
/** The executable: an absolute, normalized path (no `.` or `..` component). */
export const TRACK_SCRIPT_PATH_PATTERN = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._+-]+){1,16}$/;
/** At most this many words (the executable and its arguments). */
export const TRACK_SCRIPT_MAX_WORDS = 16;

/**
 * The placeholders a misc check's words may hold, replaced per real server when rendered:
 * `{address}` the real server's address as is, `{host}` the same as a URL's host (an IPv6 address
 * in brackets, `[fd77::21]`; an IPv4 one as is), `{port}` the service's first port, `{name}` the
 * real server's name.
 */
export const MISC_CHECK_PLACEHOLDERS = ['{address}', '{host}', '{port}', '{name}'] as const;
/**
 * One word of a misc check: a track-script word that may also hold the exact placeholders
 * `{address}`, `{host}`, `{port}` and `{name}` (no other brace: keepalived reads braces as
 * blocks; no bracket of the user's own: `{host}` writes them for an IPv6 address). Their values
 * are track-script words themselves, plus the brackets of `{host}`, which keepalived reads
 * literally inside the quoted misc_path.
 */
export const MISC_CHECK_ARG_PATTERN = /^(?=.{1,128}$)(?:[A-Za-z0-9._/:=@%+,-]|\{(?:address|host|port|name)\})+$/;

/** `header { body }` with the body indented one level; nested blocks indent recursively. */
function block(header: string, body: readonly string[]): string[] {
  return [`${header} {`, ...body.map((line) => (line === '' ? line : INDENT + line)), '}'];
}

/**
 * Renders `/etc/keepalived/keepalived.conf` for one director (keepalived 2.2 syntax).
 *
 * Throws when the model asks for something keepalived would silently change or reject
 * (`nopreempt` on a MASTER, a fractional `advert_int` with VRRPv2, authentication with VRRPv3,
 * unicast without peers, a relative notify path).
 */
export function renderKeepalivedConf(model: DirectorKeepalivedModel): string {
  assertRenderable(model);

  const lines: string[] = ['! Managed by lvs-dr-lab: rendered from the lab config, local edits are overwritten.', ''];
  lines.push(...renderGlobalDefs(model), '');

  if (model.instances.length > 1) {
    // keepalived 2.2 warns about a sync group of one, so only group real sets.
    lines.push(
      '! The instances change state together: a director is MASTER for all VIPs or none.',
      ...block(`vrrp_sync_group ${VRRP_SYNC_GROUP_NAME}`, [
        ...block('group', model.instances.map((i) => i.name)),
        ...syncGroupTrackingWeight(model),
      ]),
      '',
    );
  }

  if (model.trackScript !== undefined) {
    lines.push(...renderTrackScript(model.trackScript), '');
  }
  for (const instance of model.instances) {
    lines.push(...renderInstance(model, instance), '');
  }
  for (const service of model.services) {
    lines.push(...renderVirtualServer(service), '');
  }

  const text = lines.join('\n');
  const long = text.split('\n').filter((line) => line.length > KEEPALIVED_MAX_LINE);
  if (long.length > 0) {
    throw new Error(`Cannot render keepalived.conf for ${model.routerId}: keepalived reads lines of at most ${KEEPALIVED_MAX_LINE} characters, got ` +
      long.map((line) => `${line.length} ('${line.trim().slice(0, 40)}...')`).join(', '));
  }
  return text;
}

function renderGlobalDefs(model: DirectorKeepalivedModel): string[] {
  const body = [`router_id ${model.routerId}`];
  if (model.notification) {
    body.push(...renderNotification(model.notification));
  }
  if (model.fastFailover) {
    body.push(
      '! Fast failover: a BACKUP takes over 3 adverts plus its skew, (256 - priority) / 256',
      '! x advert_int with VRRPv3, after the last advert it heard. The second burst of',
      '! gratuitous ARPs follows 1 s after becoming MASTER (default 5 s).',
      'vrrp_garp_master_delay 1',
      '! After a moment with two MASTERs (adverts lost or late for 3 intervals), the one that',
      '! yields sends one more advert, which the one that stays answers with a burst of',
      '! gratuitous ARPs: the last ARPs clients see point at the MASTER that stays.',
      'vrrp_garp_lower_prio_repeat 5',
      'vrrp_higher_prio_send_advert',
    );
  }
  if (model.connectionSync && model.instances.length > 0) {
    body.push(
      '! IPVS connection sync: the MASTER multicasts its connection table to the BACKUP,',
      '! so established client connections survive a failover. keepalived starts the',
      '! sync daemon as master/backup following the named VRRP instance.',
      `lvs_sync_daemon ${model.interfaceName} ${model.instances[0].name}`,
    );
  }
  const serviceScripts = model.services.some((s) => s.miscCheck !== undefined || s.quorum?.up !== undefined || s.quorum?.down !== undefined);
  if (model.notifyScriptPath !== undefined || model.trackScript !== undefined || serviceScripts) {
    if (model.notifyScriptPath !== undefined) {
      body.push(
        '! The notify hook runs as root; with script security keepalived refuses it unless',
        '! the script and every directory above it are writable by root only.',
      );
    }
    if (model.trackScript !== undefined) {
      // A script `user` other than keepalived's own makes keepalived 2.2.7's --config-test
      // SIGTERM itself (it checks the script under seteuid), so the check runs as root too.
      body.push(
        '! The director check runs as root: keepalived disables it unless its executable and',
        '! every directory above it are writable by root only.',
      );
    }
    if (serviceScripts) {
      body.push(
        '! The quorum hooks and misc checks of the virtual servers run as root too, under the',
        '! same rule: executables and their directories writable by root only.',
      );
    }
    body.push('enable_script_security', 'script_user root');
  }
  return block('global_defs', body);
}

function renderNotification(notification: NotificationSettings): string[] {
  const lines: string[] = [];
  if (notification.email.length > 0) {
    lines.push(...block('notification_email', notification.email));
  }
  lines.push(
    directive.notificationFrom(notification.from),
    `smtp_server ${notification.smtpServer}`,
    `smtp_connect_timeout ${notification.smtpConnectTimeoutSec}`,
    // keepalived sends no mail unless asked: smtp_alert turns it on for every VRRP instance
    // and real-server check transition.
    'smtp_alert',
  );
  return lines;
}

function renderTrackScript(check: TrackScriptModel): string[] {
  const effect = check.weight === 0
    ? '! A director whose check fails goes FAULT and gives up the VIP.'
    : check.weight < 0
      ? `! A director whose check fails has its priority lowered by ${-check.weight}.`
      : `! A director whose check passes has its priority raised by ${check.weight}.`;
  return [
    '! The director check: keepalived runs the command itself (no shell) every interval',
    '! seconds; fall failures in a row fail it, rise successes in a row pass it again.',
    effect,
    ...block(`vrrp_script ${TRACK_SCRIPT_NAME}`, [
      directive.trackScript(check.command),
      `interval ${check.intervalSec}`,
      `timeout ${check.timeoutSec}`,
      `fall ${check.fall}`,
      `rise ${check.rise}`,
      `weight ${check.weight}`,
    ]),
  ];
}

// Link failure: keepalived tracks the instance's own interface unless `dont_track_primary`: when
// lab0 loses its link the instance goes FAULT and drops the VIP, and the other director takes
// over once adverts stop. An explicit `track_interface { lab0 }` is refused by 2.2.7 ("Ignoring
// track_interface lab0 since own interface", --config-test exit 5), so none is rendered.
function renderInstance(model: DirectorKeepalivedModel, instance: VrrpInstanceModel): string[] {
  const body = [
    `state ${instance.state}`,
    `interface ${model.interfaceName}`,
    `virtual_router_id ${instance.virtualRouterId}`,
    `priority ${instance.priority}`,
    `advert_int ${instance.advertIntSec}`,
  ];
  if (instance.version === 3) {
    body.push('version 3');
  }
  if (instance.transport === 'unicast' && instance.family === 6) {
    // An instance speaks one family: the IPv6 one from and to the directors' IPv6 addresses.
    body.push(`unicast_src_ip ${model.address6}`, ...block('unicast_peer', model.peers6 ?? []));
  } else if (instance.transport === 'unicast') {
    body.push(`unicast_src_ip ${model.address}`, ...block('unicast_peer', model.peers));
  }
  if (instance.authPass !== undefined) {
    body.push(...block('authentication', ['auth_type PASS', `auth_pass ${instance.authPass}`]));
  }
  if (instance.nopreempt) {
    body.push('nopreempt');
  }
  if (instance.vips.length > 0 && instance.family === 6) {
    body.push(...ipv6VirtualAddresses(model, instance));
  } else if (instance.vips.length > 0) {
    body.push(...block('virtual_ipaddress', instance.vips.map((vip) => `${vip}/32 dev ${model.interfaceName}`)));
  }
  if (model.trackScript !== undefined) {
    body.push(...block('track_script', [TRACK_SCRIPT_NAME]));
  }
  if (model.notifyScriptPath !== undefined) {
    // keepalived appends: TYPE NAME STATE PRIORITY.
    body.push(`notify ${model.notifyScriptPath}`);
  }
  return block(`vrrp_instance ${instance.name}`, body);
}

/**
 * `sync_group_tracking_weight` when a weighted director check meets a sync group. Without it
 * keepalived 2.2.7 drops a weighted track_script from every instance of a sync group ("ignoring
 * tracked script ... with weights due to SYNC group", vrrp.c vrrp_complete_instance); with it
 * each instance keeps the script and its priority moves by the weight. Every instance here
 * tracks the same script with the same weight, so their priorities move together and the group
 * changes state as one (the man page's "probably WON'T WORK" is about differing weights).
 */
function syncGroupTrackingWeight(model: DirectorKeepalivedModel): string[] {
  if (model.trackScript === undefined || model.trackScript.weight === 0) return [];
  return [
    '! The director check\'s weight applies to every instance alike (keepalived drops',
    '! weighted checks from a sync group without this).',
    'sync_group_tracking_weight',
  ];
}

/**
 * The IPv6 VIPs. `/128`, not the lab prefix: the director already has the prefix on lab0 (its own
 * address6), so a VIP adds only itself, no second prefix route that would come and go with
 * failovers; it is the IPv6 form of the IPv4 VIPs' /32 and of the real servers' /128 on lo.
 * `preferred_lft 0` deprecates the VIP (keepalived 2.2.7 sets IFA_CACHEINFO from it,
 * vrrp_ipaddress.c: "to prevent using VRRP VIP as source address in healthchecking"): source
 * address selection (RFC 6724 rule 3) then never picks it for the director's own connections,
 * so its health checks to the real servers come from its address6, not from the VIP, which
 * every real server holds on lo and would answer itself. keepalived defaults a /128 to
 * preferred_lft 0 anyway; it is written out so the reason is visible. keepalived adds IPv6 VIPs
 * with nodad itself.
 *
 * The first address is the virtual router's link-local one (RFC 5798 5.2.9: the first address
 * of an IPv6 advert must be link-local; keepalived 2.2.7 warns "the first IPv6 VIP address
 * should be link local" without it): `fe80::1:<VRID in hex>`, distinct per virtual router on
 * the segment, as the VRIDs are.
 */
export function virtualRouterLinkLocal(virtualRouterId: number): string {
  return `fe80::1:${virtualRouterId.toString(16)}`;
}

function ipv6VirtualAddresses(model: DirectorKeepalivedModel, instance: VrrpInstanceModel): string[] {
  return [
    '! The virtual router\'s link-local address first (RFC 5798), then the VIPs as deprecated',
    '! /128s: never the source of the director\'s own connections (health checks).',
    ...block('virtual_ipaddress', [
      `${virtualRouterLinkLocal(instance.virtualRouterId)}/64 dev ${model.interfaceName}`,
      ...instance.vips.map((vip) => `${vip}/128 dev ${model.interfaceName} preferred_lft 0`),
    ]),
  ];
}

function renderVirtualServer(service: VirtualService): string[] {
  const body = [
    `delay_loop ${service.delayLoopSec}`,
    `lb_algo ${service.scheduler}`,
    ...shFallback(service),
    '! DR: the director only rewrites the destination MAC, so replies go straight from the',
    '! real server to the client, each real server must own the VIP (on lo, ARP-silenced)',
    '! and the real port must equal the virtual port.',
    'lb_kind DR',
  ];
  if (service.persistenceTimeoutSec > 0) {
    body.push(`persistence_timeout ${service.persistenceTimeoutSec}`);
  }
  if (service.fwmark === undefined) {
    body.push(`protocol ${service.protocol}`);
  } else {
    // keepalived 2.2.7 warns (--config-test exit 5) on a protocol, or a port on a real or sorry
    // server, of a firewall-mark service: the mark alone selects the packets, any port.
    body.push(
      `! Firewall mark ${service.fwmark}: nftables on the directors marks ${service.protocol} packets to ${service.vip}`,
      `! on ports ${(service.ports ?? [service.port]).join(', ')}; the real servers get them on the port the client chose.`,
    );
  }
  if (service.quorum !== undefined) {
    body.push(...renderQuorum(service.quorum));
  }
  if (service.sorryServer) {
    body.push(
      '! When the quorum is lost, IPVS delivers to the director itself (a local destination):',
      '! its sorry site answers 503.',
      service.fwmark === undefined ? `sorry_server 127.0.0.1 ${service.port}` : 'sorry_server 127.0.0.1',
    );
  }
  for (const realServer of service.realServers) {
    body.push(...renderRealServer(service, realServer));
  }
  const header = service.fwmark === undefined ? `virtual_server ${service.vip} ${service.port}` : `virtual_server fwmark ${service.fwmark}`;
  return block(header, body);
}

/**
 * `sh-fallback` with the source-hashing scheduler. sh hashes a client to a bucket of its table,
 * and the table keeps naming a real server at weight 0 (inhibit_on_failure, a drained server, or
 * every server down while the sorry server is in): without the fallback IPVS finds no destination
 * for that client and answers ICMP port unreachable (connection refused), even when a live server
 * or the sorry server is in the table. With it (IP_VS_SVC_F_SCHED_SH_FALLBACK) such a client is
 * rehashed to an available destination; the others keep theirs.
 */
function shFallback(service: VirtualService): string[] {
  if (service.scheduler !== 'sh') return [];
  return [
    '! A client whose hashed server is at weight 0 (inhibited, drained) is rehashed to an',
    '! available one (or the sorry server) instead of refused.',
    'sh-fallback',
  ];
}

function renderQuorum(quorum: QuorumModel): string[] {
  const lines = [
    '! The service is up while its healthy real servers weigh at least quorum (up again at',
    '! quorum + hysteresis, down below quorum - hysteresis).',
    `quorum ${quorum.weight}`,
    `hysteresis ${quorum.hysteresis}`,
  ];
  for (const key of ['up', 'down'] as const) {
    const command = quorum[key];
    if (command !== undefined) lines.push(directive.quorumHook(key, command));
  }
  return lines;
}

function renderRealServer(service: VirtualService, realServer: RealServerTarget): string[] {
  const header = service.fwmark === undefined ? `real_server ${realServer.address} ${service.port}` : `real_server ${realServer.address}`;
  const body = [`weight ${realServer.weight}`];
  if (service.inhibitOnFailure) {
    body.push('inhibit_on_failure');
  }
  body.push(...renderHealthCheck(service.port, service.healthCheck));
  if (service.miscCheck !== undefined) {
    body.push(...renderMiscCheck(service.miscCheck, { address: realServer.address, port: service.port, name: realServer.name }));
  }
  return block(header, body);
}

function renderHealthCheck(port: number, check: HealthCheck): string[] {
  // `retry` is keepalived 2.x's spelling; the older `nb_get_retry` is an unknown keyword in 2.2.
  if (check.type === 'none') return [];
  const timings = [
    `connect_port ${check.connectPort ?? port}`,
    `connect_timeout ${check.connectTimeoutSec}`,
    `retry ${check.retry}`,
    `delay_before_retry ${check.delayBeforeRetrySec}`,
  ];
  switch (check.type) {
    case 'tcp':
      return block('TCP_CHECK', timings);
    case 'http':
      return block('HTTP_GET', [...block('url', [`path ${check.path}`, `status_code ${check.statusCode}`]), ...timings]);
    case 'https':
      // SSL_GET does not verify the certificate: the real servers' is self-signed.
      return block('SSL_GET', [...block('url', [`path ${check.path}`, `status_code ${check.statusCode}`]), ...timings]);
  }
}

/** The values a misc check's placeholders stand for, for one real server. */
interface MiscCheckTarget {
  readonly address: string;
  readonly port: number;
  readonly name: string;
}

/** The misc check's argv for one real server: `{address}`, `{host}`, `{port}`, `{name}` replaced. */
export function miscCheckCommand(check: MiscCheckModel, target: MiscCheckTarget): string[] {
  const values: Record<string, string> = {
    address: target.address,
    host: target.address.includes(':') ? `[${target.address}]` : target.address,
    port: String(target.port),
    name: target.name,
  };
  return check.command.map((word) => word.replace(/\{(address|host|port|name)\}/g, (_, key: string) => values[key]));
}

function renderMiscCheck(check: MiscCheckModel, target: MiscCheckTarget): string[] {
  return block('MISC_CHECK', [directive.miscPath(miscCheckCommand(check, target)), `misc_timeout ${check.timeoutSec}`]);
}

function assertRenderable(model: DirectorKeepalivedModel): void {
  const problems: string[] = [];
  model.instances.forEach((instance, index) => {
    const at = `instances[${index}] (${instance.name})`;
    if (instance.nopreempt && instance.state !== 'BACKUP') {
      problems.push(`${at}: nopreempt requires state BACKUP, got '${instance.state}' (keepalived ignores nopreempt on a MASTER)`);
    }
    if (instance.version === 2 && !Number.isInteger(instance.advertIntSec)) {
      problems.push(`${at}: advertIntSec ${instance.advertIntSec} is fractional; VRRPv2 needs whole seconds, use version 3`);
    }
    if (instance.transport === 'unicast' && model.peers.length === 0) {
      problems.push(`${at}: unicast transport needs at least one peer (keepalived falls back to multicast with a warning)`);
    }
    if (instance.version === 3 && instance.authPass !== undefined) {
      problems.push(`${at}: authPass is set but VRRPv3 has no authentication (keepalived ignores it); omit it or use version 2`);
    }
    if (instance.family === 6) problems.push(...ipv6InstanceProblems(model, instance, at));
  });
  if (model.fastFailover) {
    model.instances.forEach((instance, index) => {
      const at = `instances[${index}] (${instance.name})`;
      if (instance.version !== 3) {
        problems.push(`${at}: fastFailover needs VRRP version 3 (fractional advert_int), got version ${instance.version}`);
      }
      if (!(instance.advertIntSec >= FAST_FAILOVER_MIN_ADVERT_SEC)) {
        problems.push(`${at}: fastFailover needs advertIntSec of at least ${FAST_FAILOVER_MIN_ADVERT_SEC}, got ${instance.advertIntSec}`);
      } else if (!keepsFastFailoverBound(instance.priority, instance.advertIntSec)) {
        problems.push(`${at}: fastFailover needs ${FAST_FAILOVER_RULE_TEXT}; priority ${instance.priority} at advertIntSec ${instance.advertIntSec} takes ` +
          `${fastFailoverTakeoverSec(instance.priority, instance.advertIntSec).toFixed(3)} s`);
      }
    });
  }
  if (model.trackScript !== undefined) {
    problems.push(...trackScriptProblems(model.trackScript));
  }
  if (model.notifyScriptPath !== undefined && !/^\/[^\s"']+$/.test(model.notifyScriptPath)) {
    problems.push(`notifyScriptPath: expected an absolute path without spaces or quotes, got '${model.notifyScriptPath}'`);
  }
  model.services.forEach((service, index) => {
    problems.push(...serviceProblems(service, `services[${index}]`));
  });
  if (problems.length > 0) {
    throw new Error(`Cannot render keepalived.conf for ${model.routerId}:\n  - ${problems.join('\n  - ')}`);
  }
}

function ipv6InstanceProblems(model: DirectorKeepalivedModel, instance: VrrpInstanceModel, at: string): string[] {
  const problems: string[] = [];
  if (instance.version !== 3) {
    problems.push(`${at}: an IPv6 instance needs VRRP version 3 (VRRPv2 is IPv4 only), got version ${instance.version}`);
  }
  if (instance.transport === 'unicast' && (model.address6 === undefined || (model.peers6 ?? []).length === 0)) {
    problems.push(`${at}: an IPv6 instance with unicast transport needs address6 and at least one of peers6 (keepalived refuses peers of another family)`);
  }
  const notIpv6 = instance.vips.filter((vip) => !/^[0-9a-f:]+$/i.test(vip) || !vip.includes(':'));
  if (notIpv6.length > 0) problems.push(`${at}: an IPv6 instance holds IPv6 VIPs only, got ${notIpv6.join(', ')}`);
  return problems;
}

function serviceProblems(service: VirtualService, at: string): string[] {
  const problems: string[] = [];
  const check = service.healthCheck;
  if ((check.type === 'http' || check.type === 'https') && !/^\/\S*$/.test(check.path)) {
    problems.push(`${at}.healthCheck.path: expected an absolute URL path without spaces, got '${check.path}'`);
  }
  if (service.fwmark !== undefined && !(Number.isInteger(service.fwmark) && service.fwmark >= 1 && service.fwmark <= 2147483647)) {
    problems.push(`${at}.fwmark: expected an integer 1-2147483647, got ${service.fwmark}`);
  }
  if (service.quorum !== undefined) {
    const total = service.realServers.reduce((sum, rs) => sum + rs.weight, 0);
    if (!(Number.isInteger(service.quorum.weight) && service.quorum.weight >= 1 && service.quorum.weight <= total)) {
      problems.push(`${at}.quorum.weight: expected an integer 1-${total} (the sum of the real servers' weights), got ${service.quorum.weight}`);
    }
    if (!(Number.isInteger(service.quorum.hysteresis) && service.quorum.hysteresis >= 0 && service.quorum.hysteresis < service.quorum.weight)) {
      problems.push(`${at}.quorum.hysteresis: expected an integer 0-${service.quorum.weight - 1} (below quorum.weight), got ${service.quorum.hysteresis}`);
    }
    for (const key of ['up', 'down'] as const) {
      const command = service.quorum[key];
      if (command !== undefined) problems.push(...argvProblems(command, `${at}.quorum.${key}`, TRACK_SCRIPT_ARG_PATTERN));
    }
  }
  if (service.miscCheck !== undefined) {
    problems.push(...argvProblems(service.miscCheck.command, `${at}.miscCheck.command`, MISC_CHECK_ARG_PATTERN,
      'a word of letters, digits, . _ / : = @ % + , - and {address}, {host}, {port}, {name}'));
    if (!(Number.isInteger(service.miscCheck.timeoutSec) && service.miscCheck.timeoutSec >= 1)) {
      problems.push(`${at}.miscCheck.timeoutSec: expected an integer >= 1, got ${service.miscCheck.timeoutSec}`);
    }
  }
  return problems;
}

/** An argv keepalived runs without a shell: an absolute executable, then words of `argPattern`. */
function argvProblems(command: readonly string[], at: string, argPattern: RegExp, wordText = 'a word of letters, digits and . _ / : = @ % + , -'): string[] {
  const problems: string[] = [];
  const [path, ...args] = command;
  if (path === undefined || !TRACK_SCRIPT_PATH_PATTERN.test(path)) {
    problems.push(`${at}[0]: expected the absolute path of an executable, got '${path ?? ''}'`);
  }
  args.forEach((arg, i) => {
    if (!argPattern.test(arg)) problems.push(`${at}[${i + 1}]: expected ${wordText}, got '${arg}'`);
  });
  if (command.length > TRACK_SCRIPT_MAX_WORDS) {
    problems.push(`${at}: expected at most ${TRACK_SCRIPT_MAX_WORDS} words, got ${command.length}`);
  }
  return problems;
}

function trackScriptProblems(check: TrackScriptModel): string[] {
  const problems: string[] = [];
  const [path, ...args] = check.command;
  if (path === undefined || !TRACK_SCRIPT_PATH_PATTERN.test(path)) {
    problems.push(`trackScript.command[0]: expected the absolute path of an executable, got '${path ?? ''}'`);
  }
  args.forEach((arg, i) => {
    if (!TRACK_SCRIPT_ARG_PATTERN.test(arg)) {
      problems.push(`trackScript.command[${i + 1}]: expected a word of letters, digits and . _ / : = @ % + , -, got '${arg}'`);
    }
  });
  if (check.command.length > TRACK_SCRIPT_MAX_WORDS) {
    problems.push(`trackScript.command: expected at most ${TRACK_SCRIPT_MAX_WORDS} words, got ${check.command.length}`);
  }
  if (!(check.timeoutSec > 0 && check.timeoutSec <= check.intervalSec)) {
    problems.push(`trackScript.timeoutSec: expected more than 0 and at most intervalSec (${check.intervalSec}), got ${check.timeoutSec}`);
  }
  for (const key of ['fall', 'rise'] as const) {
    if (!(Number.isInteger(check[key]) && check[key] >= 1)) problems.push(`trackScript.${key}: expected an integer >= 1, got ${check[key]}`);
  }
  if (!(Number.isInteger(check.weight) && Math.abs(check.weight) <= 253)) {
    problems.push(`trackScript.weight: expected an integer -253..253, got ${check.weight}`);
  }
  // A weight with several instances (a sync group) is fine: syncGroupTrackingWeight renders
  // sync_group_tracking_weight for it.
  return problems;
}
