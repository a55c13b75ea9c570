import { applyRecords } from '../../src/engine/apply.ts';
import type { ItemSnapshot, ReplicationRecord } from '../../src/engine/model.ts';
import { SourceValueCache } from '../../src/engine/source-values.ts';
import { MemoryVault } from '../fakes/memory-vault.ts';

// applyRecords takes the records in turn with a fixed number of workers (no pending task per record): the writes go
// out in the records' order, never more at once than the concurrency, the records come back in the order given, and
// once cancelled no further write starts while those under way finish.

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A target that logs each write's start and end, and counts the writes under way. */
class CountingVault extends MemoryVault {
  readonly started: string[] = [];
  inFlight = 0;
  most = 0;
  onStart?: (name: string) => void;
  override async writeSecret(name: string, value: string, from: ItemSnapshot) {
    this.started.push(name);
    this.onStart?.(name);
    this.most = Math.max(this.most, ++this.inFlight);
    await yieldToOthers();
    await yieldToOthers();
    try {
      return await super.writeSecret(name, value, from);
    } finally {
      this.inFlight--;
    }
  }
}

function world(count: number) {
  const source = new MemoryVault({ name: 'src' });
  const target = new CountingVault({ name: 'dst' });
  const records: ReplicationRecord[] = [];
  for (let i = 0; i < count; i++) {
    const name = `s${i}`;
    const item = source.seedSecret(name, `value-${i}`);
    // Every fifth record is in sync: nothing to write, returned as it is.
    const inSync = i % 5 === 4;
    records.push({
      type: 'secret',
      name,
      status: inSync ? 'in_sync' : 'create',
      action: inSync ? 'none' : 'write',
      reason: '',
      source: item,
    });
  }
  const cache = new SourceValueCache();
  const values = cache.join(source);
  return { source, target, records, values, cache };
}

const noEvents = { written: () => undefined, failed: () => undefined };

describe('applyRecords', () => {
  it('writes in the records’ order, at most `concurrency` at once, and returns them in the order given', async () => {
    const { source, target, records, values, cache } = world(40);
    const out = await applyRecords(records, { source, target, values }, { concurrency: 3 }, noEvents);
    const writable = records.filter((r) => r.action !== 'none').map((r) => r.name);
    expect(target.started).toEqual(writable);
    expect(target.most).toBe(3);
    expect(out.map((r) => r.name)).toEqual(records.map((r) => r.name));
    expect(out.map((r) => r.status)).toEqual(records.map((r) => (r.action === 'none' ? 'in_sync' : 'create')));
    // An in-sync record comes back as it was; a written one carries the target's new version.
    for (const [i, r] of out.entries())
      if (records[i]!.action === 'none') expect(r).toBe(records[i]);
      else expect(r.target?.version).toBe(target.live.get('secret')!.get(r.name)!.item.version);
    expect(cache.size).toBe(0);
  });

  it('a concurrency below one still writes, one at a time', async () => {
    const { source, target, records, values } = world(6);
    const out = await applyRecords(records, { source, target, values }, { concurrency: 0 }, noEvents);
    expect(target.most).toBe(1);
    expect(out.filter((r) => r.status === 'create')).toHaveLength(5);
  });

  it('a concurrency that is no number (NaN) still writes, one at a time', async () => {
    const { source, target, records, values } = world(6);
    const out = await applyRecords(records, { source, target, values }, { concurrency: Number.NaN }, noEvents);
    expect(target.most).toBe(1);
    expect(out.filter((r) => r.status === 'create')).toHaveLength(5);
  });

  it('once cancelled, no further write starts; those under way finish and the rest fail KVR041', async () => {
    const { source, target, records, values } = world(30);
    const abort = new AbortController();
    target.onStart = (name) => {
      if (name === 's6') abort.abort();
    };
    const failed: string[] = [];
    const out = await applyRecords(
      records,
      { source, target, values },
      { concurrency: 2, signal: abort.signal },
      { written: () => undefined, failed: (r) => failed.push(r.name) },
    );
    // s5 and s6 were under way when s6 started (s4 is in sync): both finish, nothing after them is written.
    expect(target.started).toEqual(['s0', 's1', 's2', 's3', 's5', 's6']);
    expect(out.slice(0, 7).map((r) => r.status)).toEqual([
      'create',
      'create',
      'create',
      'create',
      'in_sync',
      'create',
      'create',
    ]);
    const rest = out.slice(7).filter((r) => r.status !== 'in_sync');
    expect(rest).toHaveLength(23 - 5);
    expect(rest.every((r) => r.status === 'failed' && r.errorCode === 'KVR041')).toBe(true);
    expect(failed).toEqual(rest.map((r) => r.name));
  });
});
