import { failedRecord } from '../../src/engine/apply.ts';
import type { Replication } from '../../src/engine/config/types.ts';
import { acknowledgementChanges, decide, type Decided } from '../../src/engine/decide.ts';
import { KvrError } from '../../src/engine/errors.ts';
import { ON_DEMAND_FACTS, type DecideOptions, type FactName, type ItemFacts } from '../../src/engine/facts.ts';
import { guardMassDeletes } from '../../src/engine/mass-delete-guard.ts';
import {
  RECORD_STATUSES,
  type ItemSnapshot,
  type ItemType,
  type RecordAction,
  type RecordStatus,
  type ReplicationRecord,
  type SecretVersionsPage,
  type VaultInfo,
} from '../../src/engine/model.ts';

import { emptyPairState, type PairState, type StateRecord } from '../../src/engine/state.ts';
import { VaultFailure } from '../../src/engine/vault-failure.ts';
import { replicationOf, vaultInfo } from '../fakes/builders.ts';

/** The status table of DESIGN §4, one row per status and per reason `decide` gives. Pure: no vault, no I/O. */

const SRC_UPDATED = 1_700_000_000_000;
const DST_UPDATED = 1_700_000_100_000;
const NAME = 'item';

const snapshot = (type: ItemType, updatedOn: number, over: Partial<ItemSnapshot> | undefined): ItemSnapshot => ({
  type,
  name: NAME,
  enabled: true,
  tags: {},
  managed: false,
  updatedOn,
  ...(type === 'certificate' ? { thumbprint: 'tp' } : {}),
  ...over,
});
const vault = vaultInfo;
/** A secret's versions as listed: [version, created], each with `updated` at its creation. */
const versionsOf = (...vs: [string, number][]): SecretVersionsPage => ({
  versions: vs.map(([version, created]) => snapshot('secret', created, { version, createdOn: created })),
  more: false,
});
const replication = (over: Partial<Replication> = {}): Replication =>
  replicationOf({ types: ['secrets', 'certificates', 'keys'], ...over });
/** This tool's copy, untouched since the last run wrote it. */
const OURS: Partial<StateRecord> = {
  status: 'create',
  replicatedByUs: true,
  targetVersion: 'v-t',
  sourceUpdatedOn: SRC_UPDATED,
  targetUpdatedOn: DST_UPDATED,
};
const prevRecord = (type: ItemType, over: Partial<StateRecord>): StateRecord => ({
  type,
  name: NAME,
  status: 'in_sync',
  replicatedByUs: false,
  missingRuns: 0,
  lastCorrelationId: 'c0',
  ...over,
});

interface Row {
  case: string;
  type?: ItemType;
  /** null: the vault has no such item; otherwise the listed item, with these attributes. */
  source?: Partial<ItemSnapshot> | null;
  target?: Partial<ItemSnapshot> | null;
  /**
   * Exactly the facts the decision asks for (the harness fails on one asked for and not given, and on one given and not
   * asked).
   */
  facts?: Partial<Pick<ItemFacts, FactName>>;
  prev?: Partial<StateRecord>;
  options?: Partial<Omit<DecideOptions, 'replication' | 'target'>> & {
    replication?: Partial<Replication>;
    target?: Partial<VaultInfo>;
  };
  status: RecordStatus;
  action: RecordAction;
  reason: string;
  acknowledgedVersion?: string;
  /** The target version the record carries (learnt while deciding). */
  targetVersion?: string;
}

