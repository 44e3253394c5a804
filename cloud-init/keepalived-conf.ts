import type {
  DirectorKeepalivedModel,
  HealthCheck,
  NotificationSettings,
  RealServerTarget,
  VirtualService,
  VrrpInstanceModel,
} from './model';

/** keepalived's sample config indents each block level by four spaces. */
const INDENT = '    ';

/** Name of the sync group that keeps several VRRP instances in the same state. */
export const VRRP_SYNC_GROUP_NAME = 'LVS_LAB';

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
      ...block(`vrrp_sync_group ${VRRP_SYNC_GROUP_NAME}`, block('group', model.instances.map((i) => i.name))),
      '',
    );
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
  if (model.connectionSync && model.instances.length > 0) {
    body.push(
      '! IPVS connection sync: the MASTER multicasts its connection table to the BACKUP,',
      '! so established client connections survive a failover. keepalived starts the',
      '! sync daemon as master/backup following the named VRRP instance.',
      `lvs_sync_daemon ${model.interfaceName} ${model.instances[0].name}`,
    );
  }
  if (model.notifyScriptPath !== undefined) {
    body.push(
      '! The notify hook runs as root; with script security keepalived refuses it unless',
      '! the script and every directory above it are writable by root only.',
      'enable_script_security',
      'script_user root',
    );
  }
  return block('global_defs', body);
}

function renderNotification(notification: NotificationSettings): string[] {
  const lines: string[] = [];
  if (notification.email.length > 0) {
    lines.push(...block('notification_email', notification.email));
  }
  lines.push(
    `notification_email_from ${notification.from}`,
    `smtp_server ${notification.smtpServer}`,
    `smtp_connect_timeout ${notification.smtpConnectTimeoutSec}`,
    // keepalived sends no mail unless asked: smtp_alert turns it on for every VRRP instance
    // and real-server check transition.
    'smtp_alert',
  );
  return lines;
}

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
  if (instance.transport === 'unicast') {
    body.push(`unicast_src_ip ${model.address}`, ...block('unicast_peer', model.peers));
  }
  if (instance.authPass !== undefined) {
    body.push(...block('authentication', ['auth_type PASS', `auth_pass ${instance.authPass}`]));
  }
  if (instance.nopreempt) {
    body.push('nopreempt');
  }
  if (instance.vips.length > 0) {
    body.push(...block('virtual_ipaddress', instance.vips.map((vip) => `${vip}/32 dev ${model.interfaceName}`)));
  }
  if (model.notifyScriptPath !== undefined) {
    // keepalived appends: TYPE NAME STATE PRIORITY.
    body.push(`notify ${model.notifyScriptPath}`);
  }
  return block(`vrrp_instance ${instance.name}`, body);
}

function renderVirtualServer(service: VirtualService): string[] {
  const body = [
    `delay_loop ${service.delayLoopSec}`,
    `lb_algo ${service.scheduler}`,
    '! DR: the director only rewrites the destination MAC, so replies go straight from the',
    '! real server to the client, each real server must own the VIP (on lo, ARP-silenced)',
    '! and the real port must equal the virtual port.',
    'lb_kind DR',
  ];
  if (service.persistenceTimeoutSec > 0) {
    body.push(`persistence_timeout ${service.persistenceTimeoutSec}`);
  }
  body.push(`protocol ${service.protocol}`);
  for (const realServer of service.realServers) {
    body.push(...renderRealServer(service, realServer));
  }
  return block(`virtual_server ${service.vip} ${service.port}`, body);
}

function renderRealServer(service: VirtualService, realServer: RealServerTarget): string[] {
  return block(`real_server ${realServer.address} ${service.port}`, [
    `weight ${realServer.weight}`,
    ...renderHealthCheck(service.port, service.healthCheck),
  ]);
}

function renderHealthCheck(port: number, check: HealthCheck): string[] {
  // `retry` is keepalived 2.x's spelling; the older `nb_get_retry` is an unknown keyword in 2.2.
  switch (check.type) {
    case 'tcp':
      return block('TCP_CHECK', [
        `connect_port ${port}`,
        `connect_timeout ${check.connectTimeoutSec}`,
        `retry ${check.retry}`,
        `delay_before_retry ${check.delayBeforeRetrySec}`,
      ]);
    case 'http':
      return block('HTTP_GET', [
        ...block('url', [`path ${check.path}`, `status_code ${check.statusCode}`]),
        `connect_port ${port}`,
        `connect_timeout ${check.connectTimeoutSec}`,
        `retry ${check.retry}`,
        `delay_before_retry ${check.delayBeforeRetrySec}`,
      ]);
    case 'none':
      return [];
  }
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
  });
  if (model.notifyScriptPath !== undefined && !/^\/[^\s"']+$/.test(model.notifyScriptPath)) {
    problems.push(`notifyScriptPath: expected an absolute path without spaces or quotes, got '${model.notifyScriptPath}'`);
  }
  model.services.forEach((service, index) => {
    if (service.healthCheck.type === 'http' && !/^\/\S*$/.test(service.healthCheck.path)) {
      problems.push(`services[${index}].healthCheck.path: expected an absolute URL path without spaces, got '${service.healthCheck.path}'`);
    }
  });
  if (problems.length > 0) {
    throw new Error(`Cannot render keepalived.conf for ${model.routerId}:\n  - ${problems.join('\n  - ')}`);
  }
}
