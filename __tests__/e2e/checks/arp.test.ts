import { arpRepliesIn, arpingReplies, judgeNoRealServerReply } from '../../../e2e/checks/arp';
import { featureLab, recorded } from './recorded';

// client-arp-replies.txt: the Reply lines of `tcpdump -nn -r client.pcap arp` of the feature lab's run.
const replies = recorded('client-arp-replies.txt');

describe('ARP replies for the VIPs', () => {
  test("the run's capture: replies for 10.77.0.10 came from the directors only (lb-a, then lb-b after the failover)", () => {
    const macs = arpRepliesIn(replies, ['10.77.0.10']);
    expect(macs.length).toBe(103);
    expect(new Set(macs)).toEqual(new Set(['52:54:00:e9:47:ec', '52:54:00:ec:a9:82']));
    expect(judgeNoRealServerReply(featureLab(), macs, 'captured at all')).toEqual([]);
  });

  test("a real server's reply for a VIP is picked out (web-1 answering for 10.77.0.21 is its own address, not a VIP)", () => {
    expect(arpRepliesIn(replies, ['10.77.0.21'])).toEqual(['52:54:00:e6:a7:d4']);
    expect(judgeNoRealServerReply(featureLab(), arpRepliesIn(replies, ['10.77.0.21']), 'captured at all')).toEqual(['52:54:00:e6:a7:d4']);
  });

  test('no reply at all fails, saying where', () => {
    expect(() => judgeNoRealServerReply(featureLab(), arpRepliesIn(replies, ['10.77.0.99']), 'captured at all')).toThrow('no ARP reply for the VIP captured at all');
  });

  test("arping's reply lines (ARPing 2.23, the client's), one MAC per reply", () => {
    // arping.txt: `arping -c 3 -w 4 -I <dev> <address>` between two namespaces on this machine.
    expect(arpingReplies(recorded('arping.txt'))).toEqual(['62:27:6d:a1:47:0f', '62:27:6d:a1:47:0f', '62:27:6d:a1:47:0f']);
  });
});