const rows: Row[] = [
  // Active items
  {
    case: 'a secret backing a certificate',
    source: { managed: true },
    status: 'managed_by_certificate',
    action: 'none',
    reason: 'backs a certificate; replicated with it',
  },
  {
    case: 'an item the rule does not select',
    options: { replication: { rule: { pattern: 'other-*' } } },
    status: 'excluded_by_rule',
    action: 'none',
    reason: 'not matched by pattern other-*',
  },
  {
    case: 'an item the rule excludes',
    options: { replication: { exclude: ['it*'] } },
    status: 'excluded_by_rule',
    action: 'none',
    reason: "excluded by 'it*'",
  },
  {
    case: 'a key into another geography',
    type: 'key',
    options: { target: { location: 'japaneast' } },
    status: 'blocked_cross_geography_key',
    action: 'none',
    reason: 'westeurope and japaneast are in different geographies; key backups cannot cross',
  },
  {
    case: "a key between regions the fallback table does not know, in one geography by ARM's locations",
    type: 'key',
    target: null,
    facts: { deletedInTarget: false },
    options: {
      source: vault('src', { location: 'taiwannorth', geography: 'Taiwan' }),
      target: { location: 'taiwannorthwest', geography: 'Taiwan' },
    },
    status: 'create',
    action: 'write',
    reason: 'missing in the target',
  },
  {
    case: "a key into another geography by ARM's locations, whatever the fallback table says",
    type: 'key',
    options: {
      source: vault('src', { location: 'westeurope', geography: 'Europe' }),
      target: { location: 'northeurope', geography: 'Elsewhere' },
    },
    status: 'blocked_cross_geography_key',
    action: 'none',
    reason: 'westeurope and northeurope are in different geographies; key backups cannot cross',
  },
  {
    case: 'a key into another subscription',
    type: 'key',
    options: { target: { subscriptionId: 'SUB-B' } },
    status: 'blocked_cross_subscription_key',
    action: 'none',
    reason: 'source and target are in different subscriptions',
  },
  {
    case: 'missing in the target',
    target: null,
    facts: { deletedInTarget: false },
    status: 'create',
    action: 'write',
    reason: 'missing in the target',
  },
  {
    case: 'missing in the target, soft-deleted there',
    target: null,
    facts: { deletedInTarget: true },
    status: 'blocked_target_soft_deleted',
    action: 'none',
    reason: 'the name is soft-deleted in dst: recover or purge it (Azure portal → dst → Secrets → Manage deleted)',
  },
  {
    case: 'recover_soft_deleted: the deleted item is the copy this tool wrote, untouched',
    target: null,
    prev: OURS,
    facts: { deletedInTarget: true, deletedTarget: snapshot('secret', DST_UPDATED, { version: 'v-t' }) },
    options: { replication: { recoverSoftDeleted: true }, signedState: true },
    status: 'create',
    action: 'recover',
    reason:
      "soft-deleted in dst (the deleted item is the copy this tool wrote): recover_soft_deleted recovers it, then writes the source's version",
  },
  {
    case: 'recover_soft_deleted: an unsigned record proves nothing (anyone with push rights could have written it)',
    target: null,
    prev: OURS,
    facts: { deletedInTarget: true, deletedTarget: snapshot('secret', DST_UPDATED, { version: 'v-t' }) },
    options: { replication: { recoverSoftDeleted: true }, signedState: false },
    status: 'blocked_target_soft_deleted',
    action: 'none',
    reason: 'without state-key no record can prove that; only an acknowledged name is recovered',
  },
  {
    case: 'recover_soft_deleted: the deleted item has a version this tool did not write',
    target: null,
    prev: OURS,
    facts: { deletedInTarget: true, deletedTarget: snapshot('secret', DST_UPDATED, { version: 'v-other' }) },
    options: { replication: { recoverSoftDeleted: true }, signedState: true },
    status: 'blocked_target_soft_deleted',
    action: 'none',
    reason:
      'the name is soft-deleted in dst and the deleted item was not written by this tool (or was changed before its deletion); recover_soft_deleted recovers it only when acknowledged',
  },
  {
    case: 'recover_soft_deleted: this tool wrote the version, but it was edited (tags, enabled) before its deletion',
    target: null,
    prev: OURS,
    facts: { deletedInTarget: true, deletedTarget: snapshot('secret', DST_UPDATED + 5000, { version: 'v-t' }) },
    options: { replication: { recoverSoftDeleted: true }, signedState: true },
    status: 'blocked_target_soft_deleted',
    action: 'none',
    reason: 'was not written by this tool (or was changed before its deletion)',
  },
  {
    case: 'recover_soft_deleted: a version found equal to the source, not written by this tool',
    target: null,
    prev: { ...OURS, status: 'in_sync', replicatedByUs: false },
    facts: { deletedInTarget: true, deletedTarget: snapshot('secret', DST_UPDATED, { version: 'v-t' }) },
    options: { replication: { recoverSoftDeleted: true }, signedState: true },
    status: 'blocked_target_soft_deleted',
    action: 'none',
    reason: 'was not written by this tool',
  },
  {
    case: 'recover_soft_deleted: no record of the item (first run, or state not trusted)',
    target: null,
    facts: { deletedInTarget: true, deletedTarget: snapshot('secret', DST_UPDATED, { version: 'v-t' }) },
    options: { replication: { recoverSoftDeleted: true }, signedState: true },
    status: 'blocked_target_soft_deleted',
    action: 'none',
    reason: 'not written by this tool (or was changed before its deletion) (this run has no record of the item',
  },
  {
    case: 'recover_soft_deleted: a name acknowledged in this run is recovered without proof',
    target: null,
    facts: { deletedInTarget: true },
    options: { replication: { recoverSoftDeleted: true }, acknowledge: ['it*'] },
    status: 'create',
    action: 'recover',
    reason: "soft-deleted in dst (acknowledged): recover_soft_deleted recovers it, then writes the source's version",
  },
  {
    case: 'recover_soft_deleted: keys stay blocked (a restore refuses an existing key)',
    type: 'key',
    target: null,
    prev: OURS,
    facts: { deletedInTarget: true },
    options: { replication: { recoverSoftDeleted: true }, acknowledge: ['item'] },
    status: 'blocked_target_soft_deleted',
    action: 'none',
    reason: 'the key is soft-deleted in dst; recover_soft_deleted does not apply to keys',
  },
  {
    case: "recover_soft_deleted: this tool's certificate is recovered, then imported",
    type: 'certificate',
    target: null,
    prev: OURS,
    facts: {
      deletedInTarget: true,
      deletedTarget: snapshot('certificate', DST_UPDATED, { version: 'v-t' }),
      exportable: true,
    },
    options: { replication: { recoverSoftDeleted: true }, signedState: true },
    status: 'create',
    action: 'recover',
    reason: 'recover_soft_deleted recovers it',
  },
  {
    case: 'recover_soft_deleted: a certificate whose key is not exportable is not recovered',
    type: 'certificate',
    target: null,
    prev: OURS,
    facts: {
      deletedInTarget: true,
      deletedTarget: snapshot('certificate', DST_UPDATED, { version: 'v-t' }),
      exportable: false,
    },
    options: { replication: { recoverSoftDeleted: true }, signedState: true },
    status: 'blocked_non_exportable_certificate',
    action: 'none',
    reason: 'the certificate policy marks its private key non-exportable',
  },
  {
    case: 'a certificate missing in the target',
    type: 'certificate',
    target: null,
    facts: { deletedInTarget: false, standaloneInTarget: false, exportable: true },
    status: 'create',
    action: 'write',
    reason: 'missing in the target',
  },
  {
    case: 'a certificate over a standalone secret or key',
    type: 'certificate',
    target: null,
    facts: { deletedInTarget: false, standaloneInTarget: true },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'a standalone secret or key named item exists in dst; a certificate cannot be imported over it',
  },
  {
    case: 'a certificate to create whose key is not exportable',
    type: 'certificate',
    target: null,
    facts: { deletedInTarget: false, standaloneInTarget: false, exportable: false },
    status: 'blocked_non_exportable_certificate',
    action: 'none',
    reason: 'the certificate policy marks its private key non-exportable',
  },

  // A certificate whose latest version is still being issued: it reads disabled, yet is not
  {
    case: 'a pending certificate, our untouched copy (never disabled)',
    type: 'certificate',
    source: { enabled: false, pending: true, thumbprint: undefined },
    prev: OURS,
    status: 'source_pending',
    action: 'none',
    reason: 'the latest version is still pending (issuance not complete)',
  },
  {
    case: 'a pending certificate, no copy yet',
    type: 'certificate',
    source: { enabled: false, pending: true, thumbprint: undefined },
    target: null,
    status: 'source_pending',
    action: 'none',
    reason: 'nothing is done until it completes',
  },

  // Disabled on the source
  {
    case: 'disabled on the source, no copy',
    source: { enabled: false },
    target: null,
    status: 'source_disabled',
    action: 'none',
    reason: 'disabled on the source; its value cannot be read',
  },
  {
    case: 'disabled on the source and in the target',
    source: { enabled: false },
    target: { enabled: false },
    status: 'source_disabled',
    action: 'none',
    reason: 'disabled on the source and in the target',
  },
  {
    case: 'disabled on the source, targeted run',
    source: { enabled: false },
    options: { targeted: true },
    status: 'source_disabled',
    action: 'none',
    reason: 'a targeted run never disables, the next full run mirrors it',
  },
  {
    case: 'disabled on the source, our untouched copy',
    source: { enabled: false },
    prev: OURS,
    facts: { targetVersion: 'v-t' },
    status: 'source_disabled',
    action: 'disable',
    reason: 'disabled on the source: the target copy will be disabled too',
  },
  {
    case: 'disabled on the source, a copy edited since',
    source: { enabled: false },
    prev: OURS,
    facts: { targetVersion: 'v-edited' },
    status: 'source_disabled',
    action: 'none',
    reason: 'was not written by this tool (or changed since) and is left as it is',
  },

  // Secrets in both vaults
  {
    case: 'a secret unchanged since the last sync',
    prev: { ...OURS, status: 'in_sync' },
    status: 'in_sync',
    action: 'none',
    reason: 'unchanged since the last sync',
  },
  {
    // `updated` has whole seconds: the copy's versions are listed once (no value read) before it counts as unchanged.
    case: 'a secret the last run wrote, its versions listed once',
    prev: OURS,
    facts: { targetSecretVersions: versionsOf(['v-old', DST_UPDATED - 60_000], ['v-t', DST_UPDATED]) },
    status: 'in_sync',
    action: 'none',
    reason: 'unchanged since the last sync',
  },
  {
    case: 'a secret listed in the second of its last change, its versions listed once',
    prev: { ...OURS, status: 'in_sync', targetRecheck: true },
    facts: { targetSecretVersions: versionsOf(['v-t', DST_UPDATED]) },
    status: 'in_sync',
    action: 'none',
    reason: 'unchanged since the last sync',
  },
  {
    // Another version created in the same second: the listing cannot tell which is current, so the current version is
    // read (one call), and it is the written one.
    case: 'a secret the last run wrote, another version within 5 s, the written one still current',
    prev: OURS,
    facts: {
      targetSecretVersions: versionsOf(['v-t', DST_UPDATED], ['v-other', DST_UPDATED - 2000]),
      targetVersion: 'v-t',
    },
    status: 'in_sync',
    action: 'none',
    reason: 'unchanged since the last sync',
  },
  {
    case: 'a secret the last run wrote, another version in the second of the write, equal to the source',
    prev: OURS,
    facts: {
      targetSecretVersions: versionsOf(['v-t', DST_UPDATED], ['v-hand', DST_UPDATED]),
      targetVersion: 'v-hand',
      values: { sourceReadable: true, equal: true, targetVersion: 'v-hand' },
    },
    status: 'in_sync',
    action: 'none',
    reason: 'target equals the source',
    targetVersion: 'v-hand',
  },
  {
    // Edited by hand later in the second of this tool's write: `updated` is as recorded, the version is not.
    case: 'a secret the last run wrote, edited in the second of the write',
    prev: OURS,
    facts: {
      targetSecretVersions: versionsOf(['v-hand', DST_UPDATED], ['v-t', DST_UPDATED]),
      targetVersion: 'v-hand',
      values: { sourceReadable: true, equal: false, targetVersion: 'v-hand' },
    },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'target item differs (value) and was not written by this tool',
  },
  {
    // No new version, `updated` as written: only an edit later in the second of the write (a disable) does that.
    case: 'a secret the last run wrote, disabled by hand in the second of the write',
    target: { enabled: false },
    prev: { ...OURS, targetRecheck: true },
    facts: { values: { sourceReadable: true, equal: false }, targetVersion: 'v-t' },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: "target item differs (value, enabled) and was edited in the second of this tool's last write or look",
  },
  {
    case: 'a secret the last run wrote, its tags edited by hand in the second of the write',
    target: { tags: { owner: 'me' } },
    prev: { ...OURS, targetRecheck: true },
    facts: { values: { sourceReadable: true, equal: true, targetVersion: 'v-t' } },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: "target item differs (tags) and was edited in the second of this tool's last write or look",
  },
  {
    // Whatever the record says of its second (a forged or older record without targetRecheck): only dates can have
    // been written wrong, so any other difference with the version and `updated` as recorded is someone's edit.
    case: 'a secret recorded in sync, disabled with its version and time as recorded',
    target: { enabled: false },
    prev: { ...OURS, status: 'in_sync' },
    facts: { values: { sourceReadable: true, equal: false }, targetVersion: 'v-t' },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: "target item differs (value, enabled) and was edited in the second of this tool's last write or look",
  },
  {
    case: 'a certificate the last run imported, disabled in the second of the import',
    type: 'certificate',
    target: { enabled: false },
    prev: { ...OURS, targetRecheck: true },
    facts: { targetVersion: 'v-t' },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: "target item differs (enabled) and was edited in the second of this tool's last write or look",
  },
  {
    // An earlier version wrapped dates past 2038 (2100-01-01 written as 1963-11-25T17:31:44Z) and recorded the copy in
    // sync: the listed attributes differ, so the copy is compared and written again, never in_sync.
    case: 'a secret recorded in sync whose copy has a wrong expiry (written by an earlier version)',
    source: { expiresOn: Date.UTC(2100, 0, 1) },
    target: { expiresOn: Date.UTC(1963, 10, 25, 17, 31, 44) },
    prev: { ...OURS, status: 'in_sync' },
    facts: { values: { sourceReadable: true, equal: true, targetVersion: 'v-t' } },
    status: 'update',
    action: 'write',
    reason: 'the copy this tool wrote differs from the source (expiry); written again',
  },
  {
    case: 'a secret whose copy has a wrong not-before, no record of it',
    source: { notBefore: Date.UTC(9999, 11, 31) },
    target: { notBefore: Date.UTC(1999, 11, 31) },
    facts: { values: { sourceReadable: true, equal: true, targetVersion: 'v-t' } },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'target item differs (not-before) and was not written by this tool',
  },
  {
    case: 'a secret changed on the source, our copy untouched',
    source: { updatedOn: SRC_UPDATED + 5000 },
    prev: OURS,
    facts: { targetVersion: 'v-t' },
    status: 'update',
    action: 'write',
    reason: 'changed on the source',
  },
  {
    case: 'a secret whose source value cannot be read',
    facts: { values: { sourceReadable: false } },
    status: 'source_disabled',
    action: 'none',
    reason: 'the source value cannot be read (disabled)',
  },
  {
    case: 'a secret equal to its copy',
    facts: { values: { sourceReadable: true, equal: true, targetVersion: 'v-read' } },
    status: 'in_sync',
    action: 'none',
    reason: 'target equals the source',
    targetVersion: 'v-read',
  },
  {
    case: 'a secret to compare again (same second), our copy',
    prev: { ...OURS, recheck: true },
    facts: { values: { sourceReadable: true, equal: false }, targetVersion: 'v-t' },
    status: 'update',
    action: 'write',
    reason: 'changed on the source (value)',
  },
  {
    case: 'a differing secret, overwrite_on_conflict',
    options: { replication: { overwriteOnConflict: true } },
    facts: { values: { sourceReadable: true, equal: false } },
    status: 'update',
    action: 'write',
    reason: 'target differs (value); overwrite_on_conflict',
  },
  {
    case: 'a differing secret, acknowledged in this run',
    options: { acknowledge: ['it*'] },
    facts: { values: { sourceReadable: true, equal: false }, targetVersion: 'v-t' },
    status: 'update',
    action: 'write',
    reason: 'target differs (value); conflict acknowledged',
    acknowledgedVersion: 'v-t',
    targetVersion: 'v-t',
  },
  {
    case: 'a differing secret, acknowledged before for this version',
    prev: { status: 'blocked_target_conflict', acknowledgedVersion: 'v-t' },
    facts: { values: { sourceReadable: true, equal: false }, targetVersion: 'v-t' },
    status: 'update',
    action: 'write',
    reason: 'conflict acknowledged',
  },
  {
    case: 'a differing secret, acknowledged before, edited since',
    prev: { status: 'blocked_target_conflict', acknowledgedVersion: 'v-t' },
    facts: { values: { sourceReadable: true, equal: false }, targetVersion: 'v-later' },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'target item differs (value) and was not written by this tool (or was changed since); acknowledge it',
  },
  {
    // The version read first (acknowledged) was replaced before the value was read: the value compared is a later
    // one nobody acknowledged, so the acknowledgement no longer covers what would be overwritten.
    case: 'a differing secret, acknowledged before, edited again between the version read and the value read',
    prev: {
      status: 'blocked_target_conflict',
      targetVersion: 'v-ours',
      targetUpdatedOn: DST_UPDATED,
      sourceUpdatedOn: SRC_UPDATED - 1000,
      acknowledgedVersion: 'v-acked',
    },
    facts: { targetVersion: 'v-acked', values: { sourceReadable: true, equal: false, targetVersion: 'v-edited' } },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'target item differs (value) and was not written by this tool (or was changed since); acknowledge it',
  },
  {
    case: 'a differing secret, acknowledgement revoked',
    prev: { status: 'blocked_target_conflict', acknowledgedVersion: 'v-t' },
    options: { revoke: ['item'] },
    facts: { values: { sourceReadable: true, equal: false } },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'was not written by this tool (or was changed since); acknowledge it or set overwrite_on_conflict',
  },
  {
    case: 'a differing secret with no record of it',
    facts: { values: { sourceReadable: true, equal: false } },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: '(this run has no record of the item: a first run, or state that was not trusted)',
  },
  {
    case: 'a secret whose copy differs in its tags',
    target: { tags: { owner: 'x' } },
    facts: { values: { sourceReadable: true, equal: true } },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'target item differs (tags)',
  },

  // Certificates in both vaults
  {
    case: 'a certificate in sync, version known',
    type: 'certificate',
    prev: OURS,
    status: 'in_sync',
    action: 'none',
    reason: 'same thumbprint and attributes',
  },
  {
    case: 'a certificate in sync, version read',
    type: 'certificate',
    facts: { targetVersion: 'v-now' },
    status: 'in_sync',
    action: 'none',
    reason: 'same thumbprint and attributes',
    targetVersion: 'v-now',
  },
  {
    case: 'a differing certificate, overwrite_on_conflict',
    type: 'certificate',
    target: { thumbprint: 'other' },
    options: { replication: { overwriteOnConflict: true } },
    facts: { exportable: true },
    status: 'update',
    action: 'write',
    reason: 'target differs (thumbprint); overwrite_on_conflict',
  },
  {
    case: 'a differing certificate to overwrite, key not exportable',
    type: 'certificate',
    target: { thumbprint: 'other' },
    options: { replication: { overwriteOnConflict: true } },
    facts: { exportable: false },
    status: 'blocked_non_exportable_certificate',
    action: 'none',
    reason: 'non-exportable',
  },

  // Keys in both vaults
  {
    case: 'a key unchanged since the last sync',
    type: 'key',
    prev: { ...OURS, status: 'in_sync' },
    status: 'in_sync',
    action: 'none',
    reason: 'unchanged since the last sync',
  },
  {
    case: 'a key the last run restored, its version looked at once',
    type: 'key',
    prev: OURS,
    facts: { targetVersion: 'v-t' },
    status: 'in_sync',
    action: 'none',
    reason: 'unchanged since the last sync',
  },
  {
    case: 'a key the last run restored, rotated by hand in the second of the restore',
    type: 'key',
    prev: OURS,
    facts: { targetVersion: 'v-hand', sourceKeyVersion: 'v-t' },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'a different key with this name exists in the target and was not restored by this tool',
  },
  {
    case: 'a key with the same latest version',
    type: 'key',
    facts: { sourceKeyVersion: 'k1', targetVersion: 'k1' },
    status: 'in_sync',
    action: 'none',
    reason: 'same latest version',
    targetVersion: 'k1',
  },
  {
    case: 'a different key, not restored by this tool',
    type: 'key',
    facts: { sourceKeyVersion: 'k2', targetVersion: 'k1' },
    status: 'blocked_target_conflict',
    action: 'none',
    reason: 'a different key with this name exists in the target and was not restored by this tool',
  },
  {
    case: 'a newer key, recreate_keys on signed state',
    type: 'key',
    source: { updatedOn: SRC_UPDATED + 5000 },
    prev: OURS,
    options: { replication: { recreateKeys: true }, signedState: true },
    facts: { sourceKeyVersion: 'k2', targetVersion: 'v-t' },
    status: 'update',
    action: 'write',
    reason: 'recreate_keys: delete, purge and restore the key this tool restored',
    targetVersion: 'v-t',
  },
  {
    case: 'a newer key, recreate_keys off',
    type: 'key',
    source: { updatedOn: SRC_UPDATED + 5000 },
    prev: OURS,
    facts: { sourceKeyVersion: 'k2', targetVersion: 'v-t' },
    status: 'blocked_key_restore_conflict',
    action: 'none',
    reason: 'set recreate_keys to delete, purge and restore',
  },
  {
    case: 'a newer key, purge protection on',
    type: 'key',
    source: { updatedOn: SRC_UPDATED + 5000 },
    prev: OURS,
    options: { replication: { recreateKeys: true }, signedState: true, target: { purgeProtection: true } },
    facts: { sourceKeyVersion: 'k2', targetVersion: 'v-t' },
    status: 'blocked_key_restore_conflict',
    action: 'none',
    reason: 'purge protection on dst forbids recreating the key',
  },
  {
    case: 'a newer key, state not signed',
    type: 'key',
    source: { updatedOn: SRC_UPDATED + 5000 },
    prev: OURS,
    options: { replication: { recreateKeys: true } },
    facts: { sourceKeyVersion: 'k2', targetVersion: 'v-t' },
    status: 'blocked_key_restore_conflict',
    action: 'none',
    reason: 'recreate_keys purges only on a signed state (set state-key)',
  },

  // Gone from the source listing (full run): decided from the previous record
  {
    case: 'gone, soft-deleted on the source',
    source: null,
    prev: OURS,
    facts: { deletedInSource: true },
    status: 'source_soft_deleted',
    action: 'none',
    reason: 'deleted but recoverable on the source; never replicated as a delete',
  },
  {
    case: 'gone for the first time',
    source: null,
    prev: OURS,
    facts: { deletedInSource: false },
    status: 'missing_once',
    action: 'none',
    reason: 'absent from the source for the first time; waiting one more run',
  },
  {
    case: 'gone twice, our untouched copy, propagate_deletes',
    source: null,
    prev: { ...OURS, missingRuns: 1 },
    options: { replication: { propagateDeletes: true } },
    facts: { deletedInSource: false, targetVersion: 'v-t', absentFromSource: true },
    status: 'delete',
    action: 'delete',
    reason: 'gone from the source two runs in a row; the copy this tool wrote is soft-deleted',
  },
  {
    case: 'gone from the listing, yet found by name',
    source: null,
    prev: { ...OURS, missingRuns: 1 },
    options: { replication: { propagateDeletes: true } },
    facts: { deletedInSource: false, targetVersion: 'v-t', absentFromSource: false },
    status: 'retired',
    action: 'none',
    reason: 'gone from the source; the target copy was not written by this tool (or changed since), so it stays',
  },
  {
    case: 'gone twice, a copy not ours, propagate_deletes',
    source: null,
    prev: { ...OURS, missingRuns: 1, replicatedByUs: false },
    options: { replication: { propagateDeletes: true } },
    facts: { deletedInSource: false },
    status: 'retired',
    action: 'none',
    reason: 'so it stays',
  },
  {
    case: 'gone twice, propagate_deletes off',
    source: null,
    prev: { ...OURS, missingRuns: 1 },
    facts: { deletedInSource: false },
    status: 'retired',
    action: 'none',
    reason: 'gone from the source two runs in a row; propagate_deletes is off, the target copy stays',
  },
  {
    case: 'gone twice from both vaults',
    source: null,
    target: null,
    prev: { ...OURS, missingRuns: 1 },
    facts: { deletedInSource: false },
    status: 'retired',
    action: 'none',
    reason: 'gone from the source and the target',
  },

  // Not found in a targeted run
  {
    case: 'targeted, soft-deleted on the source',
    source: null,
    options: { targeted: true },
    facts: { deletedInSource: true },
    status: 'source_soft_deleted',
    action: 'none',
    reason: 'never replicated as a delete',
  },
  {
    case: 'targeted, not in the source',
    source: null,
    options: { targeted: true },
    facts: { deletedInSource: false },
    status: 'missing_once',
    action: 'none',
    reason: 'not in the source (a targeted sync never deletes)',
  },
];

