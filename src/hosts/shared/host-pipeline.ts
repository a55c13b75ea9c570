import type { TokenCredential } from '@azure/identity';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArmVaultDirectory } from '../../azure/arm-vault-directory.ts';
import { maskedCredential } from '../../azure/masked-credential.ts';
import type { BudgetShares } from '../../azure/pacing.ts';
import { PUBLIC_CLOUD, type AzureCloud } from '../../engine/clouds.ts';
import { DEFAULT_BUDGET_SHARE } from '../../engine/defaults.ts';
import { RUN_EVENTS, type RunListener } from '../../engine/events.ts';
import type { Clock, VaultDirectory } from '../../engine/ports.ts';
import type { RunReport } from '../../engine/report.ts';
import { runReplication } from '../../engine/run.ts';
import { replicationAlerts, type ReplicationAlert } from '../../engine/alerts.ts';
import type { PairState } from '../../engine/state.ts';
import { postWebhookAlerts, recordingStore, type AlertSettings } from './alerts.ts';
import { blockedNotices } from './blocked-notices.ts';
import { cancelOnSignals } from './cancellation.ts';
import { scopeOf } from './event-scope.ts';
import { holdYoungGeneration } from './young-generation.ts';
import { runOutcome, type RunOutcome } from './fail-on.ts';
import { failureExitCode, failureMessage } from './failure-message.ts';
import { registerSecretLines } from './host-inputs.ts';
import type { PlannedPair } from '../../engine/plan-file.ts';
import { assertPlanFileKey, readPlanFile, writePlanFile } from './plan-file.ts';
import { credentialOf, identityLabel, type Identity } from './identity.ts';
import { readConfigFile } from './read-config.ts';
import type { RunRequest } from './run-inputs.ts';
import type { RunOutput } from './run-options.ts';
import type { OpenedState } from './state-branch-store.ts';
import { systemClock } from './system-clock.ts';

/** A host's log: every line log-safe (the host's chokepoint). */
export interface HostLog {
  info(message: string): void;
  warning(message: string, title?: string): void;
  error(message: string, title?: string): void;
  /** Worth a note, no problem (nothing to replicate); info where the host has no such kind. */
  notice?(message: string): void;
  /** Folds lines into a named group (the Action's log groups); none where the log has no such thing. */
  readonly groups?: { start(name: string): void; end(): void };
}

/**
 * What a host supplies to the one run sequence (after GitTools' IBuildAgent): its inputs, its credential, its state
 * store, its log and mask, and where the report goes. The Action, the task and the CLI each implement it.
 */
export interface HostPort<R extends RunRequest> {
  /** Where a notice sends the reader for the details ('the job summary'). */
  readonly where: string;
  readonly log: HostLog;
  /** Reads and checks every input, each message naming the host's own; undefined when there is nothing to run. */
  readRequest(): Promise<R | undefined>;
  /** The Key Vault events that started this run, if any did (they narrow it to their items). */
  events?(): unknown;
  /**
   * Sets an output for the steps after this one (the Action's outputs, the task's variables): the correlation id the
   * moment it exists, so that even a run that fails later has it; the report's path and counts once it is written.
   */
  output?(name: RunOutput, value: string): void;
  /** Who the run signs in to Azure as; the pipeline makes the credential of it (see identity.ts). */
  identity(request: R): Identity | Promise<Identity>;
  openState(request: R): Promise<OpenedState>;
  /** The run's progress, as the host shows it; by default through its log (see logListener). */
  listener?(request: R): RunListener;
  /** Registers one line of a secret with the runner or agent; none where nothing listens (the CLI). */
  readonly mask?: (line: string) => void;
  /** Where the JSON report is written (mode 0600: it names every item), or none. */
  reportPath(correlationId: string, request: R): string | undefined;
  /** Opens, updates or closes the alert of each replication (the Action's issues); never throws. */
  alert?(alerts: ReplicationAlert[], request: R): Promise<void>;
  /** Hands the report out: outputs, variables, a summary, stdout. */
  deliver(outcome: RunOutcome, reportPath: string | undefined, request: R): Promise<void> | void;
}

