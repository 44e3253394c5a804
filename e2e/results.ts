import * as fs from 'node:fs';

/** What one e2e run measured; written as JSON to the run dir and summarized in bench/e2e.md. */
export interface E2eResult {
  lab: string;
  config: string;
  transport: string;
  /** terraform or tofu */
  engine: string;
  networkMode: string;
  /** The Debian release of the lab's image (absent in runs before image.release: Debian 12). */
  release?: number;
  /** e.g. `URL, packages at first boot` */
  imageMode: string;
  startedAt: string;
  finishedAt?: string;
  passed?: boolean;
  directors: number;
  realServers: number;
  advertIntSec: number;
  connectionSync: boolean;
  /** Deployed, and timed, while another lab ran idle in the same sandbox (the side-by-side check). */
  besideAnother?: boolean;
  checks: readonly { name: string; ok: boolean; detail: string; seconds: number }[];
  figures: {
    deploySec?: number;
    /** deploy start until every real server answers through the VIP */
    timeToReadySec?: number;
    /** the same VMs booted with virsh alone, first call until the same readiness */
    baselineReadySec?: number;
    overheadRatio?: number;
    /** the same kernel, initrd, root filesystem and seeds launched by qemu directly */
    referenceReadySec?: number;
    /** timeToReadySec / referenceReadySec */
    referenceRatio?: number;
    failoverGapSec?: number;
    /** the same MASTER kill's gap on the IPv6 VIP (dual-stack labs, issue 8), at 10 ms precision */
    ipv6FailoverGapSec?: number;
    /**
     * vrrp.fastFailover labs (issue 8): the MASTER kill's gap at 10 ms precision, the takeover
     * the config implies (3 adverts + the BACKUP's skew), and a steady-state window's VRRP
     * transitions (from the directors' notify logs) and failed 100 ms probes.
     */
    fastFailover?: { gapSec?: number; downIntervalSec?: number; quietSec?: number; spuriousTransitions?: number; quietFailedProbes?: number };
    /**
     * A firewall-mark service's checkers and sorry server (issue 8): how long until the MISC and
     * the SSL_GET check took out the server they failed, and until every server was out with the
     * sorry server in.
     */
    features?: { miscRemovalSec?: number; sslRemovalSec?: number; sorryAfterSec?: number };
    realServerRemovalSec?: number;
    connectionsSurvived?: string;
    directorTxFraction?: number;
    /** The fault drills this lab ran (E2E_DRILLS): failed probes of the VIP during each. */
    drills?: {
      backupCrashFailedProbes?: number;
      rsRebootFailedProbes?: number;
      /** `virsh reboot` of a real server until it is back in the IPVS table */
      rsRebootBackSec?: number;
      /** a crashed BACKUP's `virsh start` until its keepalived is BACKUP again */
      directorRestartSec?: number;
      libvirtdRestartFailedProbes?: number;
      /** seconds into the first deploy when it was interrupted (its first VM existed) */
      interruptedDeployAtSec?: number;
      /** failed probes of this lab while the lab beside it was destroyed */
      besideDestroyFailedProbes?: number;
      /** link-down drill: the outage when the MASTER's NIC lost its link (100 ms probes), and when it returned */
      linkDownTakeoverSec?: number;
      linkUpGapSec?: number;
    };
  };
}

const BEGIN = '<!-- runs:begin -->';
const END = '<!-- runs:end -->';

