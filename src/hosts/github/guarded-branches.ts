import { checkoutBranches } from '../../state/checkout-branches.ts';
import { branchOfRef, type GuardedBranch } from '../../state/state-branch.ts';

interface EventPayload { repository?: { default_branch?: unknown } }

/**
 * The branches this workflow run must not keep its state on: the repository's default branch (in the event payload
 * of every event but schedule, whose GITHUB_REF is that branch anyway), the branch the run is for, both branches of a
 * pull request, and what the checkout knows.
 */
export async function guardedBranches(payload: unknown, env: NodeJS.ProcessEnv): Promise<GuardedBranch[]> {
  const found: GuardedBranch[] = [];
  const add = (name: string | undefined, why: string) => { if (name) found.push({ name, why }); };
  const defaultBranch = (payload as EventPayload | undefined)?.repository?.default_branch;
  add(typeof defaultBranch === 'string' ? defaultBranch : undefined, "the repository's default branch (the event's repository.default_branch)");
  add(branchOfRef(env.GITHUB_REF), 'the branch this workflow runs on (GITHUB_REF)');
  add(branchOfRef(env.GITHUB_HEAD_REF), "the pull request's head branch (GITHUB_HEAD_REF)");
  add(branchOfRef(env.GITHUB_BASE_REF), "the pull request's base branch (GITHUB_BASE_REF)");
  return [...found, ...(await checkoutBranches(env.GITHUB_WORKSPACE || process.cwd()))];
}
