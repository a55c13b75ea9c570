import { stringify } from 'yaml';
import { parsePairState } from '../../src/engine/state.ts';
import { latest } from '../emulator/model.ts';
import type { KeyVaultEmulator } from '../emulator/server.ts';
import { githubFederation, runAction, type ActionRun } from '../support/action-harness.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { replicaProblems } from '../support/replica-check.ts';
import { addVault, REPLICATOR, startReplicationWorld, uniqueVault } from '../support/replication-world.ts';

// Two runs of one replication at once: the Action without a concurrency group, say a schedule and a Key Vault
// event delivered as repository_dispatch. The emulator's hooks order their requests exactly, so each race happens.
const BRANCH = 'keyvault-replication-state';
const ACTOR = githubFederation(REPLICATOR);
let emulator: KeyVaultEmulator;
beforeAll(async () => {
  emulator = await startReplicationWorld();
  emulator.identity.addPrincipal(ACTOR);
});
afterEach(() => {
  emulator.onVaultResponse = undefined;
  emulator.transitDelay = undefined;
});
afterAll(() => emulator.close());

function world() {
  const src = addVault(emulator, uniqueVault('csrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('cdst'), 'westeurope');
  for (let i = 0; i < 20; i++) emulator.invoke(src, 'PUT', `secrets/app-${i}`, { value: `value-${i}` });
  emulator.invoke(src, 'PUT', 'secrets/rotating', { value: 'v1', tags: { generation: '1' } });
  const repo = new GitFixture({ '.github/keyvault-replication.yml': stringify({ version: 1, replications: [{ name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }] }) });
  const sweep = () => runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: { 'max-concurrency': '4' } });
  const single = () => runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: { only: 'secret/rotating' } });
  const state = () => parsePairState(repo.branchFile(BRANCH, `dr/${dst}.json`));
  const commits = () => repo.log(BRANCH).filter((m) => m.startsWith('keyvault-replicate state'));
  return { src, dst, sweep, single, state, commits };
}

test('a run whose write of an older version lands after another run wrote the newer one puts the newer one back, in the same run', async () => {
  const w = world();
  let single: Promise<ActionRun> | undefined;
  let heldBack = false;
  // The sweep reads `rotating` at v1; at that moment the source rotates to v2 and a single-item run starts,
  // while the sweep's write of v1 is held back until the single run has written v2.
  emulator.onVaultResponse = (method, path, status) => {
    if (!single && method === 'GET' && path === '/secrets/rotating/' && status === 200) {
      emulator.invoke(w.src, 'PUT', 'secrets/rotating', { value: 'v2', tags: { generation: '2' } });
      single = w.single();
    }
  };
  emulator.transitDelay = (method, vault, path) => {
    if (vault !== w.dst || method !== 'PUT' || path !== '/secrets/rotating' || heldBack) return 0;
    heldBack = true;
    return 2500;
  };
  const sweep = await w.sweep();
  const other = await single!;
  expect([sweep.code, other.code]).toEqual([0, 0]);
  const copies = emulator.vault(w.dst).secrets.live.get('rotating')!.versions.map((v) => v.value);
  expect(copies.slice(0, 2)).toEqual(['v2', 'v1']); // the older version did land over the newer one ...
  expect(copies.at(-1)).toBe('v2'); // ... and the sweep's check put the newer one back
  expect(replicaProblems(emulator, w.src, w.dst, true)).toEqual([]);
  expect(w.state().records['secret/rotating']).toMatchObject({ replicatedByUs: true, sourceUpdatedOn: latest(emulator.vault(w.src).secrets.live.get('rotating')!).attributes.updated * 1000 });
}, 60_000);

test('a run that saves last keeps the records a run saved meanwhile: neither run\'s state is lost', async () => {
  const w = world();
  let single: Promise<ActionRun> | undefined;
  let heldBack = false;
  // The single-item run starts (and loads the state) while one write of the sweep is held back, so the sweep saves
  // after that load; the single run's look at the target is held back longer, so it saves after the sweep.
  emulator.transitDelay = (method, vault, path) => {
    if (vault !== w.dst) return 0;
    if (!single && method === 'PUT' && path.startsWith('/secrets/app-')) { single = w.single(); return 4000; }
    if (single && !heldBack && method === 'GET' && path === '/secrets/rotating/') { heldBack = true; return 6000; }
    return 0;
  };
  const sweep = await w.sweep();
  expect(sweep.code).toBe(0);
  expect(Object.keys(w.state().records)).toHaveLength(21);
  const other = await single!;
  expect(other.code).toBe(0);
  expect(w.commits()).toHaveLength(2);
  const state = w.state();
  expect(state.correlationId).toBe(other.outputs['correlation-id']);
  expect(Object.keys(state.records)).toHaveLength(21);
  expect(Object.values(state.records).every((r) => r.replicatedByUs)).toBe(true);

  // The next sweep finds nothing to write, nothing in conflict, and reads no value.
  emulator.resetCounters();
  const next = await w.sweep();
  expect(next.report!.totals).toEqual({ in_sync: 21 });
  expect(emulator.vault(w.dst).counters.writes).toBe(0);
}, 60_000);
