import { POOL_DIRECTORY_ALLOWED, POOL_DIRECTORY_WHY, systemDirectoryReason } from '../pool-directory';
import { LabSchema } from '../schema';
import { type LabRule } from './read';

const POOL_PATH_PATTERN = new RegExp(LabSchema.properties.storagePoolPath.pattern as string, 'u');

/**
 * `storagePoolPath`: a directory of the lab's own, never a system or shared directory of the host
 * (the state of the directory itself is checked when the stack is synthesized: pool-directory.ts).
 */
export const storagePoolPathRule: LabRule = {
  id: 'storage-pool-path',
  check: ({ lab }, report) => {
    const path = lab.storagePoolPath;
    if (typeof path !== 'string' || !POOL_PATH_PATTERN.test(path)) return; // malformed: a schema problem
    const reason = systemDirectoryReason(path);
    if (reason) report('storagePoolPath', path, POOL_DIRECTORY_ALLOWED, `${reason}; ${POOL_DIRECTORY_WHY}`);
  },
};
