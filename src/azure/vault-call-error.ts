import { VaultCallError } from '../engine/ports.ts';

interface RestErrorLike { name?: string; statusCode?: number; code?: string; message?: string; details?: unknown }

/**
 * Turns an SDK error into the engine's VaultCallError, keeping status and service codes only: the SDK's error also
 * holds the request (body included), which must never travel further.
 */
export function toVaultCallError(e: unknown): VaultCallError {
  if (e instanceof VaultCallError) return e;
  const r = (e ?? {}) as RestErrorLike;
  // The Key Vault clients deserialize the body's `innererror` as `innerError`; older core-client ones keep the wire name.
  const details = r.details as { error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } } } | undefined;
  const inner = details?.error?.innerError?.code ?? details?.error?.innererror?.code;
  const serviceCode = details?.error?.code ?? (r.code && !/^[A-Z_]+$/.test(r.code) ? r.code : undefined) ?? r.code;
  const message = typeof r.message === 'string' ? r.message.split('\n')[0]!.slice(0, 300) : 'request failed';
  return new VaultCallError(message, r.statusCode, serviceCode, inner);
}
