import { VaultFailure, type VaultFailureKind } from '../engine/vault-failure.ts';

interface RestErrorLike {
  name?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  details?: unknown;
}

/** What an Azure SDK error says, kept to status and service codes: its request (body included) must never travel on. */
export interface RestFailure {
  status: number | undefined;
  serviceCode: string | undefined;
  innerCode: string | undefined;
  message: string;
}

export function describeRestError(e: unknown): RestFailure {
  const r = (e ?? {}) as RestErrorLike;
  // The Key Vault clients deserialize the body's `innererror` as `innerError`; older core-client ones keep the wire
  // name.
  const details = r.details as
    { error?: { code?: string; innerError?: { code?: string }; innererror?: { code?: string } } } | undefined;
  const innerCode = details?.error?.innerError?.code ?? details?.error?.innererror?.code;
  const serviceCode = details?.error?.code ?? (r.code && !/^[A-Z_]+$/.test(r.code) ? r.code : undefined) ?? r.code;
  const message = typeof r.message === 'string' ? r.message.split('\n')[0]!.slice(0, 300) : 'request failed';
  return { status: r.statusCode, serviceCode, innerCode, message };
}

/** Key Vault's answers, by HTTP status and inner error code, in the engine's kinds of failure. */
export function failureKindOf(f: Pick<RestFailure, 'status' | 'innerCode' | 'message'>): VaultFailureKind {
  const { status, innerCode } = f;
  if (status === 403 && innerCode === 'SecretDisabled') return 'secret_disabled';
  if (status === 403) return 'denied';
  if (status === 429) return 'throttled';
  if (status === 409 && innerCode === 'ObjectIsDeletedButRecoverable') return 'soft_deleted_conflict';
  // Still being deleted (or purged): once that finishes the name is soft-deleted, or free after a purge.
  if (status === 409 && innerCode === 'ObjectIsBeingDeleted') return 'soft_deleted_conflict';
  if (status === 409) return 'conflict';
  if (status === 404) return 'gone';
  if (status === 400 && /decrypt backup/i.test(f.message)) return 'backup_not_restorable';
  if (status === undefined || status >= 500 || status === 408) return 'transient';
  return 'other';
}

/**
 * A 409 for a name Key Vault is still deleting, purging or recovering: "…cannot be re-created; retry later."
 * (innererror ObjectIsBeingDeleted / ObjectIsBeingRecovered).
 */
export function isNameInTransition(e: unknown): boolean {
  const f = describeRestError(e);
  return f.status === 409 && (f.innerCode === 'ObjectIsBeingDeleted' || f.innerCode === 'ObjectIsBeingRecovered');
}

/** Turns an SDK error into the engine's VaultFailure; the detail names the service code and status, nothing more. */
export function toVaultFailure(e: unknown): VaultFailure {
  if (e instanceof VaultFailure) return e;
  const f = describeRestError(e);
  const detail = `${f.serviceCode ?? 'error'}${f.status ? ` (HTTP ${f.status})` : ''}`;
  return new VaultFailure(failureKindOf(f), detail, f.message);
}
