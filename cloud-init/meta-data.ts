import { toCloudInitYaml } from './yaml-text';

export interface MetaDataModel {
  /** Changing it makes cloud-init treat the VM as new and run every per-instance module again. */
  readonly instanceId: string;
  readonly hostname: string;
}

/** NoCloud meta-data. */
export function renderMetaData(model: MetaDataModel): string {
  return toCloudInitYaml({ 'instance-id': model.instanceId, 'local-hostname': model.hostname });
}
