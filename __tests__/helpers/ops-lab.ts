/**
 * A lab for the operator commands' tests, described as data and answering as the real one does:
 * each VM's commands answered with the tools' own output (helpers/ops-output.ts), HTTP requests
 * to the VIPs answered by the real server the director would pick, and faults that play out in
 * (fake) time as they do on a lab: keepalived stopped on the MASTER hands the VIP to the BACKUP
 * after a while, a stopped web service leaves the IPVS table after its health check fails.
 */

/** Lets jest's fake clock run, 100 ms at a time, until `promise` settles (at most `maxMs`). */
export async function settle<T>(promise: Promise<T>, maxMs = 600_000): Promise<T> {
  let done = false;
  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  promise.then((v) => { done = true; value = v; }, (e) => { done = true; failed = true; failure = e; });
  for (let waited = 0; !done && waited <= maxMs; waited += 100) await jest.advanceTimersByTimeAsync(100);
  if (!done) throw new Error(`still running after ${maxMs} ms of fake time`);
  if (failed) throw failure;
  return value as T;
}
