import { attributeDifferences } from './compare.ts';
import { ask, known, orFactsNeeded, type DecideOptions, type FactName, type ItemFacts } from './facts.ts';
import { geographyOfVault } from './geography.ts';
import {
  recordKey,
  type ItemSnapshot,
  type ItemType,
  type RecordAction,
  type RecordStatus,
  type ReplicationRecord,
} from './model.ts';
import { acknowledgedBy, matchesAnyGlob, selectedByRule } from './rules.ts';
import type { PairState, StateRecord } from './state.ts';
import { stillCurrent } from './still-current.ts';
import { acknowledged, currentVersion, ourUnchangedWrite, unchanged } from './target-proof.ts';

/** A record decided, and the target version acknowledged in this run for it (to remember from now on). */
export interface Decided {
  readonly record: ReplicationRecord;
  readonly acknowledgedVersion?: string;
}

/** Either the record, or the facts to read before asking again. */
export type Decision = Decided | { readonly needs: readonly FactName[] };

/**
 * Decides one item's record (DESIGN §4) from what is known about it, its record from the previous run, and the
 * pair's options. Pure and synchronous: it reads nothing. When it reaches a fact not known yet it answers with the
 * facts it needs; the gatherer reads them and asks again with more facts, until a record comes back.
 */
export function decide(f: ItemFacts, prev: StateRecord | undefined, o: DecideOptions): Decision {
  return orFactsNeeded(() => decideItem(f, prev, o));
}

interface Outcome {
  status: RecordStatus;
  action: RecordAction;
  reason: string;
  source?: ItemSnapshot;
  target?: ItemSnapshot;
}

/** The item's record: its source and target as known, unless the outcome names others (a version learnt). */
const recordOf = (f: ItemFacts, o: Outcome): ReplicationRecord => ({
  type: f.type,
  name: f.name,
  source: f.source,
  target: f.target,
  ...o,
});
const decided = (f: ItemFacts, o: Outcome): Decided => ({ record: recordOf(f, o) });

const BLADE: Record<ItemType, string> = { key: 'Keys', secret: 'Secrets', certificate: 'Certificates' };
const SOURCE_SOFT_DELETED = 'deleted but recoverable on the source; never replicated as a delete';

function decideItem(f: ItemFacts, prev: StateRecord | undefined, o: DecideOptions): Decided {
  const s = f.source;
  if (!s) return o.targeted ? decideNotFound(f) : decideMissing(f, prev, o);
  const t = f.target;
  if (s.managed)
    return decided(f, {
      status: 'managed_by_certificate',
      action: 'none',
      reason: 'backs a certificate; replicated with it',
    });
  const rule = selectedByRule(o.replication, s.name, s.tags);
  if (!rule.selected) return decided(f, { status: 'excluded_by_rule', action: 'none', reason: rule.reason });
  if (f.type === 'key' && geographyOfVault(o.source) !== geographyOfVault(o.target)) {
    const reason = `${o.source.location} and ${o.target.location} are in different geographies; key backups cannot cross`;
    return decided(f, { status: 'blocked_cross_geography_key', action: 'none', reason });
  }
  if (f.type === 'key' && o.source.subscriptionId.toLowerCase() !== o.target.subscriptionId.toLowerCase()) {
    const reason = 'source and target are in different subscriptions; key backups cannot cross';
    return decided(f, { status: 'blocked_cross_subscription_key', action: 'none', reason });
  }
  // A version still being issued reads as disabled, yet nobody disabled it: its copy stays as it is until it completes.
  if (s.pending) {
    const reason = 'the latest version is still pending (issuance not complete); nothing is done until it completes';
    return decided(f, { status: 'source_pending', action: 'none', reason });
  }
  if (!s.enabled) return decideDisabledSource(f, prev, o);
  if (!t) return decideMissingInTarget(f, prev, o);
  return decideExisting(f, s, t, prev, o);
}

