import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import type { RunReport } from '../../engine/report.ts';
import type { RunMode } from '../../engine/run.ts';
import { BLOCKED_STATUSES } from '../shared/fail-on.ts';
import { fittedMarkdown } from '../shared/report-markdown.ts';
import { OUTPUTS } from './constants.ts';

/**
 * Azure DevOps refuses a comment over 150,000 characters (400 "A discussion comment cannot be longer than 150000
 * characters"; undocumented, runatlantis/atlantis#1585): the preview is cut below that, marker included.
 */
export const THREAD_LIMIT_CHARS = 149_000;
export const THREAD_MARKER = '<!-- keyvault-replicate:preview';
const API_VERSION = '7.1';

/** What the preview thread needs of the run and the build: a plan's, on an Azure Repos pull request, with a token. */
export interface ThreadRequest {
  readonly mode: RunMode;
  readonly replications: readonly string[];
  readonly commentOnPr: boolean;
}

/** Where the pull request is, from the build's predefined variables. */
export interface PullRequestAt {
  /** System.CollectionUri, e.g. `https://dev.azure.com/contoso/`. */
  collectionUri: string;
  /** System.TeamProject (a name; it may have spaces). */
  project: string;
  /** Build.Repository.ID */
  repositoryId: string;
  /** System.PullRequest.PullRequestId */
  pullRequestId: number;
}

interface Comment {
  id: number;
  content?: string;
  author?: { id?: string };
}
interface Thread {
  id: number;
  status?: string;
  isDeleted?: boolean;
  comments?: Comment[];
}

/** A refusal from Azure DevOps, with its status and its own message (TF401027 …), never the request's headers. */
class DevOpsRefusal extends Error {}

/** A small JSON client of one collection, through HTTPS_PROXY like every other call (core-rest-pipeline's policies). */
function devopsClient(token: string) {
  const pipeline = createPipelineFromOptions({ userAgentOptions: { userAgentPrefix: 'keyvault-replicate' } });
  const http = createDefaultHttpClient();
  return async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<T> => {
    const headers = createHttpHeaders({ authorization: `Bearer ${token}`, accept: 'application/json' });
    if (body !== undefined) headers.set('content-type', 'application/json');
    const request = createPipelineRequest({
      url,
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const response = await pipeline.sendRequest(http, request);
    const text = response.bodyAsText ?? '';
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    // Azure DevOps answers a token it does not take with 401, or with 203 and a sign-in page: JSON or nothing.
    if (response.status < 200 || response.status > 299 || response.status === 203 || json === undefined) {
      const message = (json as { message?: unknown } | undefined)?.message;
      throw new DevOpsRefusal(
        `${response.status}${typeof message === 'string' ? ` ${message.split(/\r?\n/)[0]}` : ''}`,
      );
    }
    return json as T;
  };
}

/**
 * A thread that needs a person stays active (failed records, run errors, blocked or held-back records); a plan with
 * nothing of that is closed (resolved), so that a "comment resolution" policy waits only on plans that need a look.
 */
export function threadStatus(report: RunReport): 'active' | 'closed' {
  const attention = report.errors.length + (report.totals.failed ?? 0);
  const blocked = BLOCKED_STATUSES.reduce((n, s) => n + (report.totals[s] ?? 0), 0);
  return attention + blocked ? 'active' : 'closed';
}

/**
 * One thread per pull request and set of replications: its first comment updated on every push, never stacked. Only
 * a thread the token's own identity started is taken as ours: anyone can write a comment that starts with the
 * marker, and Azure DevOps lets only a comment's author edit it anyway.
 */
export async function upsertPreviewThread(
  token: string,
  pr: PullRequestAt,
  key: string,
  markdown: string,
  status: 'active' | 'closed',
): Promise<'created' | 'updated'> {
  const call = devopsClient(token);
  const collection = pr.collectionUri.endsWith('/') ? pr.collectionUri : `${pr.collectionUri}/`;
  const base = `${collection}${encodeURIComponent(pr.project)}/_apis/git/repositories/${encodeURIComponent(pr.repositoryId)}/pullRequests/${pr.pullRequestId}/threads`;
  const v = `api-version=${API_VERSION}`;
  const content = `${THREAD_MARKER}:${key} -->\n${markdown}`;
  const me = (await call<{ authenticatedUser?: { id?: string } }>('GET', `${collection}_apis/connectionData`))
    .authenticatedUser?.id;
  const { value = [] } = await call<{ value?: Thread[] }>('GET', `${base}?${v}`);
  const mine = value.find((t) => {
    const first = t.comments?.[0];
    return !t.isDeleted && me && first?.author?.id === me && first.content?.startsWith(`${THREAD_MARKER}:${key} -->`);
  });
  if (!mine) {
    await call('POST', `${base}?${v}`, { comments: [{ parentCommentId: 0, content, commentType: 'text' }], status });
    return 'created';
  }
  await call('PATCH', `${base}/${mine.id}/comments/${mine.comments![0]!.id}?${v}`, { content });
  if (mine.status !== status) await call('PATCH', `${base}/${mine.id}?${v}`, { status });
  return 'updated';
}

/** Where the whole report is when the thread is cut. */
const WHOLE_REPORT = `the JSON report (variable ${OUTPUTS.reportPath})`;

export interface ThreadHost {
  getVariable(name: string): string | undefined;
  /** The job's System.AccessToken, registered as a secret with the agent, or undefined. */
  accessToken(): string | undefined;
  info(message: string): void;
  warning(message: string): void;
}

/** The plan as one thread on the Azure Repos pull request it previews. Never throws: the run's result is unaffected. */
export async function commentOnPullRequest(o: ThreadRequest, report: RunReport, host: ThreadHost): Promise<void> {
  const v = host.getVariable;
  const pullRequestId = Number(v('System.PullRequest.PullRequestId'));
  if (o.mode !== 'plan' || !o.commentOnPr || v('Build.Reason') !== 'PullRequest') return;
  const provider = v('Build.Repository.Provider');
  if (provider && provider !== 'TfsGit')
    return host.info(`the pull request is on ${provider}, not Azure Repos: the preview is in the run summary only`);
  const [collectionUri, project, repositoryId] = [
    v('System.CollectionUri'),
    v('System.TeamProject'),
    v('Build.Repository.ID'),
  ];
  if (!collectionUri || !project || !repositoryId || !Number.isInteger(pullRequestId) || pullRequestId <= 0)
    return host.info('the build names no Azure Repos pull request: the preview is in the run summary only');
  const token = host.accessToken();
  if (!token) {
    return host.warning(
      'KVR075: no System.AccessToken for the pull request thread: the preview is in the run summary only (allow scripts to access the OAuth token, or set commentOnPr: false)',
    );
  }
  try {
    const key = o.replications.length ? [...o.replications].sort().join(',') : 'all';
    const markdown = fittedMarkdown(report, THREAD_LIMIT_CHARS - key.length - 64, WHOLE_REPORT, (s) => s.length);
    const pr = { collectionUri, project, repositoryId, pullRequestId };
    const how = await upsertPreviewThread(token, pr, key, markdown, threadStatus(report));
    host.info(`preview thread ${how} on pull request ${pullRequestId}`);
  } catch (e) {
    const reason = e instanceof DevOpsRefusal ? e.message : (e as Error).message.split('\n')[0];
    host.warning(
      `KVR076: the preview thread could not be posted on pull request ${pullRequestId} (the project's build service needs "Contribute to pull requests" on the repository): ${reason}`,
    );
  }
}
