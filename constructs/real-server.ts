import { Construct } from 'constructs';
import { renderRealServerUserData } from '../cloud-init';
import type { ResolvedRealServer } from '../lab';
import { realServerUserDataModel } from '../lab';
import { LabVm, type LabVmPlacementProps, labVmProps } from './lab-vm';

export interface RealServerProps extends LabVmPlacementProps {
  /** This real server. */
  readonly realServer: ResolvedRealServer;
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

  constructor(scope: Construct, id: string, props: RealServerProps) {
    super(scope, id);
    const { lab, realServer } = props;
    const model = realServerUserDataModel(lab, realServer);

    this.name = realServer.name;
    this.address = realServer.address;
    this.vips = model.vips;

    this.vm = new LabVm(this, 'vm', labVmProps(props, realServer, renderRealServerUserData(model)));
  }
}
