import { ITEM_NAME_PATTERN } from './config/schema.ts';
import { isTrouble, TROUBLE_RUNS_KEPT } from './alerts.ts';
import type { ErrorCode } from './errors.ts';
import { ITEM_TYPES, RECORD_STATUSES, recordKey, type ItemType, type RecordStatus } from './model.ts';

/**
 * What is kept about one record between runs. No value, and no hash of a value, is ever kept.
 * The state is memory, not authority (anyone with push rights can edit it): every field is validated on load, and a
 * write that replaces, disables or deletes a target item also needs the live target version to equal `targetVersion`.
 */
export interface StateRecord {
  type: ItemType;
  name: string;
  status: RecordStatus;
  sourceUpdatedOn?: number;
  targetUpdatedOn?: number;
  sourceVersion?: string;
  /** The target version this tool wrote, or read and found equal to the source; never a version it refused. */
  targetVersion?: string;
  thumbprint?: string;
  /** True once this tool wrote the target item (`targetVersion` is its write); only such items are ever deleted. */
  replicatedByUs: boolean;
  missingRuns: number;
  /** The target version a person acknowledged as a conflict to overwrite; a later edit of the target blocks again. */
  acknowledgedVersion?: string;
  lastErrorCode?: string;
  /**
   * Written up to format 1 (the run that saved the record, on every run): read and checked, no longer written. The
   * file's `correlationId`, and on the state branch the commit that last changed the record's line, tell the run.
   */
  lastCorrelationId?: string;
  /** The source was listed within the second of its last change, which `updatedOn` cannot tell apart: compare again. */
  recheck?: boolean;
  /**
   * The target copy was written by the run, or listed within the second of its last change: a later edit in that
   * second leaves `updatedOn` as it was, so the next run looks at its version. Removed, a copy is taken as settled
   * by its `updatedOn` alone; the version check before any write or delete stays.
   */
  targetRecheck?: boolean;
  /**
   * Runs in a row that ended failed or blocked (see alerts.ts), up to TROUBLE_RUNS_KEPT; absent when the record is
   * fine. Forged, it can at most open or close an alert (an issue, a webhook message): nothing is written on its word.
   */
  troubleRuns?: number;
}

/** Which pair a state file belongs to: a file is only ever memory for exactly this (replication, source, target). */
export interface PairIdentity {
  replication: string;
  source: string;
  target: string;
}

/**
 * The format of a pair state: 2 since records stopped carrying the run that saved them (format 1 files still load; a
 * release that reads only format 1 does not use a format 2 file, and says so).
 */
export const STATE_VERSION = 2;

export interface PairState extends PairIdentity {
  version: 1 | 2;
  /** When the state last changed: a run that changes no record keeps the state, and this, as they were. */
  updatedAt: string;
  /** The run that last changed the state. */
  correlationId: string;
  /** The correlation id of the state this run started from ('' for none): tells a concurrent save from a later one. */
  basedOn?: string;
  records: Record<string, StateRecord>;
}

/** Something wrong with a stored state, reported as a warning: the state is then used in part or not at all. */
export interface StateProblem {
  code: Extract<ErrorCode, 'KVR052' | 'KVR053' | 'KVR054'>;
  message: string;
}

export const emptyPairState = (id: PairIdentity): PairState => ({
  version: STATE_VERSION,
  replication: id.replication,
  source: id.source,
  target: id.target,
  updatedAt: new Date(0).toISOString(),
  correlationId: '',
  records: {},
});

const FIELDS: readonly (keyof StateRecord)[] = [
  'type',
  'name',
  'status',
  'sourceUpdatedOn',
  'targetUpdatedOn',
  'sourceVersion',
  'targetVersion',
  'thumbprint',
  'replicatedByUs',
  'missingRuns',
  'acknowledgedVersion',
  'lastErrorCode',
  'lastCorrelationId',
  'recheck',
  'targetRecheck',
  'troubleRuns',
];

/**
 * Whether two records say the same: every known field equal (each is a string, a number or a boolean), a field left
 * out the same as one undefined. A no-op run compares every record it knows: this runs thousands of times.
 */
export const sameRecord = (a: StateRecord, b: StateRecord | undefined): boolean =>
  b !== undefined && FIELDS.every((f) => a[f] === b[f]);

