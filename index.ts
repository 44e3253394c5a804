/**
 * lvs-dr-lab: the public API of the package.
 *
 * - the constructs a user composes: the cluster, the stack, and the VM-level constructs;
 * - the lab config: its schema, types, and the parse/load functions;
 * - the pure renderers of the guest files and the models they take.
 *
 * Everything else (rule internals, helpers) is internal and may change without notice. The
 * libvirt provider bindings the constructs use are under `lvs-dr-lab/libvirt`.
 */
export { LvsDrCluster, type LvsDrClusterProps, type LvsDrClusterResolvedProps } from './constructs/lvs-dr-cluster';
export { LvsDrLabStack, type LvsDrLabStackProps } from './constructs/lvs-dr-lab-stack';
export { LabNetwork, type LabNetworkProps, type NetworkAttachment } from './constructs/lab-network';
export { BaseImage, type BaseImageProps } from './constructs/base-image';
export { LabVm, type LabVmProps, type LabVmPlacementProps } from './constructs/lab-vm';
export { renderVmSeed, type VmSeed, type VmSeedProps } from './constructs/vm-seed';
export { LvsDirector, type LvsDirectorProps } from './constructs/lvs-director';
export { RealServer, type RealServerProps } from './constructs/real-server';

export {
  // parse, resolve, load
  parseLab, resolveLabConfig, validateLabConfig, loadLab, labFromEnv, loadLabConfig, labConfigFromEnv, LAB_CONFIG_ENV, LabConfigError, type LoadedLab,
  // the pool directory on this machine, checked before a synth (the app does)
  validatePoolDirectory, POOL_DIRECTORY_RULE,
  // the schema (JSON Schema objects) and its rules
  LabSchema, jsonSchema, LAB_RULES, SCHEMA_RULES, FILE_RULES,
  // derived values a user may want to show
  labMacAddress, vmDomainName, parseCidr, formatIpv4, parseIpv4,
  type LabProblem, type LabParseResult, type LabRule,
  type LabConfig, type LabNetworkConfig, type LabImageConfig, type LabPackagesConfig, type LabSshConfig, type LabVrrpConfig,
  type LabDirectorConfig, type LabHealthCheckConfig, type LabServiceConfig, type LabRealServerConfig, type LabVmSize,
  type LabSizesConfig, type LabNotificationConfig, type LabQuorumConfig, type LabMiscCheckConfig, type LabTrackScriptConfig,
  type DomainType, type NetworkMode, type Ipv4Network,
  type ResolvedLab, type ResolvedNetwork, type ResolvedVm, type ResolvedDirector, type ResolvedRealServer, type ResolvedService,
  // the lab -> renderer models
  directorKeepalivedModel, directorUserDataModel, realServerUserDataModel, staticInterface,
} from './lab';

export {
  renderKeepalivedConf, renderDirectorUserData, renderRealServerUserData, renderNetworkConfig, renderMetaData,
  renderNotifyScript, renderRealServerScript, renderRealServerUnit, renderArpSysctl, renderNginxSite,
  noCloudSeedFiles, renderSeedIso, DIRECTOR_PACKAGES, REAL_SERVER_PACKAGES,
  type DirectorKeepalivedModel, type DirectorUserDataModel, type RealServerUserDataModel, type VirtualService,
  type VrrpInstanceModel, type HealthCheck, type StaticInterface, type SshUser, type PackageSources,
  type NotificationSettings, type Scheduler, type ServiceProtocol, type VrrpTransport,
} from './cloud-init';
