import { block, directive } from './keepalived-text';
import { renderVirtualServer } from './keepalived-virtual-server';
import type { DirectorKeepalivedModel, NotificationSettings, TrackScriptModel, VrrpInstanceModel } from './model';

/** Name of the sync group that keeps several VRRP instances in the same state. */
export const VRRP_SYNC_GROUP_NAME = 'LVS_LAB';

/** Name of the `vrrp_script` holding the user's director check (`TrackScriptModel`). */
export const TRACK_SCRIPT_NAME = 'DIRECTOR_CHECK';

/**
 * Renders `/etc/keepalived/keepalived.conf` for one director (keepalived 2.2 syntax).
 *
 * The model is trusted: it comes from a lab that passed the schema and the rules (`lab/rules/`),
 * which hold it to keepalived's limits (`keepalived-limits.ts`): `nopreempt` only on a BACKUP,
 * whole-second adverts with VRRPv2, no authentication with VRRPv3, peers for unicast, lines
 * within `KEEPALIVED_MAX_LINE`.
 */
export function renderKeepalivedConf(model: DirectorKeepalivedModel): string {
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

  return lines.join('\n');
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
