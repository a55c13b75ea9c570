import { failureExitCode, failureMessage } from '../shared/failure-message.ts';
import { logText } from '../shared/log-text.ts';
import type { CliIo } from './cli-io.ts';
import { parseCliArgs, USAGE, UsageError } from './args.ts';
import { packageVersion } from './version.ts';

export type { CliIo } from './cli-io.ts';

const defaultIo = (): CliIo => ({
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutIsTTY: process.stdout.isTTY === true,
  stdinIsTTY: process.stdin.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  columns: process.stdout.columns || process.stderr.columns || undefined,
});

/**
 * The CLI: one run through the shared pipeline. Never throws; resolves to the exit code, and with --detailed-exitcode
 * to CHANGES_EXIT_CODE when the run is done (0) and has changes. Only the command line is read before anything else
 * loads: --help, --version and a wrong command line answer at once; `init` and a run load their modules (the Azure
 * SDKs, git, the engine) when they start.
 */
export async function run(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  // `init` writes files and prints commands: no run, no sign-in.
  if (argv[0] === 'init') return (await import('./init.ts')).runInit(argv.slice(1), io);
  let options;
  try {
    options = parseCliArgs(argv, io.env);
  } catch (e) {
    // As the pipeline ends a run whose request does not read: the message, and the usage after a usage error.
    io.stderr(`${logText(failureMessage(e))}\n`);
    if (e instanceof UsageError) io.stderr(`\n${USAGE}\n`);
    return failureExitCode(e);
  }
  if (options.help) io.stdout(`${USAGE}\n`);
  else if (options.version) io.stdout(`${packageVersion()}\n`);
  else return (await import('./cli-run.ts')).runCli(options, io);
  return 0;
}
