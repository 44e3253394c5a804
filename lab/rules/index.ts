/**
 * The rules that tie fields together, one concern each (cdk-nag style): each has a stable id,
 * is pure and reports through `report`. The field checks (types, bounds, forms, unknown keys)
 * come from the schema (`check-schema.ts`), so a rule only looks at values of the right type:
 * whatever else is wrong was reported there.
 *
 * Rules see the config with the schema's defaults applied (`lab`), so cross-field rules also
 * see the values the lab would really get (e.g. the default directors vs. a user's cidr), and
 * the config as written (`raw`), for what the user gave.
 *
 * One rule per file, named by its id (`<id>.ts`); the lenient readers the rules share are in
 * read.ts (read6.ts for the dual-stack ones, packages.ts for the first-boot package sources).
 */
import type { Report } from '../check-schema';
import type { LabRule, RuleInput } from './read';
import { libvirtUriRule } from './libvirt-uri';
import { storagePoolPathRule } from './storage-pool-path';
import { cidrRule } from './cidr';
import { bridgeRequiredRule } from './bridge-required';
import { addressInSubnetRule } from './address-in-subnet';
import { natGatewayRule } from './nat-gateway';
import { imageReleaseRule } from './image-release';
import { packagesNeedMirrorRule } from './packages-need-mirror';
import { packagesRouteRule } from './packages-route';
import { packagesResolverRule } from './packages-resolver';
import { sshUserReservedRule } from './ssh-user-reserved';
import { sshKeyRule } from './ssh-key';
import { advertIntervalRule } from './advert-interval';
import { authPassVersionRule } from './auth-pass-version';
import { fastFailoverRule } from './fast-failover';
import { trackScriptRule } from './track-script';
import { vmNameLengthRule } from './vm-name-length';
import { uniqueNamesRule } from './unique-names';
import { uniqueAddressesRule } from './unique-addresses';
import { uniquePriorityRule } from './unique-priority';
import { servicePortsRule } from './service-ports';
import { fwmarkRule } from './fwmark';
import { tlsPortsRule } from './tls-ports';
import { healthCheckRule } from './health-check';
import { reservedPortRule } from './reserved-port';
import { dhWeightZeroRule } from './dh-weight-zero';
import { sorryServerRule } from './sorry-server';
import { quorumRule } from './quorum';
import { miscCheckRule } from './misc-check';
import { keepalivedLineRule } from './keepalived-line';
import { serviceMembersRule } from './service-members';
import { serviceWeightRule } from './service-weight';
import { uniqueServicesRule } from './unique-services';
import { realServerPortRule } from './real-server-port';
import { macCollisionRule } from './mac-collision';
import { ipv6CidrRule } from './ipv6-cidr';
import { ipv6BridgeOnlyRule } from './ipv6-bridge-only';
import { ipv6NeedsCidrRule } from './ipv6-needs-cidr';
import { address6InPrefixRule } from './address6-in-prefix';
import { uniqueAddresses6Rule } from './unique-addresses6';
import { ipv6VipVersionRule } from './ipv6-vip-version';
import { uniqueServices6Rule } from './unique-services6';
import { ipv6ServiceOptionsRule } from './ipv6-service-options';

export type { LabRule, RuleInput, RuleReport } from './read';
export { isReservedUser } from './ssh-user-reserved';
export { isOpenSshPublicKey } from './ssh-key';

/** The dual-stack rules, run after LAB_RULES' own. */
export const IPV6_RULES: readonly LabRule[] = [
  ipv6CidrRule, ipv6BridgeOnlyRule, ipv6NeedsCidrRule, address6InPrefixRule, uniqueAddresses6Rule, ipv6VipVersionRule, uniqueServices6Rule,
  ipv6ServiceOptionsRule,
];

/** Every cross-field rule, in the order problems are listed (after the field problems). */
export const LAB_RULES: readonly LabRule[] = [
  libvirtUriRule, storagePoolPathRule, cidrRule, bridgeRequiredRule, addressInSubnetRule, natGatewayRule, imageReleaseRule, packagesNeedMirrorRule,
  packagesRouteRule, packagesResolverRule,
  sshUserReservedRule, sshKeyRule, advertIntervalRule, authPassVersionRule, fastFailoverRule, trackScriptRule,
  vmNameLengthRule, uniqueNamesRule, uniqueAddressesRule, uniquePriorityRule,
  servicePortsRule, fwmarkRule, tlsPortsRule, healthCheckRule, reservedPortRule, dhWeightZeroRule, sorryServerRule, quorumRule, miscCheckRule, keepalivedLineRule,
  serviceMembersRule, serviceWeightRule, uniqueServicesRule, realServerPortRule, macCollisionRule,
  ...IPV6_RULES,
];

/** Runs every rule, reporting with each rule's id. */
export function runRules(input: RuleInput, report: Report): void {
  for (const rule of LAB_RULES) rule.check(input, (path, value, allowed, why) => report(rule.id, path, value, allowed, why));
}
