import type { Clock } from '../engine/ports.ts';

/**
 * Admits at most `limit` calls in any window of `windowMs`: Key Vault counts transactions per vault per 10 s, so a
 * sliding window keeps every aligned window of the service under its limit too.
 */
export class SlidingWindowLimiter {
  readonly #stamps: number[] = [];
  #head = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly limit: number;
  readonly windowMs: number;
  readonly #clock: Clock;

  constructor(limit: number, windowMs: number, clock: Clock) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#clock = clock;
  }

  /** Resolves when one more call may go out; callers are served in order. */
  take(): Promise<void> {
    const turn = this.#queue.then(() => this.#wait());
    this.#queue = turn;
    return turn;
  }

  async #wait(): Promise<void> {
    for (;;) {
      const now = this.#clock.now();
      while (this.#head < this.#stamps.length && this.#stamps[this.#head]! <= now - this.windowMs) this.#head++;
      if (this.#head > 1024) {
        this.#stamps.splice(0, this.#head);
        this.#head = 0;
      }
      if (this.#stamps.length - this.#head < this.limit) {
        this.#stamps.push(now);
        return;
      }
      await this.#clock.sleep(this.#stamps[this.#head]! + this.windowMs - now + 1);
    }
  }
}

/** Key Vault's published per-vault limits (per 10 s), less a margin for clock skew and latency spread. */
export const KEY_VAULT_LIMITS = { createPer10s: 300, otherPer10s: 4000, windowMs: 10_000, margin: 0.95 } as const;

export interface VaultPacer {
  create: SlidingWindowLimiter;
  other: SlidingWindowLimiter;
}

export const vaultPacer = (clock: Clock, limits = KEY_VAULT_LIMITS): VaultPacer => ({
  create: new SlidingWindowLimiter(Math.floor(limits.createPer10s * limits.margin), limits.windowMs, clock),
  other: new SlidingWindowLimiter(Math.floor(limits.otherPer10s * limits.margin), limits.windowMs, clock),
});

/** Back-off for a 429 that came without Retry-After, as Microsoft advises: 1, 2, 4, 8, 16 s. */
export const THROTTLE_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000] as const;
