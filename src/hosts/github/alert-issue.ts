import * as github from '@actions/github';
import type { ReplicationAlert } from '../../engine/alerts.ts';
import { markdownCode, markdownText } from '../../engine/markdown-text.ts';
import { logSafeCore as core } from './log-safe-core.ts';

type Octokit = ReturnType<typeof github.getOctokit>;

export const ALERT_LABEL = 'keyvault-replicate';
export const ALERT_MARKER = '<!-- keyvault-replicate:alert';

const markerOf = (replication: string) => `${ALERT_MARKER}:${encodeURIComponent(replication)} -->`;

/** The issue's body: which items, their status and for how many runs; names and statuses only, escaped. */
function bodyOf(a: ReplicationAlert, threshold: number): string {
  const rows = a.after.map(
    (i) => `| ${markdownText(i.target)} | ${markdownCode(`${i.type}/${i.name}`)} | ${i.status} | ${i.runs} |`,
  );
  return [
    markerOf(a.replication),
    `Replication ${markdownCode(a.replication)} has records that stayed failed or blocked for ${threshold} or more runs in a row. keyvault-replicate closes this issue once they are fine again.`,
    '',
    '| Target | Item | Status | Runs in a row |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'The job summary of the latest run says why each is failed or blocked (docs/errors.md has the fix for each code).',
  ].join('\n');
}

/**
 * One issue per replication in trouble, found by its label and the hidden marker, and only among the bot's own (anyone
 * can write an issue that starts with the marker): opened when the replication enters trouble, its body updated while
 * the trouble lasts, closed with a comment once the replication is healthy again.
 */
export async function syncAlertIssues(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  alerts: readonly ReplicationAlert[],
  threshold: number,
): Promise<string[]> {
  const done: string[] = [];
  const open = await octokit.paginate(octokit.rest.issues.listForRepo, {
    ...repo,
    labels: ALERT_LABEL,
    state: 'open',
    per_page: 100,
  });
  for (const a of alerts) {
    const mine = open.find((i) => i.user?.type === 'Bot' && i.body?.startsWith(markerOf(a.replication)));
    if (a.after.length) {
      const body = bodyOf(a, threshold);
      if (!mine) {
        const title = `keyvault-replicate: ${a.replication} has records failed or blocked for ${threshold}+ runs`;
        const made = await octokit.rest.issues.create({ ...repo, title, body, labels: [ALERT_LABEL] });
        done.push(`opened #${made.data.number} for ${a.replication}`);
      } else if (mine.body !== body) {
        await octokit.rest.issues.update({ ...repo, issue_number: mine.number, body });
        done.push(`updated #${mine.number} for ${a.replication}`);
      }
    } else if (mine) {
      const comment = `Replication ${markdownCode(a.replication)} is healthy again: no record is failed or blocked for ${threshold} runs in a row.`;
      await octokit.rest.issues.createComment({ ...repo, issue_number: mine.number, body: comment });
      await octokit.rest.issues.update({
        ...repo,
        issue_number: mine.number,
        state: 'closed',
        state_reason: 'completed',
      });
      done.push(`closed #${mine.number} for ${a.replication}`);
    }
  }
  return done;
}

/** The Action's alerts as issues, when it has a token; a failure is a warning (KVR087), never the run's. */
export async function alertIssues(
  githubToken: string | undefined,
  alerts: readonly ReplicationAlert[],
  threshold: number,
): Promise<void> {
  if (!githubToken) return core.warning('KVR087: no github-token: the alert issues are not opened or closed');
  try {
    for (const line of await syncAlertIssues(github.getOctokit(githubToken), github.context.repo, alerts, threshold))
      core.info(`alert issue ${line}`);
  } catch (e) {
    core.warning(
      `KVR087: the alert issues could not be opened, updated or closed (the workflow needs 'permissions: issues: write'): ${(e as Error).message.split('\n')[0]}`,
    );
  }
}
