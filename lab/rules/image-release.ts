import { DEBIAN_RELEASE_FACTS, releaseNamedBy } from '../../cloud-init/debian-release';
import { type LabRule, section } from './read';

/**
 * `image.release` agrees with the release `image.source` names (a Debian image file
 * `debian-<N>-…` or a `/<codename>/` directory): the VMs' apt suites and cloud-init input follow
 * `image.release`, and a Debian 12 image told it runs 13 would get suites and network-config its
 * cloud-init cannot use.
 */
export const imageReleaseRule: LabRule = {
  id: 'image-release',
  check: ({ raw }, report) => {
    const { release, source } = section(raw.image);
    if ((release !== 12 && release !== 13) || typeof source !== 'string') return;
    const named = releaseNamedBy(source);
    if (named === undefined || named === release) return;
    report('image.release', release, `${named} (the release image.source names), or leave image.release out`,
      `image.source ${source} is Debian ${named} (${DEBIAN_RELEASE_FACTS[named].codename}); the VMs' apt suites and cloud-init input follow image.release`);
  },
};
