/**
 * The emulator's time: the system's, plus an offset a test moves instead of sleeping. Every stamp the emulator gives
 * (`created`/`updated`, deletion dates, token lifetimes, certificate validity, throttle windows) reads it.
 *
 * The product under test keeps the system clock, so the offset is how the two relate:
 * - `advance(ms)` lets time pass for the service alone: what it writes next is stamped later, as after a real wait.
 *   From then on the service's clock runs ahead of the product's, as a real service's may.
 * - `backdated(ms, write)` writes history: what `write` does is stamped `ms` before the system's now, so a run the
 *   product starts afterwards sees it as written long before (whatever `advance` did earlier).
 * Latency is not time stamped but time waited, and stays real.
 */
export class EmulatorClock {
  #offsetMs = 0;
  readonly #system: () => number;

  constructor(system: () => number = () => Date.now()) {
    this.#system = system;
  }

  /** Milliseconds since the epoch, as the service reads them. */
  now(): number {
    return this.#system() + this.#offsetMs;
  }

  /** Whole seconds since the epoch: what JWTs and Key Vault's attributes carry. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  date(): Date {
    return new Date(this.now());
  }

  /** Lets `ms` pass on the service's clock (never backwards: a vault's stamps only grow). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`the emulator's clock only moves forward (asked to advance ${ms} ms)`);
    this.#offsetMs += ms;
  }

  /**
   * Runs `write` with the clock `ms` before the system's now, then puts the clock back where it was. Synchronous only
   * (seeding through `invoke`): an HTTP client's requests would land after the clock is back.
   */
  backdated(ms: number, write: () => void): void {
    if (!(ms >= 0)) throw new RangeError(`backdated needs a time in the past (got ${ms} ms)`);
    const offset = this.#offsetMs;
    this.#offsetMs = -ms;
    let result: unknown;
    try {
      result = write();
    } finally {
      this.#offsetMs = offset;
    }
    if (result instanceof Promise)
      throw new TypeError('backdated takes a synchronous write; its requests would not be backdated');
  }
}
