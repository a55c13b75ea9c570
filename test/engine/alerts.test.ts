import { replicationAlerts, TROUBLE_RUNS_KEPT } from '../../src/engine/alerts.ts';
import type { ReplicationRecord } from '../../src/engine/model.ts';
import { nextPairState } from '../../src/engine/next-state.ts';
import { emptyPairState, trustedPairState, type PairState } from '../../src/engine/state.ts';

const identity = { replication: 'r', source: 'src', target: 'dst' };
const record = (status: ReplicationRecord['status']): ReplicationRecord => ({
  type: 'secret',
  name: 'a',
  status,
  action: 'none',
  reason: '',
});
const run = (previous: PairState, status: ReplicationRecord['status'], n = 1): PairState => {
  let state = previous;
  for (let i = 0; i < n; i++) {
    state = nextPairState(
      { identity, types: ['secret'], previous: state, records: [record(status)], acknowledgements: new Map() },
      { correlationId: `c${i}`, nowIso: '2026-02-01T00:00:00.000Z', targeted: false, listedAt: 0 },
    );
  }
  return state;
};

describe('trouble runs and alerts', () => {
  test('a blocked or failed record counts its runs in a row, up to a cap; a fine run forgets the count', () => {
    const three = run(emptyPairState(identity), 'blocked_target_conflict', 3);
    expect(three.records['secret/a']!.troubleRuns).toBe(3);
    const stuck = run(three, 'failed', 20);
    expect(stuck.records['secret/a']!.troubleRuns).toBe(TROUBLE_RUNS_KEPT);
    // A record stuck beyond the cap no longer changes the state: no commit per run while the trouble lasts.
    expect(run(stuck, 'failed')).toBe(stuck);
    expect(run(stuck, 'in_sync').records['secret/a']!.troubleRuns).toBeUndefined();
  });

  test('a replication enters trouble at the threshold, stays in it, and recovers once its records are fine', () => {
    const s1 = run(emptyPairState(identity), 'blocked_target_conflict');
    const s2 = run(s1, 'blocked_target_conflict');
    const s3 = run(s2, 'blocked_target_conflict');
    expect(replicationAlerts([s1], [s2], 3)[0]!.change).toBe('quiet');
    const entered = replicationAlerts([s2], [s3], 3)[0]!;
    expect(entered).toMatchObject({ replication: 'r', change: 'entered' });
    expect(entered.after).toEqual([
      { target: 'dst', type: 'secret', name: 'a', status: 'blocked_target_conflict', runs: 3 },
    ]);
    expect(replicationAlerts([s3], [run(s3, 'failed')], 3)[0]!.change).toBe('ongoing');
    expect(replicationAlerts([s3], [run(s3, 'in_sync')], 3)[0]!.change).toBe('recovered');
  });

  test('a stored count is checked: out of range, or on a record that is fine, drops the record', () => {
    const file = (troubleRuns: unknown, status = 'failed') => ({
      version: 2,
      ...identity,
      records: {
        'secret/a': { type: 'secret', name: 'a', status, replicatedByUs: false, missingRuns: 0, troubleRuns },
      },
    });
    expect(trustedPairState(file(2), identity, 'f').problems).toEqual([]);
    expect(trustedPairState(file(TROUBLE_RUNS_KEPT + 1), identity, 'f').problems[0]!.message).toContain(
      'troubleRuns out of range',
    );
    expect(trustedPairState(file(0), identity, 'f').problems).toHaveLength(1);
    expect(trustedPairState(file(2, 'in_sync'), identity, 'f').problems[0]!.message).toContain(
      'troubleRuns with status in_sync',
    );
  });
});
