import type { TaskResult } from 'azure-pipelines-task-lib/task.js';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { KvrError } from '../../engine/errors.ts';
import { renderMarkdown } from '../../engine/report.ts';
import { branchesNamedIn } from '../shared/guarded-branches.ts';
import { runFile, runHostPipeline, type HostPort, type PipelineResult } from '../shared/host-pipeline.ts';
import { parseBoolean, readCiRequest, type CiRequest } from '../shared/run-inputs.ts';
import { inputLabel } from '../shared/run-options.ts';
import { openStateBranch } from '../shared/state-branch-store.ts';
import { statusOutputs } from '../shared/status-outputs.ts';
import { INPUTS, OUTPUTS, REQUIRED_INPUTS } from './constants.ts';
import { logInfo, logSafeTask as tl, secretInput } from './log-safe-task.ts';
import { commentOnPullRequest } from './pr-thread.ts';
import { serviceConnection, serviceConnectionCloud, systemAccessToken } from './service-connection.ts';

interface TaskRequest extends CiRequest {
  readonly commentOnPr: boolean;
}

const temp = () => tl.getVariable('Agent.TempDirectory') || tmpdir();
const repository = () => tl.getVariable('Build.SourcesDirectory') || process.cwd();
const reader = {
  text: (name: string) => tl.getInput(name, false)?.trim() || undefined,
  flag: (name: string) => tl.getBoolInput(name, false),
  secret: secretInput,
};
/**
 * The branches a build names. Azure DevOps names no default branch and its checkout is detached: main and master are
 * refused regardless.
 */
const BRANCH_VARIABLES = {
  'Build.SourceBranch': 'the branch being built',
  'System.PullRequest.SourceBranch': "the pull request's source branch",
  'System.PullRequest.TargetBranch': "the pull request's target branch",
};

/**
 * The inputs task.json marks required, checked before any other: task-lib's getInput(name, true) would throw a plain
 * Error (`Input required: azureSubscription`), which reads as an unexpected failure (KVR039).
 */
function requireInputs(): void {
  const missing = REQUIRED_INPUTS.filter((name) => !tl.getInput(name, false)?.trim());
  if (missing.length) throw new KvrError('KVR008', `${missing.map(inputLabel).join(', ')}: required, but not given`);
}

/**
 * The task as a host of the run: inputs, the service connection, the state branch, issues, variables and the summary.
 */
const taskHost: HostPort<TaskRequest> = {
  where: 'the Key Vault replication section of the run summary',
  log: {
    info: logInfo,
    warning: (message) => tl.logIssue(tl.IssueType.Warning, message),
    error: (message) => tl.logIssue(tl.IssueType.Error, message),
  },
  readRequest: async () => {
    requireInputs();
    const request = await readCiRequest(INPUTS, reader, {
      pullRequest: tl.getVariable('Build.Reason') === 'PullRequest',
      guarded: branchesNamedIn(BRANCH_VARIABLES, tl.getVariable),
      repository: repository(),
      environment: serviceConnectionCloud(),
    });
    const commentOnPr = parseBoolean(reader.text(INPUTS.commentOnPr), inputLabel(INPUTS.commentOnPr)) ?? true;
    return { ...request, commentOnPr };
  },
  output: (name, value) => tl.setVariable(OUTPUTS[name], value, false, true),
  identity: serviceConnection,
  openState: async (o) => {
    const author = { name: 'Azure Pipelines', email: 'keyvault-replicate@pipelines.invalid' };
    return openStateBranch({
      branch: o.stateBranch,
      signing: o.signing,
      repository: repository(),
      mask: tl.setSecret,
      author,
    });
  },
  mask: tl.setSecret,
  reportPath: (id) => runFile(temp(), id, 'json'),
  deliver: async ({ report }, _reportPath, o) => {
    for (const [name, value] of Object.entries(statusOutputs(report)))
      tl.setVariable(OUTPUTS[name as keyof typeof OUTPUTS], value, false, true);
    const summaryPath = runFile(temp(), report.correlationId, 'md');
    await writeFile(summaryPath, renderMarkdown(report), { mode: 0o600 });
    tl.uploadSummary(summaryPath);
    await commentOnPullRequest(o, report, {
      getVariable: tl.getVariable,
      accessToken: systemAccessToken,
      info: logInfo,
      warning: (message) => tl.logIssue(tl.IssueType.Warning, message),
    });
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
