// The lab domain (config schema, rules, resolve, load), re-exported for the app and the e2e harness.
export * from '../lab';
export * from './lab-network';
export * from './base-image';
export * from './lab-vm';
export * from './terraform-literal';
export * from './lvs-director';
export * from './real-server';
export * from './lvs-dr-cluster';
export * from './lvs-dr-lab-stack';
