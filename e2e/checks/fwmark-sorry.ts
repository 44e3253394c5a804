/**
 * Issue 8, feature 5: with every real server of a service down, inhibit_on_failure keeps them at
 * weight 0, the directors' sorry server answers, the quorum_down hook runs; back up, balancing
 * resumes and quorum_up runs.
 */
import type { ResolvedService } from '../../lab';
import { serviceKey, serviceUrls } from '../../ops/ipvs';
import { ONE_SERVER } from '../../ops/shares';
import { type RunContext, type ServiceCheck, expect, round1, waitFor } from '../context';
import { ipvsRow } from '../lab-state';
import { now } from '../sandbox';
import { holderOf, liveMembers } from './fwmark';
import { removalBoundSec } from './rs-failure';

type Row = NonNullable<ReturnType<typeof ipvsRow>>;

/** The quorum hooks' syslog tag: quorum.down must be [/usr/bin/logger, -t, TAG, ...]. */
const hookTag = (s: ResolvedService) => (s.quorum?.down?.[1] === '-t' ? s.quorum.down[2] : undefined);

/** Whether every member is out of service (and the sorry server in, when there is one) in the row. */
export function allOut(s: ResolvedService, members: readonly { address: string }[], r: Row | undefined): boolean {
  const outAll = r !== undefined && members.every((m) => !r.destinations.some((x) => x.address === m.address && x.weight > 0));
  const sorryIn = !s.sorryServer || r?.destinations.some((x) => x.address === '127.0.0.1');
  return outAll && sorryIn === true;
}

/** Whether every member is back at its weight and the sorry server gone. */
export function allIn(members: readonly { address: string; weight: number }[], r: Row | undefined): boolean {
  return r !== undefined && members.every((m) => r.destinations.some((x) => x.address === m.address && x.weight === m.weight)) &&
    !r.destinations.some((x) => x.address === '127.0.0.1');
}

/** The sorry answers from several client addresses (a hashing scheduler maps each to a bucket, which must not refuse its clients). */
function sorryAnswers({ sb, client }: RunContext, s: ResolvedService, director: string): string[] {
  const sources = [client.ip, ...client.extra];
  return serviceUrls(s).map((url) => {
    const answers = new Map<string, string[]>();
    for (const source of sources.slice(1, 5)) {
      const r = sb.fetchFrom(url, source);
      expect(r.code === '503' && r.body === `sorry-from ${director}`, `${url} from ${source}: ${r.code} ${r.body.slice(0, 80)}, expected 503 sorry-from ${director}`);
      const answer = `${r.code} ${r.body}`;
      answers.set(answer, [...(answers.get(answer) ?? []), source.split('.').pop()!]);
    }
    return `${url} ${[...answers].map(([a, from]) => `${a} (from .${from.join(', .')})`).join(', ')}`;
  });
}

/** While every server is down: the row, the sorry answers, the quorum_down lines. */
async function whileDown(ctx: RunContext, s: ResolvedService, d: { name: string; address: string }, hooks: () => string[], hooksBefore: number) {
  const { sb, lab } = ctx;
  const members = liveMembers(lab, s);
  const row = await waitFor(`every server of ${serviceKey(s)} out of service on ${d.name}`, removalBoundSec(s) + 30, () => {
    const r = ipvsRow(sb, lab, d, s);
    return allOut(s, members, r) ? r : undefined;
  }, 500, () => JSON.stringify(ipvsRow(sb, lab, d, s)));
  if (s.inhibitOnFailure) {
    const gone = members.filter((m) => !row!.destinations.some((x) => x.address === m.address && x.weight === 0));
    expect(gone.length === 0, `inhibit_on_failure: ${gone.map((m) => m.name).join(', ')} not listed at weight 0: ${JSON.stringify(row!.destinations)}`);
  }
  const sorry = s.sorryServer ? sorryAnswers(ctx, s, d.name) : [];
  let downHooks: string[] = [];
  if (hookTag(s) !== undefined) {
    await waitFor(`quorum_down on ${d.name}`, 15, () => (hooks().slice(hooksBefore).length > 0 ? true : undefined), 1000);
    downHooks = hooks().slice(hooksBefore);
  }
  return { row: row!, sorry, downHooks };
}

