import { type LabRule, section } from './read';

/** `packages.securityMirror` and `packages.signingKey` only with `packages.mirror`. */
export const packagesNeedMirrorRule: LabRule = {
  id: 'packages-need-mirror',
  check: ({ lab }, report) => {
    const { mirror, securityMirror, signingKey } = section(lab.packages);
    if (mirror !== undefined) return;
    if (typeof securityMirror === 'string') {
      report('packages.securityMirror', securityMirror, 'no securityMirror without a mirror', 'set packages.mirror too, or the image keeps Debian\'s own archive beside this one');
    }
    if (typeof signingKey === 'string') {
      report('packages.signingKey', '-----BEGIN PGP PUBLIC KEY BLOCK----- …', 'no signingKey without a mirror', 'the key is trusted for packages.mirror only');
    }
  },
};
