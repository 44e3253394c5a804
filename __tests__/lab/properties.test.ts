import * as fc from 'fast-check';
import {
  renderDirectorUserData, renderKeepalivedConf, renderNetworkConfig, renderNotifyScript, renderRealServerUserData,
} from '../../cloud-init';
import { networkConfig } from '../../cloud-init/network-config';
import { DEFAULT_NOTIFY_SCRIPT_PATH, NOTIFY_LOG_FILE } from '../../cloud-init/paths';
import { directorCloudConfig, realServerCloudConfig } from '../../cloud-init/user-data';
import {
  directorKeepalivedModel, directorUserDataModel, realServerUserDataModel, resolveLabConfig, staticInterface, validateLabConfig, type LabConfig,
} from '../../lab';
import { cloudInitSchemaAll, keepalivedConfigTestAll, shellcheckAll, type ToolVerdict } from '../helpers/batch';
import { roundTripFailures } from '../helpers/round-trip';
import { brokenLab, validLab } from '../helpers/lab-arbitraries';
import { RELEASES } from '../helpers/debian-release';
import { NetnsSandbox } from '../helpers/netns';
import { requireTool } from '../helpers/tools';

/*
 * Every value the schema accepts renders files the real tools accept, and every broken lab is
 * rejected by the rule and at the field that it breaks. LAB_PBT_SEED replays a run (the seed
 * is in every failure message); LAB_PBT_RUNS changes the number of labs given to the tools.
 */
const seed = Number(process.env.LAB_PBT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const toolRuns = Number(process.env.LAB_PBT_RUNS ?? 200);
const replay = `(replay with LAB_PBT_SEED=${seed})`;

describe('property: generated valid labs', () => {
  test('are valid for the lab rules', () => {
    fc.assert(fc.property(validLab, (lab) => expect(validateLabConfig(lab)).toEqual([])), { seed, numRuns: 300 });
  });
});

describe(`property: ${toolRuns} generated valid labs pass the real tools ${replay}`, () => {
  const labs = fc.sample(validLab, { seed, numRuns: toolRuns });
  const resolved = labs.map((lab) => resolveLabConfig(lab));
  /** The rendered files, each with the lab (index) it came from. */
  const confs = resolved.flatMap((lab, i) => lab.directors.map((d) => ({ lab: i, text: renderKeepalivedConf(directorKeepalivedModel(lab, d)) })));
  const userData = resolved.flatMap((lab, i) => [
    ...lab.directors.map((d) => directorUserDataModel(lab, d)).map((m) => ({ lab: i, text: renderDirectorUserData(m), object: directorCloudConfig(m) })),
    ...lab.realServers.map((rs) => realServerUserDataModel(lab, rs)).map((m) => ({ lab: i, text: renderRealServerUserData(m), object: realServerCloudConfig(m) })),
  ]);
  const networkConfigs = resolved.flatMap((lab, i) => [...lab.directors, ...lab.realServers]
    .map((vm) => staticInterface(lab, vm)).map((iface) => ({ lab: i, text: renderNetworkConfig(iface), object: networkConfig(iface) })));

  /** The labs whose files the tool refused, with the first refusal of each. */
  function refusals(files: readonly { lab: number }[], verdicts: readonly ToolVerdict[]): string[] {
    const seen = new Set<number>();
    return verdicts.flatMap((verdict, i) => {
      const lab = files[i].lab;
      if (verdict.status === 0 || seen.has(lab)) return [];
      seen.add(lab);
      return [`lab ${lab} ${JSON.stringify(labs[lab] as LabConfig)}\n${verdict.output}`];
    });
  }

  test.each(RELEASES)('every director keepalived.conf passes Debian %i\'s keepalived --config-test', (release) => {
    requireTool('keepalived', 'keepalived');
    const ns = NetnsSandbox.create('pbt', [{ name: 'lab0' }]);
    try {
      const notify = { path: DEFAULT_NOTIFY_SCRIPT_PATH, content: renderNotifyScript({ logFile: NOTIFY_LOG_FILE }) };
      expect(refusals(confs, keepalivedConfigTestAll(ns, confs.map((c) => c.text), notify, release))).toEqual([]);
    } finally {
      ns.destroy();
    }
  });

  describe('cloud-init and shellcheck', () => {
    let verdicts: ReturnType<typeof cloudInitSchemaAll>;
    beforeAll(() => {
      // Each user-data judged by the cloud-init of its lab's release, in the order rendered.
      const byRelease = new Map(RELEASES.map((release) => {
        const mine = userData.flatMap((u, i) => (resolved[u.lab].image.release === release ? [i] : []));
        return [release, { indexes: mine, verdicts: cloudInitSchemaAll(mine.map((i) => userData[i].text), release) }] as const;
      }));
      verdicts = userData.map((u, i) => {
        const own = byRelease.get(resolved[u.lab].image.release)!;
        return own.verdicts[own.indexes.indexOf(i)];
      });
    });

    test('every user-data and network-config is read back by cloud-init\'s YAML loader as exactly the object rendered', () => {
      const label = (d: { lab: number }) => `lab ${d.lab} ${JSON.stringify(labs[d.lab])}`;
      // The user-data as the schema batch already loaded it; the network-configs in one more batch.
      expect(roundTripFailures(userData.map((d) => ({ ...d, label: label(d) })), verdicts.map((v) => v.loaded))).toEqual([]);
      expect(roundTripFailures(networkConfigs.map((d) => ({ ...d, label: label(d) })))).toEqual([]);
    });

    test('every user-data passes cloud-init schema', () => {
      expect(refusals(userData, verdicts)).toEqual([]);
    });

    test('every script (write_files scripts and the runcmd script cloud-init writes) passes shellcheck', () => {
      const scripts = new Map<string, { lab: number; content: string; shell?: 'sh' }>();
      verdicts.forEach((verdict, i) => {
        const lab = userData[i].lab;
        for (const script of verdict.scripts) if (!scripts.has(script.content)) scripts.set(script.content, { lab, content: script.content });
        if (!scripts.has(verdict.runcmd)) scripts.set(verdict.runcmd, { lab, content: verdict.runcmd, shell: 'sh' });
      });
      const unique = [...scripts.values()];
      expect(unique.length).toBeGreaterThan(1);
      expect(refusals(unique, shellcheckAll(unique))).toEqual([]);
    });
  });
});

describe(`property: generated broken labs are rejected by the rule and at the field they break ${replay}`, () => {
  test('each breakage is reported with its rule id and path', () => {
    fc.assert(
      fc.property(brokenLab, (broken) => {
        const ids = validateLabConfig(broken.config).map((p) => `${p.rule} ${p.path}`);
        expect(ids).toContain(`${broken.rule} ${broken.path}`);
      }),
      { seed, numRuns: 300 },
    );
  });
});