function optionsOf(row: Row): DecideOptions {
  const { replication: r, target, ...rest } = row.options ?? {};
  return {
    replication: replication(r),
    source: vault('src'),
    target: vault('dst', target),
    acknowledge: [],
    revoke: [],
    targeted: false,
    signedState: false,
    ...rest,
  };
}

/** Asks decide as the gatherer does, answering each question from the row; returns the decision and what it asked. */
function settle(row: Row): { decided: Decided; asked: Set<FactName> } {
  const type = row.type ?? 'secret';
  const given = row.facts ?? {};
  let facts: ItemFacts = {
    type,
    name: NAME,
    source: row.source === null ? undefined : snapshot(type, SRC_UPDATED, row.source),
    target: row.target === null ? undefined : snapshot(type, DST_UPDATED, row.target),
  };
  const prev = row.prev ? prevRecord(type, row.prev) : undefined;
  const asked = new Set<FactName>();
  for (let round = 0; round < ON_DEMAND_FACTS.length + 1; round++) {
    const d = decide(facts, prev, optionsOf(row));
    if ('record' in d) return { decided: d, asked };
    for (const n of d.needs) {
      if (given[n] === undefined) throw new Error(`decide asked for ${n}, which the row does not give`);
      asked.add(n);
    }
    facts = { ...facts, ...Object.fromEntries(d.needs.map((n) => [n, given[n]])) };
  }
  throw new Error('decide kept asking');
}

