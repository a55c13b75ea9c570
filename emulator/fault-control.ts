import { NO_FAULTS, seededRandom, ThrottleWindow, type FaultSettings } from './faults.ts';
import { kvError } from './http-util.ts';

/** An answer a fault puts in place of the service's. */
export interface FaultAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The faults of every vault (set at start, by tests and over the admin API), their throttle windows and dice. */
export class FaultControl {
  readonly #byVault = new Map<string, FaultSettings>();
  readonly #windows = new Map<string, ThrottleWindow>();
  #defaults: FaultSettings;
  readonly #random: () => number;

  /** `defaults` apply to every vault that has none of its own; `seed` makes the dice repeatable. */
  constructor(defaults: Partial<FaultSettings> = {}, seed = 1) {
    this.#defaults = { ...NO_FAULTS, ...defaults };
    this.#random = seededRandom(seed);
  }

  /** Sets faults for one vault, or for all vaults with '*'; missing fields keep their current value. */
  set(vault: string, faults: Partial<FaultSettings>): void {
    if (vault === '*') {
      this.#defaults = { ...this.#defaults, ...faults };
      for (const [k, f] of this.#byVault) this.#byVault.set(k, { ...f, ...faults });
    } else {
      this.#byVault.set(vault.toLowerCase(), { ...this.of(vault), ...faults });
    }
  }

  of(vault: string): FaultSettings {
    return this.#byVault.get(vault.toLowerCase()) ?? this.#defaults;
  }

  /** Forgets every vault's own faults and throttle window (the defaults stay). */
  clear(): void {
    this.#byVault.clear();
    this.#windows.clear();
  }

  /** One throw of the dice: true with probability `rate` (0..1). */
  roll(rate: number | undefined): boolean {
    return (rate ?? 0) > 0 && this.#random() < rate!;
  }

  /**
   * What a vault's faults answer instead of the service, before it acts on a request: 429 over the throttle budget,
   * a refused write, a 5xx; undefined when the request goes through.
   */
  failureBefore(vault: string, isCreate: boolean, now: number, requestBody: string): FaultAnswer | undefined {
    const faults = this.of(vault);
    if (faults.throttle) {
      const window = this.#windows.get(vault) ?? new ThrottleWindow();
      this.#windows.set(vault, window);
      const waitMs = window.admit(faults.throttle, isCreate, now);
      if (waitMs > 0) {
        const retryAfter: Record<string, string> =
          faults.throttle.mode === 'retry-after'
            ? { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) }
            : {};
        return {
          status: 429,
          body: kvError(
            'Throttled',
            'Request was not processed because too many requests were received. Reason: A0001',
          ),
          headers: retryAfter,
        };
      }
    }
    if (isCreate && this.roll(faults.writeErrorRate)) {
      const echo = faults.echoRefusedWrites ? ` Request was: ${requestBody}` : '';
      return { status: 503, body: kvError('ServiceUnavailable', `The service is temporarily unavailable.${echo}`) };
    }
    if (this.roll(faults.serverErrorRate)) {
      return this.#random() < 0.5
        ? { status: 500, body: kvError('InternalServerError', 'An unexpected error occurred.') }
        : { status: 503, body: kvError('ServiceUnavailable', 'The service is temporarily unavailable.') };
    }
    return undefined;
  }
}
