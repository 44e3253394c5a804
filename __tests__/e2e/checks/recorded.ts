/**
 * Outputs recorded by a real e2e run of the matrix (both labs passed every check), kept in
 * ../fixtures/ci-run: the labs' configs as deployed (lab.json), `lvs-lab doctor --json`, the
 * probers' JSON lines, and tcpdump's reading of the client's and the egress captures, cut down to
 * the lines named in each test. The judgements are asserted on them as the run's checks saw them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveLabConfig, type LabConfig } from '../../../lab';
import { parseProbeLines } from '../../../ops/probe';

const dir = path.join(__dirname, '..', 'fixtures', 'ci-run');
export const recorded = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');
export const recordedProbes = (name: string) => parseProbeLines(recorded(name));
/** The feature lab of the run (fwmark, IPv6, fast failover; directors lb-a/lb-b, real servers web-1/web-2). */
export const featureLab = () => resolveLabConfig(JSON.parse(recorded('feature-lab.json')) as LabConfig);
/** The default lab of the run (lvs-lab, nat network, packages at first boot). */
export const defaultLab = () => resolveLabConfig(JSON.parse(recorded('default-lab.json')) as LabConfig);
