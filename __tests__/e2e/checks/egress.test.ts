import { judgeEgress } from '../../../e2e/checks/egress';
import { featureLab, recorded } from './recorded';

// egress.txt: `tcpdump -nn -r egress.pcap` of the feature lab (bridge network, router 10.77.0.1 to the stand-in 203.0.113.1).
const egress = recorded('egress.txt');

describe('judgeEgress', () => {
  test("the run's capture: only the stand-in's name asked of the lab's DNS, only its address reached", () => {
    const lab = featureLab();
    expect(judgeEgress(lab, ['images.lvs-lab.test'], '203.0.113.1', egress)).toMatch(/; DNS: A images\.lvs-lab\.test \(\d+×\)/);
  });

  test('a name the config does not point at is a stray, with its count', () => {
    expect(() => judgeEgress(featureLab(), ['apt.lvs-lab.test'], '203.0.113.1', egress)).toThrow(/traffic to elsewhere: 10\.77\.0\.\d+ asked for images\.lvs-lab\.test \(\d+×\)/);
  });
});
