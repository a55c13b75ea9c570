import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KvrError } from '../../src/engine/errors.ts';
import { VaultFailure } from '../../src/engine/vault-failure.ts';
import { runHostPipeline, type HostPort } from '../../src/hosts/shared/host-pipeline.ts';
import type { RunRequest } from '../../src/hosts/shared/run-inputs.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryStateStore } from '../fakes/memory-state.ts';
import { MemoryDirectory, MemoryVault } from '../fakes/memory-vault.ts';
import { tempDir } from '../support/temp-dir.ts';
import { replicationOf } from '../fakes/builders.ts';
import type { ReplicationConfig } from '../../src/engine/config/types.ts';

/** A host that records what the pipeline asks of it, over memory vaults and a memory state store. */
function fakeHost(overrides: Partial<RunRequest> = {}, events?: unknown) {
  const directory = new MemoryDirectory();
  const src = directory.add(new MemoryVault({ name: 'src-kv' }));
  const dst = directory.add(new MemoryVault({ name: 'dst-kv' }, 1_800_000_000_000));
  const dir = tempDir('kvr-pipeline-');
  // A secret of its own per run: the process registers each credential once.
  const clientSecret = `fake-secret-${crypto.randomUUID()}`;
  const seen = {
    info: [] as string[],
    warnings: [] as string[],
    notices: [] as string[],
    errors: [] as string[],
    ids: [] as string[],
    outputs: {} as Record<string, string>,
    masked: [] as string[],
    delivered: 0,
    signedIn: 0,
    closed: 0,
  };
  const request: RunRequest = {
    mode: 'apply',
    only: undefined,
    maxConcurrency: undefined,
    environment: undefined,
    budgetShare: undefined,
    adoptState: false,
    acknowledge: [],
    revoke: [],
    replications: [],
    approveDeletes: false,
    failOn: 'failed',
    planFile: undefined,
    subscriptions: [],
    config: {
      inline: {
        subscriptions: [],
        replications: [replicationOf({ source: 'src-kv', targets: ['dst-kv'] })],
      },
    },
    ...overrides,
  };
  const host: HostPort<RunRequest> = {
    where: 'the fake report',
    log: {
      info: (m) => seen.info.push(m),
      warning: (m, title) => seen.warnings.push(title ? `${title}|${m}` : m),
      error: (m) => seen.errors.push(m),
      notice: (m) => seen.notices.push(m),
    },
    readRequest: async () => request,
    events: () => events,
    output: (name, value) => (name === 'correlationId' ? seen.ids.push(value) : (seen.outputs[name] = value)),
    identity: () => {
      seen.signedIn++;
      return { kind: 'client-secret', label: 'a fake identity', tenantId: 't', clientId: 'c', secret: clientSecret };
    },
    openState: async () => ({
      store: state,
      close: async () => {
        seen.closed++;
      },
    }),
    mask: (line) => seen.masked.push(line),
    reportPath: (id) => join(dir, `${id}.json`),
    deliver: () => {
      seen.delivered++;
    },
  };
  const state = new MemoryStateStore();
  const run = () => runHostPipeline(host, { directory: () => directory, clock: new FakeClock() });
  return { host, src, dst, state, seen, dir, run, clientSecret };
}

afterEach(() => {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
});
const created: string[] = [];
const world = (...args: Parameters<typeof fakeHost>) => {
  const w = fakeHost(...args);
  created.push(w.dir);
  return w;
};

test('ok: the run replicates, tells the correlation id first, writes the report 0600, sets its outputs and delivers it once', async () => {
  const w = world();
  w.src.seedSecret('db-password', 'canary-value');

  const result = await w.run();

  expect([result.verdict, result.exitCode, result.message]).toEqual(['ok', 0, '']);
  expect(result.report!.totals).toEqual({ create: 1 });
  const [id] = w.seen.ids;
  expect(result.report!.correlationId).toBe(id);
  expect(w.seen.info.slice(0, 2)).toEqual([
    `keyvault-replicate apply: correlation id ${id}`,
    'signing in to Azure with a fake identity',
  ]);
  const reportPath = join(w.dir, `${id}.json`);
  expect(statSync(reportPath).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(reportPath, 'utf8')).totals).toEqual({ create: 1 });
  expect(w.seen.outputs).toEqual({ reportPath, counts: '{"create":1}' });
  expect(w.seen.delivered).toBe(1);
  expect(w.seen.masked).toEqual(expect.arrayContaining(['canary-value', w.clientSecret]));
  expect(w.seen.closed).toBe(1);
});

