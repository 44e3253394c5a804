import { Construct } from 'constructs';
import { Domain } from '../.gen/providers/libvirt/domain';
import { Volume } from '../.gen/providers/libvirt/volume';
import { vmVolumeNames, type DomainType } from '../lab';
import type { NetworkAttachment } from './lab-network';
import { TOKEN_MARKER } from '../lab/check-schema';
import { terraformLiteral } from './terraform-literal';
import { SeedAsset, type VmSeed } from './vm-seed';

export interface LabVmProps {
  /** libvirt domain name (also the prefix of its volumes). */
  readonly name: string;
  /** The pool's name: a reference (`pool.name`) or a name, passed to terraform as it is. */
  readonly poolName: string;
  /** The base volume's id: a reference (`volume.id`), passed to terraform as it is. */
  readonly baseVolumeId: string;
  /** The NoCloud seed (user-data, meta-data, network-config), rendered: {@link renderVmSeed}. */
  readonly seed: VmSeed;
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

/** Where a VM goes: the pool, base image and network shared by the VMs of a lab. */
export interface LabVmPlacementProps {
  readonly poolName: string;
  readonly baseVolumeId: string;
  readonly network: NetworkAttachment;
  /** @default 'kvm' */
  readonly domainType?: DomainType;
  /** @default - console only through `virsh console` */
  readonly consoleLogFile?: string;
}

/**
 * One lab VM: a copy-on-write disk over the base image, a NoCloud seed volume (an ISO labelled
 * `cidata`), and a domain with a serial console and a fixed MAC.
 *
 * The seed comes rendered ({@link renderVmSeed}, as `labVmProps` does it), is shipped as a cdktf
 * asset ({@link SeedAsset}) and uploaded as a plain volume: the VM only wires libvirt resources.
 * Provider 0.8.3's `libvirt_cloudinit_disk` is not used: it reads its ISO back out of libvirt on
 * every refresh, and that stream intermittently truncates
 * ("corrupted-image: EOF") or deadlocks the provider, hanging `cdktf deploy`/`destroy`.
 */
export class LabVm extends Construct {
  public readonly disk: Volume;
  /** The NoCloud seed volume (user-data, meta-data, network-config). */
  public readonly seed: Volume;
  public readonly domain: Domain;
  /** The libvirt domain name (its volumes are named after it). */
  public readonly domainName: string;
  /** cloud-init instance-id: changes whenever user-data or network-config does (the seed's). */
  public readonly instanceId: string;

  constructor(scope: Construct, id: string, props: LabVmProps) {
    super(scope, id);
    const domainType = props.domainType ?? 'kvm';
    const vcpu = props.vcpu ?? 1;
    const memoryMiB = props.memoryMiB ?? 512;
    if (props.consoleLogFile !== undefined && !isAbsolutePlainPath(props.consoleLogFile)) {
      throw new Error(`LabVm ${props.name}: consoleLogFile ${JSON.stringify(props.consoleLogFile)} is not ${ABSOLUTE_PLAIN_PATH}`);
    }
    // Names are data: literals to terraform, never templates. The placement (pool, base volume,
    // network id) is references to the lab's other resources, passed as they are.
    const network = {
      ...(props.network.networkId !== undefined ? { networkId: props.network.networkId } : {}),
      ...(props.network.bridge !== undefined ? { bridge: props.network.bridge } : {}),
    };

    this.instanceId = props.seed.instanceId;
    this.domainName = props.name;

    const asset = new SeedAsset(this, 'seed-iso', props.seed);
    this.seed = new Volume(this, 'seed', {
      name: terraformLiteral(vmVolumeNames(props.name).seed),
      pool: props.poolName,
      source: asset.path,
      // libvirt's dir pool probes the file and reports `iso`; declaring anything else would
      // make every plan replace the seed (and so the VM).
      format: 'iso',
    });

    // cloud-init only acts on first boot: a changed seed must rebuild the VM from the image, or
    // the new user-data would be silently ignored. The seed's asset path carries its content
    // hash, so any change replaces the seed, and with it the disk and the domain.
    // (A plain address string: cdktf renders a resource object here as `${…}`, which terraform rejects.)
    const replaceWithSeed = {
      replaceTriggeredBy: [`${this.seed.terraformResourceType}.${this.seed.friendlyUniqueId}`],
    };

    this.disk = new Volume(this, 'disk', {
      name: terraformLiteral(vmVolumeNames(props.name).disk),
      pool: props.poolName,
      baseVolumeId: props.baseVolumeId,
      format: 'qcow2',
      lifecycle: replaceWithSeed,
    });

    this.domain = new Domain(this, 'domain', {
      name: terraformLiteral(props.name),
      type: domainType,
      vcpu,
      memory: memoryMiB,
      running: true,
      // The boot disk first; the seed is found by its `cidata` label.
      disk: [{ volumeId: this.disk.id }, { volumeId: this.seed.id }],
      networkInterface: [{ ...network, mac: terraformLiteral(props.macAddress), waitForLease: false }],
      console: [
        { type: 'pty', targetType: 'serial', targetPort: '0' },
        { type: 'pty', targetType: 'virtio', targetPort: '1' },
      ],
      // Headless: no SPICE display (the provider's default), the serial console is the way in.
      graphics: { type: 'vnc', listenType: 'none' },
      cpu: domainType === 'kvm' ? { mode: 'host-passthrough' } : undefined,
      xml: props.consoleLogFile ? { xslt: terraformLiteral(consoleLogXslt(props.consoleLogFile)) } : undefined,
      lifecycle: replaceWithSeed,
    });
  }
}

/** What a console log path may be: libvirt needs an absolute path, and XML 1.0 cannot carry control characters. */
export const ABSOLUTE_PLAIN_PATH = `an absolute path without control characters or '${TOKEN_MARKER}'`;

/** True for an absolute path without control characters or cdktf's token marker (what {@link ABSOLUTE_PLAIN_PATH} says). */
export function isAbsolutePlainPath(file: string): boolean {
  return file.startsWith('/') && !/[\u0000-\u001f\u007f]/.test(file) && !file.includes(TOKEN_MARKER);
}

const XSLT_ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '{': '{{', '}': '}}',
};

/**
 * `text` as the value of an attribute of a literal result element: XML-escaped, and with `{` and
 * `}` doubled, because XSLT reads such a value as an attribute value template, in which `{…}` is
 * an XPath expression (`{document('/etc/hostname')}` would read a file into the domain XML).
 */
function xsltAttributeLiteral(text: string): string {
  return text.replace(/[&<>"'{}]/g, (c) => XSLT_ATTRIBUTE_ESCAPES[c]);
}

/** Adds `<log file=…>` to the serial console so its output survives the VM (appended across
 *  restarts: a failover test's reboot must not wipe the first boot's log). */
function consoleLogXslt(file: string): string {
  const escaped = xsltAttributeLiteral(file);
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
