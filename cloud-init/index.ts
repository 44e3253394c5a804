/**
 * Pure renderers that turn the resolved lab model into guest files (no cdktf imports): the
 * public surface of `lvs-dr-lab/cloud-init` is each renderer, the options and models it takes,
 * and the closed sets those models draw from.
 *
 * Where a renderer puts things on the guest (paths, unit and table names), its checker timing
 * arithmetic and the patterns the schema reuses are internal: import them from their module
 * inside this repository (`./paths`, `./keepalived-conf`, ...), not from here.
 */
export {
  SCHEDULERS, SERVICE_PROTOCOLS, VRRP_TRANSPORTS, HEALTH_CHECK_TYPES,
  type Scheduler, type ServiceProtocol, type VrrpTransport, type VrrpState, type CheckTimings, type TcpHealthCheck, type HttpHealthCheck,
  type NoHealthCheck, type HttpsHealthCheck, type HealthCheck, type QuorumModel, type MiscCheckModel, type RealServerTarget,
  type VirtualService, type NotificationSettings, type VrrpInstanceModel, type TrackScriptModel, type DirectorKeepalivedModel,
  type StaticInterface, type SshUser, type CloudFile, type PackageSources, type UserDataBase, type FirewallMarkRule, type SorrySiteModel,
  type DirectorUserDataModel, type RealServerUserDataModel,
} from './model';
export { renderKeepalivedConf } from './keepalived-conf';
export { renderNotifyScript, type NotifyScriptOptions } from './notify-script';
export { renderRealServerScript, renderRealServerUnit, renderArpSysctl } from './real-server';
export { renderNginxSite, renderSorrySite, type NginxSiteOptions, type SorrySiteOptions } from './web-service';
export { renderNetworkConfig } from './network-config';
export { renderNftablesConf } from './nftables-conf';
export { renderDirectorUserData, renderRealServerUserData, renderIpvsSysctl, DIRECTOR_PACKAGES, REAL_SERVER_PACKAGES } from './user-data';
export { renderMetaData, type MetaDataModel } from './meta-data';
export { noCloudSeedFiles, renderSeedIso, type SeedFile, type SeedIsoOptions } from './seed-iso';
