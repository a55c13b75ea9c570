import * as github from '@actions/github';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArmVaultDirectory } from '../../azure/arm-vault-directory.ts';
import { maskedCredential } from '../../azure/masked-credential.ts';
import type { ReplicationConfig } from '../../engine/config/types.ts';
import { RUN_EVENTS, type RunListener } from '../../engine/events.ts';
import { markdownText } from '../../engine/markdown-text.ts';
import type { OnlyItem } from '../../engine/plan.ts';
import type { RunReport } from '../../engine/report.ts';
import { runReplication } from '../../engine/run.ts';
import { assertStateBranch } from '../../state/state-branch.ts';
import { blockedNotices } from '../shared/blocked-notices.ts';
import { cancelOnSignals } from '../shared/cancellation.ts';
import { runOutcome } from '../shared/fail-on.ts';
import { failureMessage } from '../shared/failure-message.ts';
import { registerSecretLines } from '../shared/host-inputs.ts';
import { keyVaultEventItems } from '../shared/key-vault-events.ts';
import { readConfigFile } from '../shared/read-config.ts';
import { systemClock } from '../shared/system-clock.ts';
import { COMMENT_LIMIT_CHARS, INPUTS, OUTPUTS, PULL_REQUEST_EVENTS, SUMMARY_LIMIT_BYTES } from './constants.ts';
import { chooseCredential } from './credential.ts';
import { guardedBranches } from './guarded-branches.ts';
import { readActionInputs, type ActionOptions } from './inputs.ts';
import { fittedMarkdown } from './job-summary.ts';
import { logSafeCore as core } from './log-safe-core.ts';
import { upsertPreviewComment } from './pr-comment.ts';
import { openStateStore } from './state-store.ts';

/** One line per write, grouped per replication and target; record failures as error annotations (run-level problems end in setFailed). */
function logListener(): RunListener {
  let open = false;
  return (e) => {
    if (e.kind === RUN_EVENTS.pairStarted) {
      if (open) core.endGroup();
      core.startGroup(e.message);
      open = true;
    } else if (e.kind === RUN_EVENTS.pairFinished) {
      if (open) core.endGroup();
      open = false;
    } else if (e.kind === RUN_EVENTS.failed) {
      core.error(e.message, { title: `Record failed${e.replication ? ` in ${e.replication} → ${e.target}` : ''}` });
    } else if (e.kind === RUN_EVENTS.warning) {
      core.warning(e.message);
    } else {
      core.info(e.message);
    }
  };
}

/** Where an annotation sends the reader for the details. */
const WHERE = 'the job summary';

interface Scope { only?: OnlyItem[]; replications: string[]; skip?: string }

/** A repository_dispatch carrying Key Vault events replicates just the items named, from the replications of their vault. */
function scopeOf(o: ActionOptions, config: ReplicationConfig): Scope {
  const { eventName, payload } = github.context;
  if (eventName !== 'repository_dispatch' || o.only) return { only: o.only, replications: o.replications };
  const delivery = keyVaultEventItems(payload.client_payload);
  if (!delivery) return { only: o.only, replications: o.replications };
  // Counted, never echoed: the names are the sender's text.
  if (delivery.ignored) core.warning(`KVR044: ${delivery.ignored} Key Vault event(s) ignored: their vault or item name is not a valid Key Vault name`);
  const events = delivery.vaults;
  if (!events.length) return { replications: [], skip: 'the Key Vault event(s) named no valid item' };
  const vaults = new Set(events.map((e) => e.vault));
  const replications = o.replications.length ? o.replications : config.replications.filter((r) => vaults.has(r.source.toLowerCase())).map((r) => r.name);
  const only = events.flatMap((e) => e.items);
  const what = only.map((i) => `${i.type}/${i.name}`).join(', ');
  if (!replications.length) return { replications, skip: `the event names ${what} in ${[...vaults].join(', ')}, which no replication has as its source` };
  core.info(`Key Vault event: replicating ${what} only`);
  return { only, replications };
}

function setOutputs(report: RunReport, reportPath: string): void {
  for (const s of OUTPUTS.statuses) core.setOutput(s, report.totals[s] ?? 0);
  core.setOutput(OUTPUTS.counts, JSON.stringify(report.totals));
  core.setOutput(OUTPUTS.reportPath, reportPath);
  const changes = (report.totals.create ?? 0) + (report.totals.update ?? 0) + (report.totals.delete ?? 0);
  core.setOutput(OUTPUTS.changed, String(changes > 0));
}

