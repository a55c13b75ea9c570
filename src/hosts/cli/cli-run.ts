import { RUN_EVENTS } from '../../engine/events.ts';
import { hasChanges, renderMarkdown, type RunReport } from '../../engine/report.ts';
import { FileStateStore } from '../../state/file-state-store.ts';
import { environmentIdentity } from '../shared/env-credential.ts';
import { runHostPipeline, type HostPort } from '../shared/host-pipeline.ts';
import { logSafeJsonPieces, logText } from '../shared/log-text.ts';
import { systemClock } from '../shared/system-clock.ts';
import { CHANGES_EXIT_CODE, type CliOptions, type Output } from './args.ts';
import type { CliIo } from './cli-io.ts';
import { cliProgress } from './progress.ts';
import { renderTerminal, useColor } from './terminal-report.ts';

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

/** The CLI as a host of the run: its options (read already), the environment's identity, the state file, stdout. */
function cliHost(o: CliOptions, io: CliIo, written: { count: number }): HostPort<CliOptions> {
  // The CLI runs in CI too: every stderr line is log-safe, so no vault or config text can start a runner command.
  const progress = cliProgress(
    { write: io.stderr, isTTY: io.stderrIsTTY === true, columns: io.columns },
    io.clock ?? systemClock,
    o.quiet,
  );
  const say = (text: string) => progress.say(text);
  return {
    where: 'the report',
    log: {
      info: (message) => {
        if (!o.quiet) say(message);
      },
      warning: (message) => say(`warning: ${message}`),
      error: say,
    },
    readRequest: async () => o,
    // The environment given, not this process's: an embedding caller (or a test) says who signs in.
    identity: () => environmentIdentity(io.env),
    openState: async () => ({ store: new FileStateStore(o.state, { key: o.stateKey, adopt: o.adoptState }) }),
    listener: () => (e) => {
      if (e.kind === RUN_EVENTS.written) written.count++;
      progress.listener(e);
    },
    reportPath: () => o.report,
    deliver: ({ report }) => {
      progress.end();
      for (const text of render(report, o, io)) io.stdout(text);
    },
  };
}

/**
 * A run of the CLI, its command line read (main.ts): the shared pipeline, then the exit code, with --detailed-exitcode
 * CHANGES_EXIT_CODE when the run is done (0) and has changes.
 */
export async function runCli(o: CliOptions, io: CliIo): Promise<number> {
  const written = { count: 0 };
  const result = await runHostPipeline(cliHost(o, io, written), { clock: io.clock });
  // A message's own lines (KVR022's list of missing rights) stay lines, each log-safe.
  if (result.verdict === 'failed') io.stderr(`${logText(result.message)}\n`);
  const detailed = o.detailedExitcode && result.exitCode === 0 && result.report;
  return detailed && changed(result.report!, written.count) ? CHANGES_EXIT_CODE : result.exitCode;
}
