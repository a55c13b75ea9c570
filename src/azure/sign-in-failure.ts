import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { KvrError, isKvrError } from '../engine/errors.ts';
import { visibleControls } from '../engine/visible-text.ts';

/** The claims of a federated token that a federated credential must match: never the token itself. */
export interface PresentedClaims {
  iss: string;
  sub: string;
  aud: string;
}

/** Untrusted text (a token's claim, Entra's message) as one bounded, visible line. */
const shown = (text: string, max = 300): string => visibleControls(text).slice(0, max);

/**
 * The issuer, subject and audience of a JWT, read from its payload without verifying it (only to tell a user what was
 * presented, as azure/login does); undefined when it is no JWT.
 */
export function presentedClaims(jwt: string): PresentedClaims | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const text = (v: unknown) => shown(Array.isArray(v) ? v.map(String).join(', ') : String(v ?? '(none)'), 200);
    return { iss: text(payload.iss), sub: text(payload.sub), aud: text(payload.aud) };
  } catch {
    return undefined;
  }
}

/**
 * Entra's reason in an SDK error: `AADSTS7000215: Invalid client secret provided. …`, without the trace and
 * correlation ids and time that follow it; undefined when the error holds no AADSTS code.
 */
export function entraReason(e: unknown): string | undefined {
  const r = (e ?? {}) as { message?: unknown; errorResponse?: { errorDescription?: unknown } };
  const texts = [r.errorResponse?.errorDescription, r.message].filter((t): t is string => typeof t === 'string');
  for (const text of texts) {
    const m = /AADSTS\d+:[^\r\n]*/.exec(text);
    if (m) return shown(m[0].replace(/\s*Trace ID:.*$/, '').trim(), 600);
  }
  return undefined;
}

/** What each source of the chain (`sources`, in its order) said when it found nothing to sign in with: one line. */
const triedOf = (e: unknown, sources: readonly string[]): string[] => {
  const errors = (e as { errors?: unknown[] }).errors ?? [];
  return errors.map((x, i) => {
    const line = (x instanceof Error ? x.message : String(x)).split('\n')[0]!;
    return `${sources[i] ?? 'a credential'}: ${shown(line, 240)}`;
  });
};

/** How to give the run an identity, when none was found. */
export const NO_CREDENTIAL_FIX =
  'set AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE, or run `az login`, or run where a managed identity is assigned';

/**
 * KVR024 for a sign-in that failed: Entra's AADSTS code and text, and for a federated token the issuer, subject and
 * audience it presented (which the app's federated credential must match); or, when no credential of a chain found an
 * identity (AggregateAuthenticationError), what was looked for and how to give one.
 */
export function signInFailure(
  e: unknown,
  who: string,
  presented?: PresentedClaims,
  sources: readonly string[] = [],
): KvrError {
  if (isKvrError(e)) return e;
  if ((e as { name?: string })?.name === 'AggregateAuthenticationError')
    return new KvrError(
      'KVR024',
      `no Azure credential found (${who}); looked for:\n${triedOf(e, sources)
        .map((t) => `  - ${t}`)
        .join('\n')}\nTo fix: ${NO_CREDENTIAL_FIX}`,
    );
  const reason = entraReason(e) ?? shown(e instanceof Error ? (e.message.split('\n')[0] ?? '') : 'sign-in failed', 300);
  const claims = presented
    ? `; the federated token presented has issuer '${presented.iss}', subject '${presented.sub}', audience '${presented.aud}': the app's federated credential must match all three`
    : '';
  return new KvrError('KVR024', `authentication failed (${who}): ${reason}${claims}`);
}

/**
 * The credential, with every refusal of a token turned into KVR024 saying why (signInFailure). `presented` gives the
 * claims of the federated token last presented, if any; `sources` names the sources of a chain, in its order. The SDK's
 * credential stays readable as `credential`.
 */
export function explainedCredential(
  credential: TokenCredential,
  who: string,
  presented: () => PresentedClaims | undefined = () => undefined,
  sources: readonly string[] = [],
): TokenCredential & { readonly credential: TokenCredential } {
  return {
    credential,
    getToken: async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => {
      try {
        return await credential.getToken(scopes, options);
      } catch (e) {
        throw signInFailure(e, who, presented(), sources);
      }
    },
  };
}
