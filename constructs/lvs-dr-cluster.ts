import * as path from 'node:path';
import { Construct } from 'constructs';
import { BaseImage } from './base-image';
import { baseVolumeName, directorUserDataModel, realServerUserDataModel, resolveLabConfig, staticInterface, type LabConfig, type ResolvedLab } from '../lab';
import { LabConfigError, labProblem } from '../lab/problems';
import { ABSOLUTE_PLAIN_PATH, isAbsolutePlainPath } from './lab-vm';
import { LabNetwork } from './lab-network';
import { LvsDirector } from './lvs-director';
import { RealServer } from './real-server';

export interface LvsDrClusterProps extends LabConfig {
  /** Log every VM's serial console to `<dir>/<domain>.log` on the libvirt host (an absolute path;
   *  the app takes it from LAB_CONSOLE_LOG_DIR).
   * @default - consoles only through `virsh console` */
  readonly consoleLogDir?: string;
}

/** A lab resolved before (`loadLab`, `resolveLabConfig`): the cluster takes it as it is, without validating it again. */
export interface LvsDrClusterResolvedProps {
  /** The resolved lab. */
  readonly resolvedLab: ResolvedLab;
  /** Log every VM's serial console to `<dir>/<domain>.log` on the libvirt host (an absolute path).
   * @default - consoles only through `virsh console` */
  readonly consoleLogDir?: string;
}

/**
 * A complete LVS Direct-Routing lab: one L2 segment, a base image, two or more keepalived
 * directors and the real servers behind them.
 *
 * A config is resolved and checked as a whole in the constructor: every problem is reported at
 * once (a `LabConfigError`) before any resource exists. A lab resolved before (`resolvedLab`, as
 * the app passes it) is taken as it is.
 */
export class LvsDrCluster extends Construct {
  public readonly lab: ResolvedLab;
  public readonly network: LabNetwork;
  public readonly image: BaseImage;
  /** Highest priority (the initial MASTER) first. */
  public readonly directors: readonly LvsDirector[];
  public readonly realServers: readonly RealServer[];

  constructor(scope: Construct, id: string, props: LvsDrClusterProps | LvsDrClusterResolvedProps = {}) {
    super(scope, id);
    const { consoleLogDir } = props;
    this.lab = resolvedLabOf(props);
    if (consoleLogDir !== undefined && !isAbsolutePlainPath(consoleLogDir)) {
      const why = "libvirt writes each VM's console log there (the app takes it from LAB_CONSOLE_LOG_DIR)";
      throw new LabConfigError([labProblem('console-log-dir', 'consoleLogDir', consoleLogDir, ABSOLUTE_PLAIN_PATH, why)]);
    }
    const lab = this.lab;

    // The lab's own objects are `<lab>-<what>`; a VM's are `<lab>--<vm>…` (vmDomainName): names
    // have no '--', so no VM, whatever its name, takes one of these, nor a lab of another name.
    this.network = new LabNetwork(this, 'Network', {
      name: `${lab.name}-net`,
      mode: lab.network.mode,
      cidr: lab.network.cidr,
      bridge: lab.network.bridge,
    });
    this.image = new BaseImage(this, 'Image', {
      poolName: `${lab.name}-pool`,
      poolPath: lab.storagePoolPath,
      volumeName: baseVolumeName(lab.name),
      source: lab.image.source,
    });

    const shared = {
      domainType: lab.domainType,
      poolName: this.image.pool.name,
      baseVolumeId: this.image.volume.id,
      network: this.network.attachment,
    };
    const consoleLogFile = (vm: { domainName: string }) =>
      consoleLogDir ? path.join(consoleLogDir, `${vm.domainName}.log`) : undefined;

    const directors = new Construct(this, 'Directors');
    this.directors = lab.directors.map(
      (director) =>
        new LvsDirector(directors, director.name, {
          ...shared,
          vm: director,
          networkInterface: staticInterface(lab, director),
          userData: directorUserDataModel(lab, director),
          consoleLogFile: consoleLogFile(director),
        }),
    );
    const realServers = new Construct(this, 'RealServers');
    this.realServers = lab.realServers.map(
      (realServer) =>
        new RealServer(realServers, realServer.name, {
          ...shared,
          vm: realServer,
          networkInterface: staticInterface(lab, realServer),
          userData: realServerUserDataModel(lab, realServer),
          consoleLogFile: consoleLogFile(realServer),
        }),
    );
  }
}

/** The lab of the props: the resolved lab as given, or the config resolved (validated) here. */
function resolvedLabOf(props: LvsDrClusterProps | LvsDrClusterResolvedProps): ResolvedLab {
  if ('resolvedLab' in props) return props.resolvedLab;
  const { consoleLogDir: _consoleLogDir, ...config } = props;
  return resolveLabConfig(config);
}
