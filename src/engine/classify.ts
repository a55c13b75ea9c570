import { isKvrError, type ErrorCode } from './errors.ts';
import { VaultFailure, type VaultFailureKind } from './vault-failure.ts';

/** Per kind of vault failure: its stable code and the remedy a user can act on. */
const DENIED = {
  code: 'KVR030',
  remedy: 'the caller lacks the permission; see docs/errors.md#kvr030 for the role to assign',
} as const;

const REMEDIES: Record<VaultFailureKind, (vault: string) => { code: ErrorCode; remedy?: string }> = {
  denied: () => DENIED,
  // A disabled secret refuses its value with 403, as a missing permission does; reads that expect it handle it first.
  secret_disabled: () => DENIED,
  throttled: () => ({ code: 'KVR031', remedy: 'throttled after every retry; the next run retries this item' }),
  soft_deleted_conflict: (vault) => ({
    code: 'KVR032',
    remedy: `the name is soft-deleted in ${vault}; recover or purge it`,
  }),
  conflict: () => ({ code: 'KVR034', remedy: 'Key Vault reported a conflict; the next run retries' }),
  gone: () => ({ code: 'KVR035', remedy: 'the item disappeared while replicating' }),
  backup_not_restorable: () => ({
    code: 'KVR036',
    remedy: 'the key backup cannot be restored here (different geography or subscription)',
  }),
  transient: () => ({ code: 'KVR033', remedy: 'transient service or network failure; the next run retries' }),
  other: () => ({ code: 'KVR039' }),
};

/** Maps a failed vault call to a stable code and a remedy a user can act on (no value, no request echo). */
export function classifyFailure(e: unknown, vault: string, item: string): { code: ErrorCode; message: string } {
  if (isKvrError(e)) return { code: e.code, message: `${vault}/${item}: ${e.message.replace(/^KVR\d{3}: /, '')}` };
  if (!(e instanceof VaultFailure))
    return {
      code: 'KVR039',
      message: `${vault}/${item}: unexpected failure (${e instanceof Error ? e.name : 'error'})`,
    };
  const { code, remedy } = REMEDIES[e.kind](vault);
  const what = `${vault}/${item}: ${e.detail}`;
  return { code, message: remedy ? `${what}: ${remedy}` : what };
}