describe('decide: one row per status and reason (DESIGN §4)', () => {
  test.each(rows.map((r) => [r.case, r] as const))('%s', (_case, row) => {
    const { decided, asked } = settle(row);
    expect(decided.record).toMatchObject({
      type: row.type ?? 'secret',
      name: NAME,
      status: row.status,
      action: row.action,
    });
    expect(decided.record.reason).toContain(row.reason);
    // Lazy: it asks for exactly the facts the row gives, none more (the no-op performance depends on it).
    expect([...asked].sort()).toEqual(Object.keys(row.facts ?? {}).sort());
    expect(decided.acknowledgedVersion).toBe(row.acknowledgedVersion);
    if (row.targetVersion) expect(decided.record.target?.version).toBe(row.targetVersion);
  });

  test('a conflict is told from a first run only when there is no record', () => {
    const { decided } = settle({
      case: '',
      prev: { status: 'blocked_target_conflict' },
      facts: { values: { sourceReadable: true, equal: false } },
      status: 'blocked_target_conflict',
      action: 'none',
      reason: '',
    });
    expect(decided.record.reason).not.toContain('no record');
  });

  test('facts asked together are asked at once, so that they are read in parallel', () => {
    const facts: ItemFacts = {
      type: 'key',
      name: NAME,
      source: snapshot('key', SRC_UPDATED, {}),
      target: snapshot('key', DST_UPDATED, {}),
    };
    expect(decide(facts, undefined, optionsOf({ case: '', status: 'in_sync', action: 'none', reason: '' }))).toEqual({
      needs: ['sourceKeyVersion', 'targetVersion'],
    });
  });

  test('every status of the table but those decided later (guard, apply) has a row', () => {
    const later: RecordStatus[] = ['held_back', 'failed', 'held_back_plan_changed'];
    const decidedHere = new Set(rows.map((r) => r.status));
    expect(RECORD_STATUSES.filter((s) => !decidedHere.has(s) && !later.includes(s))).toEqual([]);
  });
});

