import type { ItemSnapshot, RecordAction, RecordStatus, ReplicationRecord } from './model.ts';
import { recordKey } from './model.ts';
import type { PairIdentity } from './state.ts';
import type { VaultPort } from './ports.ts';
import type { SourceValues } from './source-values.ts';

/** One side of a reviewed record: the version and its `updated` time as planned; never a value, nor a hash of one. */
export interface PlannedSide {
  readonly version?: string;
  readonly updatedOn?: number;
}

/** One record of a plan file: what the plan would do to one item, and the source and target it saw (null: none). */
export interface PlannedRecord {
  readonly type: ReplicationRecord['type'];
  readonly name: string;
  readonly status: RecordStatus;
  readonly action: RecordAction;
  readonly source: PlannedSide | null;
  readonly target: PlannedSide | null;
}

/** One pair of a reviewed plan: the records that would write, recover, delete or disable. */
export interface PlannedPair extends PairIdentity {
  readonly records: readonly PlannedRecord[];
}

export const pairKeyOf = (p: PairIdentity): string =>
  `${p.replication.toLowerCase()}/${p.source.toLowerCase()}/${p.target.toLowerCase()}`;

const side = (s: ItemSnapshot | undefined, version?: string): PlannedSide | null =>
  s ? { version: version ?? s.version, updatedOn: s.updatedOn } : null;

/** Facts a plan file binds beyond the records: the soft-deleted target items that `recover` records recover. */
export type BoundFacts = ReadonlyMap<string, ItemSnapshot | null>;

/**
 * A record as a plan file keeps it: the source version is the one read for the copy, when a read gave it; a recover's
 * target is the soft-deleted item it recovers.
 */
const planned = (r: ReplicationRecord, values: SourceValues, deleted: BoundFacts): PlannedRecord => ({
  type: r.type,
  name: r.name,
  status: r.status,
  action: r.action,
  source: side(r.source, values.get(r.type, r.name)?.item.version),
  target: r.action === 'recover' ? side(deleted.get(recordKey(r.type, r.name)) ?? undefined) : side(r.target),
});

/** The records of a pair that act (a plan file holds only those: anything else is never applied from it). */
export const plannedRecords = (
  records: readonly ReplicationRecord[],
  values: SourceValues,
  deleted: BoundFacts,
): PlannedRecord[] => records.filter((r) => r.action !== 'none').map((r) => planned(r, values, deleted));

const copies = (r: ReplicationRecord) => r.action === 'write' || r.action === 'recover';

/**
 * Binds what a reviewed plan's copies write to exact versions (plan and apply alike): a secret's value is read (apply
 * would read it anyway), a certificate's or key's current version is read when its listing lacks it, and a recover's
 * soft-deleted target item is read. A read that fails leaves the version unbound (compared by `updated` alone).
 */
export async function bindVersions(
  records: readonly ReplicationRecord[],
  source: VaultPort,
  target: VaultPort,
  values: SourceValues,
): Promise<{ records: ReplicationRecord[]; deleted: Map<string, ItemSnapshot | null> }> {
  const deleted = new Map<string, ItemSnapshot | null>();
  const bound: ReplicationRecord[] = [];
  for (const r of records) {
    if (!copies(r) || !r.source) {
      bound.push(r);
      continue;
    }
    if (r.action === 'recover')
      deleted.set(recordKey(r.type, r.name), (await target.getDeleted(r.type, r.name).catch(() => undefined)) ?? null);
    let version = r.source.version;
    if (r.type === 'secret') {
      const read = await values.read(r.name).catch(() => undefined);
      version = read?.item.version ?? version;
    } else if (version === undefined)
      version = await (
        r.type === 'key' ? source.keyVersion(r.name) : source.get(r.type, r.name).then((s) => s?.version)
      ).catch(() => undefined);
    bound.push(version === r.source.version ? r : { ...r, source: { ...r.source, version } });
  }
  return { records: bound, deleted };
}

/** Same item state: both absent, or the same `updated` and, where both sides know it, the same version. */
const sameSide = (a: PlannedSide | null, b: PlannedSide | null): boolean =>
  a === null || b === null
    ? a === b
    : a.updatedOn === b.updatedOn && (a.version === undefined || b.version === undefined || a.version === b.version);

/** Why a record differs from the reviewed one, or undefined when it is exactly what was reviewed. */
function change(now: PlannedRecord, reviewed: PlannedRecord | undefined): string | undefined {
  if (!reviewed) return 'the reviewed plan did not have it';
  if (reviewed.action !== now.action || reviewed.status !== now.status)
    return `the reviewed plan said ${reviewed.status} (${reviewed.action})`;
  if (!sameSide(reviewed.source, now.source)) return 'the source changed since the plan was reviewed';
  if (!sameSide(reviewed.target, now.target)) return 'the target changed since the plan was reviewed';
  return undefined;
}

/**
 * Apply with a reviewed plan: a record that acts is applied only when the plan file has it with the same status,
 * action, source and target; any other is held back (`held_back_plan_changed`), never written.
 */
export function holdBackUnreviewed(
  records: readonly ReplicationRecord[],
  reviewed: readonly PlannedRecord[],
  values: SourceValues,
  deleted: BoundFacts,
): ReplicationRecord[] {
  const byKey = new Map(reviewed.map((r) => [recordKey(r.type, r.name), r]));
  return records.map((r) => {
    if (r.action === 'none') return r;
    const why = change(planned(r, values, deleted), byKey.get(recordKey(r.type, r.name)));
    if (!why) return r;
    values.release(r.type, r.name);
    return heldBackPlanChanged(r, why);
  });
}

/** A record not applied because it is not as reviewed (`why`): nothing written, the next plan is to be reviewed. */
export const heldBackPlanChanged = (r: ReplicationRecord, why: string): ReplicationRecord => ({
  ...r,
  status: 'held_back_plan_changed',
  action: 'none',
  reason: `not applied: ${why}; would have been ${r.status} (${r.action}). Plan and review again`,
});
