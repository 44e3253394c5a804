/**
 * Two labs in one sandbox (e2e/run.sh, E2E_HANDOFF_DIR): two runs, one per lab, hand over through
 * files there. The first, its checks done, waits for the second to serve, then is destroyed while
 * the second is probed (e2e/drills/side-by-side.ts). The steps:
 *   first.checked    the first lab's checks are done: e2e/run.sh starts the second
 *   second.serving   the second lab serves (or second.gone: it ended without serving)
 *   first.destroyed  the first lab is destroyed (or first.done: it ended otherwise)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from './context';
import type { Handoff } from './settings';

export type HandoffStep = 'first.checked' | 'second.serving' | 'second.gone' | 'first.destroyed' | 'first.done';

const file = (h: Handoff, step: HandoffStep) => path.join(h.dir, step);

/** Says that this lab reached `step` (nothing when the sandbox holds one lab). */
export function handoffSay(h: Handoff | undefined, step: HandoffStep): void {
  if (h) fs.writeFileSync(file(h, step), `${new Date().toISOString()}\n`);
}

/** Whether this lab said `step` already. */
export const handoffSaid = (h: Handoff, step: HandoffStep): boolean => fs.existsSync(file(h, step));

/** Waits for one of `steps` of the other lab (bounded); returns the one that came. */
export async function handoffAwait(h: Handoff, steps: readonly HandoffStep[], timeoutSec: number): Promise<HandoffStep> {
  return waitFor(`the other lab to reach ${steps.join(' or ')}`, timeoutSec, () => steps.find((st) => fs.existsSync(file(h, st))), 2000);
}
