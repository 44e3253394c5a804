/**
 * The client joins the lab segment: an address at the top of the subnet (and more source
 * addresses for the hash schedulers), on a dual-stack lab an IPv6 one beside each; then a capture
 * of ARP and the services' replies at the client for the whole run (headers only).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type E2eCheck, type E2eStep, expect } from '../context';

/** The client's capture of ARP and the replies from the VIPs. */
export const clientPcap = (runDir: string) => path.join(runDir, 'client.pcap');

export const clientJoins: E2eCheck = {
  id: 'client-joins',
  appliesTo: () => true,
  name: () => 'the client joins the lab segment',
  run({ settings, sb, lab, client }) {
    const prefix = lab.network.prefixLength;
    let bridge = lab.network.bridge;
    if (lab.network.mode !== 'bridge') {
      const info = sb.virsh('net-info', `${lab.name}-net`);
      bridge = /Bridge:\s+(\S+)/.exec(info.stdout)?.[1];
      expect(bridge !== undefined, `no bridge for network ${lab.name}-net: ${info.stdout}${info.stderr}`);
    }
    const r = sb.sandboxScript('attach-client', [bridge!, `${client.ip}/${prefix}`, ...(settings.clientSuffix ? [settings.clientSuffix] : [])]);
    expect(r.status === 0, `attach-client failed: ${r.stderr}`);
    for (const ip of client.extra) sb.client(['ip', 'addr', 'add', `${ip}/${prefix}`, 'dev', 'eth0']);
    // On a dual-stack lab the client has an IPv6 address of the lab prefix for each IPv4 one.
    for (const ip of client.v6) {
      const a = sb.client(['ip', '-6', 'addr', 'add', `${ip}/${lab.network.ipv6!.prefixLength}`, 'dev', 'eth0', 'nodad']);
      expect(a.status === 0, `ip -6 addr add ${ip}: ${a.stderr}`);
    }
    return `client ${client.ip} (+${client.extra.length} source addresses)${client.v6.length ? `, ${client.v6[0]} (+${client.v6.length - 1})` : ''} on ${bridge}`;
  },
};

export const clientCapture: E2eStep = {
  step: 'capture ARP and the replies from the VIPs at the client',
  appliesTo: () => true,
  run({ settings, tcpServices, state }) {
    const filter = `arp or (${tcpServices.map((s) => `(src host ${s.vip} and src port ${s.port})`).join(' or ')})`;
    state.processes.push(spawn('ip', ['netns', 'exec', settings.clientNs, 'tcpdump', '-i', 'eth0', '-nn', '-s', '128', '-U', '-w', clientPcap(settings.runDir), filter], {
      stdio: ['ignore', 'ignore', fs.openSync(path.join(settings.logDir, 'tcpdump.log'), 'w')],
    }));
  },
};
