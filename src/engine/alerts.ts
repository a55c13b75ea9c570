import type { RecordStatus } from './model.ts';
import type { PairState } from './state.ts';

/**
 * Consecutive troubled runs are counted up to this, so that a record stuck for long stops changing the state (and
 * the state branch gets no commit per run); it is also the highest `alert-after-runs`.
 */
export const TROUBLE_RUNS_KEPT = 10;

/** A record that needs a person: it failed, or it is blocked (a conflict, a soft-deleted name, another geography…). */
export const isTrouble = (status: RecordStatus): boolean => status === 'failed' || status.startsWith('blocked_');

/** The count a record carries after a run that ended with `status`: one more while in trouble, none once fine. */
export const nextTroubleRuns = (status: RecordStatus, previous: number | undefined): number | undefined =>
  isTrouble(status) ? Math.min((previous ?? 0) + 1, TROUBLE_RUNS_KEPT) : undefined;

/** One item in trouble for at least the threshold's runs: names and statuses only, never a value. */
export interface TroubledItem {
  target: string;
  type: string;
  name: string;
  status: RecordStatus;
  runs: number;
}

/** A replication's alert, before and after this run: the items in trouble long enough (none: healthy). */
export interface ReplicationAlert {
  replication: string;
  before: TroubledItem[];
  after: TroubledItem[];
  /** entered: none before, some now; recovered: some before, none now; ongoing: some both times; quiet: none. */
  change: 'entered' | 'recovered' | 'ongoing' | 'quiet';
}

function troubled(states: readonly PairState[], replication: string, threshold: number): TroubledItem[] {
  return states
    .filter((s) => s.replication === replication)
    .flatMap((s) =>
      Object.values(s.records)
        .filter((r) => (r.troubleRuns ?? 0) >= threshold && isTrouble(r.status))
        .map((r) => ({ target: s.target, type: r.type, name: r.name, status: r.status, runs: r.troubleRuns! })),
    )
    .sort((a, b) => `${a.target}/${a.type}/${a.name}`.localeCompare(`${b.target}/${b.type}/${b.name}`));
}

/**
 * Which replications are in trouble after a run, from the pair states it started from and those it saved: a pure
 * decision, the hosts open issues and post messages. A replication is in trouble while any record of it has been
 * failed or blocked for `threshold` runs in a row. The counts come from the state (memory anyone with push rights
 * can edit): a forged count can open or close an alert, nothing more.
 */
export function replicationAlerts(
  previous: readonly PairState[],
  next: readonly PairState[],
  threshold: number,
): ReplicationAlert[] {
  const names = [...new Set(next.map((s) => s.replication))].sort();
  return names.map((replication) => {
    const before = troubled(previous, replication, threshold);
    const after = troubled(next, replication, threshold);
    const change = after.length ? (before.length ? 'ongoing' : 'entered') : before.length ? 'recovered' : 'quiet';
    return { replication, before, after, change };
  });
}
