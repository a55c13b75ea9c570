import type { PairIdentity, PairState, StateRecord } from '../../src/engine/state.ts';

/** Builders of valid pair states for the state store tests: each record is one this tool writes. */
export const PAIR: PairIdentity = { replication: 'dr', source: 'src-kv', target: 'dst-kv' };
export const OTHER_PAIR: PairIdentity = { replication: 'dr', source: 'src-kv', target: 'dr-kv' };

export const record = (name: string, extra: Partial<StateRecord> = {}): StateRecord => ({
  type: 'secret',
  name,
  status: 'create',
  replicatedByUs: true,
  targetVersion: 'a'.repeat(32),
  missingRuns: 0,
  ...extra,
});

/** A pair's state as a run saves it: `correlationId` is the run's, `basedOn` the one it loaded ('' for none). */
export const pairState = (correlationId: string, names: string[], extra: Partial<PairState> = {}): PairState => ({
  version: 2,
  ...PAIR,
  updatedAt: new Date(0).toISOString(),
  correlationId,
  basedOn: '',
  records: Object.fromEntries(names.map((n) => [`secret/${n}`, record(n)])),
  ...extra,
});

export const STATE_KEY = 'k'.repeat(32);
