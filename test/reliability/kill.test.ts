import { stringify } from 'yaml';
import type { PairState } from '../../src/engine/state.ts';
import { runAction } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { git, GitFixture } from '../support/git-fixture.ts';
import { replicaProblems } from '../support/replica-check.ts';
import { addVault, uniqueVault } from '../support/replication-world.ts';
import { emulatorPerFile } from '../support/world.ts';

const BRANCH = 'keyvault-replication-state';
const emulator = emulatorPerFile(() => startActionWorld());

/** A pair slow enough (latency, two writes at a time) to be killed part-way through its 30 writes. */
function slowPair() {
  const src = addVault(emulator, uniqueVault('ksrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('kdst'), 'westeurope');
  for (let i = 0; i < 30; i++)
    emulator.invoke(src, 'PUT', `secrets/app-${i}`, { value: `value-${i}`, tags: { n: String(i) } });
  for (const v of [src, dst]) emulator.setFaults(v, { latencyMs: 40 });
  const repo = new GitFixture({
    '.github/keyvault-replication.yml': stringify({
      version: 1,
      replications: [{ name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
    }),
  });
  const apply = (killOn?: { signal: NodeJS.Signals; times: number }) =>
    runAction(emulator, {
      workspace: repo.clone(),
      as: ACTOR,
      inputs: { 'max-concurrency': '2' },
      killOn: killOn && { pattern: /create secret app-\d+ →/, ...killOn },
    });
  const branchExists = () => git(repo.remote, 'branch', '--list', BRANCH).trim() !== '';
  const state = () => JSON.parse(repo.branchFile(BRANCH, `dr/${dst}.json`)) as PairState;
  return {
    src,
    dst,
    apply,
    branchExists,
    state,
    heal: () => {
      for (const v of [src, dst]) emulator.setFaults(v, { latencyMs: 0 });
    },
  };
}

test('SIGTERM mid-run: writes under way finish, the rest are KVR041, the state of what was written is committed, and the next run finishes', async () => {
  const w = slowPair();
  const killed = await w.apply({ signal: 'SIGTERM', times: 4 });
  expect(killed.code).toBe(1);
  expect(killed.stdout).toContain('SIGTERM: the job is being cancelled');
  expect(killed.summary).toContain('KVR041');
  const created = killed.report!.pairs[0]!.records.filter((r) => r.status === 'create').map((r) => r.name);
  const cancelled = killed.report!.pairs[0]!.records.filter((r) => r.status === 'failed');
  expect(created.length).toBeGreaterThanOrEqual(4);
  expect(cancelled.length).toBeGreaterThan(0);
  expect(created.length + cancelled.length).toBe(30);
  expect(replicaProblems(emulator, w.src, w.dst, false)).toEqual([]);
  expect(emulator.vault(w.dst).secrets.live.size).toBe(created.length);

  const saved = w.state();
  expect(
    Object.values(saved.records)
      .filter((r) => r.replicatedByUs)
      .map((r) => r.name)
      .sort(),
  ).toEqual([...created].sort());
  expect(
    Object.values(saved.records)
      .filter((r) => r.status === 'failed')
      .every((r) => r.lastErrorCode === 'KVR041'),
  ).toBe(true);

  w.heal();
  const next = await w.apply();
  expect(next.code).toBe(0);
  expect(next.report!.totals).toEqual({ in_sync: created.length, create: 30 - created.length });
  expect(replicaProblems(emulator, w.src, w.dst, true)).toEqual([]);
}, 60_000);

test('SIGKILL mid-run: the state branch is left as it was, and the next runs converge and follow later changes without conflicts', async () => {
  const w = slowPair();
  const killed = await w.apply({ signal: 'SIGKILL', times: 4 });
  expect(killed.code).toBe(128);
  expect(w.branchExists()).toBe(false);
  const written = emulator.vault(w.dst).secrets.live.size;
  expect(written).toBeGreaterThanOrEqual(4);
  expect(written).toBeLessThan(30);
  expect(replicaProblems(emulator, w.src, w.dst, false)).toEqual([]);

  w.heal();
  const next = await w.apply();
  expect(next.code).toBe(0);
  expect(next.report!.totals).toEqual({ in_sync: written, create: 30 - written });
  expect(Object.keys(w.state().records)).toHaveLength(30);
  expect(replicaProblems(emulator, w.src, w.dst, true)).toEqual([]);

  // A copy the killed run wrote, now known only as equal to the source, still follows the source.
  const adopted = next.report!.pairs[0]!.records.find((r) => r.status === 'in_sync')!.name;
  emulator.clock.advance(1000); // the rotation lands in a later second than the seed (`updated` has whole seconds)
  emulator.invoke(w.src, 'PUT', `secrets/${adopted}`, { value: 'rotated', tags: { n: 'rotated' } });
  const after = await w.apply();
  expect(after.report!.pairs[0]!.records.find((r) => r.name === adopted)!.status).toBe('update');
  expect(after.report!.totals.blocked_target_conflict ?? 0).toBe(0);
  expect(replicaProblems(emulator, w.src, w.dst, true)).toEqual([]);
}, 60_000);
