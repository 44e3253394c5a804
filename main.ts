import * as fs from 'node:fs';
import { Annotations, App, DISABLE_STACK_TRACE_IN_METADATA, LocalBackend } from './constructs/engine';
import { appLab, checkDefaultKey } from './app-lab';
import { LvsDrLabStack } from './constructs';
import { LabConfigError, validatePoolDirectory } from './lab';
import { LabStateError, stateFileFor } from './lab-paths';

// cdktf 0.21 (archived upstream) calls util.isArray when it synthesizes outputs, which Node 22+
// deprecates at run time (DEP0044): every synth would print a warning the user can do nothing
// about. That one warning is dropped; every other still reaches stderr.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
  if (code === 'DEP0044') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// The lab config named by LAB_CONFIG (YAML or JSON); without it, the reference topology.
// Every problem is reported at once and nothing is synthesized while any remains.
try {
  // The lab is resolved once, here, and handed down as it is (LvsDrCluster's resolvedLab).
  const decided = appLab(process.env);
  const { lab, sshNotice } = decided;
  checkDefaultKey(decided);
  // The pool directory as it is on this machine, checked at every synth: deploy, diff and destroy
  // all synthesize first, so a directory holding files the lab did not create stops them before
  // anything changes.
  const poolProblems = validatePoolDirectory(lab);
  if (poolProblems.length > 0) throw new LabConfigError(poolProblems, process.env.LAB_CONFIG || undefined);
  // Annotations without the stack trace cdktf would record in manifest.json: it names this
  // checkout's absolute path, and the synth output stays the same wherever it is made.
  const app = new App({ context: { [DISABLE_STACK_TRACE_IN_METADATA]: true } });
  // The stack holds image.source and libvirtUri as written (credentials included: the provider
  // needs them) and every VM's seed: the synth directory is its owner's only.
  fs.mkdirSync(app.outdir, { recursive: true, mode: 0o700 });
  fs.chmodSync(app.outdir, 0o700);
  const stack = new LvsDrLabStack(app, 'lvs-dr-lab', {
    lab: { resolvedLab: lab, consoleLogDir: process.env.LAB_CONSOLE_LOG_DIR || undefined },
  });
  // A config without ssh keys gets the user's own default public key (app-lab.ts); either way the
  // user is told, so a lab nobody can log in to is never a surprise after the deploy. As a stack
  // annotation, the CLI prints it after every synth (`INFO [lvs-dr-lab]: …`, or `WARN` when no key
  // is found); on stderr, cdktf would show it only when the synth fails.
  if (sshNotice) {
    if (decided.defaultKey) Annotations.of(stack).addInfo(sshNotice);
    else Annotations.of(stack).addWarning(sshNotice);
  }
  // Each lab keeps its own state, terraform.<lab name>.tfstate in the repository root (or
  // LAB_STATE_FILE): with one state for all, deploying another lab would replace the first.
  new LocalBackend(stack, { path: stateFileFor(stack.cluster.lab.name, process.env) });
  app.synth();
} catch (err) {
  if (err instanceof LabConfigError || err instanceof LabStateError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
