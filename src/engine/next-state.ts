import { nextTroubleRuns } from './alerts.ts';
import { recordKey, type ItemType, type ReplicationRecord } from './model.ts';
import {
  sanitizeRecord,
  sameRecord,
  STATE_VERSION,
  type PairIdentity,
  type PairState,
  type StateRecord,
} from './state.ts';

/** What a pair's run ended with, and what it started from. */
export interface PairOutcome {
  identity: PairIdentity;
  /** The item types this run planned: records of other types are kept as they were. */
  types: readonly ItemType[];
  previous: PairState;
  records: readonly ReplicationRecord[];
  /** Per record key, the acknowledgement to remember from now on: a target version, or undefined when withdrawn. */
  acknowledgements: ReadonlyMap<string, string | undefined>;
}

/** The run's facts a state needs: who ran it, when, whether it was targeted, and when its listings started. */
export interface RunMoment {
  correlationId: string;
  nowIso: string;
  targeted: boolean;
  /** Epoch ms before any listing. */
  listedAt: number;
}

const SYNCED = new Set(['create', 'update', 'in_sync']);
/** Missing runs are counted up to this: decide tells only the first from a later one. */
const MISSING_RUNS_KEPT = 2;

/**
 * The state to keep after a run: one record per item, carrying what the next run needs (never a value).
 * `listedAt` is when the run started, before any listing: a source changed within that second may have changed
 * again unseen (`updated` has whole seconds), so its record is marked for another comparison; a target copy written
 * by the run, or changed within that second, for another look at its version.
 * A targeted run (events, --only) keeps every other record as it was, and learns nothing from an item it did not
 * find in the source: one look at one item is no evidence that it is gone.
 * A run that changes no record returns the previous state itself (its time and correlation id too): a no-op run
 * saves nothing new, and the state branch gets no commit.
 */
export function nextPairState(o: PairOutcome, run: RunMoment): PairState {
  const { correlationId, targeted, listedAt } = run;
  // Records of item types this run did not plan (the config's types changed, or two single pairs of one source and
  // target replicate different types) are kept as they are: what a run did not look at, it does not forget.
  const planned = new Set(o.types);
  const records: Record<string, StateRecord> = Object.fromEntries(
    Object.entries(o.previous.records).filter(([, r]) => targeted || !planned.has(r.type)),
  );
  for (const r of o.records) {
    if (targeted && !r.source) continue;
    const key = recordKey(r.type, r.name);
    const prev = o.previous.records[key];
    const acknowledged = o.acknowledgements.has(key) ? o.acknowledgements.get(key) : prev?.acknowledgedVersion;
    const next = stateOf(r, prev, acknowledged, listedAt);
    const troubleRuns = nextTroubleRuns(r.status, prev?.troubleRuns);
    records[key] = sanitizeRecord({ ...next, troubleRuns });
  }
  if (sameRecords(records, o.previous.records)) return o.previous;
  return {
    version: STATE_VERSION,
    replication: o.identity.replication,
    source: o.identity.source,
    target: o.identity.target,
    updatedAt: run.nowIso,
    correlationId,
    basedOn: o.previous.correlationId,
    records,
  };
}

/** `updated` has whole seconds: a change in the second the listing started may be followed by another, unseen. */
const secondNotOver = (updatedOn: number, listedAt: number): boolean => updatedOn + 1000 > listedAt;

/**
 * What the run saw of the item may have changed unseen since: a source changed within the second the listing started
 * is compared again (`recheck`). A target copy the run wrote, or found in sync within that second, has its version
 * looked at on the next run (`targetRecheck`: one read, no value; a certificate's listing carries its thumbprint),
 * and a difference found then with its version and `updated` as recorded is taken for someone's edit (decide.ts,
 * conflictOr). Only a copy in sync is ever trusted unlooked-at, so no other status needs that flag.
 */
function doubts(
  r: ReplicationRecord,
  next: StateRecord,
  listedAt: number,
): Pick<StateRecord, 'recheck' | 'targetRecheck'> {
  const target =
    SYNCED.has(r.status) &&
    next.targetVersion !== undefined &&
    next.targetUpdatedOn !== undefined &&
    (r.status === 'create' || r.status === 'update' || secondNotOver(next.targetUpdatedOn, listedAt));
  return {
    recheck: next.sourceUpdatedOn !== undefined && secondNotOver(next.sourceUpdatedOn, listedAt) ? true : undefined,
    targetRecheck: target || undefined,
  };
}

