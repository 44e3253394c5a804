import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from './engine';
import { LibvirtProvider } from '../.gen/providers/libvirt/provider';
import { LvsDrCluster, type LvsDrClusterProps } from './lvs-dr-cluster';

export interface LvsDrLabStackProps {
  /** The lab; `{}` builds the reference topology. */
  readonly lab: LvsDrClusterProps;
}

/** The libvirt provider, one LVS-DR lab, and the outputs an operator needs. */
export class LvsDrLabStack extends TerraformStack {
  public readonly cluster: LvsDrCluster;

  constructor(scope: Construct, id: string, props: LvsDrLabStackProps) {
    super(scope, id);
    this.cluster = new LvsDrCluster(this, 'Lab', props.lab);
    const lab = this.cluster.lab;
    new LibvirtProvider(this, 'libvirt', { uri: lab.libvirtUri });

    new TerraformOutput(this, 'vip_urls', {
      description: 'Each virtual service, as a client reaches it',
      value: lab.services.map((s) => serviceUrl(s.vip, s.port, s.protocol)),
    });
    new TerraformOutput(this, 'directors', {
      description: 'Director name => address (highest priority, the initial MASTER, first)',
      value: Object.fromEntries(this.cluster.directors.map((d) => [d.name, d.address])),
    });
    new TerraformOutput(this, 'real_servers', {
      description: 'Real server name => address',
      value: Object.fromEntries(this.cluster.realServers.map((r) => [r.name, r.address])),
    });
    new TerraformOutput(this, 'ssh_commands', {
      description: 'How to log in to each VM (keys only)',
      value: Object.fromEntries(
        [...this.cluster.directors, ...this.cluster.realServers].map((vm) => [vm.name, `ssh ${lab.ssh.user}@${vm.address}`]),
      ),
    });
  }
}

function serviceUrl(vip: string, port: number, protocol: 'TCP' | 'UDP'): string {
  if (protocol === 'UDP') return `udp://${vip}:${port}`;
  return port === 80 ? `http://${vip}/` : `http://${vip}:${port}/`;
}