test('a report file that exists already is made 0600 too', async () => {
  const w = world();
  const path = join(w.dir, 'mine.json');
  writeFileSync(path, 'old', { mode: 0o644 });
  w.host.reportPath = () => path;
  await w.run();
  expect(statSync(path).mode & 0o777).toBe(0o600);
});

test('issues: a blocked record passes with issues and one titled notice; under fail-on blocked it fails with KVR043', async () => {
  const w = world();
  w.src.seedSecret('shared', 'ours');
  w.dst.seedSecret('shared', 'theirs');

  const byDefault = await w.run();
  expect([byDefault.verdict, byDefault.exitCode]).toEqual(['issues', 0]);
  expect(byDefault.message).toMatch(
    /^1 record\(s\) are blocked or held back \(1 blocked_target_conflict\); the fake report says why$/,
  );
  expect(w.seen.warnings).toEqual([
    expect.stringMatching(
      /^blocked_target_conflict in r \(src-kv → dst-kv\)\|1 record\(s\) blocked_target_conflict .*secret\/shared/,
    ),
  ]);

  const strict = await world({ failOn: 'blocked' });
  strict.src.seedSecret('shared', 'ours');
  strict.dst.seedSecret('shared', 'theirs');
  const failed = await strict.run();
  expect([failed.verdict, failed.exitCode]).toEqual(['failed', 1]);
  expect(failed.message).toMatch(/^KVR043: /);
  expect(JSON.parse(readFileSync(join(strict.dir, `${strict.seen.ids[0]}.json`), 'utf8')).exitCode).toBe(1);
});

test('failed: a record that fails fails the run, and passes with issues only under fail-on never', async () => {
  for (const [failOn, verdict, exitCode] of [
    ['failed', 'failed', 1],
    ['never', 'issues', 0],
  ] as const) {
    const w = world({ failOn });
    w.src.seedSecret('fine', '1');
    w.src.seedSecret('broken', '2');
    const write = w.dst.writeSecret.bind(w.dst);
    w.dst.writeSecret = async (name, value, from) => {
      if (name === 'broken')
        throw new VaultFailure('transient', 'InternalServerError (HTTP 500)', 'the vault is on fire');
      return write(name, value, from);
    };
    const result = await w.run();
    expect([failOn, result.verdict, result.exitCode]).toEqual([failOn, verdict, exitCode]);
    expect(result.message).toContain('1 record(s) failed; the fake report lists them');
    expect(w.seen.errors).toEqual([expect.stringContaining('broken')]);
    expect(result.report!.totals).toMatchObject({ create: 1, failed: 1 });
  }
});

test('a thrown error is the failed result: exit 2 for a KVR error before any write, KVR039 exit 1 otherwise; state closed', async () => {
  const bad = world();
  bad.host.readRequest = async () => {
    throw new KvrError('KVR008', "input 'mode' must be plan, apply or validate, not 'x'");
  };
  expect(await bad.run()).toEqual({
    verdict: 'failed',
    exitCode: 2,
    message: "KVR008: input 'mode' must be plan, apply or validate, not 'x'",
    report: undefined,
    error: expect.any(KvrError),
  });
  expect([bad.seen.signedIn, bad.seen.closed, bad.seen.ids]).toEqual([0, 0, []]);

  const broken = world();
  broken.src.seedSecret('a', '1');
  broken.host.deliver = () => {
    throw new Error('disk full\nat line 2');
  };
  const result = await broken.run();
  expect([result.verdict, result.exitCode, result.message]).toEqual([
    'failed',
    1,
    'KVR039: unexpected failure: disk full',
  ]);
  // The replication happened: its report stays with the result, for the host's summary.
  expect(result.report!.totals).toEqual({ create: 1 });
  expect(broken.seen.closed).toBe(1);
});

const keyVaultEvent = (vault: string, name: string) => ({
  eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
  data: { VaultName: vault, ObjectName: name, ObjectType: 'Secret' },
});