/** How the run ended, for the host to map onto its result (setFailed, setResult, the exit code). */
export interface PipelineResult {
  verdict: RunOutcome['verdict'];
  exitCode: RunOutcome['exitCode'];
  /** One line per reason; empty when all is well. */
  message: string;
  report?: RunReport;
  /** What stopped the run, when something threw. */
  error?: unknown;
}

/** What a test replaces: the vaults (Azure, by default) and the clock. */
export interface PipelineDeps {
  directory?(
    credential: TokenCredential,
    subscriptions: string[],
    correlationId: string,
    clock: Clock,
    cloud: AzureCloud,
    shares: BudgetShares,
  ): VaultDirectory;
  clock?: Clock;
  /** Sets V8 flags (young-generation.ts); a test's spy instead of the process's. */
  setV8Flags?: (flags: string) => void;
}

/**
 * Progress as info, warnings as warnings, a record's failure as an error naming its pair. Where the log has groups,
 * each pair's lines are one group, which its start opens (saying which pair) and its finish closes.
 */
export function logListener(log: HostLog): RunListener {
  let open = false;
  return (e) => {
    if (log.groups && (e.kind === RUN_EVENTS.pairStarted || e.kind === RUN_EVENTS.pairFinished)) {
      if (open) log.groups.end();
      open = e.kind === RUN_EVENTS.pairStarted;
      if (open) log.groups.start(e.message);
    } else if (e.kind === RUN_EVENTS.failed) {
      log.error(e.message, `Record failed${e.replication ? ` in ${e.replication} → ${e.target}` : ''}`);
    } else if (e.kind === RUN_EVENTS.warning) log.warning(e.message);
    else log.info(e.message);
  };
}

const armDirectory: NonNullable<PipelineDeps['directory']> = (credential, subscriptions, id, clock, cloud, shares) =>
  new ArmVaultDirectory(credential, subscriptions, id, clock, cloud, { shares });

/** A file of one run in a CI's temporary directory: the JSON report, the task's summary. */
export const runFile = (dir: string, correlationId: string, extension: 'json' | 'md'): string =>
  join(dir, `keyvault-replicate-${correlationId}.${extension}`);

/** The alerts of this run, decided from the state it loaded and saved, to the webhook and the host (issues). */
async function alert<R extends RunRequest>(
  host: HostPort<R>,
  request: R,
  settings: AlertSettings,
  states: { loaded: PairState[]; saved: PairState[] },
): Promise<void> {
  const alerts = replicationAlerts(states.loaded, states.saved, settings.afterRuns);
  for (const a of alerts.filter((x) => x.change === 'entered' || x.change === 'recovered'))
    host.log.info(`alert: replication ${a.replication} ${a.change === 'entered' ? 'entered' : 'left'} trouble`);
  if (settings.webhookUrl)
    await postWebhookAlerts(settings.webhookUrl, alerts, settings.afterRuns, host.where, (m) => host.log.warning(m));
  await host.alert?.(alerts, request);
}

