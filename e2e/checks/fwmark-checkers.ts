/**
 * Issue 8, features 3-4: the MISC and SSL_GET checks each remove the real server they fail,
 * within the bound, and only from their own service; restored, it returns.
 */
import { TLS_KEY_PATH, WEB_ROOT } from '../../cloud-init/paths';
import type { ResolvedService } from '../../lab';
import { serviceKey, serviceUrls } from '../../ops/ipvs';
import { type RunContext, type ServiceCheck, expect, round1, tail, waitFor } from '../context';
import { inIpvsTable, ipvsRow } from '../lab-state';
import { now } from '../sandbox';
import { holderOf, liveMembers } from './fwmark';
import { removalBoundSec } from './rs-failure';

/** The server the checkers' checks take out: the service's last live one. */
const victimOf = (ctx: RunContext, s: ResolvedService) => liveMembers(ctx.lab, s).at(-1)!;

/** Waits for the victim to leave (`out`) or return to the service on director `d`. */
const until = (ctx: RunContext, s: ResolvedService, d: { address: string }, wanted: 'out' | 'in') => {
  const victim = victimOf(ctx, s);
  return waitFor(`${victim.name} to ${wanted === 'out' ? 'leave' : 'return to'} ${serviceKey(s)}`, removalBoundSec(s) + 30,
    () => (inIpvsTable(ctx.sb, ctx.lab, d, s, victim) === (wanted === 'in') ? true : undefined), 500);
};

export const miscCheck: ServiceCheck = {
  id: 'misc-check',
  appliesTo: (_ctx, s) => s.miscCheck !== undefined,
  name: (ctx, s) => `MISC_CHECK: ${victimOf(ctx, s).name} fails the user's check (its ${WEB_ROOT}/ready removed): it leaves ${serviceKey(s)} within ${removalBoundSec(s)} s and stays in ${serviceKey(ctx.s0)}; restored, it returns`,
  async run(ctx, s) {
    const { sb, lab, s0, result } = ctx;
    const victim = victimOf(ctx, s);
    const boundSec = removalBoundSec(s);
    const d = holderOf(ctx, s);
    const rm = sb.ssh(lab.ssh.user, victim.address, `sudo mv ${WEB_ROOT}/ready ${WEB_ROOT}/ready.e2e`, 15);
    expect(rm.status === 0, `could not remove ${WEB_ROOT}/ready on ${victim.name}: ${rm.stderr}`);
    const at = now();
    let removal = 0;
    let row: ReturnType<typeof ipvsRow>;
    let inPlain: boolean | undefined;
    try {
      await until(ctx, s, d, 'out');
      removal = now() - at;
      row = ipvsRow(sb, lab, d, s);
      inPlain = s0 !== s && s0.realServers.includes(victim.name) ? inIpvsTable(sb, lab, d, s0, victim) : undefined;
    } finally {
      sb.ssh(lab.ssh.user, victim.address, `sudo mv ${WEB_ROOT}/ready.e2e ${WEB_ROOT}/ready`, 15);
    }
    const dest = row?.destinations.find((x) => x.address === victim.address);
    expect(inPlain !== false, `${victim.name} left ${serviceKey(s0)} too, whose checks it passes`);
    expect(removal <= boundSec, `${victim.name} left after ${removal.toFixed(1)} s, later than the ${boundSec} s bound`);
    const backAt = now();
    await until(ctx, s, d, 'in');
    result.figures.features = { ...result.figures.features, miscRemovalSec: round1(removal) };
    return `out after ${removal.toFixed(1)} s (${dest ? `inhibited: weight ${dest.weight}` : 'removed'}), still in ${serviceKey(s0)}; back ${(now() - backAt).toFixed(1)} s after the file returned`;
  },
};

export const sslCheck: ServiceCheck = {
  id: 'ssl-get',
  appliesTo: (_ctx, s) => s.healthCheck.type === 'https',
  name: (ctx, s) => {
    const victim = victimOf(ctx, s);
    return `SSL_GET: ${victim.name}'s TLS key replaced (no longer its certificate's): nginx cannot serve TLS, ${victim.name} leaves ${serviceKey(s)} within ${removalBoundSec(s)} s; restored, it returns`;
  },
  async run(ctx, s) {
    const { sb, lab, result } = ctx;
    const victim = victimOf(ctx, s);
    const boundSec = removalBoundSec(s);
    const d = holderOf(ctx, s);
    const swap = sb.ssh(lab.ssh.user, victim.address,
      `sudo cp -p ${TLS_KEY_PATH} ${TLS_KEY_PATH}.e2e && sudo openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${TLS_KEY_PATH} && ` +
      `{ sudo systemctl restart nginx; sudo nginx -t 2>&1; true; }`, 60);
    expect(swap.status === 0, `could not replace the key on ${victim.name}: ${swap.stdout}${swap.stderr}`);
    const at = now();
    try {
      expect(/key values mismatch/.test(swap.stdout), `nginx -t on ${victim.name} does not report the mismatched key: ${tail(swap.stdout, 5)}`);
      await until(ctx, s, d, 'out');
    } finally {
      const restore = sb.ssh(lab.ssh.user, victim.address, `sudo mv ${TLS_KEY_PATH}.e2e ${TLS_KEY_PATH} && sudo systemctl restart nginx`, 60);
      expect(restore.status === 0, `could not restore the key on ${victim.name}: ${restore.stderr}`);
    }
    const removal = now() - at;
    expect(removal <= boundSec, `${victim.name} left after ${removal.toFixed(1)} s, later than the ${boundSec} s bound`);
    const backAt = now();
    await until(ctx, s, d, 'in');
    const tls = sb.fetchFrom(serviceUrls(s).find((u) => u.startsWith('https:'))!.replace(s.vip, victim.address));
    expect(tls.code === '200', `https to ${victim.name} directly after the restore: ${tls.code}`);
    result.figures.features = { ...result.figures.features, sslRemovalSec: round1(removal) };
    return `nginx -t: key values mismatch; out after ${removal.toFixed(1)} s; back ${(now() - backAt).toFixed(1)} s after the key returned`;
  },
};
