import type { ItemSnapshot, ReplicationRecord } from '../../src/engine/model.ts';
import { nextPairState, type PairOutcome, type RunMoment } from '../../src/engine/next-state.ts';
import type { PairState, StateRecord } from '../../src/engine/state.ts';

const T = 1_700_000_000_000;
const identity = { replication: 'r', source: 'src', target: 'dst' };
const snap = (over: Partial<ItemSnapshot> = {}): ItemSnapshot => ({
  type: 'secret',
  name: 'a',
  enabled: true,
  tags: {},
  managed: false,
  ...over,
});
const record = (over: Partial<ReplicationRecord>): ReplicationRecord => ({
  type: 'secret',
  name: 'a',
  status: 'in_sync',
  action: 'none',
  reason: '',
  ...over,
});
const stateRecord = (over: Partial<StateRecord> = {}): StateRecord => ({
  type: 'secret',
  name: 'a',
  status: 'in_sync',
  replicatedByUs: false,
  missingRuns: 0,
  lastCorrelationId: 'c0',
  ...over,
});
const previousOf = (records: Record<string, StateRecord> = {}): PairState => ({
  version: 1,
  ...identity,
  updatedAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'c0',
  records,
});
const RUN: RunMoment = {
  correlationId: 'c1',
  nowIso: '2026-02-01T00:00:00.000Z',
  targeted: false,
  listedAt: T + 60_000,
};

const next = (o: Partial<PairOutcome>, run: Partial<RunMoment> = {}) =>
  nextPairState(
    { identity, types: ['secret'], previous: previousOf(), records: [], acknowledgements: new Map(), ...o },
    { ...RUN, ...run },
  );

