/**
 * lvs-lab: operate the lab of this checkout.
 *
 *   npm run lvs-lab -- doctor [--json | --quiet]    every reason a deploy would fail here, with the fix
 *
 * Exit status: 0 when every check passes (warnings allowed), 1 when any fails, 2 on a usage error.
 * `npm run deploy` runs `doctor --quiet` first and stops on a failure.
 */
import yargs = require('yargs');
import { formatReport, formatReportJson, localHost, runDoctor } from '../doctor';
import { REPO_ROOT } from '../lab-paths';

/** Exit status of a command line that names no known command or option. */
const USAGE_ERROR = 2;

yargs(process.argv.slice(2))
  .scriptName('lvs-lab')
  .usage('$0 <command> [options]')
  .command(
    'doctor',
    'check this machine for everything a deploy of the lab (LAB_CONFIG) needs; exit 1 when a deploy would fail',
    (y) =>
      y
        .option('json', { type: 'boolean', describe: 'print the report as JSON: { ok, lab, configFile, checks: [...] }' })
        .option('quiet', { type: 'boolean', describe: 'print only failures and warnings, with their fixes' })
        .conflicts('json', 'quiet'),
    (argv) => {
      const report = runDoctor(localHost(process.env), REPO_ROOT);
      process.stdout.write(argv.json ? formatReportJson(report) : formatReport(report, { quiet: argv.quiet === true }));
      process.exitCode = report.ok ? 0 : 1;
    },
  )
  .demandCommand(1, 'name a command: doctor')
  .strict()
  .version(false)
  .help()
  .fail((message, error) => {
    if (error) throw error;
    process.stderr.write(`lvs-lab: ${message}\nRun \`npm run lvs-lab -- --help\` for the commands and options.\n`);
    process.exit(USAGE_ERROR);
  })
  .parse();