function drillsCell(d: E2eResult['figures']['drills'], features?: E2eResult['figures']['features']): string {
  const parts: string[] = [];
  if (features?.miscRemovalSec !== undefined) parts.push(`MISC_CHECK out in ${features.miscRemovalSec} s`);
  if (features?.sslRemovalSec !== undefined) parts.push(`SSL_GET out in ${features.sslRemovalSec} s`);
  if (features?.sorryAfterSec !== undefined) parts.push(`all down: sorry server in ${features.sorryAfterSec} s`);
  if (d === undefined) return parts.join('; ') || '—';
  if (d.backupCrashFailedProbes !== undefined) parts.push(`BACKUP crash: ${d.backupCrashFailedProbes} failed`);
  if (d.directorRestartSec !== undefined) parts.push(`BACKUP back in ${d.directorRestartSec} s`);
  if (d.rsRebootFailedProbes !== undefined) {
    parts.push(`RS reboot: ${d.rsRebootFailedProbes} failed${d.rsRebootBackSec !== undefined ? `, in pool after ${d.rsRebootBackSec} s` : ''}`);
  }
  if (d.libvirtdRestartFailedProbes !== undefined) parts.push(`libvirtd restart: ${d.libvirtdRestartFailedProbes} failed`);
  if (d.interruptedDeployAtSec !== undefined) parts.push(`deploy interrupted at ${d.interruptedDeployAtSec} s, converged`);
  if (d.besideDestroyFailedProbes !== undefined) parts.push(`other lab destroyed beside it: ${d.besideDestroyFailedProbes} failed`);
  if (d.linkDownTakeoverSec !== undefined) {
    parts.push(`MASTER link down: ${d.linkDownTakeoverSec} s outage${d.linkUpGapSec !== undefined ? `, ${d.linkUpGapSec} s when it returned` : ''}`);
  }
  return parts.join('; ') || '—';
}

/** The failover gap: against 3 adverts + 1 s, or for a fast-failover lab at 10 ms against 1 s, with its quiet window. */
function failoverCell(f: E2eResult['figures'], gapGoal: number): string {
  const fast = f.fastFailover;
  if (fast?.gapSec !== undefined) {
    const quiet = fast.quietSec !== undefined ? `; ${fast.spuriousTransitions ?? '?'} spurious transitions, ${fast.quietFailedProbes ?? '?'} failed probes in ${fast.quietSec} s` : '';
    return `${fast.gapSec} s (fast failover, goal < 1 s; takeover ${fast.downIntervalSec} s after the last advert${quiet})`;
  }
  return f.failoverGapSec === undefined ? '—' : `${f.failoverGapSec} s (goal ≤ ${gapGoal} s)`;
}

/** The failover cell, with the IPv6 VIP's gap of the same kill when the lab is dual-stack. */
function failoverCells(f: E2eResult['figures'], gapGoal: number): string {
  const v4 = failoverCell(f, gapGoal);
  return f.ipv6FailoverGapSec === undefined ? v4 : `${v4}; IPv6 VIP ${f.ipv6FailoverGapSec} s`;
}

/** bench/e2e.md's text above the table: what each column means. */
const BENCH_HEADER = [
  '# End-to-end benchmark',
  '',
  'Figures of real e2e runs on this project\'s CI machine kind (2 cores, QEMU TCG: no hardware',
  'virtualization), written by the harness. `npm run bench:e2e` runs each lab of the matrix alone and',
  'measures the baseline and the reference after it: its rows hold all three figures of one run.',
  '`npm run test:e2e` (CI) runs both labs in one sandbox, the second beside the first, and measures',
  'neither: its rows have no baseline or reference, and a lab marked "beside another lab" was timed',
  'with the other lab idle beside it. Benchmarks, not assertions: every functional check of the run is',
  'asserted separately. Compare within a row; the machine is noisy.',
  '',
  '- **ready**: `cdktf deploy` start until every real server has answered through the VIP and',
  '  cloud-init has finished on every VM.',
  '- **engine, network, image**: what deployed it (terraform or OpenTofu), the lab network mode, and',
  '  the image: its Debian release, fetched by URL or a local path, packages installed at first boot or preinstalled.',
  '- **baseline**: the same VMs (same image, same cloud-init) defined and started with `virsh` alone,',
  '  first call until the same readiness; **÷ baseline** = ready / baseline.',
  '- **reference**: the same kernel, initrd, root filesystem and seeds launched by `qemu-system-x86_64`',
  '  directly (no bootloader, no libvirt, no terraform), first launch until the same readiness;',
  '  **÷ reference** = ready / reference. All three are measured in the same run.',
  '- **failover gap**: the outage a hard kill of the MASTER causes, from the last good 100 ms probe of the',
  '  VIP before it to the first good one after it. A lab with `vrrp.fastFailover` shows it to 10 ms against',
  '  its goal of under 1 s, the takeover its config implies (3 adverts + the BACKUP\'s skew), and the VRRP',
  '  transitions (notify logs) and failed probes of a steady-state window afterwards (goal 0 and 0);',
  '  a dual-stack lab also the same kill\'s gap on its IPv6 VIP (its own prober). Since 2026-11-27 13:00',
  '  the prober starts one probe every 100 ms whatever the ones before are doing; before, it waited for',
  '  each answer, so an outage was measured in steps of its 300 ms timeout.',
  '- **survived**: long downloads (16 MiB at 512 KiB/s) open across the failover that completed.',
  '- **RS removal**: web service stopped on a real server until it left the IPVS table.',
  '- **director tx**: bytes the MASTER transmitted during a 16 MiB download through the VIP, as a share',
  '  of the bytes served (direct routing: replies bypass the director).',
  '- **drills**: the fault drills of the lab (`E2E_DRILLS`, spread over the matrix) and the failed probes',
  '  of the VIP (one every 200 ms, 2 s deadline) each caused; goal 0 for a BACKUP crash, a real-server',
  '  reboot and a libvirtd restart. Every lab also has the MASTER crash (failover gap above). An',
  '  interrupted deploy (Ctrl-C once the first VM exists) must converge when deployed again; a lab',
  '  beside another must lose no probe while the other is destroyed. The link-down drill takes the MASTER\'s',
  '  NIC link down from the host (`virsh domif-setlink`) for 10 s: the outage until the other director',
  '  serves (100 ms probes), and the outage when the link returns and the MASTER takes the VIP back.',
  '  A lab with a firewall-mark service also shows how long its MISC_CHECK and its SSL_GET took to take',
  '  out the server they failed, and, with every real server stopped, until all were out and the sorry',
  '  server in.',
  '',
].join('\n');

