import { DefaultAzureCredential } from '@azure/identity';
import { writeFile } from 'node:fs/promises';
import { ArmVaultDirectory } from '../../azure/arm-vault-directory.ts';
import { maskedCredential } from '../../azure/masked-credential.ts';
import { isKvrError } from '../../engine/errors.ts';
import { RUN_EVENTS, type RunEventKind } from '../../engine/events.ts';
import { renderMarkdown } from '../../engine/report.ts';
import { runReplication } from '../../engine/run.ts';
import { FileStateStore } from '../../state/file-state-store.ts';
import { blockedNotices } from '../shared/blocked-notices.ts';
import { cancelOnSignals } from '../shared/cancellation.ts';
import { runOutcome } from '../shared/fail-on.ts';
import { failureMessage } from '../shared/failure-message.ts';
import { logLine, logSafeJson } from '../shared/log-text.ts';
import { readConfigFile } from '../shared/read-config.ts';
import { systemClock } from '../shared/system-clock.ts';
import { parseCliArgs, USAGE, UsageError } from './args.ts';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Where a warning sends the reader for the details. */
const WHERE = 'the report';

/**
 * What --quiet still prints: all but progress. A warning (state not trusted, a guard hold in a plan), a problem (a
 * refused tag target, a pair that could not be listed) or a failure is what a quiet run is for. Exhaustive, so that
 * a new kind of event is placed on purpose.
 */
const SHOWN_WHEN_QUIET: Record<RunEventKind, boolean> = {
  [RUN_EVENTS.pairStarted]: false, [RUN_EVENTS.planned]: false, [RUN_EVENTS.written]: false, [RUN_EVENTS.pairFinished]: false,
  [RUN_EVENTS.stateSaved]: false, [RUN_EVENTS.failed]: true, [RUN_EVENTS.problem]: true, [RUN_EVENTS.warning]: true,
};

const defaultIo: CliIo = { env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** The CLI: parse arguments, run once, print the report. Never throws; resolves to the exit code. */
export async function run(argv: string[], io: CliIo = defaultIo): Promise<number> {
  // The CLI runs in CI too: every stderr line is log-safe, so no vault or config text can start a runner command.
  const say = (text: string) => io.stderr(`${logLine(text)}\n`);
  try {
    const o = parseCliArgs(argv, io.env);
    if (o.help) { io.stdout(`${USAGE}\n`); return 0; }
    const config = await readConfigFile(o.config);
    const correlationId = crypto.randomUUID();
    if (!o.quiet) say(`keyvault-replicate ${o.mode}: correlation id ${correlationId}`);
    const cancel = cancelOnSignals((signal) => say(`${signal}: finishing the writes under way, then saving state (a second signal stops at once)`));
    const replicated = await runReplication({
      config, mode: o.mode, correlationId, clock: systemClock, state: new FileStateStore(o.state, { key: o.stateKey, adopt: o.adoptState }),
      directory: new ArmVaultDirectory(maskedCredential(new DefaultAzureCredential()), [...new Set([...o.subscriptions, ...config.subscriptions])], correlationId, systemClock),
      replications: o.replications, only: o.only, acknowledge: o.acknowledge, revoke: o.revoke, maxConcurrency: o.maxConcurrency, approveMassDelete: o.approveDeletes,
      listener: (e) => { if (!o.quiet || SHOWN_WHEN_QUIET[e.kind]) say(`[${e.kind}] ${e.message}`); }, signal: cancel.signal,
    }).finally(cancel.dispose);
    // The report's exit code is the process's, fail-on applied, so that the JSON says what the shell saw.
    const outcome = runOutcome(replicated, o.failOn, WHERE);
    const { report } = outcome;
    if (o.reportPath) await writeFile(o.reportPath, `${JSON.stringify(report, null, 2)}\n`);
    io.stdout(o.json ? `${logSafeJson(report)}\n` : `${renderMarkdown(report)}\n`);
    for (const n of blockedNotices(report, WHERE)) say(`warning: ${n.message}`);
    if (outcome.verdict === 'failed') say(outcome.message);
    return outcome.exitCode;
  } catch (e) {
    say(failureMessage(e));
    if (e instanceof UsageError) io.stderr(`\n${USAGE}\n`);
    return isKvrError(e) && e.code !== 'KVR039' ? 2 : 1;
  }
}
