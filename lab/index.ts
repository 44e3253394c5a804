/**
 * The lab domain, free of cdktf and constructs: the config schema (types, defaults, bounds),
 * its rules, the resolved lab, loading from YAML/JSON, and the models the renderers take.
 * Dependencies run one way: cloud-init (renderers) <- lab <- constructs <- app / e2e.
 */
export {
  LabSchema, jsonSchema, DOMAIN_TYPES, NETWORK_MODES,
  type LabConfig, type LabNetworkConfig, type LabImageConfig, type LabPackagesConfig, type LabSshConfig, type LabVrrpConfig,
  type LabDirectorConfig, type LabHealthCheckConfig, type LabServiceConfig, type LabRealServerConfig, type LabVmSize,
  type LabSizesConfig, type LabNotificationConfig, type LabQuorumConfig, type LabMiscCheckConfig, type LabTrackScriptConfig,
  type DomainType, type NetworkMode,
} from './schema';
export { LabConfigError, describeValue, type LabProblem } from './problems';
export {
  LAB_INTERFACE, defaultLabConfig, parseLab, resolveLabConfig, validateLabConfig,
  type LabParseResult, type ResolvedLab, type ResolvedNetwork, type ResolvedVm, type ResolvedDirector,
  type ResolvedRealServer, type ResolvedService, type ResolvedNetwork6, serviceFamily,
} from './resolve';
export { LAB_RULES, isOpenSshPublicKey, type LabRule } from './rules';
export { SCHEMA_RULES } from './check-schema';
export { FILE_RULES, LAB_CONFIG_ENV, labConfigFromEnv, labFromEnv, loadLab, loadLabConfig, type LoadedLab } from './load';
export { POOL_DIRECTORY_RULE, validatePoolDirectory } from './pool-directory';
export { parseIpv4, formatIpv4, parseCidr, type Ipv4Network } from './ipv4';
export { parseIpv6, formatIpv6, canonicalIpv6, parseCidr6, type Ipv6Network } from './ipv6';
export {
  DEFAULT_AUTH_PASS, DEBIAN_SECURITY_ARCHIVE, defaultSecurityMirror, defaultStoragePoolPath, defaultGateway, defaultDns,
  vmDomainName, baseVolumeName, vmVolumeNames, isLabVolume, labMacAddress, defaultAddress6,
} from './derive';
export {
  vrrpInstanceName, vrrpInstanceName6, labVips, labVips6, servicesOf, directorKeepalivedModel, directorUserDataModel, realServerUserDataModel, staticInterface,
} from './model';
