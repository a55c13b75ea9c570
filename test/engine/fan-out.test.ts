import { parseConfig } from '../../src/engine/config/parse-config.ts';
import type { PlannedPair } from '../../src/engine/plan-file.ts';
import { dependencies, type RunOptions } from '../../src/engine/run.ts';
import { vaultInfo } from '../fakes/builders.ts';
import type { ItemSnapshot } from '../../src/engine/model.ts';
import { MemoryDirectory, MemoryVault } from '../fakes/memory-vault.ts';
import { memoryRunner } from '../fakes/memory-world.ts';

// Several pairs in one run: the pairs of one source run at once and read its values once; pairs that write a vault
// another pair reads or writes run in config order, as before.

/** Lets every other pending callback of the run go first (a write that takes a while). */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A target whose writes take a moment, and that logs when each starts and ends. */
class LoggedVault extends MemoryVault {
  readonly log: string[];
  readonly slowness: number;
  constructor(name: string, log: string[], slowness = 1) {
    super({ name }, 1_800_000_000_000);
    this.log = log;
    this.slowness = slowness;
  }
  override async writeSecret(name: string, value: string, from: ItemSnapshot) {
    this.log.push(`${this.info.name} start`);
    for (let i = 0; i < this.slowness; i++) await yieldToOthers();
    const written = await super.writeSecret(name, value, from);
    this.log.push(`${this.info.name} end`);
    return written;
  }
}

function world(yaml: string, vaults: MemoryVault[]) {
  const directory = new MemoryDirectory();
  for (const v of vaults) directory.add(v);
  const { state, run } = memoryRunner(directory, yaml);
  return { directory, state, run: (extra: Partial<RunOptions> = {}) => run(extra) };
}

const replication = (name: string, source: string, targets: string[]) =>
  `  - { name: ${name}, source: ${source}, targets: [${targets.join(', ')}], types: [secrets], rule: { all: true } }\n`;
const config = (...replications: string[]) => `version: 1\nreplications:\n${replications.join('')}`;

const statuses = (r: Awaited<ReturnType<ReturnType<typeof world>['run']>>) =>
  r.pairs.map((p) => `${p.replication}:${p.target}:${p.records.map((x) => x.status).join()}`);

describe('one source, three targets', () => {
  const N = 5;
  const setUp = () => {
    const src = new MemoryVault({ name: 'src' });
    for (let i = 0; i < N; i++) src.seedSecret(`s${i}`, `v${i}`);
    const targets = ['tg1', 'tg2', 'tg3'].map((t, i) => new MemoryVault({ name: t }, 1_800_000_000_000 + i * 1e9));
    return { src, targets, w: world(config(replication('r', 'src', ['tg1', 'tg2', 'tg3'])), [src, ...targets]) };
  };

  test('planning compares each source value once for all three targets, not once per target', async () => {
    const { src, targets, w } = setUp();
    // Each target has its own copy of every name (not this tool's): every pair compares the values, none writes.
    for (const t of targets) for (let i = 0; i < N; i++) t.seedSecret(`s${i}`, `theirs-${i}`);
    const r = await w.run();
    expect(r.totals).toEqual({ blocked_target_conflict: 3 * N });
    expect(src.valueReads).toBe(N);
  });

  test('an initial sync reads each source value once for all three targets', async () => {
    const { src, targets, w } = setUp();
    const r = await w.run();
    expect(r.totals).toEqual({ create: 3 * N });
    for (const t of targets) for (let i = 0; i < N; i++) expect((await t.readSecret(`s${i}`)).value).toBe(`v${i}`);
    const writes = targets.reduce((n, t) => n + t.writes, 0);
    expect(writes).toBe(3 * N);
    // One read per item for all targets: the check after each write lists versions, it reads no value.
    expect(src.valueReads).toBe(N);
  });
});

test('pairs of different targets run at once: the second target is written before the first is done', async () => {
  const log: string[] = [];
  const src = new MemoryVault({ name: 'src' });
  for (let i = 0; i < 4; i++) src.seedSecret(`s${i}`, `v${i}`);
  const w = world(config(replication('r', 'src', ['tg1', 'tg2'])), [
    src,
    new LoggedVault('tg1', log, 3),
    new LoggedVault('tg2', log, 3),
  ]);
  const r = await w.run({ maxConcurrency: 1 });
  expect(r.totals).toEqual({ create: 8 });
  expect(log.indexOf('tg2 start')).toBeLessThan(log.lastIndexOf('tg1 end'));
});

