import { renderNetworkConfig } from '../cloud-init/network-config';
import type { StaticInterface } from '../cloud-init/model';
import type { ResolvedVm } from '../lab';
import type { LabVmPlacementProps, LabVmProps } from './lab-vm';
import { renderVmSeed } from './vm-seed';

/** LabVm props for one VM: its names, MAC and size, and its seed (user-data, its static address on the lab segment). */
export function labVmProps(placement: LabVmPlacementProps, vm: ResolvedVm, networkInterface: StaticInterface, userData: string): LabVmProps {
  return {
    name: vm.domainName,
    poolName: placement.poolName,
    baseVolumeId: placement.baseVolumeId,
    seed: renderVmSeed({ domainName: vm.domainName, hostname: vm.name, userData, networkConfig: renderNetworkConfig(networkInterface) }),
    network: placement.network,
    macAddress: vm.macAddress,
    domainType: placement.domainType,
    vcpu: vm.vcpu,
    memoryMiB: vm.memoryMiB,
    consoleLogFile: placement.consoleLogFile,
  };
}
