/** lvs-dr-lab: the constructs (LvsDrCluster, LvsDrLabStack, ...) and the pure cloud-init renderers. */
export * from './constructs';
export * from './cloud-init';
