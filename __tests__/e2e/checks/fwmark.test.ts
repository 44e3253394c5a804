import { judgeMarking } from '../../../e2e/checks/fwmark';
import { renderNftablesConf } from '../../../cloud-init/nftables-conf';
import { directorUserDataModel, type ResolvedLab } from '../../../lab';
import { NetnsSandbox } from '../../helpers/netns';
import { requireTool } from '../../helpers/tools';
import { featureLab } from './recorded';

/*
 * The check reads `systemctl is-enabled nftables.service; sudo nft list table ip lvs_lab` on each
 * director. Here the table is what the real nft prints for the feature lab's rendered
 * /etc/nftables.conf, loaded into a throwaway network namespace; `enabled` is systemctl's word.
 */
describe('judgeMarking', () => {
  let ns: NetnsSandbox;
  let lab: ResolvedLab;
  let listed: string;
  beforeAll(() => {
    // GIVEN the feature lab's ruleset as nft lists it after loading it
    requireTool('nft', 'nftables');
    lab = featureLab();
    const rules = directorUserDataModel(lab, lab.directors[0]).firewallMarks!;
    ns = NetnsSandbox.create('fwmark');
    const load = ns.run(['nft', '-f', '-'], { input: renderNftablesConf(rules) });
    expect(load.stderr).toBe('');
    const list = ns.run(['nft', 'list', 'table', 'ip', 'lvs_lab']);
    expect(list.status).toBe(0);
    listed = list.stdout;
  });
  afterAll(() => ns?.destroy());

  const marked = () => lab.services.filter((s) => s.fwmark !== undefined && !s.vip.includes(':'));

  test('passes on an enabled service whose table marks the VIP on every port of the service', () => {
    expect(marked().length).toBeGreaterThan(0);
    for (const s of marked()) expect(() => judgeMarking(s, 'lb-a', `enabled\n${listed}`)).not.toThrow();
  });

  test('fails naming the director when nftables.service is not enabled', () => {
    const s = marked()[0];
    expect(() => judgeMarking(s, 'lb-a', `disabled\n${listed}`)).toThrow(/^lb-a: nftables\.service is not enabled/);
  });

  test('fails when the table marks other ports or another mark', () => {
    const s = marked()[0];
    expect(() => judgeMarking({ ...s, ports: [...s.ports, 9999] }, 'lb-b', `enabled\n${listed}`)).toThrow(/^lb-b: no rule marking .* with \d+ in table ip lvs_lab/);
    expect(() => judgeMarking({ ...s, fwmark: s.fwmark! + 1 }, 'lb-b', `enabled\n${listed}`)).toThrow(/no rule marking/);
  });
});
