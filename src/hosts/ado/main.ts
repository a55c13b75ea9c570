import { AzurePipelinesCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { TaskResult } from 'azure-pipelines-task-lib/task.js';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArmVaultDirectory } from '../../azure/arm-vault-directory.ts';
import { maskedCredential } from '../../azure/masked-credential.ts';
import { KvrError } from '../../engine/errors.ts';
import { RUN_EVENTS } from '../../engine/events.ts';
import { renderMarkdown } from '../../engine/report.ts';
import { runReplication, type RunMode } from '../../engine/run.ts';
import { EphemeralStateStore } from '../../state/ephemeral-state-store.ts';
import { GitStateStore } from '../../state/git-state-store.ts';
import { assertStateBranch } from '../../state/state-branch.ts';
import { checkStateKey } from '../../state/state-codec.ts';
import { blockedNotices } from '../shared/blocked-notices.ts';
import { cancelOnSignals } from '../shared/cancellation.ts';
import { parseFailOn, runOutcome, type RunOutcome } from '../shared/fail-on.ts';
import { failureMessage } from '../shared/failure-message.ts';
import { parseAcknowledge, parseConcurrency, registerSecretLines } from '../shared/host-inputs.ts';
import { parseOnly, splitList } from '../shared/only-items.ts';
import { readConfigFile } from '../shared/read-config.ts';
import { singlePairConfig } from '../shared/single-pair.ts';
import { systemClock } from '../shared/system-clock.ts';
import { guardedBranches } from './guarded-branches.ts';
import { logInfo, logSafeTask as tl } from './log-safe-task.ts';
import { secretInput } from './secret-input.ts';

const input = (name: string) => tl.getInput(name, false)?.trim() || undefined;
const flag = (name: string) => tl.getBoolInput(name, false);

/** A secret endpoint parameter, read from the endpoint's JSON: task-lib's per-parameter getter debug-logs the value. */
function endpointSecret(connection: string, key: string): string | undefined {
  const parameters = tl.getEndpointAuthorization(connection, true)?.parameters ?? {};
  return Object.entries(parameters).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] || undefined;
}

/** The service connection's identity: workload identity federation, or a service principal with a secret. */
function credentialOf(connection: string): { credential: TokenCredential; subscriptionId?: string; kind: string } {
  const scheme = tl.getEndpointAuthorizationScheme(connection, false) ?? '';
  const clientId = tl.getEndpointAuthorizationParameter(connection, 'serviceprincipalid', true);
  const tenantId = tl.getEndpointAuthorizationParameter(connection, 'tenantid', true);
  const subscriptionId = tl.getEndpointDataParameter(connection, 'subscriptionid', true);
  if (!clientId || !tenantId) throw new KvrError('KVR024', `service connection ${connection} has no service principal id or tenant id; use an Azure Resource Manager connection`);
  if (scheme.toLowerCase() === 'workloadidentityfederation') {
    const accessToken = endpointSecret('SystemVssConnection', 'AccessToken') ?? tl.getVariable('System.AccessToken');
    if (!accessToken) throw new KvrError('KVR024', 'no System.AccessToken for the OIDC request: allow scripts to access the OAuth token, or map System.AccessToken into the step');
    tl.setSecret(accessToken);
    return { kind: 'workload identity federation', subscriptionId, credential: new AzurePipelinesCredential(tenantId, clientId, connection, accessToken) };
  }
  const secret = endpointSecret(connection, 'serviceprincipalkey');
  if (!secret) throw new KvrError('KVR024', `service connection ${connection} (${scheme}) has neither workload identity federation nor a client secret`);
  tl.setSecret(secret);
  return { kind: 'service principal secret', subscriptionId, credential: new ClientSecretCredential(tenantId, clientId, secret) };
}

/** Where an issue sends the reader for the details. */
const WHERE = 'the Key Vault replication section of the run summary';

const RESULT: Record<RunOutcome['verdict'], TaskResult> = { ok: tl.TaskResult.Succeeded, issues: tl.TaskResult.SucceededWithIssues, failed: tl.TaskResult.Failed };

