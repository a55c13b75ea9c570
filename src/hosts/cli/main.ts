import { NEEDS_ATTENTION } from '../../engine/events.ts';
import { renderMarkdown } from '../../engine/report.ts';
import { FileStateStore } from '../../state/file-state-store.ts';
import { environmentIdentity } from '../shared/env-credential.ts';
import { runHostPipeline, type HostPort } from '../shared/host-pipeline.ts';
import { logLine, logSafeJson, logText } from '../shared/log-text.ts';
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './args.ts';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: CliIo = {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** The CLI as a host of the run: arguments, the environment's identity, the state file, stderr and stdout. */
function cliHost(argv: string[], io: CliIo): HostPort<CliOptions> {
  // The CLI runs in CI too: every stderr line is log-safe, so no vault or config text can start a runner command.
  const say = (text: string) => io.stderr(`${logLine(text)}\n`);
  let quiet = false;
  return {
    where: 'the report',
    log: {
      info: (message) => {
        if (!quiet) say(message);
      },
      warning: (message) => say(`warning: ${message}`),
      error: say,
    },
    readRequest: async () => {
      const o = parseCliArgs(argv, io.env);
      quiet = o.quiet;
      if (o.help) io.stdout(`${USAGE}\n`);
      return o.help ? undefined : o;
    },
    // The environment given, not this process's: an embedding caller (or a test) says who signs in.
    identity: () => environmentIdentity(io.env),
    openState: async (o) => ({ store: new FileStateStore(o.state, { key: o.stateKey, adopt: o.adoptState }) }),
    listener: (o) => (e) => {
      if (!o.quiet || NEEDS_ATTENTION[e.kind]) say(`[${e.kind}] ${e.message}`);
    },
    reportPath: (_id, o) => o.report,
    deliver: ({ report }, _path, o) => io.stdout(o.json ? `${logSafeJson(report)}\n` : `${renderMarkdown(report)}\n`),
  };
}

/** The CLI: one run through the shared pipeline. Never throws; resolves to the exit code. */
export async function run(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const result = await runHostPipeline(cliHost(argv, io));
  // A message's own lines (KVR022's list of missing rights) stay lines, each log-safe.
  if (result.verdict === 'failed') io.stderr(`${logText(result.message)}\n`);
  if (result.error instanceof UsageError) io.stderr(`\n${USAGE}\n`);
  return result.exitCode;
}
