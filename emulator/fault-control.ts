import { NO_FAULTS, seededRandom, subscriptionBudget, ThrottleWindow, type FaultSettings } from './faults.ts';
import { kvError } from './http-util.ts';

/** An answer a fault puts in place of the service's. */
export interface FaultAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A data-plane request as the faults see it: which vault, of which subscription and region, and what it is. */
export interface FaultedRequest {
  vault: string;
  subscriptionId: string;
  location: string;
  isCreate: boolean;
  /** The emulator clock's milliseconds. */
  now: number;
  requestBody: string;
}

/**
 * Key Vault's answer over a throttle budget, as real 429 bodies quote it (vcsjones/AzureSignTool#219, dotnet/sign#403).
 * No public body shows the subscription limit's reason, so it answers alike.
 */
const THROTTLED_MESSAGE =
  'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached';

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

  #window(key: string): ThrottleWindow {
    let window = this.#windows.get(key);
    if (!window) this.#windows.set(key, (window = new ThrottleWindow()));
    return window;
  }

  /** One throw of the dice: true with probability `rate` (0..1). */
  roll(rate: number | undefined): boolean {
    return (rate ?? 0) > 0 && this.#random() < rate!;
  }

  /**
   * What a vault's faults answer instead of the service, before it acts on a request: 429 over the vault's throttle
   * budget or over its subscription's in its region (which sums every throttled vault's requests there), a refused
   * write, a 5xx; undefined when the request goes through.
   */
  failureBefore(request: FaultedRequest): FaultAnswer | undefined {
    const { vault, isCreate, now, requestBody } = request;
    const faults = this.of(vault);
    if (faults.throttle) {
      const vaultWindow = this.#window(`vault:${vault.toLowerCase()}`);
      const region = request.location.toLowerCase().replace(/\s+/g, '');
      const subscriptionWindow = this.#window(`subscription:${request.subscriptionId.toLowerCase()}/${region}`);
      const waitMs = Math.max(
        vaultWindow.waitMs(faults.throttle, isCreate, now),
        subscriptionWindow.waitMs(subscriptionBudget(faults.throttle), isCreate, now),
      );
      if (waitMs > 0) {
        const retryAfter: Record<string, string> =
          faults.throttle.mode === 'retry-after'
            ? { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) }
            : {};
        return { status: 429, body: kvError('Throttled', THROTTLED_MESSAGE), headers: retryAfter };
      }
      vaultWindow.take(isCreate);
      subscriptionWindow.take(isCreate);
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