describe('nextPairState', () => {
  test("a written copy is this tool's, with the versions and times it wrote; the state names its pair and run", () => {
    const s = next({
      records: [
        record({
          status: 'create',
          action: 'write',
          source: snap({ updatedOn: T, version: 'sv' }),
          target: snap({ updatedOn: T + 5, version: 'tv' }),
        }),
      ],
    });
    expect(s).toMatchObject({ ...identity, updatedAt: RUN.nowIso, correlationId: 'c1', basedOn: 'c0' });
    expect(s.records['secret/a']).toEqual({
      type: 'secret',
      name: 'a',
      status: 'create',
      replicatedByUs: true,
      missingRuns: 0,
      sourceUpdatedOn: T,
      targetUpdatedOn: T + 5,
      sourceVersion: 'sv',
      targetVersion: 'tv',
      // `updated` has whole seconds: an edit later in the second of the write would leave it as written.
      targetRecheck: true,
    });
  });

  test("a target copy is marked for a look at its version when written, or seen within the listing's second", () => {
    const at = (status: 'create' | 'update' | 'in_sync', type: 'secret' | 'key' | 'certificate', targetUpdatedOn = T) =>
      next(
        {
          types: [type],
          records: [
            record({
              type,
              status,
              action: status === 'in_sync' ? 'none' : 'write',
              source: snap({ type, updatedOn: T - 60_000 }),
              target: snap({ type, updatedOn: targetUpdatedOn, version: 'tv' }),
            }),
          ],
        },
        { listedAt: T + 1000 },
      ).records[`${type}/a`]!.targetRecheck;
    // Written by this run, whenever its stamp (another node's clock may lag the runner's): looked at next run.
    expect([at('create', 'secret', T - 60_000), at('update', 'key', T - 60_000)]).toEqual([true, true]);
    // Found in sync: settled once its second ended before the listing started.
    expect([at('in_sync', 'secret', T + 1), at('in_sync', 'secret', T)]).toEqual([true, undefined]);
    expect(at('in_sync', 'key', T + 1)).toBe(true);
    // A certificate's too: no look is needed (its listing carries the thumbprint), but a difference found with its
    // version and `updated` as recorded is someone's edit.
    expect(at('create', 'certificate')).toBe(true);
    // Only a copy in sync is ever trusted without a look: a disable this run did, or a failed write, need no flag
    // (which the next run would drop, changing the state for nothing).
    const other = (r: Partial<ReplicationRecord>) =>
      next(
        {
          previous: previousOf({
            'secret/a': stateRecord({ replicatedByUs: true, targetVersion: 'tv', targetUpdatedOn: T - 60_000 }),
          }),
          records: [record({ source: snap({ updatedOn: T - 60_000 }), ...r })],
        },
        { listedAt: T + 1000 },
      ).records['secret/a']!.targetRecheck;
    expect([
      other({ status: 'source_disabled', action: 'disable', target: snap({ updatedOn: T + 2000, version: 'tv' }) }),
      other({
        status: 'failed',
        action: 'write',
        wroteStale: true,
        errorCode: 'KVR038',
        target: snap({ updatedOn: T + 2000, version: 'tv2' }),
      }),
    ]).toEqual([undefined, undefined]);
  });

  test('a record kept as it was (a failed read, a change held back as not reviewed) keeps its doubts', () => {
    const doubted = stateRecord({
      status: 'create',
      replicatedByUs: true,
      targetVersion: 'tv',
      sourceUpdatedOn: T,
      targetUpdatedOn: T,
      recheck: true,
      targetRecheck: true,
    });
    for (const r of [
      record({ status: 'failed', errorCode: 'KVR030', source: snap({ updatedOn: T }), target: snap({ updatedOn: T }) }),
      record({ status: 'held_back_plan_changed', source: snap({ updatedOn: T }), target: snap({ updatedOn: T }) }),
    ]) {
      const kept = next({ previous: previousOf({ 'secret/a': doubted }), records: [r] }, { listedAt: T + 60_000 });
      expect([r.status, kept.records['secret/a']]).toEqual([
        r.status,
        expect.objectContaining({ recheck: true, targetRecheck: true }),
      ]);
    }
  });

  test('a source seen within the second before the listing started is marked for another comparison', () => {
    const r = record({ status: 'in_sync', source: snap({ updatedOn: T }), target: snap({ updatedOn: T }) });
    expect(next({ records: [r] }, { listedAt: T + 999 }).records['secret/a']!.recheck).toBe(true);
    expect(next({ records: [r] }, { listedAt: T + 1000 }).records['secret/a']!.recheck).toBeUndefined();
  });

  test('a conflict keeps no version and no timestamp of the target, and gives up ownership', () => {
    const previous = previousOf({
      'secret/a': stateRecord({ replicatedByUs: true, targetVersion: 'tv', targetUpdatedOn: T, sourceUpdatedOn: T }),
    });
    const s = next({
      previous,
      records: [
        record({
          status: 'blocked_target_conflict',
          source: snap({ updatedOn: T + 9 }),
          target: snap({ updatedOn: T + 9 }),
        }),
      ],
    });
    expect(s.records['secret/a']).toMatchObject({ replicatedByUs: false });
    for (const field of ['targetVersion', 'targetUpdatedOn', 'sourceUpdatedOn'])
      expect(s.records['secret/a']).not.toHaveProperty(field);
  });

  test('a delete held back keeps the copy ours and counts the run; a delete done gives it up', () => {
    const previous = previousOf({
      'secret/a': stateRecord({ replicatedByUs: true, targetVersion: 'tv', missingRuns: 1 }),
    });
    const held = next({ previous, records: [record({ status: 'held_back', action: 'none', held: 'delete' })] }).records[
      'secret/a'
    ]!;
    expect(held).toMatchObject({ replicatedByUs: true, targetVersion: 'tv', missingRuns: 2 });
    const done = next({ previous, records: [record({ status: 'delete', action: 'delete' })] }).records['secret/a']!;
    expect(done).toMatchObject({ replicatedByUs: false, missingRuns: 2 });
    expect(done).not.toHaveProperty('targetVersion');
  });

  test('a failed write keeps the record and the code; one that wrote an older version owns that copy', () => {
    const previous = previousOf({ 'secret/a': stateRecord({ targetVersion: 'old' }) });
    expect(
      next({ previous, records: [record({ status: 'failed', errorCode: 'KVR033' })] }).records['secret/a'],
    ).toMatchObject({ lastErrorCode: 'KVR033', targetVersion: 'old', replicatedByUs: false });
    const stale = record({
      status: 'failed',
      errorCode: 'KVR038',
      wroteStale: true,
      source: snap({ updatedOn: T }),
      target: snap({ updatedOn: T + 1, version: 'stale' }),
    });
    expect(next({ previous, records: [stale] }).records['secret/a']).toMatchObject({
      replicatedByUs: true,
      targetVersion: 'stale',
      sourceUpdatedOn: T,
      lastErrorCode: 'KVR038',
    });
  });

  test('a disabled source whose copy was left alone keeps its record as it was', () => {
    const previous = previousOf({
      'secret/a': stateRecord({ status: 'create', replicatedByUs: true, targetVersion: 'tv', targetUpdatedOn: T }),
    });
    const s = next({
      previous,
      records: [
        record({
          status: 'source_disabled',
          action: 'none',
          source: snap({ updatedOn: T + 7, enabled: false }),
          target: snap({ updatedOn: T + 8 }),
        }),
      ],
    });
    expect(s.records['secret/a']).toMatchObject({ status: 'source_disabled', targetVersion: 'tv', targetUpdatedOn: T });
  });

  test('a pending source certificate keeps the record as it was: nothing was written or compared', () => {
    const previous = previousOf({
      'certificate/a': stateRecord({
        type: 'certificate',
        status: 'in_sync',
        replicatedByUs: true,
        targetVersion: 'tv',
        targetUpdatedOn: T,
        sourceUpdatedOn: T - 1,
        thumbprint: 'tp-old',
      }),
    });
    const s = next({
      previous,
      records: [
        record({
          type: 'certificate',
          status: 'source_pending',
          action: 'none',
          source: snap({ type: 'certificate', updatedOn: T + 7, enabled: false, pending: true }),
          target: snap({ type: 'certificate', updatedOn: T + 8 }),
        }),
      ],
    });
    expect(s.records['certificate/a']).toMatchObject({
      status: 'source_pending',
      replicatedByUs: true,
      targetVersion: 'tv',
      targetUpdatedOn: T,
      sourceUpdatedOn: T - 1,
      thumbprint: 'tp-old',
    });
  });

  test('acknowledgements: one given now is kept until the target equals the source; a withdrawn one is dropped', () => {
    const conflict = record({ status: 'blocked_target_conflict' });
    expect(
      next({ records: [conflict], acknowledgements: new Map([['secret/a', 'tv']]) }).records['secret/a']!
        .acknowledgedVersion,
    ).toBe('tv');
    const previous = previousOf({ 'secret/a': stateRecord({ acknowledgedVersion: 'tv' }) });
    expect(next({ previous, records: [conflict] }).records['secret/a']!.acknowledgedVersion).toBe('tv');
    expect(
      next({ previous, records: [conflict], acknowledgements: new Map([['secret/a', undefined]]) }).records['secret/a'],
    ).not.toHaveProperty('acknowledgedVersion');
    expect(
      next({ previous, records: [record({ status: 'update', action: 'write', source: snap(), target: snap() })] })
        .records['secret/a'],
    ).not.toHaveProperty('acknowledgedVersion');
  });

  test('a full run forgets what it planned and no longer found, and keeps the types it did not plan', () => {
    const previous = previousOf({
      'secret/gone': stateRecord({ name: 'gone' }),
      'key/k': stateRecord({ type: 'key', name: 'k' }),
    });
    expect(Object.keys(next({ previous, records: [] }).records)).toEqual(['key/k']);
  });

  test('a targeted run keeps every other record, and learns nothing from an item the source did not have', () => {
    const previous = previousOf({
      'secret/other': stateRecord({ name: 'other' }),
      'secret/a': stateRecord({ targetVersion: 'tv' }),
    });
    const s = next({ previous, records: [record({ status: 'missing_once' })] }, { targeted: true });
    expect(s.records).toEqual(previous.records);
  });
});
