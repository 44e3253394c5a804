import { Construct } from 'constructs';
import { renderDirectorUserData, renderKeepalivedConf } from '../cloud-init';
import type { ResolvedDirector } from '../lab';
import { directorUserDataModel } from '../lab';
import { LabVm, type LabVmPlacementProps, labVmProps } from './lab-vm';

/** A director's keepalived.conf names its peers and every service: `lab` is the whole lab. */
export interface LvsDirectorProps extends LabVmPlacementProps {
  /** This director. */
  readonly director: ResolvedDirector;
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

    this.vm = new LabVm(this, 'vm', labVmProps(props, director, renderDirectorUserData(model)));
  }
}
