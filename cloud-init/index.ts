/** Pure renderers that turn the resolved lab model into guest files (no cdktf imports). */
export * from './model';
export * from './paths';
export * from './keepalived-conf';
export * from './notify-script';
export * from './real-server';
export * from './web-service';
export * from './network-config';
export * from './nftables-conf';
export * from './user-data';
export { toCloudInitYaml } from './yaml-text';
export * from './meta-data';
export * from './seed-iso';
