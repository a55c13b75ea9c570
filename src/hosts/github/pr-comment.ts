import type { getOctokit } from '@actions/github';
import { COMMENT_MARKER } from './constants.ts';

type Octokit = ReturnType<typeof getOctokit>;

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
