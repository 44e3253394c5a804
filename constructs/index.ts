/**
 * The cdktf constructs of the lab: the cluster, its stack and the VM-level constructs they
 * compose. The lab domain they take (config, rules, resolve, load) is `../lab`; helpers shared
 * between the constructs (terraformLiteral, the VM props builder) are imported from their module.
 */
export { LvsDrCluster, type LvsDrClusterProps, type LvsDrClusterResolvedProps } from './lvs-dr-cluster';
export { LvsDrLabStack, type LvsDrLabStackProps } from './lvs-dr-lab-stack';
export { LabNetwork, type LabNetworkProps, type NetworkAttachment } from './lab-network';
export { BaseImage, type BaseImageProps } from './base-image';
export { LabVm, type LabVmProps, type LabVmPlacementProps } from './lab-vm';
export { renderVmSeed, type VmSeed, type VmSeedProps } from './vm-seed';
export { LvsDirector, type LvsDirectorProps } from './lvs-director';
export { RealServer, type RealServerProps } from './real-server';
