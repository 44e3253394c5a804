/**
 * The labs of this checkout (see lab-paths.ts):
 *
 *   node -r ts-node/register/transpile-only scripts/labs.ts list     every lab with a state file here (npm run labs)
 *   node -r ts-node/register/transpile-only scripts/labs.ts outdir   the synth directory of the lab LAB_CONFIG names
 *
 * `outdir` exits 1 with every problem of the config when it is invalid (scripts/cdktf.sh then
 * stops before cdktf runs).
 */
import { LabConfigError, labFromEnv } from '../lab';
import { terminalText } from '../lab/problems';
import { labOutdir, listLabStates } from '../lab-paths';

const mode = process.argv[2];
try {
  if (mode === 'outdir') {
    process.stdout.write(`${labOutdir(labFromEnv(process.env).lab.name)}\n`);
  } else if (mode === 'list') {
    const labs = listLabStates();
    if (labs.length === 0) process.stdout.write('no lab state here (terraform.<name>.tfstate)\n');
    for (const lab of labs) {
      const status = lab.problem ? `unknown: ${lab.problem}` : lab.resources > 0 ? `deployed (${lab.resources} resources)` : 'destroyed (empty state)';
      process.stdout.write(`${[lab.name, status, lab.stateFile].map(terminalText).join('\t')}\n`);
    }
  } else {
    process.stderr.write('usage: labs.ts list|outdir\n');
    process.exit(2);
  }
} catch (err) {
  if (!(err instanceof LabConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
