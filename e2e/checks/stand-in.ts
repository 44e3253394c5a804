/**
 * The world the config points at: the internet stand-in (the image URL, the package mirrors, DNS
 * for their names), in bridge mode the host LAN, and a capture of every packet a lab address sends
 * off its subnet and every DNS query, for the whole run (e2e/checks/egress.ts reads it).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeLan } from '../lan-of-lab';
import { siblingSites } from '../cdktf';
import { type E2eCheck, expect } from '../context';
import { attachInternet, startInternet } from '../internet';

export const egressPcap = (runDir: string) => path.join(runDir, 'egress.pcap');

export const standIn: E2eCheck = {
  id: 'stand-in',
  gate: true,
  appliesTo: () => true,
  name: () => 'the sandbox stands in for what the config points at',
  run(ctx) {
    const { settings, lab, sites, ownHosts, state } = ctx;
    const shared = settings.sharedInternet;
    if (shared) {
      state.internet = attachInternet(shared);
      const missing = ownHosts.filter((h) => !state.internet!.hosts.includes(h));
      expect(missing.length === 0, `the sandbox's stand-in (${shared}) does not answer for ${missing.join(', ')}`);
    } else {
      const sshPublicKey = fs.readFileSync(`${settings.sshKey}.pub`, 'utf8').trim();
      const repoKey = fs.readFileSync(path.join(settings.repo, 'archive-key.asc'), 'utf8');
      const all = [...sites, ...siblingSites(settings, sshPublicKey, repoKey).filter((x) => !sites.some((y) => y.url === x.url))];
      state.internet = startInternet({ wanNs: settings.wanNs, wanIp: settings.wanIp, dir: path.join(settings.runDir, 'internet'), sites: all });
    }
    if (lab.network.mode === 'bridge') makeLan(ctx, lab.network.bridge!);
    // Every packet a lab address sends off its subnet, and every DNS query, for the whole run.
    const net = `${lab.network.networkAddress}/${lab.network.prefixLength}`;
    state.processes.push(spawn('ip', ['netns', 'exec', settings.ns, 'tcpdump', '-i', 'any', '-nn', '-s', '512', '-U', '-w', egressPcap(settings.runDir),
      `ip and src net ${net} and ((not dst net ${net} and not dst net 224.0.0.0/4 and not dst host 255.255.255.255) or port 53)`], {
      stdio: ['ignore', 'ignore', fs.openSync(path.join(settings.logDir, 'egress-tcpdump.log'), 'w')],
    }));
    return `${sites.map((x) => x.url).join(', ') || 'nothing to stand in for'}; DNS for ${ownHosts.join(', ') || 'no name'}` +
      (shared ? ' (the stand-in of the lab beside it)' : '') +
      (lab.network.mode === 'bridge' ? `; host bridge ${lab.network.bridge}${lab.network.gateway ? ` with a router at ${lab.network.gateway}` : ''}` : '');
  },
};