const sameRecords = (a: Record<string, StateRecord>, b: Record<string, StateRecord>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, r]) => sameRecord(r, b[k]));

function stateOf(
  r: ReplicationRecord,
  prev: StateRecord | undefined,
  acknowledgedVersion: string | undefined,
  listedAt: number,
): StateRecord {
  // A record kept as it was keeps its doubts too (recheck, targetRecheck): nothing this run did settles them. A
  // record of what this run saw or did is `seen`: its doubts are this run's.
  const seen = (next: StateRecord): StateRecord => ({ ...next, ...doubts(r, next, listedAt) });
  const base: StateRecord = {
    type: r.type,
    name: r.name,
    status: r.status,
    replicatedByUs: prev?.replicatedByUs ?? false,
    missingRuns: 0,
    acknowledgedVersion,
    sourceUpdatedOn: prev?.sourceUpdatedOn,
    targetUpdatedOn: prev?.targetUpdatedOn,
    sourceVersion: prev?.sourceVersion,
    targetVersion: prev?.targetVersion,
    thumbprint: prev?.thumbprint,
    recheck: prev?.recheck,
    targetRecheck: prev?.targetRecheck,
  };
  const missing =
    r.status === 'missing_once' ||
    r.status === 'retired' ||
    r.status === 'delete' ||
    (r.status === 'held_back' && r.held === 'delete');
  if (missing) {
    // A delete held back (mass-delete guard, or plan mode) leaves the copy ours; only a done delete gives it up.
    const deleted = r.status === 'delete' && r.action === 'delete';
    const gone = deleted ? { replicatedByUs: false, targetVersion: undefined, targetUpdatedOn: undefined } : {};
    // Counted up to what a decision asks (gone a second time): an item that stays gone leaves its record unchanged.
    return seen({ ...base, missingRuns: Math.min((prev?.missingRuns ?? 0) + 1, MISSING_RUNS_KEPT), ...gone });
  }
  if (r.status === 'failed' && r.wroteStale) {
    // The target holds this tool's copy of an older version: next run, a trusted copy with a changed source.
    return seen({
      ...base,
      lastErrorCode: r.errorCode,
      replicatedByUs: true,
      sourceUpdatedOn: r.source?.updatedOn,
      targetUpdatedOn: r.target?.updatedOn,
      targetVersion: r.target?.version,
      acknowledgedVersion: undefined,
    });
  }
  if (r.status === 'failed') return { ...base, lastErrorCode: r.errorCode };
  if (r.status === 'blocked_target_conflict') {
    // Whatever is in the target now is not this tool's. Nothing of it is kept: no version (no later run may take it for
    // one), and no timestamp either, so that no one reading the state learns the target's current `updated` to forge
    // "unchanged since" with. The next run compares it again.
    return seen({
      ...base,
      replicatedByUs: false,
      targetVersion: undefined,
      sourceUpdatedOn: undefined,
      targetUpdatedOn: undefined,
    });
  }
  // A disabled source whose copy this tool left alone: the record stays as it was, so a person's later edit of the
  // copy (re-enabling it) still reads as "changed since" and is never undone.
  if (r.status === 'source_disabled' && r.action !== 'disable') return base;
  // Held back as not reviewed: nothing was done, the previous record stays as it was.
  if (r.status === 'held_back_plan_changed') return prev ?? base;
  // A certificate still being issued: nothing was written or compared, the previous record stays.
  if (r.status === 'source_pending') return base;
  if (SYNCED.has(r.status) || r.status === 'source_disabled') {
    const wrote = r.status === 'create' || r.status === 'update' || r.status === 'source_disabled';
    return seen({
      ...base,
      replicatedByUs: base.replicatedByUs || wrote,
      sourceUpdatedOn: r.source?.updatedOn,
      targetUpdatedOn: r.target?.updatedOn,
      sourceVersion: r.source?.version ?? base.sourceVersion,
      targetVersion: r.target?.version ?? base.targetVersion,
      thumbprint: r.source?.thumbprint,
      lastErrorCode: undefined,
      // Once the target equals the source (written or found so), an acknowledgement has nothing left to allow.
      acknowledgedVersion: SYNCED.has(r.status) ? undefined : acknowledgedVersion,
    });
  }
  return seen(base);
}
