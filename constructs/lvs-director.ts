import { Construct } from 'constructs';
import { renderDirectorUserData, renderKeepalivedConf, renderNetworkConfig } from '../cloud-init';
import type { ResolvedDirector, ResolvedLab } from './lab-config';
import { directorUserDataModel, staticInterface } from './lab-model';
import type { NetworkAttachment } from './lab-network';
import { LabVm } from './lab-vm';

export interface LvsDirectorProps {
  /** The whole (resolved) lab: a director's keepalived.conf names its peers and every service. */
  readonly lab: ResolvedLab;
  /** This director. */
  readonly director: ResolvedDirector;
  readonly poolName: string;
  readonly baseVolumeId: string;
  readonly network: NetworkAttachment;
  /** @default - console only through `virsh console` */
  readonly consoleLogFile?: string;
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
    const { lab, director } = props;
    const model = directorUserDataModel(lab, director);

    this.name = director.name;
    this.address = director.address;
    this.initialState = model.keepalived.instances[0].state;
    this.keepalivedConf = renderKeepalivedConf(model.keepalived);

    this.vm = new LabVm(this, 'vm', {
      name: director.domainName,
      hostname: director.name,
      poolName: props.poolName,
      baseVolumeId: props.baseVolumeId,
      userData: renderDirectorUserData(model),
      networkConfig: renderNetworkConfig(staticInterface(lab, director)),
      network: props.network,
      macAddress: director.macAddress,
      domainType: lab.domainType,
      vcpu: director.vcpu,
      memoryMiB: director.memoryMiB,
      consoleLogFile: props.consoleLogFile,
    });
  }
}
