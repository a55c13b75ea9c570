import { recordKey, type ReplicationRecord } from './model.ts';
import type { PairPlan } from './plan.ts';

/**
 * With propagate_deletes and source disables, one run could empty or switch off a whole target. More than max_deletes
 * deletes and disables together, or more than a quarter of the copies this tool wrote that are live in the target,
 * wait for a person: each such record is held back (`held_back`) until a run is approved once. The copies are
 * counted from the target's own listing (a record claiming one counts only while that item is live there, unchanged),
 * so padding the state cannot raise the quarter beyond the target's size, and max_deletes holds whatever the state
 * says. The guard is against a mass change at the source; each delete or disable still needs its own live proof.
 */
export function guardMassDeletes(plan: PairPlan, approved: boolean): { records: ReplicationRecord[]; message?: string } {
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
    message: `KVR040: ${plan.replication.name} → ${plan.target.info.name} would make ${what}; none was made. Check the source; if it is meant, re-run once with approve-deletes (--approve-deletes in the CLI).`,
    records: plan.records.map((r) => (r.action === 'delete' || r.action === 'disable'
      ? { ...r, status: 'held_back', action: 'none', held: r.action, reason: `${r.reason}; held back by the mass-delete guard (${what})` }
      : r)),
  };
}