describe('statuses given after decide', () => {
  const record = (over: Partial<ReplicationRecord> = {}): ReplicationRecord => ({
    type: 'secret',
    name: NAME,
    status: 'delete',
    action: 'delete',
    reason: 'gone from the source two runs in a row',
    ...over,
  });

  test('held_back: more deletes and disables than max_deletes wait for approval', () => {
    const records = Array.from({ length: 11 }, (_, i) => record({ name: `s${i}` }));
    const g = guardMassDeletes(
      {
        records,
        previous: emptyPairState({ replication: 'r', source: 'src', target: 'dst' }),
        replication: { name: 'r', maxDeletes: 10 },
        targetName: 'dst',
      },
      false,
    );
    expect(g.records.every((r) => r.status === 'held_back' && r.action === 'none' && r.held === 'delete')).toBe(true);
    expect(g.records[0]!.reason).toContain(
      'held back by the mass-delete guard (11 deletes and disables (max_deletes 10',
    );
    expect(g.message).toMatch(/^KVR040: r → dst would make 11 deletes and disables/);
    // The records planned are left as they were: the guard returns new ones.
    expect(records[0]!.status).toBe('delete');
  });

  test('failed: a write that failed carries its code and remedy', () => {
    const r = failedRecord(
      record({ status: 'create', action: 'write' }),
      new VaultFailure('gone', 'SecretNotFound (HTTP 404)', 'x'),
      'dst',
    );
    expect(r).toMatchObject({
      status: 'failed',
      action: 'none',
      errorCode: 'KVR035',
      reason: 'dst/secret/item: SecretNotFound (HTTP 404): the item disappeared while replicating',
    });
  });

  test('blocked_target_soft_deleted: a write refused because the name is soft-deleted in the target', () => {
    const r = failedRecord(
      record({ status: 'create', action: 'write' }),
      new VaultFailure('soft_deleted_conflict', 'Conflict (HTTP 409)', 'x'),
      'dst',
    );
    expect(r).toMatchObject({ status: 'blocked_target_soft_deleted', action: 'none', errorCode: 'KVR032' });
  });

  test('failed (cancelled): a KvrError keeps its code', () => {
    expect(failedRecord(record(), new KvrError('KVR041', 'not written: cancelled'), 'dst')).toMatchObject({
      status: 'failed',
      errorCode: 'KVR041',
    });
  });
});

describe('acknowledgementChanges', () => {
  const decided = (name: string, acknowledgedVersion?: string): Decided => ({
    record: { type: 'secret', name, status: 'update', action: 'write', reason: '' },
    acknowledgedVersion,
  });
  const previous: PairState = {
    ...emptyPairState({ replication: 'r', source: 'src', target: 'dst' }),
    records: { 'secret/old': prevRecord('secret', { name: 'old', acknowledgedVersion: 'v0' }) },
  };

  test('remembers the versions acknowledged now, and withdraws revoked ones; a revoke wins', () => {
    const changes = acknowledgementChanges([decided('new', 'v1'), decided('old', 'v2'), decided('other')], previous, [
      'old',
      'new',
    ]);
    expect([...changes]).toEqual([
      ['secret/new', 'v1'],
      ['secret/old', undefined],
    ]);
    const kept = acknowledgementChanges([decided('new', 'v1'), decided('old')], previous, []);
    expect([...kept]).toEqual([['secret/new', 'v1']]);
  });
});
