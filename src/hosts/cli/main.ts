import { RUN_EVENTS } from '../../engine/events.ts';
import type { Clock } from '../../engine/ports.ts';
import { hasChanges, renderMarkdown, type RunReport } from '../../engine/report.ts';
import { FileStateStore } from '../../state/file-state-store.ts';
import { environmentIdentity } from '../shared/env-credential.ts';
import { runHostPipeline, type HostPort } from '../shared/host-pipeline.ts';
import { logSafeJsonPieces, logText } from '../shared/log-text.ts';
import { systemClock } from '../shared/system-clock.ts';
import { runInit, type InitIo } from './init.ts';
import { CHANGES_EXIT_CODE, parseCliArgs, USAGE, UsageError, type CliOptions, type Output } from './args.ts';
import { cliProgress } from './progress.ts';
import { renderTerminal, useColor } from './terminal-report.ts';

/** What the CLI reads and writes; `init` also asks on stdin (InitIo). */
export interface CliIo extends InitIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal: the report is a coloured table then, Markdown otherwise (unless --output). */
  stdoutIsTTY?: boolean;
  /** Whether stderr is a terminal: progress is one line redrawn in place then, plain lines otherwise. */
  stderrIsTTY?: boolean;
  /** The terminal's width (120 when unknown). */
  columns?: number;
  /** The run's clock: pacing, the report's times and the progress's ETA (an embedding caller's may be simulated). */
  clock?: Clock;
}

const defaultIo = (): CliIo => ({
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutIsTTY: process.stdout.isTTY === true,
  stdinIsTTY: process.stdin.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  columns: process.stdout.columns || process.stderr.columns || undefined,
});

/** What the run left for the exit code: its options, and whether an apply wrote anything. */
interface CliRun {
  options?: CliOptions;
  written: number;
}

/** Changes, for --detailed-exitcode: an apply that wrote, a plan with records to create, update, delete or disable. */
function changed(report: RunReport, written: number): boolean {
  if (report.mode === 'apply') return written > 0;
  return report.mode === 'plan' && hasChanges(report);
}

/** What the JSON report is written in: pieces joined up to this many characters, one write each. */
const JSON_WRITE_CHARS = 64 * 1024;

/** The report as JSON, one piece at a time, and its closing newline. */
function* jsonLines(report: RunReport): Generator<string> {
  yield* logSafeJsonPieces(report);
  yield '\n';
}

/** Pieces joined into writes of about `size` characters: never the whole text at once. */
function* batched(pieces: Iterable<string>, size: number): Generator<string> {
  let batch: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    batch.push(piece);
    length += piece.length;
    if (length >= size) {
      yield batch.join('');
      batch = [];
      length = 0;
    }
  }
  if (batch.length) yield batch.join('');
}

/**
 * The report as --output (or --json) asks, else a table for a terminal and Markdown for a pipe or a file; JSON in
 * writes of 64 KB, so that a large run's report is never held whole (nor its copies) at its end.
 */
function* render(report: RunReport, o: CliOptions, io: CliIo): Generator<string> {
  const output: Output = o.json ? 'json' : (o.output ?? (io.stdoutIsTTY ? 'table' : 'markdown'));
  if (output === 'json') yield* batched(jsonLines(report), JSON_WRITE_CHARS);
  else if (output === 'markdown') yield `${renderMarkdown(report)}\n`;
  else yield renderTerminal(report, { columns: io.columns, color: useColor(io.env, io.stdoutIsTTY), all: o.all });
}

/** The CLI as a host of the run: arguments, the environment's identity, the state file, stderr and stdout. */
function cliHost(argv: string[], io: CliIo, run: CliRun): HostPort<CliOptions> {
  // The CLI runs in CI too: every stderr line is log-safe, so no vault or config text can start a runner command.
  let quiet = false;
  let progress = cliProgress(
    { write: io.stderr, isTTY: io.stderrIsTTY === true, columns: io.columns },
    io.clock ?? systemClock,
    false,
  );
  const say = (text: string) => progress.say(text);
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
      run.options = o;
      progress = cliProgress(
        { write: io.stderr, isTTY: io.stderrIsTTY === true, columns: io.columns },
        io.clock ?? systemClock,
        quiet,
      );
      if (o.help) io.stdout(`${USAGE}\n`);
      return o.help ? undefined : o;
    },
    // The environment given, not this process's: an embedding caller (or a test) says who signs in.
    identity: () => environmentIdentity(io.env),
    openState: async (o) => ({ store: new FileStateStore(o.state, { key: o.stateKey, adopt: o.adoptState }) }),
    listener: () => (e) => {
      if (e.kind === RUN_EVENTS.written) run.written++;
      progress.listener(e);
    },
    reportPath: (_id, o) => o.report,
    deliver: ({ report }, _path, o) => {
      progress.end();
      for (const text of render(report, o, io)) io.stdout(text);
    },
  };
}

/**
 * The CLI: one run through the shared pipeline. Never throws; resolves to the exit code, and with --detailed-exitcode
 * to CHANGES_EXIT_CODE when the run is done (0) and has changes.
 */
export async function run(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  // `init` writes files and prints commands: no run, no sign-in.
  if (argv[0] === 'init') return runInit(argv.slice(1), io);
  const state: CliRun = { written: 0 };
  const result = await runHostPipeline(cliHost(argv, io, state), { clock: io.clock });
  // A message's own lines (KVR022's list of missing rights) stay lines, each log-safe.
  if (result.verdict === 'failed') io.stderr(`${logText(result.message)}\n`);
  if (result.error instanceof UsageError) io.stderr(`\n${USAGE}\n`);
  const detailed = state.options?.detailedExitcode && result.exitCode === 0 && result.report;
  return detailed && changed(result.report!, state.written) ? CHANGES_EXIT_CODE : result.exitCode;
}
