import { judgeIpvsTable } from '../../../e2e/checks/ipvs-table';
import { resolveLabConfig } from '../../../lab';
import { ipvsTable } from '../../../ops/ipvs';
import { ipvsadmList } from '../../helpers/ops-output';

// `ipvsadm -Ln` of the default lab's MASTER, in ipvsadm 1.31's format (helpers/ops-output.ts).
const lab = resolveLabConfig({});
const table = (forward: 'Route' | 'Masq', weight = 100) => ipvsTable(ipvsadmList([{ protocol: 'TCP', vip: '192.168.20.140', port: 80, scheduler: 'wrr', rows: [
  { address: '192.168.20.143', port: 80, weight, forward }, { address: '192.168.20.144', port: 80, weight: 100, forward },
] }]));

describe('judgeIpvsTable', () => {
  test('every real server by DR with its weight', () => {
    expect(judgeIpvsTable(lab, table('Route'))).toBe('192.168.20.143:80 Route w100, 192.168.20.144:80 Route w100');
  });
  test('NAT forwarding fails naming the server', () => {
    expect(() => judgeIpvsTable(lab, table('Masq'))).toThrow('192.168.20.143 forwarded by Masq, expected Route (DR)');
  });
  test('a wrong weight fails', () => {
    expect(() => judgeIpvsTable(lab, table('Route', 3))).toThrow('192.168.20.143 weight 3, expected 100');
  });
});
