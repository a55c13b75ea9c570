import type { ItemType, RecordStatus } from './model.ts';

/** What is kept about one record between runs. No value, and no hash of a value, is ever kept. */
export interface StateRecord {
  type: ItemType;
  name: string;
  status: RecordStatus;
  sourceUpdatedOn?: number;
  targetUpdatedOn?: number;
  sourceVersion?: string;
  targetVersion?: string;
  thumbprint?: string;
  /** True once this tool wrote the target item; only such items are ever deleted. */
  replicatedByUs: boolean;
  missingRuns: number;
  acknowledged?: boolean;
  lastErrorCode?: string;
  lastCorrelationId: string;
  /** The source was listed within the second of its last change, which `updatedOn` cannot tell apart: compare again. */
  recheck?: boolean;
}

export interface PairState {
  version: 1;
  replication: string;
  source: string;
  target: string;
  updatedAt: string;
  correlationId: string;
  /** The correlation id of the state this run started from ('' for none): tells a concurrent save from a later one. */
  basedOn?: string;
  records: Record<string, StateRecord>;
}

export const emptyPairState = (replication: string, source: string, target: string): PairState => ({
  version: 1, replication, source, target, updatedAt: new Date(0).toISOString(), correlationId: '', records: {},
});

const FIELDS: readonly (keyof StateRecord)[] = ['type', 'name', 'status', 'sourceUpdatedOn', 'targetUpdatedOn', 'sourceVersion', 'targetVersion', 'thumbprint', 'replicatedByUs', 'missingRuns', 'acknowledged', 'lastErrorCode', 'lastCorrelationId', 'recheck'];

/** Copies only the known fields, so nothing else (a value above all) can ever reach a state file. */
export function sanitizeRecord(r: StateRecord): StateRecord {
  return Object.fromEntries(FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]])) as unknown as StateRecord;
}

/** Parses a state file's text; throws on anything that is not a state file. */
export function parsePairState(text: string): PairState {
  const s = JSON.parse(text) as PairState;
  if (s.version !== 1 || typeof s.records !== 'object' || !s.replication || !s.target) throw new Error('not a keyvault-replicate state file (version 1)');
  return s;
}

/**
 * This run's state for a pair, saved over what is there now. When another run saved the pair since this one loaded
 * it (two runs of one replication at once), each record keeps the later view of the target, so that neither run's
 * writes are forgotten; records only the other run has are kept too.
 */
export function mergePairStates(ours: PairState, current: PairState | undefined): PairState {
  if (!current || current.correlationId === (ours.basedOn ?? '') || current.correlationId === ours.correlationId) return ours;
  const records: Record<string, StateRecord> = { ...current.records };
  for (const [key, mine] of Object.entries(ours.records)) {
    const theirs = current.records[key];
    const [a, b] = [theirs?.targetUpdatedOn ?? -Infinity, mine.targetUpdatedOn ?? -Infinity];
    if (!theirs || b > a) records[key] = mine;
    else if (a > b) records[key] = theirs;
    // Both saw the same target version: what either knows of it (this tool wrote it, it was acknowledged) holds.
    else records[key] = sanitizeRecord({ ...mine, replicatedByUs: mine.replicatedByUs || theirs.replicatedByUs, acknowledged: mine.acknowledged || theirs.acknowledged || undefined });
  }
  return { ...ours, records };
}