/** The Azure DevOps task: read inputs and the service connection, run once, attach the summary, set the result. Never throws. */
export async function run(): Promise<void> {
  const temp = tl.getVariable('Agent.TempDirectory') || tmpdir();
  try {
    const modeInput = input('mode') ?? (tl.getVariable('Build.Reason') === 'PullRequest' ? 'plan' : 'apply');
    if (!['validate', 'plan', 'apply'].includes(modeInput)) throw new KvrError('KVR008', `input 'mode' must be plan, apply or validate, not '${modeInput}'`);
    const branch = input('stateBranch');
    const repository = tl.getVariable('Build.SourcesDirectory') || process.cwd();
    if (branch) assertStateBranch(branch, await guardedBranches(tl.getVariable, repository), "input 'stateBranch'");
    const failOn = parseFailOn(input('failOn'), "input 'failOn'");
    const source = input('source');
    const config = source
      ? singlePairConfig({ source, targets: input('targets') ?? '', types: input('types'), rule: input('rule'), overwriteOnConflict: flag('overwriteOnConflict'), propagateDeletes: flag('propagateDeletes') })
      : await readConfigFile(input('configFile') ?? '.github/keyvault-replication.yml');
    const concurrency = parseConcurrency(input('maxConcurrency'), "input 'maxConcurrency'");
    const only = parseOnly(input('only'));
    const acknowledge = parseAcknowledge(splitList(input('acknowledge')), "input 'acknowledge'");
    const revoke = parseAcknowledge(splitList(input('revoke')), "input 'revoke'");
    const stateKey = checkStateKey(secretInput('stateKey'), "input 'stateKey'");
    const connection = tl.getInput('azureSubscription', true)!;
    const { credential, subscriptionId, kind } = credentialOf(connection);
    const correlationId = crypto.randomUUID();
    logInfo(`keyvault-replicate ${modeInput}: correlation id ${correlationId}; signing in with ${kind}`);
    const cancel = cancelOnSignals((signal) => tl.warning(`${signal}: the job is being cancelled; finishing the writes under way, then saving state`));
    const replicated = await runReplication({
      config, mode: modeInput as RunMode, correlationId, clock: systemClock,
      state: branch ? new GitStateStore({ repository, branch, signing: { key: stateKey, adopt: flag('adoptState') }, author: { name: 'Azure Pipelines', email: 'keyvault-replicate@pipelines.invalid' } }) : new EphemeralStateStore(),
      directory: new ArmVaultDirectory(maskedCredential(credential, tl.setSecret), [...new Set([...(subscriptionId ? [subscriptionId] : []), ...config.subscriptions])], correlationId, systemClock),
      replications: splitList(input('replications')), only, acknowledge, revoke,
      approveMassDelete: flag('approveDeletes'), maxConcurrency: concurrency,
      listener: (e) => {
        if (e.kind === RUN_EVENTS.failed) tl.logIssue(tl.IssueType.Error, e.message);
        else if (e.kind === RUN_EVENTS.warning) tl.warning(e.message);
        else logInfo(e.message);
      },
      mask: (value) => registerSecretLines(value, tl.setSecret), signal: cancel.signal,
    }).finally(cancel.dispose);
    // The report's exit code is the task's, fail-on applied, so that the JSON says what the result said.
    const outcome = runOutcome(replicated, failOn, WHERE);
    const { report } = outcome;
    const summaryPath = join(temp, `keyvault-replicate-${correlationId}.md`);
    await writeFile(summaryPath, renderMarkdown(report));
    tl.uploadSummary(summaryPath);
    const reportPath = join(temp, `keyvault-replicate-${correlationId}.json`);
    await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`, { mode: 0o600 });
    tl.setVariable('correlationId', correlationId, false, true);
    tl.setVariable('reportPath', reportPath, false, true);
    tl.setVariable('counts', JSON.stringify(report.totals), false, true);
    for (const n of blockedNotices(report, WHERE)) tl.logIssue(tl.IssueType.Warning, n.message);
    tl.setResult(RESULT[outcome.verdict], outcome.message || 'replication done');
  } catch (e) {
    tl.setResult(tl.TaskResult.Failed, failureMessage(e));
  }
}
