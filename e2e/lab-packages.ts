/**
 * The Debian packages the given labs' VMs install at first boot, as their rendered cloud-configs
 * list them: what the e2e sandbox's package repository must hold for those labs. A lab with
 * firewall-mark or TLS services needs nftables or openssl beside keepalived, ipvsadm and nginx;
 * a fixed list would leave such a lab unable to install (`Unable to locate package nftables`).
 * A preinstalled lab's VMs install nothing, but are counted as if they did: its image holds the
 * same packages, and the repository then serves whichever image a config names.
 *
 *   node -r ts-node/register/transpile-only e2e/lab-packages.ts [LAB.yaml ...]   (none: the reference lab)
 *
 * prints one line per Debian release the labs' images run (newest first): the release, then the
 * packages its labs install, e.g. `13 ipvsadm keepalived nginx` — the images and the suites of
 * the repository e2e/run.sh builds for them.
 */
import { directorCloudConfig, realServerCloudConfig } from '../cloud-init/user-data';
import { directorUserDataModel, loadLab, realServerUserDataModel, resolveLabConfig, type ResolvedLab } from '../lab';

/** The packages every VM of `lab` installs at first boot (preinstalled or not), sorted, each once. */
export function labPackages(lab: ResolvedLab): string[] {
  const lists = [
    ...lab.directors.map((d) => directorCloudConfig({ ...directorUserDataModel(lab, d), preinstalled: false }).packages),
    ...lab.realServers.map((r) => realServerCloudConfig({ ...realServerUserDataModel(lab, r), preinstalled: false }).packages),
  ];
  return [...new Set(lists.flatMap((l) => (l ?? []) as string[]))].sort();
}

/** `release package...` lines: for each release the labs run (newest first), the packages its labs install. */
export function releasePackageLines(labs: readonly ResolvedLab[]): string[] {
  const releases = [...new Set(labs.map((lab) => lab.image.release))].sort((a, b) => b - a);
  return releases.map((release) => {
    const packages = new Set(labs.filter((lab) => lab.image.release === release).flatMap(labPackages));
    return [release, ...[...packages].sort()].join(' ');
  });
}

if (require.main === module) {
  const files = process.argv.slice(2);
  const labs = files.length > 0 ? files.map((f) => loadLab(f).lab) : [resolveLabConfig({})];
  process.stdout.write(releasePackageLines(labs).map((line) => `${line}\n`).join(''));
}
