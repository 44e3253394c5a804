import { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from './engine';
import { LibvirtProvider } from '../.gen/providers/libvirt/provider';
import { LvsDrCluster, type LvsDrClusterProps, type LvsDrClusterResolvedProps } from './lvs-dr-cluster';
import { terraformLiteral } from './terraform-literal';

export interface LvsDrLabStackProps {
  /** The lab: a config (`{}` builds the reference topology), or a lab resolved before (`{ resolvedLab }`). */
  readonly lab: LvsDrClusterProps | LvsDrClusterResolvedProps;
}

/** The libvirt provider, one LVS-DR lab, and the outputs an operator needs. */
export class LvsDrLabStack extends TerraformStack {
  public readonly cluster: LvsDrCluster;

  constructor(scope: Construct, id: string, props: LvsDrLabStackProps) {
    super(scope, id);
    this.cluster = new LvsDrCluster(this, 'Lab', props.lab);
    const lab = this.cluster.lab;
    // Every string from the config is a literal to terraform (a `${…}` in the URI is not evaluated).
    new LibvirtProvider(this, 'libvirt', { uri: terraformLiteral(lab.libvirtUri) });

    new TerraformOutput(this, 'vip_urls', {
      description: 'Each virtual service, as a client reaches it',
      value: lab.services.map((s) => terraformLiteral(serviceUrl(s.vip, s.port, s.protocol))),
    });
    new TerraformOutput(this, 'directors', {
      description: 'Director name => address (highest priority, the initial MASTER, first)',
      value: Object.fromEntries(this.cluster.directors.map((d) => [terraformLiteral(d.name), terraformLiteral(d.address)])),
    });
    new TerraformOutput(this, 'real_servers', {
      description: 'Real server name => address',
      value: Object.fromEntries(this.cluster.realServers.map((r) => [terraformLiteral(r.name), terraformLiteral(r.address)])),
    });
    new TerraformOutput(this, 'ssh_commands', {
      description: 'How to log in to each VM (keys only)',
      value: Object.fromEntries(
        [...this.cluster.directors, ...this.cluster.realServers].map((vm) => [terraformLiteral(vm.name), terraformLiteral(`ssh ${lab.ssh.user}@${vm.address}`)]),
      ),
    });
  }
}

function serviceUrl(vip: string, port: number, protocol: 'TCP' | 'UDP'): string {
  // An IPv6 VIP goes in brackets in a URL (RFC 3986).
  if (vip.includes(':') && !vip.startsWith('[')) return serviceUrl(`[${vip}]`, port, protocol);
  if (protocol === 'UDP') return `udp://${vip}:${port}`;
  return port === 80 ? `http://${vip}/` : `http://${vip}:${port}/`;
}