async function commentOnPullRequest(o: ActionOptions, report: RunReport): Promise<void> {
  const { eventName, payload, repo } = github.context;
  const number = payload.pull_request?.number;
  if (o.mode !== 'plan' || !o.commentOnPr || !PULL_REQUEST_EVENTS.includes(eventName) || !number) return;
  if (!o.githubToken) return core.warning('no github-token: the preview is in the job summary only');
  try {
    const key = o.replications.length ? [...o.replications].sort().join(',') : 'all';
    const how = await upsertPreviewComment(github.getOctokit(o.githubToken), { ...repo, number }, key, fittedMarkdown(report, COMMENT_LIMIT_CHARS, (s) => s.length));
    core.info(`preview comment ${how} on #${number}`);
  } catch (e) {
    core.warning(`the preview comment could not be posted (the workflow needs 'permissions: pull-requests: write'): ${(e as Error).message.split('\n')[0]}`);
  }
}

async function writeSummary(report: RunReport | undefined, failure: string | undefined): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const md = report ? fittedMarkdown(report, SUMMARY_LIMIT_BYTES) : `## Key Vault replication: not run\n\n> ${markdownText(failure ?? 'stopped')}\n`;
  await core.summary.addRaw(md).write();
}

/** The Action: read inputs, run one replication, report. Never throws; failures set the step's result. */
export async function run(): Promise<void> {
  let report: RunReport | undefined;
  let failure: string | undefined;
  try {
    const o = readActionInputs((name) => core.getInput(name), github.context.eventName, process.env);
    if (o.stateKey) core.setSecret(o.stateKey);
    if (o.stateBranch) assertStateBranch(o.stateBranch, await guardedBranches(github.context.payload, process.env), `input '${INPUTS.stateBranch}'`);
    const config = o.inlineConfig ?? (await readConfigFile(o.configFile!));
    const scope = scopeOf(o, config);
    if (scope.skip) return core.notice(`Nothing to replicate: ${scope.skip}.`);
    const correlationId = crypto.randomUUID();
    core.setOutput(OUTPUTS.correlationId, correlationId);
    core.info(`keyvault-replicate ${o.mode}: correlation id ${correlationId}`);
    const { credential, kind } = chooseCredential(o, process.env);
    core.info(`signing in to Azure with ${kind}`);
    const subscriptions = [...new Set([...(o.subscriptionId ? [o.subscriptionId] : []), ...config.subscriptions])];
    const state = await openStateStore(o.stateBranch, o.githubToken, { key: o.stateKey, adopt: o.adoptState }, process.env);
    const cancel = cancelOnSignals((signal) => core.warning(`${signal}: the job is being cancelled; finishing the writes under way, then saving state`));
    report = await runReplication({
      config, mode: o.mode, correlationId, clock: systemClock, state,
      directory: new ArmVaultDirectory(maskedCredential(credential, core.setSecret), subscriptions, correlationId, systemClock),
      replications: scope.replications, only: scope.only, acknowledge: o.acknowledge, revoke: o.revoke, approveMassDelete: o.approveDeletes,
      maxConcurrency: o.maxConcurrency, listener: logListener(), mask: (value) => registerSecretLines(value, core.setSecret), signal: cancel.signal,
    }).finally(cancel.dispose);
    // The report's exit code is the step's, fail-on applied, so that the JSON says what the job said.
    const outcome = runOutcome(report, o.failOn, WHERE);
    report = outcome.report;
    const reportPath = join(process.env.RUNNER_TEMP || tmpdir(), `keyvault-replicate-${correlationId}.json`);
    await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
    setOutputs(report, reportPath);
    await commentOnPullRequest(o, report);
    for (const n of blockedNotices(report, WHERE)) core.warning(n.message, { title: n.title });
    if (outcome.verdict === 'failed') {
      failure = outcome.message;
      core.setFailed(failure);
    }
  } catch (e) {
    failure = failureMessage(e);
    core.setFailed(failure);
  } finally {
    await writeSummary(report, failure).catch((e: Error) => core.warning(`job summary not written: ${e.message}`));
  }
}