/** Copies only the known fields, so nothing else (a value above all) can ever reach a state file. */
export function sanitizeRecord(r: StateRecord): StateRecord {
  const known: Partial<Record<keyof StateRecord, unknown>> = {};
  for (const f of FIELDS) if (r[f] !== undefined) known[f] = r[f];
  return known as StateRecord;
}

const ITEM_NAME = new RegExp(ITEM_NAME_PATTERN);
/** Key Vault version ids are 32 hexadecimal digits. */
const VERSION = /^[0-9a-f]{32}$/i;
const THUMBPRINT = /^[A-Za-z0-9_-]{1,128}$/;
const ERROR_CODE = /^KVR\d{3}$/;
const CORRELATION_ID = /^[0-9A-Za-z-]{0,64}$/;
/** A run finds an item missing at most once per run; beyond this a counter is not one this tool wrote. */
const MAX_MISSING_RUNS = 1_000_000;
/** Statuses a record can carry while its source item is absent; only these may have counted missing runs. */
const ABSENT_STATUSES: ReadonlySet<RecordStatus> = new Set(['missing_once', 'retired', 'delete', 'held_back']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || ok(v);
const timestamp = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const matching = (re: RegExp) => (v: unknown) => typeof v === 'string' && re.test(v);

/** Why a stored record cannot be used, or undefined when every field is one this tool could have written. */
function recordProblem(key: string, r: unknown): string | undefined {
  if (!isObject(r)) return 'not an object';
  if (!ITEM_TYPES.includes(r.type as ItemType) || typeof r.name !== 'string' || !ITEM_NAME.test(r.name))
    return 'no valid type and item name';
  if (key !== recordKey(r.type as ItemType, r.name)) return `its key is not ${r.type}/<name>`;
  if (!RECORD_STATUSES.includes(r.status as RecordStatus)) return 'unknown status';
  if (typeof r.replicatedByUs !== 'boolean') return 'replicatedByUs is not a boolean';
  if (
    !Number.isSafeInteger(r.missingRuns) ||
    (r.missingRuns as number) < 0 ||
    (r.missingRuns as number) > MAX_MISSING_RUNS
  )
    return 'missingRuns out of range';
  if ((r.missingRuns as number) > 0 && !ABSENT_STATUSES.has(r.status as RecordStatus))
    return `missingRuns with status ${r.status}`;
  if (!optional(r.sourceUpdatedOn, timestamp) || !optional(r.targetUpdatedOn, timestamp))
    return 'a timestamp out of range';
  if (
    !optional(r.sourceVersion, matching(VERSION)) ||
    !optional(r.targetVersion, matching(VERSION)) ||
    !optional(r.acknowledgedVersion, matching(VERSION))
  )
    return 'a version that is no Key Vault version id';
  if (r.replicatedByUs && r.targetVersion === undefined) return 'written by this tool, but no version';
  if (!optional(r.thumbprint, matching(THUMBPRINT))) return 'malformed thumbprint';
  if (!optional(r.lastErrorCode, matching(ERROR_CODE))) return 'malformed error code';
  if (!optional(r.lastCorrelationId, matching(CORRELATION_ID))) return 'malformed correlation id';
  if (!optional(r.recheck, (v) => typeof v === 'boolean')) return 'recheck is not a boolean';
  if (!optional(r.targetRecheck, (v) => typeof v === 'boolean')) return 'targetRecheck is not a boolean';
  const trouble = r.troubleRuns;
  if (
    trouble !== undefined &&
    (!Number.isSafeInteger(trouble) || (trouble as number) < 1 || (trouble as number) > TROUBLE_RUNS_KEPT)
  )
    return 'troubleRuns out of range';
  if (trouble !== undefined && !isTrouble(r.status as RecordStatus)) return `troubleRuns with status ${r.status}`;
  return undefined;
}

const sameName = (a: unknown, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
const describePair = (id: PairIdentity) => `${id.replication}: ${id.source} → ${id.target}`;

/**
 * Checks a stored pair state before it is used as memory: it must belong to this very pair, and every record must be
 * one this tool could have written. A file of another pair is not used at all; a bad record is dropped alone. What
 * is dropped is reported; the run then treats those items as never seen, which only ever makes it more careful.
 */
export function trustedPairState(
  raw: unknown,
  id: PairIdentity,
  where: string,
): { state?: PairState; problems: StateProblem[] } {
  if (!isObject(raw) || (raw.version !== 1 && raw.version !== STATE_VERSION) || !isObject(raw.records)) {
    return {
      problems: [
        {
          code: 'KVR054',
          message: `KVR054: ${where} is not a keyvault-replicate state file (version 1 or 2); it is not used, and the next save replaces it`,
        },
      ],
    };
  }
  if (
    !sameName(raw.replication, id.replication) ||
    !sameName(raw.source, id.source) ||
    !sameName(raw.target, id.target)
  ) {
    // Quoted: what a file says is untrusted text, and must not read as the tool's own words.
    const recorded = [raw.replication, raw.source, raw.target]
      .map((v) => JSON.stringify(String(v).slice(0, 64)))
      .join(', ');
    return {
      problems: [
        {
          code: 'KVR052',
          message: `KVR052: ${where} records replication, source, target ${recorded}, not ${describePair(id)}; it is not used as memory for this pair (nothing is deleted or overwritten on its word). Give each replication a name of its own; the next save replaces the file`,
        },
      ],
    };
  }
  const records: Record<string, StateRecord> = {};
  const dropped: string[] = [];
  for (const [key, r] of Object.entries(raw.records)) {
    const problem = recordProblem(key, r);
    if (problem) dropped.push(`${JSON.stringify(key.slice(0, 140))} (${problem})`);
    else records[key] = sanitizeRecord({ ...(r as unknown as StateRecord), lastCorrelationId: undefined });
  }
  const state: PairState = {
    version: STATE_VERSION,
    replication: id.replication,
    source: id.source,
    target: id.target,
    updatedAt: typeof raw.updatedAt === 'string' ? raw.updatedAt : new Date(0).toISOString(),
    correlationId: typeof raw.correlationId === 'string' ? raw.correlationId : '',
    ...(typeof raw.basedOn === 'string' ? { basedOn: raw.basedOn } : {}),
    records,
  };
  if (!dropped.length) return { state, problems: [] };
  const shown = dropped.slice(0, 5).join('; ');
  return {
    state,
    problems: [
      {
        code: 'KVR054',
        message: `KVR054: ${where}: ${dropped.length} invalid record(s) dropped, their items treated as never seen: ${shown}${dropped.length > 5 ? '; …' : ''}`,
      },
    ],
  };
}

/**
 * This run's state for a pair, saved over what is there now. When another run saved the pair since this one loaded
 * it (two runs of one replication at once), each record keeps the later view of the target, so that neither run's
 * writes are forgotten; records only the other run has are kept too. `current` must be trusted (checked) state.
 * `runId` is the saving run's correlation id: a state that does not carry it is one the run left unchanged.
 */
export function mergePairStates(ours: PairState, current: PairState | undefined, runId?: string): PairState {
  // A state this run did not change (still the one it loaded) adds nothing to what is there now, whoever saved that.
  if (current && runId !== undefined && ours.correlationId !== runId) return current;
  if (!current || current.correlationId === (ours.basedOn ?? '') || current.correlationId === ours.correlationId)
    return ours;
  const records: Record<string, StateRecord> = { ...current.records };
  for (const [key, mine] of Object.entries(ours.records)) {
    const theirs = current.records[key];
    const [a, b] = [theirs?.targetUpdatedOn ?? -Infinity, mine.targetUpdatedOn ?? -Infinity];
    if (!theirs || b > a) records[key] = mine;
    else if (a > b) records[key] = theirs;
    // Both saw the same target: what either proved of that very version (this tool wrote it, it was acknowledged)
    // holds.
    else if (mine.targetVersion === theirs.targetVersion) {
      records[key] = sanitizeRecord({
        ...mine,
        replicatedByUs: mine.replicatedByUs || theirs.replicatedByUs,
        acknowledgedVersion: mine.acknowledgedVersion ?? theirs.acknowledgedVersion,
      });
    } else records[key] = mine;
  }
  return { ...ours, records };
}
