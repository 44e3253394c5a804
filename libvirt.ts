/**
 * The generated bindings of the pinned libvirt provider (dmacvicar/libvirt 0.8.3) that the
 * constructs use, for consumers that add their own libvirt resources next to a cluster
 * (`import { Volume } from 'lvs-dr-lab/libvirt'`). Declare the same provider version in the
 * consumer's cdktf.json.
 */
export { LibvirtProvider, type LibvirtProviderConfig } from './.gen/providers/libvirt/provider';
export { Domain, type DomainConfig } from './.gen/providers/libvirt/domain';
export { Network, type NetworkConfig } from './.gen/providers/libvirt/network';
export { Pool, type PoolConfig } from './.gen/providers/libvirt/pool';
export { Volume, type VolumeConfig } from './.gen/providers/libvirt/volume';
