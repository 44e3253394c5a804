import { Construct } from 'constructs';
import { Network } from '../.gen/providers/libvirt/network';
import type { NetworkMode } from '../lab';
import { terraformLiteral } from './terraform-literal';

export interface LabNetworkProps {
  /** libvirt network name; ignored in `bridge` mode. */
  readonly name: string;
  /** @default 'nat' */
  readonly mode?: NetworkMode;
  /** Subnet of the lab segment, e.g. `192.168.20.0/24`. */
  readonly cidr: string;
  /** An existing host bridge; required in `bridge` mode, ignored otherwise. */
  readonly bridge?: string;
}

/** How a VM's NIC joins the lab segment. */
export interface NetworkAttachment {
  /** A libvirt network managed by the lab. */
  readonly networkId?: string;
  /** An existing host bridge. */
  readonly bridge?: string;
}

/**
 * The lab's L2 segment. DR needs directors and real servers on one broadcast domain:
 * the director forwards by rewriting the destination MAC.
 *
 * - `nat`: libvirt owns the bridge, holds the subnet's first host address and NATs out.
 *   DHCP is off: every VM has a static address from network-config.
 * - `isolated`: libvirt owns a bridge with no host address and no forwarding (pure L2).
 * - `bridge`: an existing host bridge; nothing is created.
 */
export class LabNetwork extends Construct {
  public readonly mode: NetworkMode;
  public readonly network?: Network;
  public readonly attachment: NetworkAttachment;

  constructor(scope: Construct, id: string, props: LabNetworkProps) {
    super(scope, id);
    this.mode = props.mode ?? 'nat';

    if (this.mode === 'bridge') {
      if (!props.bridge) {
        throw new Error(`LabNetwork ${props.name}: mode 'bridge' needs the name of an existing host bridge`);
      }
      this.attachment = { bridge: terraformLiteral(props.bridge) };
      return;
    }

    this.network = new Network(this, 'network', {
      name: terraformLiteral(props.name),
      // provider 0.8.3 spells libvirt's isolated network `none`.
      mode: this.mode === 'nat' ? 'nat' : 'none',
      // An isolated segment gets no host address at all, so nothing on the host can reach it.
      addresses: this.mode === 'nat' ? [terraformLiteral(props.cidr)] : undefined,
      dhcp: { enabled: false },
      dns: this.mode === 'nat' ? { enabled: true, localOnly: true } : undefined,
      autostart: true,
    });
    this.attachment = { networkId: this.network.id };
  }
}
