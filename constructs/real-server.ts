import { Construct } from 'constructs';
import { renderRealServerUserData } from '../cloud-init';
import type { RealServerUserDataModel, StaticInterface } from '../cloud-init/model';
import type { ResolvedVm } from '../lab';
import { LabVm, type LabVmPlacementProps } from './lab-vm';
import { labVmProps } from './lab-vm-props';

/**
 * A real server on its own: its VM, its address on the lab segment and what cloud-init
 * installs (the VIPs on lo, the ARP sysctls, the demo web service). `LvsDrCluster` derives them
 * from a lab (`realServerUserDataModel`, `staticInterface`).
 */
export interface RealServerProps extends LabVmPlacementProps {
  /** The VM: hostname, libvirt domain name, address, MAC and size. */
  readonly vm: ResolvedVm;
  /** Its static address, gateway and DNS on the lab segment (network-config). */
  readonly networkInterface: StaticInterface;
  /** The user-data model: ssh user, packages, VIPs, web ports and health paths. */
  readonly userData: RealServerUserDataModel;
}

/**
 * A DR real server: it accepts packets addressed to the VIPs (bound on `lo`), never answers
 * ARP for them (`arp_ignore=1`, `arp_announce=2`), and replies to clients directly.
 */
export class RealServer extends Construct {
  public readonly vm: LabVm;
  public readonly name: string;
  public readonly address: string;
  /** VIPs this real server accepts traffic for. */
  public readonly vips: readonly string[];
  /** Dual stack: IPv6 VIPs this real server accepts traffic for (empty in an IPv4-only lab). */
  public readonly vips6: readonly string[];

  constructor(scope: Construct, id: string, props: RealServerProps) {
    super(scope, id);
    this.name = props.vm.name;
    this.address = props.vm.address;
    this.vips = props.userData.vips;
    this.vips6 = props.userData.vips6 ?? [];

    this.vm = new LabVm(this, 'vm', labVmProps(props, props.vm, props.networkInterface, renderRealServerUserData(props.userData)));
  }
}
