/**
 * The operator commands of `npm run lvs-lab -- wait | status | traffic | drill` and the e2e checks'
 * shared implementation: parsers of what the VMs print (ipvsadm, iproute2), the prober and its
 * summaries, the share prediction, and the commands themselves as functions of an {@link OpsHost}.
 * Depends on lab/ only.
 */
export { localOpsHost, type OpsHost, type SshAccess, type CommandResult, type HttpOutcome, type RemoteOutcome } from './host';
export { ipvsTable, ipvsComplete, parseIpvsServices, parseSyncDaemons, serviceKey, type IpvsService, type IpvsDestination, type SyncDaemon } from './ipvs';
export { parseAddresses, boundVips, parseNeighbour, parseRouteGet } from './iproute';
export { failoverGap, probeSummary, parseProbeLines, startProber, type ProbeLine } from './probe';
export { predictShares, judgeShares, type SharePrediction } from './shares';
export { waitForReady, askCloudInit, formatReady, formatReadyEvent, formatReadyJson, DEFAULT_WAIT_TIMEOUT_SEC, WAIT_TIMEOUT_ENV, type ReadyReport, type ReadyOptions, type ReadyEvent, type VmCloudInit } from './ready';
export { parseCloudInitStatus, classifyCloudInitFailure, type CloudInitStatus, type CloudInitFailure } from './cloud-init';
export { collectStatus, type StatusReport, type Finding } from './status';
export { formatStatus, formatStatusJson } from './status-format';
export { runTraffic, formatTraffic, formatTrafficJson, servedBy, TRAFFIC_LIMITS, type TrafficOptions, type TrafficReport } from './traffic';
export {
  runFailoverDrill, runRsDownDrill, formatFailover, formatRsDown, formatDrillJson, vipHolders, DrillError,
  type FailoverReport, type RsDownReport, type DrillOptions,
} from './drill';
