import { advertisersOf } from '../../../e2e/checks/ipv6-service';
import { recorded } from './recorded';

// ndp.txt: `tcpdump -e -nn -r ndp-*.pcap` (neighbour advertisements at the client) of the feature lab.
describe('advertisersOf', () => {
  test("the run's advertisements for the IPv6 VIP came from the MASTER lb-a only", () => {
    expect(advertisersOf(recorded('ndp.txt'), 'fd77::80')).toEqual(['52:54:00:e9:47:ec', '52:54:00:e9:47:ec', '52:54:00:e9:47:ec']);
  });
  test('another target is not counted', () => {
    expect(advertisersOf(recorded('ndp.txt'), 'fd77::8')).toEqual([]);
  });
});
