import { AzurePipelinesCredential, ClientSecretCredential } from '@azure/identity';
import type { TaskResult } from 'azure-pipelines-task-lib/task.js';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvrError } from '../../engine/errors.ts';
import { renderMarkdown } from '../../engine/report.ts';
import { runHostPipeline, type HostPort, type PipelineResult, type SignIn } from '../shared/host-pipeline.ts';
import { readCiRequest, type CiRequest } from '../shared/run-inputs.ts';
import { openStateBranch } from '../shared/state-branch-store.ts';
import { INPUTS, OUTPUTS } from './constants.ts';
import { logInfo, logSafeTask as tl } from './log-safe-task.ts';
import { secretInput } from './secret-input.ts';

const temp = () => tl.getVariable('Agent.TempDirectory') || tmpdir();
const repository = () => tl.getVariable('Build.SourcesDirectory') || process.cwd();
const reader = {
  text: (name: string) => tl.getInput(name, false)?.trim() || undefined,
  flag: (name: string) => tl.getBoolInput(name, false),
};

/** A secret endpoint parameter, read from the endpoint's JSON: task-lib's per-parameter getter debug-logs the value. */
function endpointSecret(connection: string, key: string): string | undefined {
  const parameters = tl.getEndpointAuthorization(connection, true)?.parameters ?? {};
  return Object.entries(parameters).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] || undefined;
}

/** The service connection's identity: workload identity federation, or a service principal with a secret. */
function signIn(): SignIn {
  const connection = tl.getInput(INPUTS.azureSubscription, true)!;
  const scheme = tl.getEndpointAuthorizationScheme(connection, false) ?? '';
  const clientId = tl.getEndpointAuthorizationParameter(connection, 'serviceprincipalid', true);
  const tenantId = tl.getEndpointAuthorizationParameter(connection, 'tenantid', true);
  const subscriptions = [tl.getEndpointDataParameter(connection, 'subscriptionid', true)].filter(
    (s) => s !== undefined,
  );
  if (!clientId || !tenantId)
    throw new KvrError(
      'KVR024',
      `service connection ${connection} has no service principal id or tenant id; use an Azure Resource Manager connection`,
    );
  if (scheme.toLowerCase() === 'workloadidentityfederation') {
    const accessToken = endpointSecret('SystemVssConnection', 'AccessToken') ?? tl.getVariable('System.AccessToken');
    if (!accessToken)
      throw new KvrError(
        'KVR024',
        'no System.AccessToken for the OIDC request: allow scripts to access the OAuth token, or map System.AccessToken into the step',
      );
    tl.setSecret(accessToken);
    return {
      kind: 'workload identity federation',
      subscriptions,
      credential: new AzurePipelinesCredential(tenantId, clientId, connection, accessToken),
    };
  }
  const secret = endpointSecret(connection, 'serviceprincipalkey');
  if (!secret)
    throw new KvrError(
      'KVR024',
      `service connection ${connection} (${scheme}) has neither workload identity federation nor a client secret`,
    );
  tl.setSecret(secret);
  return {
    kind: 'service principal secret',
    subscriptions,
    credential: new ClientSecretCredential(tenantId, clientId, secret),
  };
}

/** The task as a host of the run: inputs, the service connection, the state branch, issues, variables and the summary. */
const taskHost: HostPort<CiRequest> = {
  where: 'the Key Vault replication section of the run summary',
  log: {
    info: logInfo,
    warning: (message) => tl.logIssue(tl.IssueType.Warning, message),
    error: (message) => tl.logIssue(tl.IssueType.Error, message),
  },
  // Azure DevOps names no default branch and its checkout is detached: main and master are refused regardless.
  readRequest: () =>
    readCiRequest(
      INPUTS,
      reader,
      {
        defaultMode: tl.getVariable('Build.Reason') === 'PullRequest' ? 'plan' : 'apply',
        repository: repository(),
        guarded: [
          [tl.getVariable('Build.SourceBranch'), 'the branch being built (Build.SourceBranch)'],
          [
            tl.getVariable('System.PullRequest.SourceBranch'),
            "the pull request's source branch (System.PullRequest.SourceBranch)",
          ],
          [
            tl.getVariable('System.PullRequest.TargetBranch'),
            "the pull request's target branch (System.PullRequest.TargetBranch)",
          ],
        ],
      },
      secretInput(INPUTS.stateKey),
    ),
  correlationId: (id) => tl.setVariable(OUTPUTS.correlationId, id, false, true),
  signIn,
  openState: async (o) =>
    openStateBranch({
      branch: o.stateBranch,
      signing: o.signing,
      repository: repository(),
      mask: tl.setSecret,
      author: { name: 'Azure Pipelines', email: 'keyvault-replicate@pipelines.invalid' },
    }),
  mask: tl.setSecret,
  reportPath: (id) => join(temp(), `keyvault-replicate-${id}.json`),
  deliver: async ({ report }, reportPath) => {
    const summaryPath = join(temp(), `keyvault-replicate-${report.correlationId}.md`);
    await writeFile(summaryPath, renderMarkdown(report), { mode: 0o600 });
    tl.uploadSummary(summaryPath);
    tl.setVariable(OUTPUTS.reportPath, reportPath!, false, true);
    tl.setVariable(OUTPUTS.counts, JSON.stringify(report.totals), false, true);
  },
};

const RESULT: Record<PipelineResult['verdict'], TaskResult> = {
  ok: tl.TaskResult.Succeeded,
  issues: tl.TaskResult.SucceededWithIssues,
  failed: tl.TaskResult.Failed,
};

/** The Azure DevOps task: one run through the shared pipeline, its end as the task's result. Never throws. */
export async function run(): Promise<void> {
  const result = await runHostPipeline(taskHost);
  tl.setResult(RESULT[result.verdict], result.message || 'replication done');
}
