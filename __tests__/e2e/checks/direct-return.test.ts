import { judgeReplyMacs } from '../../../e2e/checks/direct-return';
import { featureLab, recorded } from './recorded';

/*
 * client-replies.txt: `tcpdump -nn -e -tt -r client.pcap 'not arp'` of the feature lab, every
 * 200th line and every frame from lb-b (52:54:00:ec:a9:82), whose sorry site answered from the VIP
 * at first boot, before the lab was ready.
 */
const lines = recorded('client-replies.txt');
const lastFromDirector = Math.max(...lines.split('\n').filter((l) => l.includes(' 52:54:00:ec:a9:82 > ')).map((l) => Number(l.split(' ')[0])));

describe('judgeReplyMacs', () => {
  test('from readiness on, every reply from the VIP carries a real server MAC: frames per server', () => {
    expect(judgeReplyMacs(featureLab(), lines, lastFromDirector + 0.001)).toMatch(/^\d+ frames from web-2, \d+ frames from web-1$/);
  });

  test("counted from the capture's start, the sorry site's frames fail it, naming the director's MAC", () => {
    expect(() => judgeReplyMacs(featureLab(), lines, 0)).toThrow('replies from the VIP carried director MACs: 52:54:00:ec:a9:82');
  });

  test('fails when nothing was captured after readiness', () => {
    expect(() => judgeReplyMacs(featureLab(), lines, Number.POSITIVE_INFINITY, 'reading from file client.pcap')).toThrow('no reply from the VIP captured (reading from file client.pcap)');
  });
});
