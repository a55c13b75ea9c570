/**
 * What went wrong in a call to a vault, in the engine's terms. Adapters translate their transport's errors (HTTP
 * statuses, service codes) into a kind; the engine decides on the kind alone and never sees a status code.
 */
export const VAULT_FAILURE_KINDS = [
  'denied',
  'throttled',
  'soft_deleted_conflict',
  'conflict',
  'gone',
  'backup_not_restorable',
  'transient',
  'secret_disabled',
  'other',
] as const;
export type VaultFailureKind = (typeof VAULT_FAILURE_KINDS)[number];

export class VaultFailure extends Error {
  readonly kind: VaultFailureKind;
  /** Safe to show: the service's code and status (`SecretNotFound (HTTP 404)`), never a value or the request. */
  readonly detail: string;
  constructor(kind: VaultFailureKind, detail: string, message: string) {
    super(message);
    this.name = 'VaultFailure';
    this.kind = kind;
    this.detail = detail;
  }
}

export const isVaultFailure = (e: unknown, kind?: VaultFailureKind): e is VaultFailure =>
  e instanceof VaultFailure && (kind === undefined || e.kind === kind);
