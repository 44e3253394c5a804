import { Construct } from 'constructs';
import { renderDirectorUserData, renderKeepalivedConf } from '../cloud-init';
import type { DirectorUserDataModel, StaticInterface } from '../cloud-init/model';
import type { ResolvedVm } from '../lab';
import { LabVm, type LabVmPlacementProps } from './lab-vm';
import { labVmProps } from './lab-vm-props';

/**
 * A director on its own: its VM, its address on the lab segment and what cloud-init installs
 * (keepalived.conf with its peers and services). `LvsDrCluster` derives all three from a lab
 * (`directorUserDataModel`, `staticInterface`); any other composition may build them itself.
 */
export interface LvsDirectorProps extends LabVmPlacementProps {
  /** The VM: hostname, libvirt domain name, address, MAC and size. */
  readonly vm: ResolvedVm;
  /** Its static address, gateway and DNS on the lab segment (network-config). */
  readonly networkInterface: StaticInterface;
  /** The user-data model: ssh user, packages and the keepalived config. */
  readonly userData: DirectorUserDataModel;
}

/**
 * An LVS director: keepalived runs VRRP for the VIPs and programs IPVS `virtual_server`s in
 * DR mode, with health checks against the real servers.
 */
export class LvsDirector extends Construct {
  public readonly vm: LabVm;
  public readonly name: string;
  public readonly address: string;
  /** Initial VRRP state; with `nopreempt` every director starts BACKUP. */
  public readonly initialState: 'MASTER' | 'BACKUP';
  /** The rendered keepalived.conf, as installed in the VM. */
  public readonly keepalivedConf: string;

  constructor(scope: Construct, id: string, props: LvsDirectorProps) {
    super(scope, id);
    const model = props.userData;

    this.name = props.vm.name;
    this.address = props.vm.address;
    this.initialState = model.keepalived.instances[0].state;
    this.keepalivedConf = renderKeepalivedConf(model.keepalived);

    this.vm = new LabVm(this, 'vm', labVmProps(props, props.vm, props.networkInterface, renderDirectorUserData(model)));
  }
}
