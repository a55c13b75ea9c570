import type { Clock } from '../engine/ports.ts';
import type { VaultInfo } from '../engine/model.ts';
import { DEFAULT_BUDGET_SHARE } from '../engine/defaults.ts';

/** A promise and what resolves it (Promise.withResolvers, which the task's Node 20 handler lacks). */
function answerSignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Says that a call admitted by a limiter has had its answer; called once, whatever the answer. */
export type Release = () => void;

/**
 * Admits at most `limit` calls in any window of `windowMs`: Key Vault counts transactions per vault per 10 s. A call
 * counts from when it is admitted until `windowMs` after its answer came: the service counted it somewhere in between,
 * so however late a call arrives (a slow connection, a token fetched first), every window of the service holds at
 * most `limit` of them.
 */
export class SlidingWindowLimiter {
  /** When each answered call had its answer, oldest first. */
  readonly #answered: number[] = [];
  #head = 0;
  /** Calls admitted and not answered yet. */
  #inFlight = 0;
  /** Resolves at the next answer, for a caller that waits while every call it counts is still in flight. */
  #nextAnswer = answerSignal();
  #queue: Promise<unknown> = Promise.resolve();
  readonly limit: number;
  readonly windowMs: number;
  readonly #clock: Clock;

  constructor(limit: number, windowMs: number, clock: Clock) {
    // A limit that is no whole number of calls (NaN from a share that is no number) would admit nothing, for ever.
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`a call limit must be a whole number >= 1`);
    this.limit = limit;
    this.windowMs = windowMs;
    this.#clock = clock;
  }

  /**
   * Resolves when one more call may go out, here and in every limiter `alongside` (the subscription's), counted in
   * all of them at the same instant; callers of this limiter are served in order. Call the release it gives once the
   * call's answer (or failure) is in.
   */
  take(...alongside: SlidingWindowLimiter[]): Promise<Release> {
    const turn = this.#queue.then(() => this.#wait(alongside));
    this.#queue = turn;
    return turn;
  }

  /** 0 when a call may go out at `now`; otherwise how long until one may, or the next answer when all are in flight. */
  #blocked(now: number): number | Promise<void> {
    while (this.#head < this.#answered.length && this.#answered[this.#head]! <= now - this.windowMs) this.#head++;
    if (this.#head > 1024) {
      this.#answered.splice(0, this.#head);
      this.#head = 0;
    }
    const answered = this.#answered.length - this.#head;
    if (this.#inFlight + answered < this.limit) return 0;
    return answered ? this.#answered[this.#head]! + this.windowMs - now + 1 : this.#nextAnswer.promise;
  }

  #release(): void {
    this.#inFlight--;
    this.#answered.push(this.#clock.now());
    this.#nextAnswer.resolve();
    this.#nextAnswer = answerSignal();
  }

  async #wait(alongside: SlidingWindowLimiter[]): Promise<Release> {
    const all = [this, ...alongside];
    for (;;) {
      const now = this.#clock.now();
      // Checked and counted with no await in between: a call is counted in every limiter once all admit it.
      const blocked = all.map((l) => l.#blocked(now));
      if (blocked.every((b) => b === 0)) {
        for (const l of all) l.#inFlight++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          for (const l of all) l.#release();
        };
      }
      const answer = blocked.find((b) => typeof b !== 'number');
      await (answer ?? this.#clock.sleep(Math.max(...(blocked as number[]))));
    }
  }
}

/** A budget per window: creates (CREATE secret, IMPORT certificate, IMPORT/CREATE key) and every other call. */
export interface VaultLimits {
  createLimit: number;
  otherLimit: number;
  windowMs: number;
}

/** Key Vault's published per-vault limits: 300 creates and 4,000 other transactions per 10 s. */
export const KEY_VAULT_LIMITS: VaultLimits = { createLimit: 300, otherLimit: 4000, windowMs: 10_000 };

/** Key Vault's limit per subscription and region: this many times a vault's, for every kind of transaction. */
export const SUBSCRIPTION_FACTOR = 5;