test("Key Vault events scope the run to their items; events for no replication's source skip it before sign-in", async () => {
  const w = world({}, [keyVaultEvent('src-kv', 'bravo'), keyVaultEvent('src-kv', 'bad_name')]);
  for (const n of ['alpha', 'bravo']) w.src.seedSecret(n, n);
  const result = await w.run();
  expect(result.report!.pairs[0]!.records.map((r) => `${r.name}:${r.status}`)).toEqual(['bravo:create']);
  expect(w.seen.info).toContain('Key Vault event: replicating secret/bravo only');
  expect(w.seen.warnings).toContain(
    'KVR044: 1 Key Vault event(s) ignored: their vault or item name is not a valid Key Vault name',
  );

  const elsewhere = world({}, keyVaultEvent('other-kv', 'x'));
  const skipped = await elsewhere.run();
  expect([skipped.verdict, skipped.exitCode, skipped.report]).toEqual(['ok', 0, undefined]);
  expect(elsewhere.seen.notices).toEqual([
    'Nothing to replicate: the event names secret/x in other-kv, which no replication has as its source.',
  ]);
  expect([elsewhere.seen.signedIn, elsewhere.seen.ids]).toEqual([0, []]);

  // Items asked for explicitly win over the event's.
  const asked = world({ only: [{ type: 'secret', name: 'alpha' }] }, keyVaultEvent('src-kv', 'bravo'));
  for (const n of ['alpha', 'bravo']) asked.src.seedSecret(n, n);
  expect((await asked.run()).report!.pairs[0]!.records.map((r) => r.name)).toEqual(['alpha']);
});

test('SIGTERM cancels the run: the write under way finishes, the rest fail KVR041, the state is saved and the run fails', async () => {
  const w = world({ maxConcurrency: 1 });
  for (let i = 0; i < 5; i++) w.src.seedSecret(`s${i}`, String(i));
  let signalled = false;
  w.host.listener = () => (e) => {
    if (e.kind === 'written' && !signalled) {
      signalled = true;
      process.emit('SIGTERM', 'SIGTERM');
    }
  };
  const listenersBefore = process.listenerCount('SIGTERM');

  const result = await w.run();

  expect(w.seen.warnings).toEqual([
    expect.stringMatching(/^SIGTERM: the job is being cancelled; finishing the writes under way, then saving state/),
  ]);
  expect([result.verdict, result.exitCode]).toEqual(['failed', 1]);
  const records = result.report!.pairs[0]!.records;
  expect(records.filter((r) => r.status === 'create')).toHaveLength(1);
  expect(records.filter((r) => r.status === 'failed').map((r) => r.errorCode)).toEqual([
    'KVR041',
    'KVR041',
    'KVR041',
    'KVR041',
  ]);
  expect(w.state.pairs.size).toBe(1);
  // The handlers are gone after the run: a later signal ends the process as usual.
  expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
});

test("the vaults' budget shares reach the directory: the input over the config's budget_share over 0.5, per vault kept", async () => {
  const sharesOf = async (budgetShare: number | undefined, shares: Partial<ReplicationConfig>) => {
    const config = { subscriptions: [], replications: [replicationOf({ source: 'src-kv', targets: ['dst-kv'] })] };
    const w = world({ budgetShare, config: { inline: { ...config, ...shares } } });
    let given: unknown;
    const directory = new MemoryDirectory();
    directory.add(new MemoryVault({ name: 'src-kv' }));
    directory.add(new MemoryVault({ name: 'dst-kv' }));
    const result = await runHostPipeline(w.host, {
      directory: (...args) => {
        given = args[5];
        return directory;
      },
      clock: new FakeClock(),
    });
    expect(result.verdict).toBe('ok');
    return given;
  };
  expect(await sharesOf(undefined, {})).toEqual({ share: 0.5 });
  expect(await sharesOf(undefined, { budgetShare: 0.3, vaultBudgetShares: { 'dst-kv': 0.95 } })).toEqual({
    share: 0.3,
    byVault: { 'dst-kv': 0.95 },
  });
  expect(await sharesOf(0.8, { budgetShare: 0.3, vaultBudgetShares: { 'dst-kv': 0.95 } })).toEqual({
    share: 0.8,
    byVault: { 'dst-kv': 0.95 },
  });
});

describe('the young generation', () => {
  test('every run holds V8’s young generation at its size (the peak RSS of a large run)', async () => {
    const { host } = fakeHost();
    const flags: string[] = [];
    // Even a run that asks for nothing (the CLI's --help): the flag goes first.
    await runHostPipeline({ ...host, readRequest: async () => undefined }, { setV8Flags: (f) => flags.push(f) });
    expect(flags).toEqual(['--semi-space-growth-factor=1']);
  });
});