/** A targeted run's item the source does not have: one look at one item is no evidence that it is gone. */
function decideNotFound(f: ItemFacts): Decided {
  if (known(f, 'deletedInSource'))
    return decided(f, { status: 'source_soft_deleted', action: 'none', reason: SOURCE_SOFT_DELETED });
  return decided(f, {
    status: 'missing_once',
    action: 'none',
    reason: 'not in the source (a targeted sync never deletes)',
  });
}

/** An item the previous run knew and the source listing no longer has: flap protection, then retire or delete. */
function decideMissing(f: ItemFacts, prev: StateRecord | undefined, o: DecideOptions): Decided {
  const t = f.target;
  // A fresh pair's soft-deleted source items come with the fact known: they have no previous record.
  if (known(f, 'deletedInSource'))
    return decided(f, { status: 'source_soft_deleted', action: 'none', reason: SOURCE_SOFT_DELETED });
  if (!prev)
    throw new Error(`${f.type}/${f.name}: an item missing from the source is decided from its previous record`);
  if (prev.missingRuns + 1 < 2) {
    return decided(f, {
      status: 'missing_once',
      action: 'none',
      reason: 'absent from the source for the first time; waiting one more run',
    });
  }
  // A delete needs the source item gone by its very name, asked of the vault, not only missing from a listing.
  if (o.replication.propagateDeletes && t && ourUnchangedWrite(f, prev, t) && known(f, 'absentFromSource')) {
    const reason = 'gone from the source two runs in a row; the copy this tool wrote is soft-deleted';
    return decided(f, { status: 'delete', action: 'delete', reason });
  }
  const reason = !t
    ? 'gone from the source and the target'
    : o.replication.propagateDeletes
      ? 'gone from the source; the target copy was not written by this tool (or changed since), so it stays'
      : 'gone from the source two runs in a row; propagate_deletes is off, the target copy stays';
  return decided(f, { status: 'retired', action: 'none', reason });
}

/** A disabled source item: its copy is disabled too, but only a copy this tool wrote and nobody changed since. */
function decideDisabledSource(f: ItemFacts, prev: StateRecord | undefined, o: DecideOptions): Decided {
  const t = f.target;
  const disabled = (action: RecordAction, reason: string) => decided(f, { status: 'source_disabled', action, reason });
  if (!t) return disabled('none', 'disabled on the source; its value cannot be read');
  if (!t.enabled) return disabled('none', 'disabled on the source and in the target');
  // Disables, like deletes, are left to a full run, where the mass-delete guard sees all of them together.
  if (o.targeted)
    return disabled('none', 'disabled on the source; a targeted run never disables, the next full run mirrors it');
  if (ourUnchangedWrite(f, prev, t))
    return disabled('disable', 'disabled on the source: the target copy will be disabled too');
  return disabled(
    'none',
    'disabled on the source; the target item was not written by this tool (or changed since) and is left as it is',
  );
}

function decideMissingInTarget(f: ItemFacts, prev: StateRecord | undefined, o: DecideOptions): Decided {
  if (known(f, 'deletedInTarget')) return decideSoftDeletedInTarget(f, prev, o);
  if (f.type === 'certificate' && known(f, 'standaloneInTarget')) {
    const reason = `a standalone secret or key named ${f.name} exists in ${o.target.name}; a certificate cannot be imported over it`;
    return decided(f, { status: 'blocked_target_conflict', action: 'none', reason });
  }
  return exportableOr(f, { status: 'create', action: 'write', reason: 'missing in the target' });
}

/**
 * A name soft-deleted in the target: blocked, unless recover_soft_deleted may recover it and write the source's
 * version. Only a deleted item that is this tool's untouched write (the deleted version and its `updated` are the ones
 * the state recorded, as for a delete or disable), or a name acknowledged in this run, is recovered; nothing is ever
 * purged. Keys stay blocked: a restore refuses an existing key, so a recovered key could not take the source's newer
 * versions without the purge this option never does.
 */