test('whichever pair finishes first, results, plan-file pairs and saved states keep config order', async () => {
  const log: string[] = [];
  const src = new MemoryVault({ name: 'src' });
  for (let i = 0; i < 3; i++) src.seedSecret(`s${i}`, `v${i}`);
  const yaml = config(replication('slow', 'src', ['tg1']), replication('fast', 'src', ['tg2']));
  const w = world(yaml, [src, new LoggedVault('tg1', log, 20), new LoggedVault('tg2', log, 1)]);
  const planned: PlannedPair[] = [];
  const plan = await w.run({ mode: 'plan', planned: (p) => planned.push(p) });
  expect(planned.map((p) => p.replication)).toEqual(['slow', 'fast']);
  expect(plan.pairs.map((p) => p.replication)).toEqual(['slow', 'fast']);
  const events: string[] = [];
  const r = await w.run({ maxConcurrency: 1, listener: (e) => void (e.replication && events.push(e.replication)) });
  // The fast pair ended first …
  expect(log.lastIndexOf('tg2 end')).toBeLessThan(log.lastIndexOf('tg1 end'));
  // … and still comes second, in the report and in the events (each pair's events together, as if one after another).
  expect(statuses(r)).toEqual(['slow:tg1:create,create,create', 'fast:tg2:create,create,create']);
  expect(events.indexOf('fast')).toBeGreaterThan(events.lastIndexOf('slow'));
  expect([...w.state.pairs.values()].map((s) => s.replication)).toEqual(['slow', 'fast']);
});

describe('pairs that write a vault another pair uses run in config order, each seeing what the earlier wrote', () => {
  test('a chain: staging gets dev’s secret, and prod gets it from staging in the same run', async () => {
    const dev = new MemoryVault({ name: 'dev' });
    dev.seedSecret('db', 'from-dev');
    const staging = new MemoryVault({ name: 'staging' }, 1_750_000_000_000);
    const prod = new MemoryVault({ name: 'prod' }, 1_800_000_000_000);
    const w = world(config(replication('up', 'dev', ['staging']), replication('out', 'staging', ['prod'])), [
      dev,
      staging,
      prod,
    ]);
    expect(statuses(await w.run())).toEqual(['up:staging:create', 'out:prod:create']);
    expect((await prod.readSecret('db')).value).toBe('from-dev');
  });

  test('a value another pair read from staging before the chain wrote it is never copied on from staging', async () => {
    const dev = new MemoryVault({ name: 'dev' });
    dev.seedSecret('db', 'old');
    const staging = new MemoryVault({ name: 'staging' }, 1_750_000_000_000);
    const qa = new MemoryVault({ name: 'qav' }, 1_760_000_000_000);
    const prod = new MemoryVault({ name: 'prod' }, 1_800_000_000_000);
    // qa reads staging before dev is copied into it; prod reads staging after.
    const yaml = config(
      replication('toqa', 'staging', ['qav']),
      replication('up', 'dev', ['staging']),
      replication('out', 'staging', ['prod']),
    );
    const w = world(yaml, [dev, staging, qa, prod]);
    await w.run();
    expect((await prod.readSecret('db')).value).toBe('old');
    dev.seedSecret('db', 'new');
    const prodWrites = prod.writes;
    const r = await w.run();
    expect(statuses(r)).toEqual(['toqa:qav:create', 'up:staging:update', 'out:prod:update']);
    expect((await qa.readSecret('db')).value).toBe('old');
    expect((await prod.readSecret('db')).value).toBe('new');
    // Written once, with the new value: the old one staging held when qa read it never reached prod.
    expect(prod.writes - prodWrites).toBe(1);
  });

  test('two replications into one target: the second sees what the first wrote, and does not write over it', async () => {
    const a = new MemoryVault({ name: 'aaa' });
    const b = new MemoryVault({ name: 'bbb' }, 1_750_000_000_000);
    const shared = new MemoryVault({ name: 'shared' }, 1_800_000_000_000);
    a.seedSecret('api-key', 'from-a');
    b.seedSecret('api-key', 'from-b');
    const w = world(config(replication('a-dr', 'aaa', ['shared']), replication('b-dr', 'bbb', ['shared'])), [
      a,
      b,
      shared,
    ]);
    expect(statuses(await w.run())).toEqual(['a-dr:shared:create', 'b-dr:shared:blocked_target_conflict']);
    expect((await shared.readSecret('api-key')).value).toBe('from-a');
  });
});

