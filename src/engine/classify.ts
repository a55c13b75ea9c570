import { isKvrError, type ErrorCode } from './errors.ts';
import { VaultCallError } from './ports.ts';

/** Maps a failed vault call to a stable code and a remedy a user can act on (no value, no request echo). */
export function classifyFailure(e: unknown, vault: string, item: string): { code: ErrorCode; message: string } {
  if (isKvrError(e)) return { code: e.code, message: `${vault}/${item}: ${e.message.replace(/^KVR\d{3}: /, '')}` };
  if (!(e instanceof VaultCallError)) return { code: 'KVR039', message: `${vault}/${item}: unexpected failure (${e instanceof Error ? e.name : 'error'})` };
  const what = `${vault}/${item}: ${e.serviceCode ?? 'error'}${e.status ? ` (HTTP ${e.status})` : ''}`;
  if (e.status === 403) return { code: 'KVR030', message: `${what}: the caller lacks the permission; see docs/errors.md#kvr030 for the role to assign` };
  if (e.status === 429) return { code: 'KVR031', message: `${what}: throttled after every retry; the next run retries this item` };
  if (e.status === 409 && e.innerCode === 'ObjectIsDeletedButRecoverable') return { code: 'KVR032', message: `${what}: the name is soft-deleted in ${vault}; recover or purge it` };
  if (e.status === 409) return { code: 'KVR034', message: `${what}: Key Vault reported a conflict; the next run retries` };
  if (e.status === 404) return { code: 'KVR035', message: `${what}: the item disappeared while replicating` };
  if (e.status === 400 && /decrypt backup/i.test(e.message)) return { code: 'KVR036', message: `${what}: the key backup cannot be restored here (different geography or subscription)` };
  if (e.status === undefined || e.status >= 500 || e.status === 408) return { code: 'KVR033', message: `${what}: transient service or network failure; the next run retries` };
  return { code: 'KVR039', message: `${what}` };
}
