import type { Replication } from './config/types.ts';
import { attributeDifferences } from './compare.ts';
import { geographyOf } from './geography.ts';
import { byName, type Listings } from './listings.ts';
import { recordKey, TYPE_OF_CONFIG, type ItemSnapshot, type ItemType, type RecordAction, type RecordStatus, type ReplicationRecord } from './model.ts';
import type { VaultPort } from './ports.ts';
import { isVaultFailure } from './vault-failure.ts';
import { acknowledgedBy, matchesAnyGlob, selectedByRule } from './rules.ts';
import { TargetProof } from './target-proof.ts';
import type { PairState, StateRecord } from './state.ts';

export interface OnlyItem { type: ItemType; name: string }

export interface PlanInput {
  replication: Replication;
  source: VaultPort;
  target: VaultPort;
  previous: PairState;
  acknowledge: readonly string[];
  /** Names or globs whose remembered acknowledgements are withdrawn. */
  revoke: readonly string[];
  /** Targeted sync: just these items, fetched one by one, nothing else read or listed. */
  only?: readonly OnlyItem[];
  listings: Listings;
  /** Called with every secret value the moment it is read (hosts mask it in their logs). */
  mask: (value: string) => void;
  /** The previous state verified against a key: only then may a record's word allow a purge (recreate_keys). */
  signedState: boolean;
}

/** A source secret's value with the attributes of the very version it was read from. */
export interface SourceRead {
  value: string;
  item: ItemSnapshot;
}

export interface PairPlan {
  replication: Replication;
  source: VaultPort;
  target: VaultPort;
  records: ReplicationRecord[];
  previous: PairState;
  /** Source values read while planning, in memory only, so that applying need not read them again. */
  values: Map<string, SourceRead>;
  /** Per record key, the acknowledgement to remember from now on: a target version, or undefined when withdrawn. */
  acknowledgements: Map<string, string | undefined>;
}

const rec = (type: ItemType, name: string, status: RecordStatus, action: RecordAction, reason: string, source?: ItemSnapshot, target?: ItemSnapshot): ReplicationRecord =>
  ({ type, name, status, action, reason, source, target });

/**
 * The last run left this target copy as it found or wrote it, and the source has not moved since. Key Vault's
 * `updated` has whole seconds, so a source listed in the second it changed is compared again (`recheck`).
 */
const unchangedSinceLastSync = (prev: StateRecord | undefined, s: ItemSnapshot, t: ItemSnapshot): boolean =>
  !!prev && !prev.recheck && ['in_sync', 'create', 'update'].includes(prev.status) && prev.sourceUpdatedOn === s.updatedOn && prev.targetUpdatedOn === t.updatedOn;

/** Reads a source or target value and masks it at once; undefined when the secret is disabled. */
export async function readValue(port: VaultPort, name: string, mask: (v: string) => void): Promise<SourceRead | undefined> {
  try {
    const read = await port.readSecret(name);
    mask(read.value);
    return read;
  } catch (e) {
    if (isVaultFailure(e, 'secret_disabled')) return undefined;
    throw e;
  }
}

const BLADE: Record<ItemType, string> = { key: 'Keys', secret: 'Secrets', certificate: 'Certificates' };

