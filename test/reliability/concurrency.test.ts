import { stringify } from 'yaml';
import type { PairState } from '../../src/engine/state.ts';
import { latest } from '../../emulator/model.ts';
import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { runAction, type ActionRun } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { replicaProblems } from '../support/replica-check.ts';
import { addVault, uniqueVault } from '../support/replication-world.ts';

// Two runs of one replication at once: the Action without a concurrency group, say a schedule and a Key Vault
// event delivered as repository_dispatch. The emulator's hooks order their requests exactly, so each race happens.
const BRANCH = 'keyvault-replication-state';
let emulator: KeyVaultEmulator;
beforeAll(async () => {
  emulator = await startActionWorld();
});
afterEach(() => {
  emulator.onVaultResponse = undefined;
  emulator.hold = undefined;
});
afterAll(() => emulator.close());

function world() {
  const src = addVault(emulator, uniqueVault('csrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('cdst'), 'westeurope');
  for (let i = 0; i < 20; i++) emulator.invoke(src, 'PUT', `secrets/app-${i}`, { value: `value-${i}` });
  emulator.invoke(src, 'PUT', 'secrets/rotating', { value: 'v1', tags: { generation: '1' } });
  const repo = new GitFixture({
    '.github/keyvault-replication.yml': stringify({
      version: 1,
      replications: [{ name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
    }),
  });
  const sweep = () => runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: { 'max-concurrency': '4' } });
  const single = () => runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: { only: 'secret/rotating' } });
  const state = () => JSON.parse(repo.branchFile(BRANCH, `dr/${dst}.json`)) as PairState;
  const commits = () => repo.log(BRANCH).filter((m) => m.startsWith('keyvault-replicate state'));
  return { src, dst, sweep, single, state, commits };
}

/**
 * A gate a held request waits at; it opens by itself after 20 s, so a broken run fails its test instead of hanging it.
 */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
    setTimeout(r, 20_000).unref();
  });
  return { wait, open };
}

test('a run whose write of an older version lands after another run wrote the newer one puts the newer one back, in the same run', async () => {
  const w = world();
  let single: Promise<ActionRun> | undefined;
  let sweepId: string | undefined;
  const newerWritten = gate();
  // The sweep reads `rotating` at v1; at that moment the source rotates to v2 and a single-item run starts. The
  // sweep's write of v1 is held back until the single run's write of v2 has landed.
  emulator.onVaultResponse = (method, path, status, _body, request) => {
    sweepId ??= request.clientRequestId;
    if (!single && request.vault === w.src && method === 'GET' && path === '/secrets/rotating/' && status === 200) {
      emulator.invoke(w.src, 'PUT', 'secrets/rotating', { value: 'v2', tags: { generation: '2' } });
      single = w.single();
    }
    if (
      request.clientRequestId !== sweepId &&
      request.vault === w.dst &&
      method === 'PUT' &&
      path === '/secrets/rotating'
    )
      newerWritten.open();
  };
  emulator.hold = (r) =>
    r.clientRequestId === sweepId && r.vault === w.dst && r.method === 'PUT' && r.path === '/secrets/rotating'
      ? newerWritten.wait
      : undefined;
  const sweep = await w.sweep();
  const other = await single!;
  expect([sweep.code, other.code]).toEqual([0, 0]);
  const copies = emulator
    .vault(w.dst)
    .secrets.live.get('rotating')!
    .versions.map((v) => v.value);
  expect(copies).toEqual(['v2', 'v1', 'v2']); // the older version did land over the newer one, and the sweep's check put the newer one back
  expect(replicaProblems(emulator, w.src, w.dst, true)).toEqual([]);
  expect(w.state().records['secret/rotating']).toMatchObject({
    replicatedByUs: true,
    sourceUpdatedOn: latest(emulator.vault(w.src).secrets.live.get('rotating')!).attributes.updated * 1000,
  });
}, 60_000);

test("a run that saves last keeps the records a run saved meanwhile: neither run's state is lost", async () => {
  const w = world();
  let single: Promise<ActionRun> | undefined;
  let sweepId: string | undefined;
  const singleLoadedState = gate();
  const sweepSaved = gate();
  // One write of the sweep waits until a single-item run has loaded the state (its first vault request comes after
  // that), so the sweep saves after that load; the single run's look at the target waits until the sweep has saved.
  emulator.hold = (r) => {
    sweepId ??= r.clientRequestId;
    if (r.clientRequestId === sweepId) {
      if (single || r.vault !== w.dst || r.method !== 'PUT' || !r.path.startsWith('/secrets/app-')) return undefined;
      single = w.single();
      return singleLoadedState.wait;
    }
    singleLoadedState.open();
    return r.vault === w.dst && r.method === 'GET' && r.path === '/secrets/rotating/' ? sweepSaved.wait : undefined;
  };
  const sweep = await w.sweep();
  expect(sweep.code).toBe(0);
  expect(Object.keys(w.state().records)).toHaveLength(21);
  sweepSaved.open();
  const other = await single!;
  expect(other.code).toBe(0);
  expect(w.commits()).toHaveLength(2);
  const state = w.state();
  expect(state.correlationId).toBe(other.outputs['correlation-id']);
  expect(Object.keys(state.records)).toHaveLength(21);
  expect(Object.values(state.records).every((r) => r.replicatedByUs)).toBe(true);

  // The next sweep finds nothing to write and nothing in conflict.
  emulator.resetCounters();
  const next = await w.sweep();
  expect(next.report!.totals).toEqual({ in_sync: 21 });
  expect(emulator.vault(w.dst).counters.writes).toBe(0);
}, 60_000);
