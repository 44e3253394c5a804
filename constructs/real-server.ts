import { Construct } from 'constructs';
import { renderNetworkConfig, renderRealServerUserData } from '../cloud-init';
import type { ResolvedLab, ResolvedRealServer } from './lab-config';
import { realServerUserDataModel, staticInterface } from './lab-model';
import type { NetworkAttachment } from './lab-network';
import { LabVm } from './lab-vm';

export interface RealServerProps {
  readonly lab: ResolvedLab;
  readonly realServer: ResolvedRealServer;
  readonly poolName: string;
  readonly baseVolumeId: string;
  readonly network: NetworkAttachment;
  /** @default - console only through `virsh console` */
  readonly consoleLogFile?: string;
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

    this.vm = new LabVm(this, 'vm', {
      name: realServer.domainName,
      hostname: realServer.name,
      poolName: props.poolName,
      baseVolumeId: props.baseVolumeId,
      userData: renderRealServerUserData(model),
      networkConfig: renderNetworkConfig(staticInterface(lab, realServer)),
      network: props.network,
      macAddress: realServer.macAddress,
      domainType: lab.domainType,
      vcpu: realServer.vcpu,
      memoryMiB: realServer.memoryMiB,
      consoleLogFile: props.consoleLogFile,
    });
  }
}
