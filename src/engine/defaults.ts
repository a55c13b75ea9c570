/**
 * Defaults the engine applies when a host passes nothing. action.yml and task.json show the same values to their
 * users; a test keeps them equal.
 */

/** Parallel writes per run (max-concurrency, maxConcurrency, --max-concurrency). */
export const DEFAULT_MAX_CONCURRENCY = 16;
