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
}

export interface PairState {
  version: 1;
  replication: string;
  source: string;
  target: string;
  updatedAt: string;
  correlationId: string;
  records: Record<string, StateRecord>;
}

export const emptyPairState = (replication: string, source: string, target: string): PairState => ({
  version: 1, replication, source, target, updatedAt: new Date(0).toISOString(), correlationId: '', records: {},
});

const FIELDS: readonly (keyof StateRecord)[] = ['type', 'name', 'status', 'sourceUpdatedOn', 'targetUpdatedOn', 'sourceVersion', 'targetVersion', 'thumbprint', 'replicatedByUs', 'missingRuns', 'acknowledged', 'lastErrorCode', 'lastCorrelationId'];

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
