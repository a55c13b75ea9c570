/**
 * Defaults the engine applies when a host passes nothing. action.yml and task.json show the same values to their
 * users; a test keeps them equal.
 */

/**
 * Items read or written at once per target pair (max-concurrency, maxConcurrency, --max-concurrency): the writes, and
 * the reads planning makes before a decision. Pairs into different targets run at once, each with this many: each
 * target has its own Key Vault budget, and pairs into one target run one after the other, so no vault sees more than
 * this many writes of the run at a time.
 */
export const DEFAULT_MAX_CONCURRENCY = 16;

/** The share of each vault's Key Vault budget a run takes (budget_share, budget-share, budgetShare, --budget-share). */
export const DEFAULT_BUDGET_SHARE = 0.5;
/** The most of a vault's budget a run may take: the rest is a margin for clock skew and latency spread. */
export const MAX_BUDGET_SHARE = 0.95;

/** How a budget share is described in messages (config and inputs alike). */
export const BUDGET_SHARE_RANGE = `a number more than 0 and at most ${MAX_BUDGET_SHARE}`;

/**
 * Pairs of a run that run at once, at most (those that share no written vault; the others wait their turn anyway):
 * several targets of one source go side by side, and a tag naming twenty targets does not hold twenty targets' listings
 * and records, and twenty times max-concurrency writes, at once.
 */
export const MAX_PAIRS_AT_ONCE = 4;
