import { App, LocalBackend } from './constructs/engine';
import { LabConfigError, LvsDrLabStack, labConfigFromEnv, resolveLabConfig, validatePoolDirectory } from './constructs';

// The lab config named by LAB_CONFIG (YAML or JSON); without it, the reference topology.
// Every problem is reported at once and nothing is synthesized while any remains.
try {
  const lab = labConfigFromEnv(process.env);
  // The pool directory as it is on this machine, checked at every synth: deploy, diff and destroy
  // all synthesize first, so a directory holding files the lab did not create stops them before
  // anything changes.
  const poolProblems = validatePoolDirectory(resolveLabConfig(lab));
  if (poolProblems.length > 0) throw new LabConfigError(poolProblems, process.env.LAB_CONFIG || undefined);
  const app = new App();
  const stack = new LvsDrLabStack(app, 'lvs-dr-lab', {
    lab: { ...lab, consoleLogDir: process.env.LAB_CONSOLE_LOG_DIR || undefined },
  });
  // Optional: keep this lab's state elsewhere than terraform.lvs-dr-lab.tfstate (e.g. one per lab).
  if (process.env.LAB_STATE_FILE) new LocalBackend(stack, { path: process.env.LAB_STATE_FILE });
  app.synth();
} catch (err) {
  if (err instanceof LabConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
