import type { Replication } from './config/types.ts';
import { recordKey, type ReplicationRecord } from './model.ts';
import type { PairState } from './state.ts';

/** What the guard looks at: a pair's planned records, and what the previous run remembered of the target. */
export interface GuardInput {
  records: readonly ReplicationRecord[];
  previous: PairState;
  replication: Pick<Replication, 'name' | 'maxDeletes'>;
  targetName: string;
}

/**
 * With propagate_deletes and source disables, one run could empty or switch off a whole target. More than max_deletes
 * deletes and disables together, or more than a quarter of the copies this tool wrote that are live in the target,
 * wait for a person: each such record is held back (`held_back`) until a run is approved once. The copies are
 * counted from the target's own listing (a record claiming one counts only while that item is live there, unchanged),
 * so padding the state cannot raise the quarter beyond the target's size, and max_deletes holds whatever the state
 * says. The guard is against a mass change at the source; each delete or disable still needs its own live proof.
 * Returns the records to apply (new ones where held back), and the message when it held any back.
 */
export function guardMassDeletes(
  g: GuardInput,
  approved: boolean,
): { records: readonly ReplicationRecord[]; message?: string } {
  const changes = g.records.filter((r) => r.action === 'delete' || r.action === 'disable');
  if (!changes.length || approved) return { records: g.records };
  const written = g.records.filter((r) => {
    const prev = g.previous.records[recordKey(r.type, r.name)];
    return !!r.target && !!prev?.replicatedByUs && prev.targetUpdatedOn === r.target.updatedOn;
  }).length;
  const max = g.replication.maxDeletes;
  if (changes.length <= max && changes.length <= Math.max(1, written * 0.25)) return { records: g.records };
  const what = `${changes.length} deletes and disables (max_deletes ${max}, or 25 % of the ${written} live copies this tool wrote)`;
  return {
    message: `KVR040: ${g.replication.name} → ${g.targetName} would make ${what}; none was made. Check the source; if it is meant, re-run once with approve-deletes (--approve-deletes in the CLI).`,
    records: g.records.map((r): ReplicationRecord =>
      r.action === 'delete' || r.action === 'disable'
        ? {
            ...r,
            status: 'held_back',
            action: 'none',
            held: r.action,
            reason: `${r.reason}; held back by the mass-delete guard (${what})`,
          }
        : r,
    ),
  };
}
