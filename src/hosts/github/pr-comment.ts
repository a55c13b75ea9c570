import * as github from '@actions/github';
import type { RunReport } from '../../engine/report.ts';
import type { RunMode } from '../../engine/run.ts';
import { fittedMarkdown } from '../shared/report-markdown.ts';
import { COMMENT_LIMIT_CHARS, COMMENT_MARKER, PULL_REQUEST_EVENTS, WHOLE_REPORT } from './constants.ts';
import { logSafeCore as core } from './log-safe-core.ts';

type Octokit = ReturnType<typeof github.getOctokit>;

/** What the preview comment needs of the run: a plan's, on a pull request, with comment-on-pr and a token. */
export interface PreviewRequest {
  readonly mode: RunMode;
  readonly replications: readonly string[];
  readonly githubToken?: string;
  readonly commentOnPr: boolean;
}

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/**
 * One sticky comment per pull request and set of replications: updated on every push, never stacked. Only a bot's
 * comment is taken as ours: anyone can write a comment that starts with the marker, and editing a person's comment
 * would put the plan under their name (or let them choose which comment the plan replaces).
 */
export async function upsertPreviewComment(
  octokit: Octokit,
  pr: PullRequestRef,
  key: string,
  markdown: string,
): Promise<'created' | 'updated'> {
  const marker = `${COMMENT_MARKER}:${key} -->`;
  const body = `${marker}\n${markdown}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: pr.owner,
    repo: pr.repo,
    issue_number: pr.number,
    per_page: 100,
  });
  const mine = comments.find((c) => c.user?.type === 'Bot' && c.body?.startsWith(marker));
  if (mine) {
    await octokit.rest.issues.updateComment({ owner: pr.owner, repo: pr.repo, comment_id: mine.id, body });
    return 'updated';
  }
  await octokit.rest.issues.createComment({ owner: pr.owner, repo: pr.repo, issue_number: pr.number, body });
  return 'created';
}

/** The plan as a sticky comment on the pull request it previews. */
export async function commentOnPullRequest(o: PreviewRequest, report: RunReport): Promise<void> {
  const { eventName, payload, repo } = github.context;
  const number = payload.pull_request?.number;
  if (o.mode !== 'plan' || !o.commentOnPr || !PULL_REQUEST_EVENTS.includes(eventName) || !number) return;
  if (!o.githubToken) return core.warning('no github-token: the preview is in the job summary only');
  try {
    const key = o.replications.length ? [...o.replications].sort().join(',') : 'all';
    const markdown = fittedMarkdown(report, COMMENT_LIMIT_CHARS, WHOLE_REPORT, (s) => s.length);
    const how = await upsertPreviewComment(github.getOctokit(o.githubToken), { ...repo, number }, key, markdown);
    core.info(`preview comment ${how} on #${number}`);
  } catch (e) {
    core.warning(
      `the preview comment could not be posted (the workflow needs 'permissions: pull-requests: write'): ${(e as Error).message.split('\n')[0]}`,
    );
  }
}