function decideSoftDeletedInTarget(f: ItemFacts, prev: StateRecord | undefined, o: DecideOptions): Decided {
  const where = `Azure portal → ${o.target.name} → ${BLADE[f.type]} → Manage deleted`;
  const blocked = (reason: string) => decided(f, { status: 'blocked_target_soft_deleted', action: 'none', reason });
  if (!o.replication.recoverSoftDeleted)
    return blocked(`the name is soft-deleted in ${o.target.name}: recover or purge it (${where})`);
  if (f.type === 'key')
    return blocked(
      `the key is soft-deleted in ${o.target.name}; recover_soft_deleted does not apply to keys (a restore refuses ` +
        `an existing key): recover or purge it by hand (${where})`,
    );
  const acknowledgedNow = acknowledgedBy(o.acknowledge, f.name);
  if (!acknowledgedNow) {
    const d = known(f, 'deletedTarget');
    // Recovering brings back every version a person deleted: only a signed record (state-key) proves the deleted item
    // is this tool's write; an unsigned one anyone with push rights to the state branch could have made up.
    const ours =
      o.signedState &&
      !!prev?.replicatedByUs &&
      !!d &&
      !!prev.targetVersion &&
      d.version === prev.targetVersion &&
      d.updatedOn === prev.targetUpdatedOn;
    if (!ours) {
      const memory = !o.signedState
        ? ' (without state-key no record can prove that; only an acknowledged name is recovered)'
        : prev
          ? ''
          : ' (this run has no record of the item: a first run, or state that was not trusted)';
      return blocked(
        `the name is soft-deleted in ${o.target.name} and the deleted item was not written by this tool (or was ` +
          `changed before its deletion)${memory}; recover_soft_deleted recovers it only when acknowledged, or recover ` +
          `or purge it by hand (${where})`,
      );
    }
  }
  const why = acknowledgedNow ? 'acknowledged' : 'the deleted item is the copy this tool wrote';
  return exportableOr(f, {
    status: 'create',
    action: 'recover',
    reason: `soft-deleted in ${o.target.name} (${why}): recover_soft_deleted recovers it, then writes the source's version`,
  });
}

/**
 * The last run left this target copy as it found or wrote it, and the source has not moved since. Key Vault's
 * `updated` has whole seconds, so a source listed in the second it changed is compared again (`recheck`). A target
 * copy the last run wrote, or listed in the second it changed, may have been edited later in that second: its version
 * is looked at (`targetRecheck`: one listing or read, no value), and only the recorded version is unchanged.
 */
const unchangedSinceLastSync = (
  f: ItemFacts,
  prev: StateRecord | undefined,
  s: ItemSnapshot,
  t: ItemSnapshot,
): boolean =>
  !!prev &&
  !prev.recheck &&
  ['in_sync', 'create', 'update'].includes(prev.status) &&
  prev.sourceUpdatedOn === s.updatedOn &&
  prev.targetUpdatedOn === t.updatedOn &&
  ((prev.status === 'in_sync' && !prev.targetRecheck) || stillTheRecordedVersion(f, prev, t));

/**
 * The target's current version is still the recorded one. A version already known (a lookup by name) tells. Else a
 * secret's is proven by its versions, listed without a value (still-current.ts); when the listing cannot prove it
 * (another version within 5 s, more than a page of versions), or for a key, the current version is read.
 */
const stillTheRecordedVersion = (f: ItemFacts, prev: StateRecord, t: ItemSnapshot): boolean =>
  (f.type === 'secret' &&
    f.targetVersion === undefined &&
    stillCurrent({ ...t, version: prev.targetVersion }, known(f, 'targetSecretVersions'))) ||
  unchanged(f, prev, t);