/** Expands one source → target pair into one record per item and decides each record's status (DESIGN §4). */
export async function planPair(input: PlanInput): Promise<PairPlan> {
  const { replication, source, target, previous, listings } = input;
  const plan: PairPlan = { replication, source, target, records: [], previous, values: new Map(), acknowledgements: new Map() };
  const proof = new TargetProof(target, input.mask);
  const types = replication.types.map((t) => TYPE_OF_CONFIG[t]);
  const geoBlocked = geographyOf(source.info.location) !== geographyOf(target.info.location);
  const subBlocked = source.info.subscriptionId.toLowerCase() !== target.info.subscriptionId.toLowerCase();

  // Every listing of the pair starts at once: a no-op run costs the longest listing, not the sum of all of them.
  if (!input.only) for (const type of types) for (const v of [source, target]) listings.live(v, type).catch(() => undefined);

  for (const type of types) {
    const wanted = input.only?.filter((o) => o.type === type);
    if (input.only && !wanted?.length) continue;
    const { sourceItems, targetItems } = wanted
      ? await fetchOnly(input, type, wanted, plan)
      : { sourceItems: await listings.live(source, type), targetItems: await listings.live(target, type) };
    const targets = byName(targetItems);
    const standaloneInTarget = type === 'certificate' ? await standaloneNames(input, wanted) : new Set<string>();
    const seen = new Set<string>();
    let targetDeleted: Set<string> | undefined;
    const deletedInTarget = async (name: string) => (targetDeleted ??= await listings.deleted(target, type)).has(name.toLowerCase());

    for (const s of sourceItems) {
      const key = recordKey(type, s.name);
      seen.add(key);
      const prev = previous.records[key];
      const t = targets.get(s.name.toLowerCase());
      proof.learn(type, s.name, t?.version);
      if (s.managed) { plan.records.push(rec(type, s.name, 'managed_by_certificate', 'none', 'backs a certificate; replicated with it', s, t)); continue; }
      const rule = selectedByRule(replication, s.name, s.tags);
      if (!rule.selected) { plan.records.push(rec(type, s.name, 'excluded_by_rule', 'none', rule.reason, s, t)); continue; }
      if (type === 'key' && geoBlocked) { plan.records.push(rec(type, s.name, 'blocked_cross_geography_key', 'none', `${source.info.location} and ${target.info.location} are in different geographies; key backups cannot cross`, s, t)); continue; }
      if (type === 'key' && subBlocked) { plan.records.push(rec(type, s.name, 'blocked_cross_subscription_key', 'none', 'source and target are in different subscriptions; key backups cannot cross', s, t)); continue; }
      if (!s.enabled) { plan.records.push(await decideDisabledSource(proof, type, s, t, prev, !!input.only)); continue; }
      if (!t) {
        if (await deletedInTarget(s.name)) {
          plan.records.push(rec(type, s.name, 'blocked_target_soft_deleted', 'none', `the name is soft-deleted in ${target.info.name}: recover or purge it (Azure portal → ${target.info.name} → ${BLADE[type]} → Manage deleted)`, s));
          continue;
        }
        if (type === 'certificate' && standaloneInTarget.has(s.name.toLowerCase())) {
          plan.records.push(rec(type, s.name, 'blocked_target_conflict', 'none', `a standalone secret or key named ${s.name} exists in ${target.info.name}; a certificate cannot be imported over it`, s));
          continue;
        }
        plan.records.push(await blockedIfNotExportable(input, rec(type, s.name, 'create', 'write', 'missing in the target', s)));
        continue;
      }
      plan.records.push(await decideExisting(input, plan, proof, type, s, t, prev));
    }

    if (!wanted) await planMissing(input, plan, proof, type, seen);
  }
  for (const r of plan.records) {
    if (matchesAnyGlob(input.revoke, r.name) && previous.records[recordKey(r.type, r.name)]?.acknowledgedVersion) plan.acknowledgements.set(recordKey(r.type, r.name), undefined);
  }
  return plan;
}

/** A disabled source item: its copy is disabled too, but only a copy this tool wrote and nobody changed since. */
async function decideDisabledSource(proof: TargetProof, type: ItemType, s: ItemSnapshot, t: ItemSnapshot | undefined, prev: StateRecord | undefined, targeted: boolean): Promise<ReplicationRecord> {
  if (!t) return rec(type, s.name, 'source_disabled', 'none', 'disabled on the source; its value cannot be read', s, t);
  if (!t.enabled) return rec(type, s.name, 'source_disabled', 'none', 'disabled on the source and in the target', s, t);
  // Disables, like deletes, are left to a full run, where the mass-delete guard sees all of them together.
  if (targeted) return rec(type, s.name, 'source_disabled', 'none', 'disabled on the source; a targeted run never disables, the next full run mirrors it', s, t);
  if (await proof.ourUnchangedWrite(prev, t)) return rec(type, s.name, 'source_disabled', 'disable', 'disabled on the source: the target copy will be disabled too', s, t);
  return rec(type, s.name, 'source_disabled', 'none', 'disabled on the source; the target item was not written by this tool (or changed since) and is left as it is', s, t);
}

