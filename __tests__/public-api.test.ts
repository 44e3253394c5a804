import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { LabSchema } from '../lab/schema';
import { compilerOptions, exportedNames, program, ROOT } from './helpers/typescript';

/*
 * The public surface, pinned: a name added to or removed from an entry point is a visible diff
 * here (and a promise to users, or a breaking change). Values and types apart: type-only exports
 * count. The package's subpaths (package.json `exports`) first, then the internal entry points
 * the app, the CLI and the e2e harness import (constructs/, ops/, doctor/).
 */
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** The TypeScript source of each subpath of the package (its `types`: ./dist/x.d.ts -> x.ts). */
const SUBPATHS: Record<string, string> = Object.fromEntries(
  Object.entries(pkg.exports as Record<string, string | { types: string }>)
    .filter((entry): entry is [string, { types: string }] => typeof entry[1] !== 'string')
    .map(([subpath, target]) => [subpath, target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')]),
);
const ENTRY_POINTS = [...Object.values(SUBPATHS), 'constructs/index.ts', 'ops/index.ts', 'doctor/index.ts'];

const SURFACE: Record<string, { values: string[]; types: string[] }> = {
  'index.ts': {
    values: [
      'BaseImage', 'DIRECTOR_PACKAGES', 'FILE_RULES', 'LAB_CONFIG_ENV', 'LAB_RULES', 'LabConfigError', 'LabNetwork', 'LabSchema', 'LabVm',
      'LvsDirector', 'LvsDrCluster', 'LvsDrLabStack', 'POOL_DIRECTORY_RULE', 'REAL_SERVER_PACKAGES', 'RealServer', 'SCHEMA_RULES',
      'directorKeepalivedModel', 'directorUserDataModel', 'formatIpv4', 'jsonSchema', 'labConfigFromEnv', 'labFromEnv', 'labMacAddress', 'loadLab', 'loadLabConfig',
      'noCloudSeedFiles', 'parseCidr', 'parseIpv4', 'parseLab', 'realServerUserDataModel', 'renderArpSysctl', 'renderDirectorUserData',
      'renderKeepalivedConf', 'renderMetaData', 'renderNetworkConfig', 'renderNginxSite', 'renderNotifyScript', 'renderRealServerScript',
      'renderRealServerUnit', 'renderRealServerUserData', 'renderSeedIso', 'renderVmSeed', 'resolveLabConfig', 'staticInterface', 'validateLabConfig',
      'validatePoolDirectory', 'vmDomainName',
    ],
    types: [
      'BaseImageProps', 'DirectorKeepalivedModel', 'DirectorUserDataModel', 'DomainType', 'HealthCheck', 'Ipv4Network', 'LabConfig',
      'LabDirectorConfig', 'LabHealthCheckConfig', 'LabImageConfig', 'LabMiscCheckConfig', 'LabNetworkConfig', 'LabNetworkProps',
      'LabNotificationConfig', 'LabPackagesConfig', 'LabParseResult', 'LabProblem', 'LabQuorumConfig', 'LabRealServerConfig', 'LabRule',
      'LabServiceConfig', 'LabSizesConfig', 'LabSshConfig', 'LabTrackScriptConfig', 'LabVmPlacementProps', 'LabVmProps', 'LabVmSize',
      'LabVrrpConfig', 'LoadedLab', 'LvsDirectorProps', 'LvsDrClusterProps', 'LvsDrClusterResolvedProps', 'LvsDrLabStackProps', 'NetworkAttachment', 'NetworkMode',
      'NotificationSettings', 'PackageSources', 'RealServerProps', 'RealServerUserDataModel', 'ResolvedDirector', 'ResolvedLab',
      'ResolvedNetwork', 'ResolvedRealServer', 'ResolvedService', 'ResolvedVm', 'Scheduler', 'ServiceProtocol', 'SshUser',
      'StaticInterface', 'VirtualService', 'VmSeed', 'VmSeedProps', 'VrrpInstanceModel', 'VrrpTransport',
    ],
  },
  'lab/index.ts': {
    values: [
      'DEBIAN_SECURITY_ARCHIVE', 'DEFAULT_AUTH_PASS', 'DOMAIN_TYPES', 'FILE_RULES', 'LAB_CONFIG_ENV', 'LAB_INTERFACE', 'LAB_RULES',
      'LabConfigError', 'LabSchema', 'NETWORK_MODES', 'POOL_DIRECTORY_RULE', 'SCHEMA_RULES', 'baseVolumeName', 'canonicalIpv6', 'defaultAddress6',
      'defaultDns', 'defaultGateway', 'defaultLabConfig', 'defaultSecurityMirror', 'defaultStoragePoolPath', 'describeValue',
      'directorKeepalivedModel', 'directorUserDataModel', 'formatIpv4', 'formatIpv6', 'isLabVolume', 'isOpenSshPublicKey', 'jsonSchema',
      'labConfigFromEnv', 'labFromEnv', 'labMacAddress', 'labVips', 'labVips6', 'loadLab', 'loadLabConfig', 'parseCidr', 'parseCidr6', 'parseIpv4', 'parseIpv6',
      'parseLab', 'realServerUserDataModel', 'resolveLabConfig', 'serviceFamily', 'servicesOf', 'staticInterface', 'validateLabConfig',
      'validatePoolDirectory', 'vmDomainName', 'vmVolumeNames', 'vrrpInstanceName', 'vrrpInstanceName6',
    ],
    types: [
      'DomainType', 'Ipv4Network', 'Ipv6Network', 'LabConfig', 'LabDirectorConfig', 'LabHealthCheckConfig', 'LabImageConfig',
      'LabMiscCheckConfig', 'LabNetworkConfig', 'LabNotificationConfig', 'LabPackagesConfig', 'LabParseResult', 'LabProblem',
      'LabQuorumConfig', 'LabRealServerConfig', 'LabRule', 'LabServiceConfig', 'LabSizesConfig', 'LabSshConfig', 'LabTrackScriptConfig',
      'LabVmSize', 'LabVrrpConfig', 'LoadedLab', 'NetworkMode', 'ResolvedDirector', 'ResolvedLab', 'ResolvedNetwork', 'ResolvedNetwork6',
      'ResolvedRealServer', 'ResolvedService', 'ResolvedVm',
    ],
  },
  'cloud-init/index.ts': {
    values: [
      'DIRECTOR_PACKAGES', 'HEALTH_CHECK_TYPES', 'REAL_SERVER_PACKAGES', 'SCHEDULERS', 'SERVICE_PROTOCOLS', 'VRRP_TRANSPORTS',
      'noCloudSeedFiles', 'renderArpSysctl', 'renderDirectorUserData', 'renderIpvsSysctl', 'renderKeepalivedConf', 'renderMetaData',
      'renderNetworkConfig', 'renderNftablesConf', 'renderNginxSite', 'renderNotifyScript', 'renderRealServerScript',
      'renderRealServerUnit', 'renderRealServerUserData', 'renderSeedIso', 'renderSorrySite',
    ],
    types: [
      'CheckTimings', 'CloudFile', 'DirectorKeepalivedModel', 'DirectorUserDataModel', 'FirewallMarkRule', 'HealthCheck',
      'HttpHealthCheck', 'HttpsHealthCheck', 'MetaDataModel', 'MiscCheckModel', 'NginxSiteOptions', 'NoHealthCheck',
      'NotificationSettings', 'NotifyScriptOptions', 'PackageSources', 'QuorumModel', 'RealServerTarget', 'RealServerUserDataModel',
      'Scheduler', 'SeedFile', 'SeedIsoOptions', 'ServiceProtocol', 'SorrySiteModel', 'SorrySiteOptions', 'SshUser', 'StaticInterface',
      'TcpHealthCheck', 'TrackScriptModel', 'UserDataBase', 'VirtualService', 'VrrpInstanceModel', 'VrrpState', 'VrrpTransport',
    ],
  },
  'libvirt.ts': {
    values: [
      'Domain', 'LibvirtProvider', 'Network', 'Pool', 'Volume',
    ],
    types: [
      'DomainConfig', 'LibvirtProviderConfig', 'NetworkConfig', 'PoolConfig', 'VolumeConfig',
    ],
  },
  'constructs/index.ts': {
    values: [
      'BaseImage', 'LabNetwork', 'LabVm', 'LvsDirector', 'LvsDrCluster', 'LvsDrLabStack', 'RealServer', 'renderVmSeed',
    ],
    types: [
      'BaseImageProps', 'LabNetworkProps', 'LabVmPlacementProps', 'LabVmProps', 'LvsDirectorProps', 'LvsDrClusterProps', 'LvsDrClusterResolvedProps',
      'LvsDrLabStackProps', 'NetworkAttachment', 'RealServerProps', 'VmSeed', 'VmSeedProps',
    ],
  },
  'ops/index.ts': {
    values: [
      'DEFAULT_WAIT_TIMEOUT_SEC', 'DrillError', 'TRAFFIC_LIMITS', 'WAIT_TIMEOUT_ENV', 'askCloudInit', 'boundVips',
      'classifyCloudInitFailure', 'collectStatus', 'failoverGap', 'formatDrillJson', 'formatFailover', 'formatReady',
      'formatReadyEvent', 'formatReadyJson', 'formatRsDown', 'formatStatus', 'formatStatusJson', 'formatTraffic',
      'formatTrafficJson', 'ipvsComplete', 'ipvsTable', 'judgeShares', 'localOpsHost', 'parseAddresses', 'parseCloudInitStatus',
      'parseIpvsServices', 'parseNeighbour', 'parseProbeLines', 'parseRouteGet', 'parseSyncDaemons', 'predictShares',
      'probeSummary', 'runFailoverDrill', 'runRsDownDrill', 'runTraffic', 'servedBy', 'serviceKey', 'startProber', 'vipHolders',
      'waitForReady',
    ],
    types: [
      'CloudInitFailure', 'CloudInitStatus', 'CommandResult', 'DrillOptions', 'FailoverReport', 'Finding', 'HttpOutcome',
      'IpvsDestination', 'IpvsService', 'OpsHost', 'ProbeLine', 'ReadyEvent', 'ReadyOptions', 'ReadyReport', 'RemoteOutcome',
      'RsDownReport', 'SharePrediction', 'SshAccess', 'StatusReport', 'SyncDaemon', 'TrafficOptions', 'TrafficReport',
      'VmCloudInit',
    ],
  },
  'doctor/index.ts': {
    values: [
      'LAB_CHECKS', 'TOOL_CHECKS', 'formatReport', 'formatReportJson', 'localHost', 'runDoctor',
    ],
    types: [
      'CommandResult', 'DoctorHost', 'DoctorReport', 'DoctorResult', 'FileStat', 'FormatOptions',
    ],
  },
};

describe('the public API', () => {
  test('the package subpaths are the entry points pinned here', () => {
    expect(SUBPATHS).toEqual({ '.': 'index.ts', './lab': 'lab/index.ts', './cloud-init': 'cloud-init/index.ts', './libvirt': 'libvirt.ts' });
  });

  test.each(ENTRY_POINTS)('%s lists each export by name (no `export *`)', (file) => {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022);
    const star = source.statements.filter((s) => ts.isExportDeclaration(s) && (!s.exportClause || ts.isNamespaceExport(s.exportClause)));
    expect(star.map((s) => s.getText(source))).toEqual([]);
  });

  test('each entry point exports exactly the pinned names, values and types', () => {
    const prog = program(ENTRY_POINTS);
    expect(Object.fromEntries(ENTRY_POINTS.map((file) => [file, exportedNames(prog, file)]))).toEqual(SURFACE);
  });
});

describe('the published declarations', () => {
  /** The build's declarations (npm run build:lib), emitted to a temporary directory. */
  let outDir: string;
  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'lvslab-dts-'));
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { files: string[] };
    const options = compilerOptions('tsconfig.build.json', { outDir, emitDeclarationOnly: true, noEmit: false });
    const emitted = ts.createProgram(build.files.map((file) => path.join(ROOT, file)), options).emit();
    expect(emitted.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  test("LvsDrClusterProps shows each config field's description and @default (what an editor shows)", () => {
    const file = path.join(outDir, 'constructs/lvs-dr-cluster.d.ts');
    const prog = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [] });
    const checker = prog.getTypeChecker();
    const props = checker.getExportsOfModule(checker.getSymbolAtLocation(prog.getSourceFile(file)!)!).find((s) => s.name === 'LvsDrClusterProps')!;
    const members = new Map(checker.getDeclaredTypeOfSymbol(props).getProperties().map((p) => [p.name, p]));
    const fields = Object.entries(LabSchema.properties).map(([name, node]) => {
      const member = members.get(name);
      const tag = member?.getJsDocTags(checker).find((t) => t.name === 'default');
      const text = member ? ts.displayPartsToString(member.getDocumentationComment(checker)) : '';
      return {
        name,
        documented: text.length > 0 && ((node as { description?: string }).description ?? '').startsWith(text.replace(/\.$/, '')),
        default: ts.displayPartsToString(tag?.text),
      };
    });
    const expected = Object.entries(LabSchema.properties).map(([name, node]) => {
      const literal = (node as { default?: unknown }).default;
      return { name, documented: true, default: literal !== undefined ? JSON.stringify(literal) : expect.stringMatching(/^- \S/) };
    });
    expect(fields).toEqual(expected);
    expect(members.get('consoleLogDir')?.getJsDocTags(checker).map((t) => t.name)).toContain('default');
  });
});
