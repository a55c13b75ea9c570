import { DEFAULT_MAX_CONCURRENCY } from '../../src/engine/defaults.ts';
import type { RunReport } from '../../src/engine/report.ts';
import { mergePairStates, type PairState, type StateRecord } from '../../src/engine/state.ts';
import { memoryWorld } from '../fakes/memory-world.ts';

const SECRETS =
  'version: 1\nreplications:\n  - { name: r, source: src, targets: [dst], types: [secrets], rule: { all: true } }\n';

const world = () => memoryWorld(SECRETS);
const status = (r: RunReport, name: string) => r.pairs[0]!.records.find((x) => x.name === name)?.status;
const records = (w: ReturnType<typeof world>) => [...w.state.pairs.values()][0]!.records;

test('a source rotated while its value was being copied ends in the target at its newer version, in the same run', async () => {
  const w = world();
  w.src.seedSecret('db', 'v1');
  let rotated = false;
  w.dst.afterWrite = () => {
    if (!rotated) {
      rotated = true;
      w.src.seedSecret('db', 'v2', { tags: { rotated: 'yes' } });
    }
  };
  const r = await w.run();
  expect(status(r, 'db')).toBe('create');
  expect((await w.dst.readSecret('db')).value).toBe('v2');
  expect((await w.dst.readSecret('db')).item.tags).toEqual({ rotated: 'yes' });
  expect(records(w)['secret/db']!.sourceUpdatedOn).toBe((await w.src.readSecret('db')).item.updatedOn);
});

test('a source that never holds still is reported KVR038 after three copies, and the next run copies the latest', async () => {
  const w = world();
  w.src.seedSecret('hot', 'v0');
  let n = 0;
  w.dst.afterWrite = () => {
    w.src.seedSecret('hot', `v${++n}`);
  };
  const r = await w.run();
  expect(r.pairs[0]!.records[0]).toMatchObject({ status: 'failed', errorCode: 'KVR038' });
  w.dst.afterWrite = undefined;
  await w.run();
  expect((await w.dst.readSecret('hot')).value).toBe((await w.src.readSecret('hot')).value);
});

describe('the check after a secret is copied lists its versions and reads no value, unless the listing cannot tell', () => {
  test('each copied secret costs one source value read', async () => {
    const w = world();
    for (const name of ['a', 'b', 'c']) w.src.seedSecret(name, `value of ${name}`);
    expect((await w.run()).totals).toEqual({ create: 3 });
    expect(w.src.valueReads).toBe(3);
    for (const name of ['a', 'b', 'c']) expect((await w.dst.readSecret(name)).value).toBe(`value of ${name}`);
  });

  test('a rotation between the write and the check is caught by the listing: the newer version is read once and copied', async () => {
    const w = world();
    w.src.seedSecret('db', 'v1');
    w.dst.afterWrite = () => {
      w.dst.afterWrite = undefined;
      // A minute after v1: v1 is then proven older when v2 is checked (created well before it).
      w.src.passTime(60_000);
      w.src.seedSecret('db', 'v2');
    };
    expect(status(await w.run(), 'db')).toBe('create');
    expect((await w.dst.readSecret('db')).value).toBe('v2');
    expect(w.src.valueReads).toBe(2); // v1, then v2
  });

  test('an edit of the copied version (tags) moves its updatedOn: read again, and its new attributes copied', async () => {
    const w = world();
    w.src.seedSecret('db', 'v1');
    w.dst.afterWrite = () => {
      w.dst.afterWrite = undefined;
      const s = w.src.live.get('secret')!.get('db')!;
      s.item = { ...s.item, tags: { edited: 'yes' }, updatedOn: s.item.updatedOn! + 5000 };
    };
    await w.run();
    expect((await w.dst.readSecret('db')).item.tags).toEqual({ edited: 'yes' });
    expect(w.src.valueReads).toBe(2);
  });

  test('another version created in the same second (created has whole seconds) makes the check read the value', async () => {
    const w = world();
    w.src.seedSecret('plain', 'p');
    w.src.seedSecret('twin', 'older');
    w.src.seedSecret('twin', 'newer');
    const [older, newer] = w.src.live.get('secret')!.get('twin')!.history!;
    newer!.createdOn = older!.createdOn! + 999 - (older!.createdOn! % 1000);
    await w.run();
    expect((await w.dst.readSecret('twin')).value).toBe('newer');
    expect(w.src.valueReads).toBe(1 + 2); // plain once, twin twice
  });

  test('a secret with more versions than one page (25) makes the check read the value', async () => {
    const w = world();
    w.src.seedSecret('plain', 'p');
    for (let i = 1; i <= 26; i++) w.src.seedSecret('many', `v${i}`);
    expect((await w.src.secretVersions('many')).more).toBe(true);
    await w.run();
    expect((await w.dst.readSecret('many')).value).toBe('v26');
    expect(w.src.valueReads).toBe(1 + 2);
  });
});