async function decideExisting(input: PlanInput, plan: PairPlan, proof: TargetProof, type: ItemType, s: ItemSnapshot, t: ItemSnapshot, prev: StateRecord | undefined): Promise<ReplicationRecord> {
  const { source, target, replication } = input;
  const key = recordKey(type, s.name);
  const acknowledgedNow = acknowledgedBy(input.acknowledge, s.name);
  const remembered = !matchesAnyGlob(input.revoke, s.name) && !!prev?.acknowledgedVersion;
  const conflictOr = async (differs: string): Promise<ReplicationRecord> => {
    if (await proof.unchanged(prev, t)) return blockedIfNotExportable(input, rec(type, s.name, 'update', 'write', `changed on the source (${differs})`, s, t));
    if (replication.overwriteOnConflict) return blockedIfNotExportable(input, rec(type, s.name, 'update', 'write', `target differs (${differs}); overwrite_on_conflict`, s, t));
    if (acknowledgedNow || (remembered && (await proof.acknowledged(prev, t)))) {
      const version = await proof.currentVersion(type, s.name);
      if (acknowledgedNow && version) plan.acknowledgements.set(key, version);
      return blockedIfNotExportable(input, rec(type, s.name, 'update', 'write', `target differs (${differs}); conflict acknowledged`, s, { ...t, version }));
    }
    const memory = prev ? '' : ' (this run has no record of the item: a first run, or state that was not trusted)';
    return rec(type, s.name, 'blocked_target_conflict', 'none', `target item differs (${differs}) and was not written by this tool (or was changed since)${memory}; acknowledge it or set overwrite_on_conflict`, s, t);
  };

  if (type === 'secret') {
    // A record without the version it found equal (kept by versions before 0.2) is compared once more, live, so that the
    // version is known as proof when the source next changes.
    if (unchangedSinceLastSync(prev, s, t) && prev?.targetVersion) return rec(type, s.name, 'in_sync', 'none', 'unchanged since the last sync', s, t);
    if (prev?.sourceUpdatedOn !== s.updatedOn && (await proof.unchanged(prev, t))) return rec(type, s.name, 'update', 'write', 'changed on the source', s, t);
    const sourceRead = plan.values.get(key) ?? await readValue(source, s.name, input.mask);
    if (sourceRead === undefined) return rec(type, s.name, 'source_disabled', 'none', 'the source value cannot be read (disabled)', s, t);
    plan.values.set(key, sourceRead);
    const targetRead = t.enabled ? await readValue(target, s.name, input.mask) : undefined;
    proof.learn(type, s.name, targetRead?.item.version);
    const differs = [...(targetRead?.value !== sourceRead.value ? ['value'] : []), ...attributeDifferences(s, t)];
    if (!differs.length) return rec(type, s.name, 'in_sync', 'none', 'target equals the source', s, { ...t, version: targetRead?.item.version });
    return conflictOr(differs.join(', '));
  }
  if (type === 'certificate') {
    const differs = attributeDifferences(s, t);
    if (differs.length) return conflictOr(differs.join(', '));
    // The version found equal is what a later update needs as proof; it is read only when not already known.
    const known = !!prev?.targetVersion && prev.targetUpdatedOn === t.updatedOn;
    return rec(type, s.name, 'in_sync', 'none', 'same thumbprint and attributes', s, known ? t : { ...t, version: await proof.currentVersion(type, s.name) });
  }
  // Keys: a restore brings every version with its id, so equal latest versions mean the same key.
  if (unchangedSinceLastSync(prev, s, t)) return rec(type, s.name, 'in_sync', 'none', 'unchanged since the last sync', s, t);
  const [sv, tv] = await Promise.all([source.keyVersion(s.name), proof.currentVersion(type, s.name)]);
  if (sv && sv === tv) return rec(type, s.name, 'in_sync', 'none', 'same latest version', { ...s, version: sv }, { ...t, version: tv });
  if (!(await proof.ourUnchangedWrite(prev, t))) {
    return rec(type, s.name, 'blocked_target_conflict', 'none', 'a different key with this name exists in the target and was not restored by this tool (or was changed since); this tool never deletes or purges a key it did not restore', s, t);
  }
  // A purge cannot be undone: the record that says this tool restored the key must be signed (state-key), not only live-checked.
  if (replication.recreateKeys && !target.info.purgeProtection && input.signedState) return rec(type, s.name, 'update', 'write', 'newer version on the source; recreate_keys: delete, purge and restore the key this tool restored', s, { ...t, version: tv });
  const why = !replication.recreateKeys ? 'newer version on the source, but restore refuses an existing key; set recreate_keys to delete, purge and restore'
    : target.info.purgeProtection ? `purge protection on ${target.info.name} forbids recreating the key`
      : 'newer version on the source; recreate_keys purges only on a signed state (set state-key): an unsigned record cannot prove this tool restored the key';
  return rec(type, s.name, 'blocked_key_restore_conflict', 'none', why, s, t);
}