/** How much of each budget this run takes: `share` by default, and per vault (lower-case names) where given. */
export interface BudgetShares {
  share: number;
  byVault?: Readonly<Record<string, number>>;
}

/** The creates and the other calls of one budget, each under its own limiter. */
export interface LimiterPair {
  create: SlidingWindowLimiter;
  other: SlidingWindowLimiter;
}

/** `share` of a limit, whole calls, at least one (a product such as 300 × 0.57 is 170.99999999999997). */
const shareOf = (limit: number, share: number) => Math.max(1, Math.floor(limit * share + 1e-9));

export const limiterPair = (clock: Clock, limits: VaultLimits, share: number, factor = 1): LimiterPair => ({
  create: new SlidingWindowLimiter(shareOf(factor * limits.createLimit, share), limits.windowMs, clock),
  other: new SlidingWindowLimiter(shareOf(factor * limits.otherLimit, share), limits.windowMs, clock),
});

/** The pacing of one vault: its own share, and its subscription's in its region (shared with the other vaults). */
export class VaultPacer {
  readonly vault: LimiterPair;
  readonly subscription?: LimiterPair;

  constructor(vault: LimiterPair, subscription?: LimiterPair) {
    this.vault = vault;
    this.subscription = subscription;
  }

  /** Resolves when one more call of this budget may go out to the vault, with the release of its slot. */
  take(budget: 'create' | 'other'): Promise<Release> {
    return this.subscription ? this.vault[budget].take(this.subscription[budget]) : this.vault[budget].take();
  }
}

/** A vault paced alone at the default share (a port made outside a directory). */
export const vaultPacer = (clock: Clock, share = DEFAULT_BUDGET_SHARE, limits = KEY_VAULT_LIMITS): VaultPacer =>
  new VaultPacer(limiterPair(clock, limits, share));

/**
 * The pacing of one run: one pacer per vault, whichever pairs touch it, each at its share of the vault's budget; and
 * one limiter per subscription and region, at the run's default share of 5× a vault's budget, that every vault there
 * goes through too, so a run writing to many vaults of a subscription stays under the subscription's limit.
 */
export class RunPacing {
  readonly #clock: Clock;
  readonly #shares: BudgetShares;
  readonly #limits: VaultLimits;
  readonly #vaults = new Map<string, VaultPacer>();
  readonly #subscriptions = new Map<string, LimiterPair>();

  constructor(clock: Clock, shares: BudgetShares = { share: DEFAULT_BUDGET_SHARE }, limits = KEY_VAULT_LIMITS) {
    this.#clock = clock;
    this.#shares = shares;
    this.#limits = limits;
  }

  /** The share of a vault's budget this run takes. */
  shareOf(vault: string): number {
    // Own keys only: a vault named `constructor` must not find Object.prototype's (a function, a NaN budget: a hang).
    const byVault = this.#shares.byVault;
    const name = vault.toLowerCase();
    return byVault && Object.hasOwn(byVault, name) ? byVault[name]! : this.#shares.share;
  }

  /** The one pacer of a vault for the whole run. */
  forVault(vault: Pick<VaultInfo, 'name' | 'subscriptionId' | 'location'>): VaultPacer {
    const name = vault.name.toLowerCase();
    let pacer = this.#vaults.get(name);
    if (!pacer) {
      const region = `${vault.subscriptionId}/${vault.location}`.toLowerCase().replace(/\s+/g, '');
      let subscription = this.#subscriptions.get(region);
      if (!subscription) {
        subscription = limiterPair(this.#clock, this.#limits, this.#shares.share, SUBSCRIPTION_FACTOR);
        this.#subscriptions.set(region, subscription);
      }
      pacer = new VaultPacer(limiterPair(this.#clock, this.#limits, this.shareOf(name)), subscription);
      this.#vaults.set(name, pacer);
    }
    return pacer;
  }
}

/** Back-off for a 429 that came without Retry-After, as Microsoft advises: 1, 2, 4, 8, 16 s. */
export const THROTTLE_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000] as const;
