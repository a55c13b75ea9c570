import * as github from '@actions/github';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_EVENTS, type RunListener } from '../../engine/events.ts';
import { markdownText } from '../../engine/markdown-text.ts';
import type { RunReport } from '../../engine/report.ts';
import { DEFAULT_STATE_BRANCH } from '../shared/defaults.ts';
import {
  logListener,
  runHostPipeline,
  type HostLog,
  type HostPort,
  type PipelineResult,
} from '../shared/host-pipeline.ts';
import { inputLabel, parseBoolean, readCiRequest, type CiRequest } from '../shared/run-inputs.ts';
import { openStateBranch } from '../shared/state-branch-store.ts';
import { COMMENT_LIMIT_CHARS, INPUTS, OUTPUTS, PULL_REQUEST_EVENTS, SUMMARY_LIMIT_BYTES } from './constants.ts';
import { chooseCredential } from './credential.ts';
import { fittedMarkdown } from './job-summary.ts';
import { logSafeCore as core } from './log-safe-core.ts';
import { upsertPreviewComment } from './pr-comment.ts';

interface ActionRequest extends CiRequest {
  /** Who signs in to Azure (see chooseCredential). */
  readonly azure: { clientId?: string; tenantId?: string; clientSecret?: string };
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
};

async function readRequest(): Promise<ActionRequest> {
  const stateKey = input(INPUTS.stateKey);
  if (stateKey) core.setSecret(stateKey);
  const { eventName, payload } = github.context;
  const defaultBranch: unknown = payload.repository?.default_branch;
  return {
    ...(await readCiRequest(
      INPUTS,
      reader,
      {
        defaultMode: PULL_REQUEST_EVENTS.includes(eventName) ? 'plan' : 'apply',
        repository: workspace(),
        guarded: [
          [
            typeof defaultBranch === 'string' ? defaultBranch : undefined,
            "the repository's default branch (the event's repository.default_branch)",
          ],
          [env.GITHUB_REF, 'the branch this workflow runs on (GITHUB_REF)'],
          [env.GITHUB_HEAD_REF, "the pull request's head branch (GITHUB_HEAD_REF)"],
          [env.GITHUB_BASE_REF, "the pull request's base branch (GITHUB_BASE_REF)"],
        ],
      },
      stateKey,
    )),
    subscriptions: [input(INPUTS.subscriptionId) ?? env.AZURE_SUBSCRIPTION_ID].filter((id): id is string => !!id),
    azure: {
      clientId: input(INPUTS.clientId) ?? (env.AZURE_CLIENT_ID || undefined),
      tenantId: input(INPUTS.tenantId) ?? (env.AZURE_TENANT_ID || undefined),
      clientSecret: input(INPUTS.clientSecret),
    },
    githubToken: input(INPUTS.githubToken),
    commentOnPr: reader.flag(INPUTS.commentOnPr) ?? true,
  };
}

const actionLog: HostLog = {
  info: core.info,
  notice: core.notice,
  warning: (message, title) => core.warning(message, title ? { title } : undefined),
  error: (message, title) => core.error(message, title ? { title } : undefined),
};

/** One group per replication and target; in it, one line per write and record failures as error annotations. */
function groupedListener(): RunListener {
  const plain = logListener(actionLog);
  let open = false;
  return (e) => {
    if (open && (e.kind === RUN_EVENTS.pairStarted || e.kind === RUN_EVENTS.pairFinished)) core.endGroup();
    open = e.kind === RUN_EVENTS.pairStarted || (open && e.kind !== RUN_EVENTS.pairFinished);
    if (e.kind === RUN_EVENTS.pairStarted) core.startGroup(e.message);
    else if (e.kind !== RUN_EVENTS.pairFinished) plain(e);
  };
}

async function commentOnPullRequest(o: ActionRequest, report: RunReport): Promise<void> {
  const { eventName, payload, repo } = github.context;
  const number = payload.pull_request?.number;
  if (o.mode !== 'plan' || !o.commentOnPr || !PULL_REQUEST_EVENTS.includes(eventName) || !number) return;
  if (!o.githubToken) return core.warning('no github-token: the preview is in the job summary only');
  try {
    const key = o.replications.length ? [...o.replications].sort().join(',') : 'all';
    const how = await upsertPreviewComment(
      github.getOctokit(o.githubToken),
      { ...repo, number },
      key,
      fittedMarkdown(report, COMMENT_LIMIT_CHARS, (s) => s.length),
    );
    core.info(`preview comment ${how} on #${number}`);
  } catch (e) {
    core.warning(
      `the preview comment could not be posted (the workflow needs 'permissions: pull-requests: write'): ${(e as Error).message.split('\n')[0]}`,
    );
  }
}

/** The Action as a host of the run: inputs, OIDC, the state branch, annotations, outputs and the PR comment. */
const actionHost: HostPort<ActionRequest> = {
  where: 'the job summary',
  log: actionLog,
  readRequest,
  events: () =>
    github.context.eventName === 'repository_dispatch' ? github.context.payload.client_payload : undefined,
  correlationId: (id) => core.setOutput(OUTPUTS.correlationId, id),
  signIn: (o) => chooseCredential(o.azure, env),
  openState: async (o) => {
    if (!o.stateBranch)
      core.warning(
        'state-branch is empty: no state is kept, so flap protection, acknowledgements and incremental sync start afresh on every run.',
      );
    const remote = {
      url: `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}.git`,
      token: o.githubToken,
      tempDir: runnerTemp(),
    };
    return openStateBranch({
      branch: o.stateBranch,
      signing: o.signing,
      repository: workspace(),
      remote,
      mask: core.setSecret,
    });
  },
  listener: groupedListener,
  mask: core.setSecret,
  reportPath: (id) => join(runnerTemp(), `keyvault-replicate-${id}.json`),
  deliver: async ({ report }, reportPath, o) => {
    for (const s of OUTPUTS.statuses) core.setOutput(s, report.totals[s] ?? 0);
    core.setOutput(OUTPUTS.counts, JSON.stringify(report.totals));
    core.setOutput(OUTPUTS.reportPath, reportPath);
    core.setOutput(
      OUTPUTS.changed,
      String((report.totals.create ?? 0) + (report.totals.update ?? 0) + (report.totals.delete ?? 0) > 0),
    );
    await commentOnPullRequest(o, report);
  },
};

async function writeSummary(result: PipelineResult): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  const md = result.report
    ? fittedMarkdown(result.report, SUMMARY_LIMIT_BYTES)
    : `## Key Vault replication: not run\n\n> ${markdownText(result.message || 'stopped')}\n`;
  await core.summary.addRaw(md).write();
}

/** The Action: one run through the shared pipeline. Never throws; a failure sets the step's result. */
export async function run(): Promise<void> {
  const result = await runHostPipeline(actionHost);
  if (result.verdict === 'failed') core.setFailed(result.message);
  await writeSummary(result).catch((e: Error) => core.warning(`job summary not written: ${e.message}`));
}
