import { recordKey, type ReplicationRecord } from './model.ts';
import type { PairPlan } from './plan.ts';

/**
 * With propagate_deletes and source disables, one run could empty or switch off a whole target. More than max_deletes
 * deletes and disables together, or more than a quarter of the live target copies this tool wrote, wait for a
 * person: each such record is held back (`held_back`) until a run is approved once. The quarter is of live copies
 * (in the target's listing now, unchanged since this tool wrote them), never of records in the state, which anyone
 * with push rights could pad.
 */
export function guardMassChanges(plan: PairPlan, approved: boolean): { records: ReplicationRecord[]; message?: string } {
  const changes = plan.records.filter((r) => r.action === 'delete' || r.action === 'disable');
  if (!changes.length || approved) return { records: plan.records };
  const written = plan.records.filter((r) => {
    const prev = plan.previous.records[recordKey(r.type, r.name)];
    return !!r.target && !!prev?.replicatedByUs && prev.targetUpdatedOn === r.target.updatedOn;
  }).length;
  const max = plan.replication.maxDeletes;
  if (changes.length <= max && changes.length <= Math.max(1, written * 0.25)) return { records: plan.records };
  const what = `${changes.length} deletes and disables (max_deletes ${max}, or 25 % of the ${written} live copies this tool wrote)`;
  return {
    message: `KVR040: ${plan.replication.name} → ${plan.target.info.name} would make ${what}; none was made. Check the source; if it is meant, re-run once with approve-deletes.`,
    records: plan.records.map((r) => (r.action === 'delete' || r.action === 'disable'
      ? { ...r, status: 'held_back', action: 'none', held: r.action, reason: `${r.reason}; held back by the mass-delete guard (${what})` }
      : r)),
  };
}
