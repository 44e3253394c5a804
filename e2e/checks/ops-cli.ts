/**
 * The operator commands (npm run lvs-lab -- status | traffic | drill), run as a user on the
 * segment runs them, asserted against what the checks before them found (e2e/ops-checks.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type E2eCheck, type RunContext, expect, tail, waitFor } from '../context';
import { directorIpvsComplete, rolesOf, vipHolder } from '../lab-state';
import { checkOpsFailoverDrill, checkOpsStatus, checkOpsTraffic, lvsLabArgv, type OpsCliContext } from '../ops-checks';
import { run } from '../sandbox';

const opsContext = ({ settings, labFile }: RunContext): OpsCliContext =>
  ({ clientNs: settings.clientNs, sshKey: settings.sshKey, labConfigFile: labFile, logDir: settings.logDir, env: settings.env });

export const opsStatus: E2eCheck = {
  id: 'ops-status',
  appliesTo: () => true,
  name: () => 'lvs-lab status --json: the MASTER, the VIP\'s MAC, the IPVS tables, the real servers',
  run: (ctx) => checkOpsStatus(opsContext(ctx), ctx.lab, ctx.roles.master),
};

export const opsTraffic: E2eCheck = {
  id: 'ops-traffic',
  appliesTo: () => true,
  name: () => 'lvs-lab traffic --json: every share within tolerance of the scheduler\'s prediction',
  run: (ctx) => checkOpsTraffic(opsContext(ctx), ctx.lab),
};

export const opsHuman: E2eCheck = {
  id: 'ops-human',
  appliesTo: () => true,
  name: () => 'lvs-lab status, traffic and drill rs-down as an operator reads them: each exits 0',
  run({ settings, lab, labFile }) {
    const victim = lab.realServers[lab.realServers.length - 1];
    const log = path.join(settings.logDir, 'ops-human.log');
    const out: string[] = [];
    for (const args of [['status'], ['traffic', '-n', '200'], ['drill', 'rs-down', victim.name]]) {
      const r = run('ip', lvsLabArgv(settings.clientNs, [...args, '--ssh-key', settings.sshKey]), { timeoutSec: 300, env: { ...settings.env, LAB_CONFIG: labFile, FORCE_COLOR: '0' } });
      fs.appendFileSync(log, `$ npm run --silent lvs-lab -- ${args.join(' ')}; echo "exit status $?"\n${r.stdout}${r.stderr}exit status ${r.status}\n\n`);
      expect(r.status === 0, `lvs-lab ${args.join(' ')} exited ${r.status}: ${tail(r.stdout + r.stderr)}`);
      out.push(`${args.join(' ')}: exit 0`);
    }
    return `${out.join('; ')} (output in ${log})`;
  },
};

/**
 * After the direct-routing checks: while keepalived stops and starts, the director briefly holds
 * the VIP without its virtual server and its own kernel answers (a reset from the VIP with the
 * director's MAC), which the capture of those checks would count against direct routing. With
 * nopreempt the VIP stays where the drill moved it: returns the roles then.
 */
export const opsFailover: E2eCheck = {
  id: 'ops-failover',
  appliesTo: () => true,
  name: () => 'lvs-lab drill failover --json: another director takes over within the bound, then the restore',
  async run(ctx) {
    const { sb, lab, s0 } = ctx;
    const detail = checkOpsFailoverDrill(opsContext(ctx), lab);
    const holderName = await waitFor('a director to hold the VIP after the drill', 30, () => vipHolder(sb, lab, s0.vip), 1000);
    const roles = rolesOf(lab, holderName);
    // keepalived on the stopped director rebuilt its IPVS table on start: wait for it before the next checks.
    await waitFor(`${roles.backup.name}'s IPVS table after its restart`, 120, () => (directorIpvsComplete(sb, lab, roles.backup) ? true : undefined), 2000);
    return { detail: `${detail}; MASTER now ${roles.master.name}`, roles };
  },
};