function decideExisting(
  f: ItemFacts,
  s: ItemSnapshot,
  t: ItemSnapshot,
  prev: StateRecord | undefined,
  o: DecideOptions,
): Decided {
  if (f.type === 'secret') return decideSecret(f, s, t, prev, o);
  if (f.type === 'certificate') {
    const differs = attributeDifferences(s, t);
    if (differs.length) return conflictOr(f, t, prev, o, differs);
    // The version found equal is what a later update needs as proof; it is read only when not already known.
    const versionKnown = !!prev?.targetVersion && prev.targetUpdatedOn === t.updatedOn;
    const target = versionKnown ? t : { ...t, version: currentVersion(f) };
    return decided(f, { status: 'in_sync', action: 'none', reason: 'same thumbprint and attributes', target });
  }
  return decideKey(f, s, t, prev, o);
}

function decideSecret(
  f: ItemFacts,
  s: ItemSnapshot,
  t: ItemSnapshot,
  prev: StateRecord | undefined,
  o: DecideOptions,
): Decided {
  // A record without the version it found equal (kept by versions before 0.2) is compared once more, live, so that the
  // version is known as proof when the source next changes. The listed attributes are compared all the same (they cost
  // no read): a copy an earlier version wrote wrong (a date past 2038, wrapped) and recorded in sync is repaired.
  if (prev?.targetVersion && !attributeDifferences(s, t).length && unchangedSinceLastSync(f, prev, s, t)) {
    return decided(f, { status: 'in_sync', action: 'none', reason: 'unchanged since the last sync' });
  }
  if (prev?.sourceUpdatedOn !== s.updatedOn && unchanged(f, prev, t)) {
    return decided(f, { status: 'update', action: 'write', reason: 'changed on the source' });
  }
  const values = known(f, 'values');
  if (!values.sourceReadable) {
    return decided(f, {
      status: 'source_disabled',
      action: 'none',
      reason: 'the source value cannot be read (disabled)',
    });
  }
  const differs = [...(values.equal ? [] : ['value']), ...attributeDifferences(s, t)];
  if (!differs.length) {
    const target = { ...t, version: values.targetVersion };
    return decided(f, { status: 'in_sync', action: 'none', reason: 'target equals the source', target });
  }
  return conflictOr(f, t, prev, o, differs);
}

/** Keys: a restore brings every version with its id, so equal latest versions mean the same key. */
function decideKey(
  f: ItemFacts,
  s: ItemSnapshot,
  t: ItemSnapshot,
  prev: StateRecord | undefined,
  o: DecideOptions,
): Decided {
  if (unchangedSinceLastSync(f, prev, s, t))
    return decided(f, { status: 'in_sync', action: 'none', reason: 'unchanged since the last sync' });
  // Both versions in one answer, so that the gatherer reads them side by side.
  ask(f, 'sourceKeyVersion', 'targetVersion');
  const sv = known(f, 'sourceKeyVersion') ?? undefined;
  const tv = currentVersion(f);
  if (sv && sv === tv) {
    const versions = { source: { ...s, version: sv }, target: { ...t, version: tv } };
    return decided(f, { status: 'in_sync', action: 'none', reason: 'same latest version', ...versions });
  }
  if (!ourUnchangedWrite(f, prev, t)) {
    const reason =
      'a different key with this name exists in the target and was not restored by this tool (or was changed since); ' +
      'this tool never deletes or purges a key it did not restore';
    return decided(f, { status: 'blocked_target_conflict', action: 'none', reason });
  }
  const { recreateKeys } = o.replication;
  // A purge cannot be undone: the record that says this tool restored the key must be signed (state-key), not only
  // live-checked.
  if (recreateKeys && !o.target.purgeProtection && o.signedState) {
    const reason = 'newer version on the source; recreate_keys: delete, purge and restore the key this tool restored';
    return decided(f, { status: 'update', action: 'write', reason, target: { ...t, version: tv } });
  }
  const reason = !recreateKeys
    ? 'newer version on the source, but restore refuses an existing key; set recreate_keys to delete, purge and restore'
    : o.target.purgeProtection
      ? `purge protection on ${o.target.name} forbids recreating the key`
      : 'newer version on the source; recreate_keys purges only on a signed state (set state-key): ' +
        'an unsigned record cannot prove this tool restored the key';
  return decided(f, { status: 'blocked_key_restore_conflict', action: 'none', reason });
}

