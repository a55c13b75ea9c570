import * as github from '@actions/github';
import { tmpdir } from 'node:os';
import { RECORD_STATUSES } from '../../engine/model.ts';
import { statusOutputs } from '../shared/status-outputs.ts';
import { DEFAULT_STATE_BRANCH } from '../shared/defaults.ts';
import { branchesNamedIn } from '../shared/guarded-branches.ts';
import { runFile, runHostPipeline, type HostPort, type PipelineResult } from '../shared/host-pipeline.ts';
import { parseBoolean, readCiRequest, type CiRequest } from '../shared/run-inputs.ts';
import { inputLabel } from '../shared/run-options.ts';
import { openStateBranch } from '../shared/state-branch-store.ts';
import { fittedMarkdown, notRunMarkdown } from '../shared/report-markdown.ts';
import {
  DEPRECATED_STATUS_OUTPUTS,
  INPUTS,
  OUTPUTS,
  PULL_REQUEST_EVENTS,
  SUMMARY_LIMIT_BYTES,
  WHOLE_REPORT,
} from './constants.ts';
import { actionIdentity } from './identity.ts';
import { logSafeCore as core } from './log-safe-core.ts';
import { alertIssues } from './alert-issue.ts';
import { commentOnPullRequest } from './pr-comment.ts';

interface ActionRequest extends CiRequest {
  readonly githubToken?: string;
  readonly commentOnPr: boolean;
}

const env = process.env;
const workspace = () => env.GITHUB_WORKSPACE || process.cwd();
const runnerTemp = () => env.RUNNER_TEMP || tmpdir();
const input = (name: string) => core.getInput(name).trim() || undefined;
const reader = {
  // An explicitly empty state-branch means no state; the runner passes action.yml's default when it is not set.
  text: (name: string) =>
    name === INPUTS.stateBranch && env[`INPUT_${name.toUpperCase()}`] === undefined
      ? DEFAULT_STATE_BRANCH
      : input(name),
  flag: (name: string) => parseBoolean(input(name), inputLabel(name)),
  secret: (name: string) => {
    const value = input(name);
    if (value) core.setSecret(value);
    return value;
  },
};
/** The branches a workflow run names, after the repository's default branch. */
const BRANCH_VARIABLES = {
  GITHUB_REF: 'the branch this workflow runs on',
  GITHUB_HEAD_REF: "the pull request's head branch",
  GITHUB_BASE_REF: "the pull request's base branch",
};

async function readRequest(): Promise<ActionRequest> {
  const defaultBranch: unknown = github.context.payload.repository?.default_branch;
  const request = await readCiRequest(INPUTS, reader, {
    pullRequest: PULL_REQUEST_EVENTS.includes(github.context.eventName),
    guarded: [
      [
        typeof defaultBranch === 'string' ? defaultBranch : undefined,
        "the repository's default branch (the event's repository.default_branch)",
      ],
      ...branchesNamedIn(BRANCH_VARIABLES, (name) => env[name]),
    ],
    repository: workspace(),
  });
  return { ...request, githubToken: input(INPUTS.githubToken), commentOnPr: reader.flag(INPUTS.commentOnPr) ?? true };
}

/** The Action as a host of the run: inputs, OIDC, the state branch, annotations, outputs and the PR comment. */
const actionHost: HostPort<ActionRequest> = {
  where: 'the job summary',
  log: {
    info: core.info,
    notice: core.notice,
    warning: (message, title) => core.warning(message, title ? { title } : undefined),
    error: (message, title) => core.error(message, title ? { title } : undefined),
    groups: { start: core.startGroup, end: core.endGroup },
  },
  readRequest,
  events: () =>
    github.context.eventName === 'repository_dispatch' ? github.context.payload.client_payload : undefined,
  output: (name, value) => core.setOutput(OUTPUTS[name], value),
  identity: (request) => actionIdentity(reader, env, request.environment),
  openState: async (o) => {
    if (!o.stateBranch) {
      core.warning(
        'state-branch is empty: no state is kept, so flap protection, acknowledgements and incremental sync start afresh on every run.',
      );
    }
    const url = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}.git`;
    const remote = { url, token: o.githubToken, tempDir: runnerTemp() };
    return openStateBranch({
      branch: o.stateBranch,
      signing: o.signing,
      repository: workspace(),
      remote,
      mask: core.setSecret,
    });
  },
  mask: core.setSecret,
  alert: (alerts, o) => alertIssues(o.githubToken, alerts, o.alerts?.afterRuns ?? 0),
  reportPath: (id) => runFile(runnerTemp(), id, 'json'),
  deliver: async ({ report }, _reportPath, o) => {
    const values = statusOutputs(report);
    for (const s of RECORD_STATUSES) core.setOutput(OUTPUTS.statuses[s], values[s]);
    for (const s of DEPRECATED_STATUS_OUTPUTS) core.setOutput(s, values[s]);
    core.setOutput(OUTPUTS.changed, values.changed);
    await commentOnPullRequest(o, report);
  },
};

/** The job summary: the report cut to GitHub's limit, or why the run stopped before it had one. */
async function writeSummary({ report, message }: PipelineResult): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  await core.summary
    .addRaw(report ? fittedMarkdown(report, SUMMARY_LIMIT_BYTES, WHOLE_REPORT) : notRunMarkdown(message))
    .write();
}

/** The Action: one run through the shared pipeline. Never throws; a failure sets the step's result. */
export async function run(): Promise<void> {
  const result = await runHostPipeline(actionHost);
  if (result.verdict === 'failed') core.setFailed(result.message);
  await writeSummary(result).catch((e: Error) => core.warning(`job summary not written: ${e.message}`));
}
