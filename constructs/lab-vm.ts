import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { CloudinitDisk } from '../.gen/providers/libvirt/cloudinit-disk';
import { Domain } from '../.gen/providers/libvirt/domain';
import { Volume } from '../.gen/providers/libvirt/volume';
import { renderMetaData } from '../cloud-init/meta-data';
import { renderNetworkConfig } from '../cloud-init/network-config';
import { staticInterface } from './lab-model';
import type { DomainType, ResolvedLab, ResolvedVm } from './lab-config';
import type { NetworkAttachment } from './lab-network';

export interface LabVmProps {
  /** libvirt domain name (also the prefix of its volumes). */
  readonly name: string;
  /** Guest hostname. */
  readonly hostname: string;
  readonly poolName: string;
  readonly baseVolumeId: string;
  readonly userData: string;
  readonly networkConfig: string;
  readonly network: NetworkAttachment;
  /** Deterministic MAC; network-config matches the NIC by it. */
  readonly macAddress: string;
  /** @default 'kvm' */
  readonly domainType?: DomainType;
  /** @default 1 */
  readonly vcpu?: number;
  /** @default 512 */
  readonly memoryMiB?: number;
  /** Also log the serial console to this file (on the libvirt host).
   * @default - console only through `virsh console` */
  readonly consoleLogFile?: string;
}

/** Where a lab's VM goes: shared by every director and real server of the lab. */
export interface LabVmPlacementProps {
  /** The whole (resolved) lab. */
  readonly lab: ResolvedLab;
  readonly poolName: string;
  readonly baseVolumeId: string;
  readonly network: NetworkAttachment;
  /** @default - console only through `virsh console` */
  readonly consoleLogFile?: string;
}

/** LabVm props for one VM of a lab: its name, MAC, size and static address come from the lab. */
export function labVmProps(placement: LabVmPlacementProps, vm: ResolvedVm, userData: string): LabVmProps {
  const { lab } = placement;
  return {
    name: vm.domainName,
    hostname: vm.name,
    poolName: placement.poolName,
    baseVolumeId: placement.baseVolumeId,
    userData,
    networkConfig: renderNetworkConfig(staticInterface(lab, vm)),
    network: placement.network,
    macAddress: vm.macAddress,
    domainType: lab.domainType,
    vcpu: vm.vcpu,
    memoryMiB: vm.memoryMiB,
    consoleLogFile: placement.consoleLogFile,
  };
}

/**
 * One lab VM: a copy-on-write disk over the base image, a NoCloud cloud-init disk, and a
 * domain with a serial console and a fixed MAC.
 */
export class LabVm extends Construct {
  public readonly disk: Volume;
  public readonly cloudinit: CloudinitDisk;
  public readonly domain: Domain;
  /** cloud-init instance-id: changes whenever user-data or network-config does. */
  public readonly instanceId: string;

  constructor(scope: Construct, id: string, props: LabVmProps) {
    super(scope, id);
    const domainType = props.domainType ?? 'kvm';
    const vcpu = props.vcpu ?? 1;
    const memoryMiB = props.memoryMiB ?? 512;

    const digest = createHash('sha256').update(props.userData).update('\0').update(props.networkConfig).digest('hex');
    this.instanceId = `${props.name}-${digest.slice(0, 12)}`;

    this.cloudinit = new CloudinitDisk(this, 'cloudinit', {
      name: `${props.name}-cloudinit.iso`,
      pool: props.poolName,
      userData: terraformLiteral(props.userData),
      networkConfig: terraformLiteral(props.networkConfig),
      metaData: terraformLiteral(renderMetaData({ instanceId: this.instanceId, hostname: props.hostname })),
    });

    // Provider 0.8.3 updates a domain's `cloudinit` in place, but cloud-init only acts on first
    // boot: a changed user-data would be silently ignored. Replacing the disk and the domain
    // together with the cloud-init disk makes a config change rebuild the VM from the image.
    // (A plain address string: cdktf renders a resource object here as `${…}`, which terraform rejects.)
    const replaceWithCloudinit = {
      replaceTriggeredBy: [`${this.cloudinit.terraformResourceType}.${this.cloudinit.friendlyUniqueId}`],
    };

    this.disk = new Volume(this, 'disk', {
      name: `${props.name}.qcow2`,
      pool: props.poolName,
      baseVolumeId: props.baseVolumeId,
      format: 'qcow2',
      lifecycle: replaceWithCloudinit,
    });

    this.domain = new Domain(this, 'domain', {
      name: props.name,
      type: domainType,
      vcpu,
      memory: memoryMiB,
      running: true,
      cloudinit: this.cloudinit.id,
      disk: [{ volumeId: this.disk.id }],
      networkInterface: [{ ...props.network, mac: props.macAddress, waitForLease: false }],
      console: [
        { type: 'pty', targetType: 'serial', targetPort: '0' },
        { type: 'pty', targetType: 'virtio', targetPort: '1' },
      ],
      // Headless: no SPICE display (the provider's default), the serial console is the way in.
      graphics: { type: 'vnc', listenType: 'none' },
      cpu: domainType === 'kvm' ? { mode: 'host-passthrough' } : undefined,
      xml: props.consoleLogFile ? { xslt: consoleLogXslt(props.consoleLogFile) } : undefined,
      lifecycle: replaceWithCloudinit,
    });
  }
}

/**
 * Escapes terraform's template sequences. Strings in cdk.tf.json are templates: the shell
 * scripts in user-data are full of `${…}`, which terraform would read as its own interpolation.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** Inverse of {@link terraformLiteral}: the text terraform hands the provider. */
export function fromTerraformLiteral(text: string): string {
  return text.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

/** Adds `<log file=…>` to the serial console so its output survives the VM (appended across
 *  restarts: a failover test's reboot must not wipe the first boot's log). */
function consoleLogXslt(file: string): string {
  const escaped = file.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return [
    '<?xml version="1.0"?>',
    '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">',
    '  <xsl:output omit-xml-declaration="yes" indent="yes"/>',
    '  <xsl:template match="node()|@*">',
    '    <xsl:copy><xsl:apply-templates select="node()|@*"/></xsl:copy>',
    '  </xsl:template>',
    '  <xsl:template match="/domain/devices/console[target/@type=\'serial\']">',
    '    <xsl:copy>',
    '      <xsl:apply-templates select="node()|@*"/>',
    `      <log file="${escaped}" append="on"/>`,
    '    </xsl:copy>',
    '  </xsl:template>',
    '</xsl:stylesheet>',
    '',
  ].join('\n');
}