/** What an earlier version wrote wrong and nobody changes unseen: dates past 2038, wrapped (see exact-dates.ts). */
const WRITTEN_WRONG_BY_AN_EARLIER_VERSION: ReadonlySet<string> = new Set(['expiry', 'not-before']);

/**
 * A target that differs from the source: updated when it is this tool's untouched copy, overwritten, or acknowledged.
 */
function conflictOr(
  f: ItemFacts,
  t: ItemSnapshot,
  prev: StateRecord | undefined,
  o: DecideOptions,
  differences: readonly string[],
): Decided {
  const differs = differences.join(', ');
  let editedUnseen = false;
  if (unchanged(f, prev, t)) {
    if (prev?.sourceUpdatedOn !== f.source?.updatedOn || prev?.recheck)
      return exportableOr(f, { status: 'update', action: 'write', reason: `changed on the source (${differs})` });
    // Neither side moved since the last run, yet they differ. Only dates can have been written wrong (by an earlier
    // version): that copy is written again. Any other difference, or any at all on a copy whose second was not over
    // when last looked at (`targetRecheck`), is an edit later in that second, which `updated` cannot show (a disable,
    // say): someone's, never written over.
    if (differences.every((d) => WRITTEN_WRONG_BY_AN_EARLIER_VERSION.has(d)) && !prev?.targetRecheck) {
      const reason = `the copy this tool wrote differs from the source (${differs}); written again`;
      return exportableOr(f, { status: 'update', action: 'write', reason });
    }
    editedUnseen = true;
  }
  if (o.replication.overwriteOnConflict) {
    return exportableOr(f, {
      status: 'update',
      action: 'write',
      reason: `target differs (${differs}); overwrite_on_conflict`,
    });
  }
  const acknowledgedNow = acknowledgedBy(o.acknowledge, f.name);
  const remembered = !matchesAnyGlob(o.revoke, f.name) && !!prev?.acknowledgedVersion;
  if (acknowledgedNow || (remembered && acknowledged(f, prev))) {
    const version = currentVersion(f);
    const reason = `target differs (${differs}); conflict acknowledged`;
    const { record } = exportableOr(f, { status: 'update', action: 'write', reason, target: { ...t, version } });
    return { record, acknowledgedVersion: acknowledgedNow ? version : undefined };
  }
  const memory = prev ? '' : ' (this run has no record of the item: a first run, or state that was not trusted)';
  const why = editedUnseen
    ? "was edited in the second of this tool's last write or look (its version and time are as recorded)"
    : `was not written by this tool (or was changed since)${memory}`;
  const reason = `target item differs (${differs}) and ${why}; acknowledge it or set overwrite_on_conflict`;
  return decided(f, { status: 'blocked_target_conflict', action: 'none', reason });
}

/** A certificate is written only when its policy lets the private key be exported. */
function exportableOr(f: ItemFacts, o: Outcome): Decided {
  if (f.type !== 'certificate' || o.action === 'none' || known(f, 'exportable')) return decided(f, o);
  const reason = 'the certificate policy marks its private key non-exportable';
  return decided(f, { ...o, status: 'blocked_non_exportable_certificate', action: 'none', reason });
}

/**
 * Per record key, the acknowledgement to remember from now on: the target version acknowledged in this run, or
 * undefined where `revoke` withdraws a remembered one (a revoke wins over an acknowledgement of the same run).
 */
export function acknowledgementChanges(
  all: readonly Decided[],
  previous: PairState,
  revoke: readonly string[],
): ReadonlyMap<string, string | undefined> {
  const changes = new Map<string, string | undefined>();
  for (const d of all)
    if (d.acknowledgedVersion) changes.set(recordKey(d.record.type, d.record.name), d.acknowledgedVersion);
  for (const { record: r } of all) {
    const key = recordKey(r.type, r.name);
    if (matchesAnyGlob(revoke, r.name) && previous.records[key]?.acknowledgedVersion) changes.set(key, undefined);
  }
  return changes;
}
