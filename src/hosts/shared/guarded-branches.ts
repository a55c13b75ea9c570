import { checkoutBranches } from '../../state/checkout-branches.ts';
import { branchOfRef, type GuardedBranch } from '../../state/state-branch.ts';

/** A branch a CI names (a ref or a bare branch name; unset when it names none), and where it came from. */
export type NamedBranch = readonly [ref: string | undefined, why: string];

/**
 * The branches a CI names in its variables: `{ GITHUB_REF: 'the branch this workflow runs on' }` read through `read`,
 * each said as `the branch this workflow runs on (GITHUB_REF)`.
 */
export const branchesNamedIn = (variables: Record<string, string>, read: (name: string) => string | undefined) =>
  Object.entries(variables).map(([name, what]): NamedBranch => [read(name), `${what} (${name})`]);

/**
 * The branches a run must not keep its state on: those its CI names (unset ones skipped), and what the checkout knows.
 */
export async function guardedBranches(named: readonly NamedBranch[], repository: string): Promise<GuardedBranch[]> {
  const found = named.flatMap(([ref, why]) => {
    const name = branchOfRef(ref);
    return name ? [{ name, why }] : [];
  });
  return [...found, ...(await checkoutBranches(repository))];
}
