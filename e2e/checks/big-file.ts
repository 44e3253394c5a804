/** Every real server serves a large file, for the long-transfer checks. */
import { WEB_ROOT } from '../../cloud-init/paths';
import { type E2eCheck, expect } from '../context';

export const BIG_FILE_MIB = 16;

export const bigFile: E2eCheck = {
  id: 'big-file',
  appliesTo: () => true,
  name: () => `every real server serves a ${BIG_FILE_MIB} MiB file for the long-transfer checks`,
  run({ sb, lab }) {
    for (const rs of lab.realServers) {
      const r = sb.ssh(lab.ssh.user, rs.address, `sudo sh -c 'head -c ${BIG_FILE_MIB}M /dev/zero > ${WEB_ROOT}/big.bin'`, 60);
      expect(r.status === 0, `could not create ${WEB_ROOT}/big.bin on ${rs.name}: ${r.stderr}`);
    }
    return `${WEB_ROOT}/big.bin on ${lab.realServers.length} real servers`;
  },
};