/** Adds this run as a row of bench/e2e.md (newest first, the last 20 kept). */
export function updateBenchmark(file: string, r: E2eResult): void {
  const f = r.figures;
  const gapGoal = 3 * r.advertIntSec + 1;
  const cell = (v: unknown, suffix = '') => (v === undefined ? '—' : `${v}${suffix}`);
  const row = [
    r.startedAt.slice(0, 16).replace('T', ' '),
    `${r.lab} (${r.transport}, ${r.directors}+${r.realServers})${r.besideAnother ? ', beside another lab' : ''}`,
    `${r.engine}, ${r.networkMode}, Debian ${r.release ?? 12} image by ${r.imageMode}`,
    r.passed ? 'pass' : `FAIL (${r.checks.filter((c) => !c.ok).length})`,
    cell(f.timeToReadySec, ' s'),
    cell(f.baselineReadySec, ' s'),
    cell(f.overheadRatio),
    cell(f.referenceReadySec, ' s'),
    f.referenceRatio === undefined ? '—' : `${f.referenceRatio} (goal ≤ 1.3)`,
    failoverCells(f, gapGoal),
    cell(f.connectionsSurvived) + (r.connectionSync ? ' (sync on, goal all)' : ' (sync off)'),
    cell(f.realServerRemovalSec, ' s'),
    f.directorTxFraction === undefined ? '—' : `${(f.directorTxFraction * 100).toFixed(2)} %`,
    drillsCell(f.drills, f.features),
  ];
  const tableHead = [
    '| run (UTC) | lab | engine, network, image | result | ready | baseline | ÷ baseline | reference | ÷ reference | failover gap | survived | RS removal | director tx | drills |',
    '|---|---|---|---|---:|---:|---|---:|---|---|---|---:|---:|---|',
  ].join('\n');
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const rows = old.includes(BEGIN)
    ? old.slice(old.indexOf(BEGIN) + BEGIN.length, old.indexOf(END)).split('\n').filter((l) => /^\| \d{4}-/.test(l))
    : [];
  // Rows of an older table layout would sit under the wrong headings: keep only this layout's.
  const cells = (line: string) => line.split(' | ').length;
  const newRow = `| ${row.join(' | ')} |`;
  // Rows from before the drills column get an empty one.
  const widened = rows.map((l) => (cells(l) === cells(newRow) - 1 ? l.replace(/ \|$/, ' | — |') : l));
  const all = [newRow, ...widened.filter((l) => cells(l) === cells(newRow))].slice(0, 20);
  // What follows the table (comparisons the docs cite, whose rows may since have rolled off) stays.
  const tail = old.includes(END) ? old.slice(old.indexOf(END) + END.length) : '';
  fs.writeFileSync(file, `${BENCH_HEADER}\n${BEGIN}\n${tableHead}\n${all.join('\n')}\n${END}${tail === '' ? '\n' : tail}`);
}