test('an item listed in the second it changed is compared again next run, so a change in that second is not missed', async () => {
  const w = world();
  w.src.seedSecret('s', 'v1');
  // Listed 400 ms after its last change: a second change in the same second would leave `updatedOn` as it is.
  w.src.live.get('secret')!.get('s')!.item.updatedOn = w.clock.now() - 400;
  expect(status(await w.run(), 's')).toBe('create');
  expect(records(w)['secret/s']!.recheck).toBe(true);
  w.src.live.get('secret')!.get('s')!.value = 'v2'; // the same-second change
  w.clock.time += 60_000;
  w.dst.passTime(60_000); // a minute for the target too: its two versions are apart (still-current.ts)
  expect(status(await w.run(), 's')).toBe('update');
  expect((await w.dst.readSecret('s')).value).toBe('v2');
  expect(records(w)['secret/s']!.recheck).toBeUndefined();
  w.src.valueReads = 0;
  expect(status(await w.run(), 's')).toBe('in_sync');
  expect(w.src.valueReads).toBe(0);
});

test('a copy found equal to the source (say, written by a run that was killed) follows later source changes; it is never deleted', async () => {
  const w = world();
  w.src.seedSecret('s', 'v1');
  w.dst.seedSecret('s', 'v1');
  expect(status(await w.run(), 's')).toBe('in_sync');
  w.src.seedSecret('s', 'v2');
  expect(status(await w.run(), 's')).toBe('update');
  expect((await w.dst.readSecret('s')).value).toBe('v2');
  w.dst.seedSecret('s', 'edited by hand');
  w.src.seedSecret('s', 'v3');
  expect(status(await w.run(), 's')).toBe('blocked_target_conflict');
});

test('a cancelled run starts no new write, marks the rest KVR041, saves the state of what it wrote, and the next run finishes', async () => {
  const w = world();
  for (let i = 0; i < 10; i++) w.src.seedSecret(`s${i}`, `v${i}`);
  const controller = new AbortController();
  w.dst.afterWrite = () => {
    if (w.dst.writes >= 3) controller.abort();
  };
  const r = await w.run({ signal: controller.signal, maxConcurrency: 1 });
  expect(r.exitCode).toBe(1);
  expect(r.errors.map((e) => e.code)).toEqual(['KVR041']);
  expect(r.totals).toEqual({ create: 3, failed: 7 });
  expect(r.pairs[0]!.records.filter((x) => x.status === 'failed').every((x) => x.errorCode === 'KVR041')).toBe(true);
  expect(Object.values(records(w)).filter((x) => x.replicatedByUs)).toHaveLength(3);
  w.dst.afterWrite = undefined;
  const next = await w.run();
  expect(next.totals).toEqual({ in_sync: 3, create: 7 });
});