export const sorryServer: ServiceCheck = {
  id: 'all-down',
  appliesTo: (_ctx, s) => Boolean(s.sorryServer || s.inhibitOnFailure || s.quorum),
  name: (_ctx, s) => {
    const what = [s.inhibitOnFailure && 'every server inhibited at weight 0', s.sorryServer && 'the directors answer "sorry-from"', s.quorum && 'quorum_down runs'].filter(Boolean).join(', ');
    return `every real server of ${serviceKey(s)} down: ${what}; back up: balancing resumes${s.quorum ? ', quorum_up runs' : ''}`;
  },
  async run(ctx, s) {
    const { sb, lab, client, result } = ctx;
    const user = lab.ssh.user;
    const key = serviceKey(s);
    const tag = hookTag(s);
    const members = liveMembers(lab, s);
    expect(!s.quorum?.down || tag !== undefined, `the harness reads the quorum hooks from the journal: quorum.down must be [/usr/bin/logger, -t, TAG, ...], got ${JSON.stringify(s.quorum?.down)}`);
    const d = holderOf(ctx, s);
    const hooks = () => (tag === undefined ? [] : sb.ssh(user, d.address, `sudo journalctl -o cat --no-pager -t ${tag}`, 15).stdout.trim().split('\n').filter(Boolean));
    const hooksBefore = hooks().length;
    const stops = members.map((m) => sb.ssh(user, m.address, 'sudo systemctl stop nginx', 30));
    expect(stops.every((r) => r.status === 0), `systemctl stop nginx: ${stops.map((r) => r.stderr.trim()).join(' ')}`);
    const at = now();
    let down: Awaited<ReturnType<typeof whileDown>>;
    try {
      down = await whileDown(ctx, s, d, hooks, hooksBefore);
    } finally {
      members.map((m) => sb.ssh(user, m.address, 'sudo systemctl start nginx', 30));
    }
    const outSec = now() - at;
    const upAt = now();
    const full = await waitFor(`every server of ${key} back in service on ${d.name}`, removalBoundSec(s) + 60, () => {
      const r = ipvsRow(sb, lab, d, s);
      return allIn(members, r) ? r : undefined;
    }, 500, () => JSON.stringify(ipvsRow(sb, lab, d, s)));
    const url0 = serviceUrls(s)[0];
    const names = new Set<string>();
    for (const source of [client.ip, ...client.extra].slice(0, 8)) {
      const r = sb.fetchFrom(url0, source);
      expect(r.name !== undefined, `${url0} from ${source} after the return: ${r.code} ${r.body.slice(0, 80)}`);
      names.add(r.name!);
    }
    // sed and nq give idle servers' clients all to one server, dh/lblc(r) a VIP's: one is enough there.
    const spreads = !ONE_SERVER.has(s.scheduler);
    expect(spreads ? names.size === members.length : names.size >= 1, `after the return 8 clients reached only ${[...names].join(', ')}`);
    let upHooks: string[] = [];
    if (tag !== undefined) {
      upHooks = await waitFor(`quorum_up on ${d.name}`, 15, () => { const h = hooks().slice(hooksBefore + down.downHooks.length); return h.length > 0 ? h : undefined; }, 1000);
    }
    result.figures.features = { ...result.figures.features, sorryAfterSec: round1(outSec) };
    return `all down: ${down.row.destinations.map((x) => `${x.address} ${x.forward} w${x.weight}`).join(', ')}; ${down.sorry.join('; ')}` +
      (tag ? `; ${tag}: ${down.downHooks.join(',')} then ${upHooks.join(',')}` : '') +
      `; back in ${(now() - upAt).toFixed(1)} s: ${full.destinations.map((x) => `${x.address} w${x.weight}`).join(', ')}, 8 clients over ${[...names].join(', ')}`;
  },
};
