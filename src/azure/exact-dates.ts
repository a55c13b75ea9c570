import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/*
 * The Key Vault SDKs write an item's `exp` and `nbf` as `(date.getTime() / 1000) | 0`: a 32-bit integer, so any date
 * after 2038-01-19T03:14:07Z wraps (2100-01-01 is sent as 1963-11-25T17:31:44Z). Azure itself takes seconds up to
 * 9999-12-31. The adapter therefore states the exact seconds on the request itself, in a header the SDK passes through
 * (`requestOptions.headers`), and the policy below writes them over the body's `attributes.exp` / `attributes.nbf`,
 * removes the header, and changes nothing else. Nothing is remembered between requests.
 */

/** The request header carrying the exact seconds to the policy; never sent to Azure. */
export const EXACT_DATES_HEADER = 'x-keyvault-replicate-exact-dates';

type ExactDates = { exp?: number; nbf?: number };

/** Whole seconds since the epoch, as Key Vault keeps them (truncated like the SDK, without its 32-bit wrap). */
const seconds = (ms: number): number => Math.trunc(ms / 1000);

/**
 * The operation options that carry an item's exact expiry and not-before (ms since the epoch) to `exactDatesPolicy`;
 * spread them into the SDK call's options next to `expiresOn` / `notBefore`.
 */
export function exactDates(expiresOn: number | undefined, notBefore: number | undefined) {
  const dates: ExactDates = {
    ...(expiresOn !== undefined ? { exp: seconds(expiresOn) } : {}),
    ...(notBefore !== undefined ? { nbf: seconds(notBefore) } : {}),
  };
  return { requestOptions: { headers: { [EXACT_DATES_HEADER]: JSON.stringify(dates) } } };
}

function parseDates(header: string): ExactDates {
  const parsed = JSON.parse(header) as Record<string, unknown>;
  const out: ExactDates = {};
  for (const k of ['exp', 'nbf'] as const) {
    const v = parsed[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v))
      throw new Error(`${EXACT_DATES_HEADER}: ${k} is not whole seconds`);
    out[k] = v;
  }
  return out;
}

/**
 * Writes the exact `exp` / `nbf` of a request that carries EXACT_DATES_HEADER into its JSON body's `attributes`, where
 * the SDK put them (a date the SDK left out stays out). A body it cannot rewrite exactly fails the request rather than
 * let a wrapped date through; the error never quotes the body (a secret's value travels in it).
 */
export const exactDatesPolicy: PipelinePolicy = {
  name: 'keyvaultReplicateExactDates',
  sendRequest: (request, next) => {
    const header = request.headers.get(EXACT_DATES_HEADER);
    if (header === undefined) return next(request);
    request.headers.delete(EXACT_DATES_HEADER);
    const dates = parseDates(header);
    const text = request.body;
    let body: { attributes?: Record<string, unknown> } | undefined;
    try {
      body = typeof text === 'string' ? (JSON.parse(text) as typeof body) : undefined;
    } catch {
      body = undefined;
    }
    // Re-serialising must give back the very text the SDK wrote, so that nothing but the two dates can change.
    if (!body || typeof body !== 'object' || JSON.stringify(body) !== text)
      throw new Error(
        `the request to ${request.method} ${new URL(request.url).pathname} has no JSON body to date exactly`,
      );
    const attributes = body.attributes;
    if (attributes && typeof attributes === 'object') {
      for (const k of ['exp', 'nbf'] as const) if (k in attributes && dates[k] !== undefined) attributes[k] = dates[k];
      request.body = JSON.stringify(body);
    }
    return next(request);
  },
};
