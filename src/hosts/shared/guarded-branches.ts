import { checkoutBranches } from '../../state/checkout-branches.ts';
import { branchOfRef, type GuardedBranch } from '../../state/state-branch.ts';

/**
 * The branches a run must not keep its state on: those its CI names (a ref or a bare branch name, each with where it
 * came from; unset ones are skipped), and what the checkout knows.
 */
export async function guardedBranches(
  named: readonly [ref: string | undefined, why: string][],
  repository: string,
): Promise<GuardedBranch[]> {
  const found = named.flatMap(([ref, why]) => {
    const name = branchOfRef(ref);
    return name ? [{ name, why }] : [];
  });
  return [...found, ...(await checkoutBranches(repository))];
}