describe('two runs of one replication saving at once', () => {
  const rec = (name: string, targetUpdatedOn: number, extra: Partial<StateRecord> = {}): StateRecord => ({
    type: 'secret',
    name,
    status: 'create',
    replicatedByUs: true,
    missingRuns: 0,
    lastCorrelationId: 'x',
    targetUpdatedOn,
    ...extra,
  });
  const pair = (correlationId: string, basedOn: string, records: StateRecord[]): PairState => ({
    version: 1,
    replication: 'r',
    source: 'src',
    target: 'dst',
    updatedAt: '',
    correlationId,
    basedOn,
    records: Object.fromEntries(records.map((r) => [`secret/${r.name}`, r])),
  });

  test('after a run that saved in between, each record keeps the later view of the target, and neither run loses a record', () => {
    const theirs = pair('B', 'A', [rec('a', 200, { lastCorrelationId: 'B' }), rec('b', 100), rec('only-theirs', 50)]);
    const ours = pair('C', 'A', [
      rec('a', 150, { lastCorrelationId: 'C' }),
      rec('b', 300, { lastCorrelationId: 'C' }),
      rec('only-ours', 10),
    ]);
    const merged = mergePairStates(ours, theirs);
    expect(merged.correlationId).toBe('C');
    expect(merged.records['secret/a']!.lastCorrelationId).toBe('B');
    expect(merged.records['secret/b']!.lastCorrelationId).toBe('C');
    expect(Object.keys(merged.records).sort()).toEqual([
      'secret/a',
      'secret/b',
      'secret/only-ours',
      'secret/only-theirs',
    ]);
  });

  test('two views of the same target version keep what either knew of it; of different versions, ours', () => {
    const [v1, v2, ack] = ['1'.repeat(32), '2'.repeat(32), 'a'.repeat(32)];
    const theirs = pair('B', 'A', [
      rec('a', 200, { replicatedByUs: true, status: 'create', targetVersion: v1 }),
      rec('b', 200, { replicatedByUs: true, targetVersion: v1 }),
    ]);
    const ours = pair('C', 'A', [
      rec('a', 200, { replicatedByUs: false, status: 'in_sync', targetVersion: v1, acknowledgedVersion: ack }),
      rec('b', 200, { replicatedByUs: false, status: 'in_sync', targetVersion: v2 }),
    ]);
    const merged = mergePairStates(ours, theirs).records;
    expect(merged['secret/a']).toMatchObject({ status: 'in_sync', replicatedByUs: true, acknowledgedVersion: ack });
    expect(merged['secret/b']).toMatchObject({ replicatedByUs: false, targetVersion: v2 });
  });

  test('a state nobody else saved since it was loaded is replaced as it is', () => {
    const loaded = pair('A', '', [rec('gone', 999)]);
    const ours = pair('C', 'A', [rec('a', 1)]);
    expect(mergePairStates(ours, loaded)).toBe(ours);
    expect(mergePairStates(ours, undefined)).toBe(ours);
  });
});

test('the run after a write lists each copy’s versions once, side by side, reads no value, and then settles', async () => {
  const w = world();
  const names = Array.from({ length: 40 }, (_, i) => `s${i}`);
  for (const n of names) w.src.seedSecret(n, `value of ${n}`);
  w.clock.time += 60_000;
  await w.run();
  expect(Object.values(records(w)).every((r) => r.targetRecheck)).toBe(true);
  let underWay = 0;
  let most = 0;
  const listVersions = w.dst.secretVersions.bind(w.dst);
  w.dst.secretVersions = async (name) => {
    most = Math.max(most, ++underWay);
    await new Promise((resolve) => setTimeout(resolve, 1));
    underWay--;
    return listVersions(name);
  };
  w.src.valueReads = 0;
  w.dst.valueReads = 0;
  w.clock.time += 60_000;
  w.dst.passTime(60_000);
  const r = await w.run();
  expect(r.pairs[0]!.counts).toEqual({ in_sync: 40 });
  expect([w.src.valueReads, w.dst.valueReads]).toEqual([0, 0]);
  expect(most).toBe(DEFAULT_MAX_CONCURRENCY);
  expect(Object.values(records(w)).some((r) => r.targetRecheck)).toBe(false);
});

