/**
 * `lvs-lab status` as it prints: the tables for a terminal and the JSON for scripts, from the
 * report ops/status.ts collects.
 */
import { hostPort } from './ipvs';
import type { StatusReport } from './status';
import { countFindings, renderFindings, renderTable } from './table';

/** The report for a terminal: directors, each service's IPVS table, real servers, ARP, then the findings and the verdict. */
export function formatStatus(report: StatusReport): string {
  const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '-' : String(v));
  const out: string[] = [];
  out.push(`lab ${report.lab}${report.configFile ? ` (${report.configFile})` : ' (LAB_CONFIG unset: the reference topology)'}`, '');
  out.push('Directors');
  out.push(renderTable(
    ['director', 'address', 'priority', 'VRRP state', 'keepalived', 'VIPs on lab0', 'sync daemon', 'cloud-init'],
    report.directors.map((d) => d.reached
      ? [d.name, d.address, d.priority, dash(d.vrrpState), dash(d.keepalived), d.vips.join(', ') || '-', d.syncDaemons.map((x) => `${x.role} (${x.interface}, id ${x.syncId})`).join(', ') || '-', dash(d.cloudInit?.status)]
      : [d.name, d.address, d.priority, 'no answer', '-', '-', '-', '-']),
  ));
  for (const s of report.services) {
    out.push('', `Service ${s.key} ${s.scheduler}: ${s.master ? `IPVS table of ${s.master} (MASTER)` : 'no single MASTER: no table shown'}`);
    out.push(renderTable(
      ['real server', 'address', 'in table', 'forward', 'weight', 'active', 'inactive'],
      s.realServers.map((r) => [r.name, hostPort(r.address, s.port), r.inTable ? 'yes' : 'NO', dash(r.forward), r.inTable ? `${r.weight}` : `(${r.configuredWeight})`, dash(r.activeConns), dash(r.inactiveConns)]),
      ['left', 'left', 'left', 'left', 'right', 'right', 'right'],
    ));
  }
  out.push('', 'Real servers');
  out.push(renderTable(
    ['real server', 'address', 'VIPs on lo', 'arp_ignore all/lo', 'arp_announce all/lo', 'web service', 'cloud-init'],
    report.realServers.map((r) => r.reached
      ? [r.name, r.address, [...r.vipsOnLo, ...r.missingVips.map((v) => `${v} MISSING`)].join(', ') || '-',
        r.arpIgnore ? `${r.arpIgnore.all}/${r.arpIgnore.lo}` : '?', r.arpAnnounce ? `${r.arpAnnounce.all}/${r.arpAnnounce.lo}` : '?', dash(r.webService), dash(r.cloudInit?.status)]
      : [r.name, r.address, 'no answer', '-', '-', '-', '-']),
  ));
  out.push('', 'VIPs from this machine');
  out.push(renderTable(
    ['VIP', 'held by', 'resolves to', 'entry', 'director'],
    report.vips.map((v) => [v.vip, v.holders.join(', ') || 'nobody', v.arp.checked ? dash(v.arp.mac) : 'not checked', dash(v.arp.state), dash(v.arp.director)]),
  ));
  const findings = renderFindings(report.problems, report.warnings);
  if (findings.length > 0) out.push('', ...findings);
  out.push('', report.ok
    ? `lvs-lab status: healthy${report.warnings.length ? ` (${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'})` : ''}.`
    : `lvs-lab status: ${countFindings(report.problems.length, report.warnings.length)}.`);
  return `${out.join('\n')}\n`;
}

/** The report for scripts: {@link StatusReport} as JSON. */
export function formatStatusJson(report: StatusReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
