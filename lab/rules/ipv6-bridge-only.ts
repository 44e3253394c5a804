import { NETWORK_MODES, type NetworkMode } from '../schema';
import { type LabRule, section } from './read';

/** `network.ipv6Cidr` only with `network.mode: bridge`, for now. */
export const ipv6BridgeOnlyRule: LabRule = {
  id: 'ipv6-bridge-only',
  check: ({ lab, raw }, report) => {
    const network = section(lab.network);
    const cidr = section(raw.network).ipv6Cidr;
    if (typeof cidr !== 'string' || network.mode === 'bridge' || !NETWORK_MODES.includes(network.mode as NetworkMode)) return;
    report('network.ipv6Cidr', cidr, `no ipv6Cidr with network.mode ${String(network.mode)} (dual stack is supported with network.mode bridge only, for now)`,
      `libvirt's ${String(network.mode)} network would need an IPv6 address and routing of its own, which the lab does not configure yet`);
  },
};
