/** Injected latency, throttling and failures, per vault, settable at start and at run time. */

export interface ThrottleSettings {
  /** 'retry-after': 429 with Retry-After (the SDK waits and retries); 'bare': 429 without it (the SDK gives up). */
  mode: 'retry-after' | 'bare';
  /** Per window: CREATE secret + IMPORT certificate + IMPORT/CREATE key together (Key Vault: 300 per 10 s). */
  createLimit: number;
  /** Per window: every other transaction (Key Vault: 4,000 per 10 s). */
  otherLimit: number;
  /**
   * Per window, over every vault of the vault's subscription in its region that throttles (Key Vault: 5 × the
   * per-vault limits). Default SUBSCRIPTION_FACTOR × createLimit and × otherLimit.
   */
  subscriptionCreateLimit?: number;
  subscriptionOtherLimit?: number;
  windowMs: number;
}

/** Key Vault's subscription-wide limit, per region: this many times a vault's, for every kind of transaction. */
export const SUBSCRIPTION_FACTOR = 5;

/** One budget a request is counted in: its limits for each kind of transaction, and its window. */
export interface ThrottleBudget {
  createLimit: number;
  otherLimit: number;
  windowMs: number;
}

/** The subscription-wide budget a vault's throttle settings imply. */
export const subscriptionBudget = (t: ThrottleSettings): ThrottleBudget => ({
  createLimit: t.subscriptionCreateLimit ?? SUBSCRIPTION_FACTOR * t.createLimit,
  otherLimit: t.subscriptionOtherLimit ?? SUBSCRIPTION_FACTOR * t.otherLimit,
  windowMs: t.windowMs,
});

export interface FaultSettings {
  latencyMs: number;
  throttle?: ThrottleSettings;
  /** Share of requests answered 500 or 503 (0..1). */
  serverErrorRate: number;
  /** Share of requests whose connection is destroyed before any answer (0..1). */
  dropRate: number;
  /** Share of requests carried out, whose answer is then lost with the connection (0..1): a write may land twice. */
  lostAnswerRate?: number;
  /** Share of creates, imports and restores answered 503 (0..1): a vault that reads fine but refuses writes. */
  writeErrorRate?: number;
  /** Such a refused write echoes its request body in the error message: the worst a service or a proxy might do. */
  echoRefusedWrites?: boolean;
  /** Share of list pages answered as an empty page that still carries a nextLink (0..1). */
  emptyPageRate: number;
}

export const PUBLISHED_LIMITS: ThrottleSettings = {
  mode: 'retry-after',
  createLimit: 300,
  otherLimit: 4000,
  windowMs: 10_000,
};

export const NO_FAULTS: FaultSettings = { latencyMs: 0, serverErrorRate: 0, dropRate: 0, emptyPageRate: 0 };

/** Deterministic pseudo-random numbers (mulberry32) so fault tests are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fixed-window counters per budget, as Key Vault counts transactions per vault (and per subscription and region) per
 * 10 seconds. A request is counted only once every budget it falls in admits it: a 429 does not count ("Failed
 * requests that return a 429 do not count towards the throttle limits", Key Vault's throttling guidance).
 */
export class ThrottleWindow {
  #windowStart = -Infinity;
  #creates = 0;
  #others = 0;

  /** 0 when the budget has room for the call, otherwise the milliseconds until the window resets. Counts nothing. */
  waitMs(budget: ThrottleBudget, isCreate: boolean, now: number): number {
    if (now - this.#windowStart >= budget.windowMs) {
      this.#windowStart = now;
      this.#creates = 0;
      this.#others = 0;
    }
    const over = isCreate ? this.#creates >= budget.createLimit : this.#others >= budget.otherLimit;
    return over ? this.#windowStart + budget.windowMs - now : 0;
  }

  /** Counts an admitted call. */
  take(isCreate: boolean): void {
    if (isCreate) this.#creates++;
    else this.#others++;
  }
}