async function blockedIfNotExportable(input: PlanInput, r: ReplicationRecord): Promise<ReplicationRecord> {
  if (r.type !== 'certificate' || r.action !== 'write') return r;
  if (await input.source.certificateExportable(r.name)) return r;
  return { ...r, status: 'blocked_non_exportable_certificate', action: 'none', reason: 'the certificate policy marks its private key non-exportable' };
}

async function standaloneNames(input: PlanInput, wanted?: readonly OnlyItem[]): Promise<Set<string>> {
  if (wanted) {
    const found = await Promise.all(wanted.flatMap((w) => (['secret', 'key'] as const).map((t) => input.target.get(t, w.name).catch(() => undefined))));
    // A certificate's backing secret is its PKCS#12, private key included: masked like every value read.
    for (const f of found) if (f?.secretValue !== undefined) input.mask(f.secretValue);
    return new Set(found.filter((f) => f && !f.item.managed).map((f) => f!.item.name.toLowerCase()));
  }
  const lists = await Promise.all([input.listings.live(input.target, 'secret'), input.listings.live(input.target, 'key')]);
  return new Set(lists.flat().filter((i) => !i.managed).map((i) => i.name.toLowerCase()));
}

async function fetchOnly(input: PlanInput, type: ItemType, wanted: readonly OnlyItem[], plan: PairPlan) {
  const sourceItems: ItemSnapshot[] = [];
  const targetItems: ItemSnapshot[] = [];
  for (const w of wanted) {
    const [s, t] = await Promise.all([input.source.get(type, w.name), input.target.get(type, w.name)]);
    if (s?.secretValue !== undefined) { input.mask(s.secretValue); plan.values.set(recordKey(type, w.name), { value: s.secretValue, item: s.item }); }
    if (t?.secretValue !== undefined) input.mask(t.secretValue);
    if (s) sourceItems.push(s.item);
    if (t) targetItems.push(t.item);
    if (!s) {
      const deleted = await input.listings.deleted(input.source, type);
      plan.records.push(rec(type, w.name, deleted.has(w.name.toLowerCase()) ? 'source_soft_deleted' : 'missing_once', 'none', deleted.has(w.name.toLowerCase()) ? 'deleted but recoverable on the source; never replicated as a delete' : 'not in the source (a targeted sync never deletes)', undefined, t?.item));
    }
  }
  return { sourceItems, targetItems };
}

/** Records the previous run knew whose item is gone from the source: flap protection, then retire or delete. */
async function planMissing(input: PlanInput, plan: PairPlan, proof: TargetProof, type: ItemType, seen: Set<string>): Promise<void> {
  const missing = Object.entries(input.previous.records).filter(([k, r]) => r.type === type && !seen.has(k));
  if (!missing.length) return;
  const sourceDeleted = await input.listings.deleted(input.source, type);
  const targets = byName(await input.listings.live(input.target, type));
  for (const [, r] of missing) {
    const t = targets.get(r.name.toLowerCase());
    if (sourceDeleted.has(r.name.toLowerCase())) {
      plan.records.push(rec(type, r.name, 'source_soft_deleted', 'none', 'deleted but recoverable on the source; never replicated as a delete', undefined, t));
      continue;
    }
    if (r.missingRuns + 1 < 2) {
      plan.records.push(rec(type, r.name, 'missing_once', 'none', 'absent from the source for the first time; waiting one more run', undefined, t));
      continue;
    }
    if (input.replication.propagateDeletes && t && (await proof.ourUnchangedWrite(r, t)) && (await absentFromSource(input, type, r.name))) {
      plan.records.push(rec(type, r.name, 'delete', 'delete', 'gone from the source two runs in a row; the copy this tool wrote is soft-deleted', undefined, t));
    } else {
      plan.records.push(rec(type, r.name, 'retired', 'none', !t ? 'gone from the source and the target' : input.replication.propagateDeletes ? 'gone from the source; the target copy was not written by this tool (or changed since), so it stays' : 'gone from the source two runs in a row; propagate_deletes is off, the target copy stays', undefined, t));
    }
  }
}

/** A delete needs the source item gone by its very name, asked of the vault, not only missing from a listing. */
async function absentFromSource(input: PlanInput, type: ItemType, name: string): Promise<boolean> {
  const found = await input.source.get(type, name);
  if (found?.secretValue !== undefined) input.mask(found.secretValue);
  return found === undefined;
}