/** The report as a file only its owner reads; an existing file (the CLI's --report) is made so too. */
async function writeReport(path: string, report: RunReport): Promise<void> {
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

/**
 * The run, as every host runs it: inputs, config (a file or the single pair), scope, correlation id, sign-in, state,
 * cancellation on SIGINT/SIGTERM, the replication, fail-on, the report file, delivery and the blocked notices. Never
 * throws: what stops the run is the result. The state store is closed whatever the end.
 */
export async function runHostPipeline<R extends RunRequest>(
  host: HostPort<R>,
  deps: PipelineDeps = {},
): Promise<PipelineResult> {
  const clock = deps.clock ?? systemClock;
  holdYoungGeneration(deps.setV8Flags);
  let state: OpenedState | undefined;
  let report: RunReport | undefined;
  try {
    const request = await host.readRequest();
    if (!request) return { verdict: 'ok', exitCode: 0, message: '' };
    const cloud = request.environment ?? PUBLIC_CLOUD;
    const config =
      'inline' in request.config ? request.config.inline : await readConfigFile(request.config.file, cloud);
    const scope = scopeOf(request, config, host.events?.(), host.log);
    if (scope.skip) {
      const message = `Nothing to replicate: ${scope.skip}.`;
      (host.log.notice ?? host.log.info)(message);
      return { verdict: 'ok', exitCode: 0, message };
    }
    // A plan file is checked before sign-in: no key, an edited file, another config or a stale plan touch no vault.
    assertPlanFileKey(request, 'the plan file (plan-file, planFile, --plan-file)');
    const { planFile, stateKey } = request;
    const reviewed =
      planFile && request.mode === 'apply' ? await readPlanFile(planFile, config, stateKey!, clock.now()) : undefined;
    const planned: PlannedPair[] = [];
    const correlationId = crypto.randomUUID();
    host.output?.('correlationId', correlationId);
    host.log.info(`keyvault-replicate ${request.mode}: correlation id ${correlationId}`);
    const identity = await host.identity(request);
    host.log.info(
      `signing in to Azure${cloud === PUBLIC_CLOUD ? '' : ` (${cloud.name})`} with ${identityLabel(identity)}`,
    );
    const subscriptions = [
      ...new Set([...request.subscriptions, ...(identity.subscriptions ?? []), ...config.subscriptions]),
    ];
    const register = host.mask;
    const directory = (deps.directory ?? armDirectory)(
      maskedCredential(credentialOf(identity, register, cloud), register),
      subscriptions,
      correlationId,
      clock,
      cloud,
      // The input overrides the config's default share; the config's per-vault shares stay.
      { share: request.budgetShare ?? config.budgetShare ?? DEFAULT_BUDGET_SHARE, byVault: config.vaultBudgetShares },
    );
    state = await host.openState(request);
    const alerting = request.alerts && request.mode === 'apply' ? recordingStore(state.store) : undefined;
    const cancel = cancelOnSignals((signal) =>
      host.log.warning(
        `${signal}: the job is being cancelled; finishing the writes under way, then saving state (a second signal stops at once)`,
      ),
    );
    const replicated = await runReplication({
      config,
      mode: request.mode,
      correlationId,
      clock,
      state: alerting?.store ?? state.store,
      directory,
      replications: scope.replications,
      only: scope.only,
      acknowledge: request.acknowledge,
      revoke: request.revoke,
      approveMassDelete: request.approveDeletes,
      maxConcurrency: request.maxConcurrency,
      listener: host.listener?.(request) ?? logListener(host.log),
      mask: register && ((value) => registerSecretLines(value, register)),
      signal: cancel.signal,
      reviewed,
      planned: planFile && request.mode === 'plan' ? (p) => planned.push(p) : undefined,
    }).finally(cancel.dispose);
    if (planFile && request.mode === 'plan' && replicated.exitCode !== 2) {
      await writePlanFile(planFile, planned, config, stateKey!, clock.now());
      const acting = planned.reduce((n, p) => n + p.records.length, 0);
      host.log.info(`plan file written to ${planFile}: ${acting} record(s) to apply, signed with the state key`);
    }
    // The report's exit code is the host's, fail-on applied, so that the JSON says what the step or shell saw.
    const outcome = runOutcome(replicated, request.failOn, host.where);
    report = outcome.report;
    const reportPath = host.reportPath(correlationId, request);
    if (reportPath) await writeReport(reportPath, outcome.report);
    if (reportPath) host.output?.('reportPath', reportPath);
    host.output?.('counts', JSON.stringify(outcome.report.totals));
    await host.deliver(outcome, reportPath, request);
    for (const n of blockedNotices(outcome.report, host.where)) host.log.warning(n.message, n.title);
    if (alerting && request.alerts) await alert(host, request, request.alerts, alerting);
    return { verdict: outcome.verdict, exitCode: outcome.exitCode, message: outcome.message, report: outcome.report };
  } catch (e) {
    return {
      verdict: 'failed',
      exitCode: failureExitCode(e),
      message: failureMessage(e),
      report,
      error: e,
    };
  } finally {
    await state
      ?.close?.()
      .catch((e: Error) => host.log.warning(`the state's temporary repository was not removed: ${e.message}`));
  }
}