test('a cancelled run: the pairs under way stop writing (KVR041), a pair waiting for one of them does not start', async () => {
  const src = new MemoryVault({ name: 'src' });
  for (let i = 0; i < 6; i++) src.seedSecret(`s${i}`, `v${i}`);
  const log: string[] = [];
  const tg1 = new LoggedVault('tg1', log);
  const tg2 = new LoggedVault('tg2', log);
  const tg3 = new MemoryVault({ name: 'tg3' }, 1_900_000_000_000);
  const controller = new AbortController();
  for (const t of [tg1, tg2])
    t.afterWrite = () => {
      if (tg1.writes + tg2.writes >= 3) controller.abort();
    };
  // tg1 → tg3 reads what r wrote to tg1: it waits for that pair.
  const w = world(config(replication('r', 'src', ['tg1', 'tg2']), replication('on', 'tg1', ['tg3'])), [
    src,
    tg1,
    tg2,
    tg3,
  ]);
  const r = await w.run({ signal: controller.signal, maxConcurrency: 1 });
  expect(r.exitCode).toBe(1);
  expect(r.errors.map((e) => e.code)).toEqual(['KVR041']);
  expect(r.pairs.map((p) => p.target)).toEqual(['tg1', 'tg2', 'tg3']);
  // Both pairs of src were under way: each wrote something, and the rest of each is failed KVR041.
  for (const p of r.pairs.slice(0, 2)) {
    expect(p.counts.create).toBeGreaterThan(0);
    expect(p.records.filter((x) => x.status === 'failed').every((x) => x.errorCode === 'KVR041')).toBe(true);
  }
  // Writes under way when the run was cancelled finished; no other started.
  expect(r.totals.create).toBe(tg1.writes + tg2.writes);
  expect(r.totals.create).toBeLessThan(6);
  expect((r.totals.create ?? 0) + (r.totals.failed ?? 0)).toBe(12);
  expect(r.pairs[2]).toMatchObject({ records: [], error: { code: 'KVR041' } });
  expect(tg3.writes).toBe(0);
});

test('which earlier pairs a pair waits for: those whose target it reads or writes, or that read its target', () => {
  const replicationOf = parseConfig(config(replication('any', 'src', ['tg1'])), 'c.yml').replications[0]!;
  const pair = (source: string, target: string) => ({
    replication: replicationOf,
    source: vaultInfo(source),
    target: vaultInfo(target),
  });
  expect(
    dependencies([
      pair('src', 'tg1'), // 0
      pair('src', 'tg2'), // 1: another target of the same source: at once
      pair('tg1', 'tg3'), // 2: reads what 0 wrote
      pair('other', 'TG2'), // 3: writes where 1 wrote
      pair('dev', 'src'), // 4: writes what 0 and 1 read
      pair('zzz', 'yyy'), // 5: shares nothing
    ]),
  ).toEqual([[], [], [0], [1], [0, 1], []]);
});

test('a later pair’s failure is shown at once, while an earlier pair is still writing (not held until it ends)', async () => {
  const src = new MemoryVault({ name: 'src' });
  src.seedSecret('a', 'v');
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  class HeldVault extends MemoryVault {
    override async writeSecret(name: string, value: string, from: ItemSnapshot) {
      await held;
      return super.writeSecret(name, value, from);
    }
  }
  class RefusingVault extends MemoryVault {
    override async writeSecret(): Promise<ItemSnapshot> {
      throw new Error('refused');
    }
  }
  const w = world(config(replication('r', 'src', ['slow', 'bad'])), [
    src,
    new HeldVault({ name: 'slow' }, 1_800_000_000_000),
    new RefusingVault({ name: 'bad' }, 1_800_000_000_000),
  ]);
  const seen: string[] = [];
  // Never hangs: without the behaviour, the held write is let go after a while and the order shows the failure late.
  const fallback = setTimeout(release, 2000);
  const r = await w.run({
    listener: (e) => {
      seen.push(`${e.kind}:${e.target ?? ''}`);
      if (e.kind === 'failed' && e.target === 'bad') release();
    },
  });
  clearTimeout(fallback);
  expect(statuses(r)).toEqual(['r:slow:create', 'r:bad:failed']);
  expect(seen.indexOf('failed:bad')).toBeGreaterThanOrEqual(0);
  expect(seen.indexOf('failed:bad')).toBeLessThan(seen.indexOf('written:slow'));
});

test('at most four pairs run at once: a tag naming six targets does not write all six at the same time', async () => {
  const src = new MemoryVault({ name: 'src' });
  for (let i = 0; i < 3; i++) src.seedSecret(`s${i}`, `v${i}`);
  const writing = new Set<string>();
  let most = 0;
  class CountedVault extends MemoryVault {
    override async writeSecret(name: string, value: string, from: ItemSnapshot) {
      writing.add(this.info.name);
      most = Math.max(most, writing.size);
      for (let i = 0; i < 5; i++) await yieldToOthers();
      try {
        return await super.writeSecret(name, value, from);
      } finally {
        writing.delete(this.info.name);
      }
    }
  }
  const names = ['tg1', 'tg2', 'tg3', 'tg4', 'tg5', 'tg6'];
  const w = world(config(replication('r', 'src', names)), [
    src,
    ...names.map((n) => new CountedVault({ name: n }, 1_800_000_000_000)),
  ]);
  const r = await w.run({ maxConcurrency: 1 });
  expect(r.totals).toEqual({ create: 18 });
  expect(most).toBe(4);
});