test('a targeted run after a write confirms the copy by the version its lookup by name returned, without a listing', async () => {
  const run = async (handEdit: boolean) => {
    const w = world();
    w.src.seedSecret('s', 'v1');
    w.clock.time += 60_000;
    await w.run();
    if (handEdit) {
      // Edited by hand in the second of the write: `updated` as recorded, another version.
      const written = await w.dst.readSecret('s');
      w.dst.seedSecret('s', 'by hand');
      w.dst.live.get('secret')!.get('s')!.item.updatedOn = written.item.updatedOn;
    }
    let listings = 0;
    const listVersions = w.dst.secretVersions.bind(w.dst);
    w.dst.secretVersions = (name) => {
      listings++;
      return listVersions(name);
    };
    w.clock.time += 60_000;
    const r = await w.run({ only: [{ type: 'secret', name: 's' }] });
    return { status: status(r, 's'), listings, value: (await w.dst.readSecret('s')).value };
  };
  expect(await run(false)).toEqual({ status: 'in_sync', listings: 0, value: 'v1' });
  expect(await run(true)).toEqual({ status: 'blocked_target_conflict', listings: 0, value: 'by hand' });
});

test('a copy with more than a page of versions is confirmed by one read of its current version, with no source read', async () => {
  const w = world();
  for (let i = 0; i < 27; i++) {
    w.src.passTime(3_600_000);
    w.src.seedSecret('s', `v${i}`);
    w.clock.time += 3_600_000;
    w.dst.passTime(3_600_000);
    await w.run();
  }
  expect((await w.dst.secretVersions('s')).more).toBe(true);
  w.src.valueReads = 0;
  w.clock.time += 3_600_000;
  const r = await w.run();
  expect([status(r, 's'), w.src.valueReads]).toEqual(['in_sync', 0]);
  expect(r.pairs[0]!.records[0]!.reason).toBe('unchanged since the last sync');
});

test('planning a pair of 130,000 items (none selected) makes one record each', async () => {
  const w = memoryWorld(SECRETS.replace('rule: { all: true }', "rule: { pattern: 'nothing-*' }"));
  for (let i = 0; i < 130_000; i++) w.src.seedSecret(`s${i}`, 'v');
  const r = await w.run({ mode: 'plan' });
  expect([r.errors, r.pairs[0]!.counts]).toEqual([[], { excluded_by_rule: 130_000 }]);
}, 30_000);

test('an item whose read fails while planning (deleted by hand meanwhile) fails alone; the others go on', async () => {
  const w = world();
  for (const n of ['a', 'b', 'c']) w.src.seedSecret(n, 'v');
  w.clock.time += 60_000;
  await w.run();
  const kept = records(w)['secret/b'];
  const listVersions = w.dst.secretVersions.bind(w.dst);
  w.dst.secretVersions = async (name) => {
    if (name === 'b') await w.dst.deleteItem('secret', 'b');
    return listVersions(name);
  };
  w.clock.time += 60_000;
  w.dst.passTime(60_000);
  const r = await w.run();
  expect(r.errors).toEqual([]);
  expect(r.pairs[0]!.records.map((x) => `${x.name}:${x.status}:${x.errorCode ?? ''}`)).toEqual([
    'a:in_sync:',
    'b:failed:KVR035',
    'c:in_sync:',
  ]);
  // Its record keeps what it knew (the copy is still this tool's), and the failure.
  expect(records(w)['secret/b']).toMatchObject({
    replicatedByUs: true,
    targetVersion: kept!.targetVersion,
    status: 'failed',
    lastErrorCode: 'KVR035',
  });
});
