/**
 * The e2e as declared checks, in the order they run. Each entry is a check
 * (e2e/checks/<name>.ts), a drill (e2e/drills/<name>.ts), a per-service group, or a step that is
 * no check (a capture, a VM's restart); each says when it applies. A check that comes at several
 * points (the MASTER's return, the crashed BACKUP's) runs at the first that applies.
 */
import { arpIsMaster, arpSilent, arpSilentWholeRun } from './checks/arp';
import { balance } from './checks/balance';
import { bigFile } from './checks/big-file';
import { baselineBoot, referenceBoot } from './checks/boot-figures';
import { clientCapture, clientJoins } from './checks/client-joins';
import { deploy, secondDeploy } from './checks/deploy';
import { destroy } from './checks/destroy';
import { connectionSync, directorFailure } from './checks/director-failure';
import { directReturn, replyMacs } from './checks/direct-return';
import { doctor } from './checks/doctor';
import { egress, gatewayAndDns } from './checks/egress';
import { fastFailoverGap, fastFailoverQuiet } from './checks/fast-failover';
import { fwmarkAfterRestart, fwmarkPersistence, fwmarkRules } from './checks/fwmark';
import { miscCheck, sslCheck } from './checks/fwmark-checkers';
import { sorryServer } from './checks/fwmark-sorry';
import { ipv6Failover } from './checks/ipv6-failover';
import { ipv6Answers, ipv6Balance, ipv6Neighbour } from './checks/ipv6-service';
import { ipvsTableCheck } from './checks/ipvs-table';
import { masterElected } from './checks/master-elected';
import { masterReturns, restartKilled, stopFailoverProbes } from './checks/master-returns';
import { opsFailover, opsHuman, opsStatus, opsTraffic } from './checks/ops-cli';
import { nothingInstalled, packagesFromMirror } from './checks/packages';
import { defaultKey, readiness } from './checks/readiness';
import { rsFailure, rsFailureNotApplicable } from './checks/rs-failure';
import { standIn } from './checks/stand-in';
import { type PlanEntry, type RunContext, when } from './context';
import { backupCrash, directorRestart } from './drills/backup-crash';
import { brokenMirror, brokenMirrorNotRun } from './drills/broken-mirror';
import { interruptedFirstDeploy, interruptedThenDestroy } from './drills/interrupted-deploy';
import { libvirtdRestart } from './drills/libvirtd-restart';
import { linkDown } from './drills/link-down';
import { drillRoles, rsReboot } from './drills/rs-reboot';
import { besideDeploy, besideDestroy, firstChecked, handoffEnd } from './drills/side-by-side';

const tcp4 = (ctx: RunContext) => ctx.tcpServices;
const nopreempt = ({ lab }: RunContext) => lab.vrrp.nopreempt;

/** From the world the config points at to the last check on the running lab. */
export const CHECKS: readonly PlanEntry[] = [
  standIn, doctor, interruptedFirstDeploy, deploy, clientJoins, clientCapture, readiness, defaultKey,
  masterElected, ipvsTableCheck, besideDestroy, bigFile,
  { id: 'balance', services: tcp4, checks: [balance] },
  arpIsMaster, arpSilent,
  { id: 'ipv6', services: (ctx) => ctx.v6Services, checks: [ipv6Answers, ipv6Balance, ipv6Neighbour] },
  opsStatus, opsTraffic, opsHuman, directReturn, replyMacs,
  // After the direct-routing checks: the drill's restarts would count against direct routing.
  opsFailover, directorFailure, ipv6Failover, connectionSync, restartKilled,
  // With preemption the MASTER takes the VIP back first; with nopreempt the checks below run beside its boot.
  when(masterReturns, (ctx) => !nopreempt(ctx)),
  stopFailoverProbes,
  { id: 'rs-failure', services: tcp4, checks: [rsFailureNotApplicable, rsFailure] },
  // Fast failover and link-down need the election settled after the MASTER's crash.
  when(masterReturns, (ctx) => nopreempt(ctx) && (ctx.lab.vrrp.fastFailover || ctx.settings.drills.has('link-down'))),
  fastFailoverGap, fastFailoverQuiet, linkDown,
  { id: 'fwmark', services: ({ lab }) => lab.services.filter((x) => x.fwmark !== undefined), checks: [fwmarkRules, fwmarkPersistence, miscCheck, sslCheck, sorryServer] },
  drillRoles, rsReboot, when(masterReturns, nopreempt), backupCrash,
  arpSilentWholeRun,
  // The packages check asks every VM, the restarted director too.
  when(directorRestart, ({ lab }) => !lab.image.preinstalled), packagesFromMirror, nothingInstalled,
  egress, gatewayAndDns, libvirtdRestart, brokenMirrorNotRun, brokenMirror, secondDeploy, directorRestart, fwmarkAfterRestart,
  firstChecked, besideDeploy,
];

/** After the checks, whatever they found. */
export const TEARDOWN: readonly PlanEntry[] = [destroy, handoffEnd, interruptedThenDestroy, baselineBoot, referenceBoot];
