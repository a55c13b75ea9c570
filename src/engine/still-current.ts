import type { ItemSnapshot, SecretVersionsPage } from './model.ts';

/**
 * How much earlier another version must have been created to count as older: `created` has whole seconds, and it is
 * stamped by whichever of Key Vault's nodes took the write, whose clocks may differ by a little. Closer than this, the
 * order is not proven and the value is read again (a rotation under way costs one more read, never a stale copy).
 */
export const PROVEN_OLDER_MS = 5_000;

/**
 * Whether a secret's versions, listed without values, prove that the secret is still at the version given, as it was
 * seen (the source's copied version after a write; a target's recorded version on a later run): Key Vault's current
 * version is the one created last, so it is still the given one when that is listed with the same `updated` (no
 * attribute or tag edit since) and every other version was created at least PROVEN_OLDER_MS before it. A version
 * created closer than that might be the newer one; a listing with a further page may hide a newer one (Key Vault
 * lists by version id, not by creation). Either way, and whenever the given version is not listed, the answer is no:
 * the caller reads the value to be sure.
 */
export function stillCurrent(seen: ItemSnapshot, listed: SecretVersionsPage): boolean {
  if (listed.more || seen.version === undefined || seen.updatedOn === undefined) return false;
  const self = listed.versions.find((v) => v.version === seen.version);
  const created = self?.createdOn;
  if (!self || created === undefined || self.updatedOn !== seen.updatedOn) return false;
  return listed.versions.every(
    (v) => v === self || (v.createdOn !== undefined && v.createdOn <= created - PROVEN_OLDER_MS),
  );
}
