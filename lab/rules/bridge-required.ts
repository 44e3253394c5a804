import { type LabRule, section } from './read';

/** `network.bridge` is required in bridge mode. */
export const bridgeRequiredRule: LabRule = {
  id: 'bridge-required',
  check: ({ lab }, report) => {
    const network = section(lab.network);
    if (network.mode === 'bridge' && network.bridge === undefined) {
      report('network.bridge', undefined, 'the name of an existing host bridge such as br0', 'required when network.mode is bridge');
    }
  },
};
