import { judgeRouteAndDns } from '../../../e2e/checks/egress';
import { featureLab, recorded } from './recorded';

// route-dns.txt: the check's command on a real server of a matrix run's feature lab (bridge
// network, router and DNS at 10.77.0.1, the stand-in at 203.0.113.1):
// `ip -4 route show default; getent ahostsv4 images.lvs-lab.test | head -n 1; curl … http://images.lvs-lab.test/`
const out = recorded('route-dns.txt');

describe('judgeRouteAndDns', () => {
  test("the run's output: a default route via the gateway, the name resolved to the stand-in, an HTTP answer", () => {
    expect(judgeRouteAndDns(featureLab(), 'web-2', 'images.lvs-lab.test', '203.0.113.1', out))
      .toBe('web-2: default via 10.77.0.1, images.lvs-lab.test resolves through 10.77.0.1 and answers (HTTP 404)');
  });

  test('no default route via the gateway, a name resolved elsewhere, or no HTTP answer each fail naming what is missing', () => {
    const lab = featureLab();
    expect(() => judgeRouteAndDns(lab, 'web-2', 'images.lvs-lab.test', '203.0.113.1', out.replace('default via 10.77.0.1', 'default via 10.77.0.254')))
      .toThrow(/^web-2 has no default route via 10\.77\.0\.1/);
    expect(() => judgeRouteAndDns(lab, 'web-2', 'images.lvs-lab.test', '198.51.100.7', out)).toThrow(/did not resolve images\.lvs-lab\.test to 198\.51\.100\.7/);
    expect(() => judgeRouteAndDns(lab, 'web-2', 'images.lvs-lab.test', '203.0.113.1', out.replace('HTTP 404', 'curl: (28) Connection timed out')))
      .toThrow(/got no HTTP answer from images\.lvs-lab\.test/);
  });
});
