import { checkoutBranches } from '../../state/checkout-branches.ts';
import { branchOfRef, type GuardedBranch } from '../../state/state-branch.ts';

/**
 * The branches this pipeline run must not keep its state on: the branch being built, both branches of a pull request
 * (Azure Repos gives refs/heads/x, GitHub repositories the bare name), and what the checkout knows. Azure DevOps names
 * no default branch, and its checkout is detached without origin/HEAD, so main and master are refused regardless.
 */
export async function guardedBranches(variable: (name: string) => string | undefined, repository: string): Promise<GuardedBranch[]> {
  const found: GuardedBranch[] = [];
  const add = (name: string | undefined, why: string) => { if (name) found.push({ name, why }); };
  add(branchOfRef(variable('Build.SourceBranch')), 'the branch being built (Build.SourceBranch)');
  add(branchOfRef(variable('System.PullRequest.SourceBranch')), "the pull request's source branch (System.PullRequest.SourceBranch)");
  add(branchOfRef(variable('System.PullRequest.TargetBranch')), "the pull request's target branch (System.PullRequest.TargetBranch)");
  return [...found, ...(await checkoutBranches(repository))];
}
