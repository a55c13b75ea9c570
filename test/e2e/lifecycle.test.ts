import { SecretClient } from '@azure/keyvault-secrets';
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { systemClock } from '../../src/hosts/shared/system-clock.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { ADMIN, credentialFor, vaultUrl, emulatorPerFile } from '../support/world.ts';
import {
  addVault,
  replication,
  startReplicationWorld,
  statusOf,
  uniqueVault,
  Workspace,
  vaultPair,
} from '../support/replication-world.ts';

const emulator = emulatorPerFile(() => startReplicationWorld());

const put = (vault: string, name: string, body: Record<string, unknown>) => putSecret(emulator, vault, name, body);
const purgeGone = (vault: string, name: string) => {
  emulator.invoke(vault, 'DELETE', `secrets/${name}`);
  emulator.invoke(vault, 'DELETE', `deletedsecrets/${name}`);
};
const targetNames = async (vault: string) => {
  const names = [];
  for await (const s of new SecretClient(vaultUrl(vault), credentialFor(ADMIN)).listPropertiesOfSecrets())
    names.push(s.name);
  return names;
};

test('flap protection: missing once, then retired, then reactivated when the item returns; the copy stays', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'flappy', { value: 'v' });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  expect(statusOf((await ws.json(['apply'])).report, 'flappy')).toBe('create');
  purgeGone(src, 'flappy');
  expect(statusOf((await ws.json(['apply'])).report, 'flappy')).toBe('missing_once');
  expect(statusOf((await ws.json(['apply'])).report, 'flappy')).toBe('retired');
  expect(await targetNames(dst)).toContain('flappy');
  put(src, 'flappy', { value: 'back' });
  const back = await ws.json(['apply']);
  expect(statusOf(back.report, 'flappy')).toBe('update');
  expect((await new SecretClient(vaultUrl(dst), credentialFor(ADMIN)).getSecret('flappy')).value).toBe('back');
});

test('propagate_deletes: only a copy this tool wrote is soft-deleted, after two missing runs; never purged', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'ours', { value: 'o' });
  put(src, 'adopted', { value: 'same' });
  put(dst, 'adopted', { value: 'same' });
  put(dst, 'target-only', { value: 't' });
  put(src, 'edited-after', { value: 'e' });
  const ws = new Workspace().writeConfig(replication(src, [dst], { propagate_deletes: true }));
  await ws.json(['apply']);
  put(dst, 'edited-after', { value: 'changed by hand in the target' });
  purgeGone(src, 'ours');
  purgeGone(src, 'adopted');
  purgeGone(src, 'edited-after');
  expect(statusOf((await ws.json(['apply'])).report, 'ours')).toBe('missing_once');
  const second = await ws.json(['apply']);
  expect(statusOf(second.report, 'ours')).toBe('delete');
  expect(statusOf(second.report, 'adopted')).toBe('retired');
  expect(statusOf(second.report, 'edited-after')).toBe('retired');
  const names = await targetNames(dst);
  expect(names).not.toContain('ours');
  expect(names).toEqual(expect.arrayContaining(['adopted', 'target-only', 'edited-after']));
  expect(emulator.vault(dst).secrets.deleted.has('ours')).toBe(true);
  expect(emulator.vault(dst).counters.byOperation['DELETE deletedsecrets/:name'] ?? 0).toBe(0);
});

test("propagate_deletes at Azure's delete window: the run waits the delete out; the name back on the source is then blocked as soft-deleted, never purged", async () => {
  const { src, dst } = vaultPair(emulator);
  emulator.setWindows(dst, { deleteMs: 3000, recoverMs: 3000, purgeMs: 2000 });
  // The product waits on its clock; here a wait is the service's time passing, so no test sleeps for real.
  const waits = jest.spyOn(systemClock, 'sleep').mockImplementation(async (ms) => emulator.clock.advance(ms));
  try {
    put(src, 'ours', { value: 'o' });
    const ws = new Workspace().writeConfig(replication(src, [dst], { propagate_deletes: true }));
    await ws.json(['apply']);
    purgeGone(src, 'ours');
    await ws.json(['apply']);
    const deleted = await ws.json(['apply']);
    expect(statusOf(deleted.report, 'ours')).toBe('delete');
    expect(await targetNames(dst)).not.toContain('ours');
    put(src, 'ours', { value: 'back' });
    const back = await ws.json(['apply']);
    expect(statusOf(back.report, 'ours')).toBe('blocked_target_soft_deleted');
    expect(emulator.vault(dst).counters.byOperation['DELETE deletedsecrets/:name'] ?? 0).toBe(0);
  } finally {
    waits.mockRestore();
  }
});

test('without propagate_deletes nothing in the target is deleted; a source soft-delete is never propagated', async () => {
  const { src, dst } = vaultPair(emulator);
  const dst2 = addVault(emulator, uniqueVault('dst'), 'westeurope');
  put(src, 'a', { value: 'a' });
  put(src, 'b', { value: 'b' });
  const off = new Workspace().writeConfig(replication(src, [dst]));
  const on = new Workspace().writeConfig(replication(src, [dst2], { propagate_deletes: true }));
  await off.json(['apply']);
  await on.json(['apply']);
  purgeGone(src, 'a');
  emulator.invoke(src, 'DELETE', 'secrets/b');
  for (let i = 0; i < 3; i++) {
    await off.json(['apply']);
    await on.json(['apply']);
  }
  const last = await on.json(['apply']);
  expect(statusOf(last.report, 'b')).toBe('source_soft_deleted');
  expect(await targetNames(dst)).toEqual(expect.arrayContaining(['a', 'b']));
  expect(await targetNames(dst2)).toContain('b');
  expect(Object.keys(emulator.vault(dst).counters.byOperation).filter((op) => op.startsWith('DELETE'))).toEqual([]);
});

test('a fresh pair lists a soft-deleted source item as source_soft_deleted, with its reason; nothing is written', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'live', { value: 'l' });
  put(src, 'gone-before', { value: 'g' });
  emulator.invoke(src, 'DELETE', 'secrets/gone-before');
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  emulator.resetCounters();
  const plan = await ws.json(['plan']);
  const record = plan.report.pairs[0]!.records.find((r) => r.name === 'gone-before');
  expect(record).toMatchObject({
    status: 'source_soft_deleted',
    reason: expect.stringMatching(/recoverable on the source/),
  });
  // One listing of the source's deleted secrets, no read per item.
  expect(emulator.vault(src).counters.byOperation['GET deletedsecrets'] ?? 0).toBe(1);
  expect(emulator.vault(src).counters.byOperation['GET deletedsecrets/:name'] ?? 0).toBe(0);
  const applied = await ws.json(['apply']);
  expect(statusOf(applied.report, 'gone-before')).toBe('source_soft_deleted');
  expect(statusOf(applied.report, 'live')).toBe('create');
  expect(await targetNames(dst)).toEqual(['live']);
  expect(statusOf((await ws.json(['apply'])).report, 'gone-before')).toBe('source_soft_deleted');
});

test('under a tag rule a soft-deleted source item the state never knew is not listed (its tags cannot be read)', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'in-scope', { value: 'i', tags: { replicate: 'true' } });
  put(src, 'unrelated-old', { value: 'u' });
  emulator.invoke(src, 'DELETE', 'secrets/unrelated-old');
  const ws = new Workspace().writeConfig(replication(src, [dst], { rule: { tagged: 'replicate=true' } }));
  const plan = await ws.json(['plan']);
  expect(plan.report.pairs[0]!.records.map((r) => [r.name, r.status])).toEqual([['in-scope', 'create']]);
});

test('mass-delete guard holds back more deletes than max_deletes until approved', async () => {
  const { src, dst } = vaultPair(emulator);
  for (let i = 0; i < 4; i++) put(src, `bulk-${i}`, { value: `${i}` });
  const ws = new Workspace().writeConfig(replication(src, [dst], { propagate_deletes: true, max_deletes: 2 }));
  await ws.json(['apply']);
  for (let i = 0; i < 4; i++) purgeGone(src, `bulk-${i}`);
  await ws.json(['apply']);
  const held = await ws.json(['apply']);
  expect(held.code).toBe(1);
  expect(held.report.errors[0]!.code).toBe('KVR040');
  expect(await targetNames(dst)).toHaveLength(4);
  const approved = await ws.json(['apply', '--approve-deletes']);
  expect(approved.report.pairs[0]!.counts.delete).toBe(4);
  expect(await targetNames(dst)).toHaveLength(0);
});

test('several targets, each with its own records and state; targets_from_tag reads them from the source vault', async () => {
  const t1 = addVault(emulator, uniqueVault('t1'), 'westeurope');
  const t2 = addVault(emulator, uniqueVault('t2'), 'eastus');
  const src = addVault(emulator, uniqueVault('src'), 'westeurope', { tags: { dst_key_vault_names: `${t1}, ${t2}` } });
  put(src, 'shared', { value: 's' });
  put(t2, 'shared', { value: 'different' });
  const ws = new Workspace().writeConfig({
    version: 1,
    replications: [
      {
        name: 'fan-out',
        source: src,
        targets_from_tag: 'dst_key_vault_names',
        allowed_targets: ['t1-*', 't2-*'],
        types: ['secrets'],
        rule: { all: true },
      },
    ],
  });
  const r = await ws.json(['apply']);
  expect(r.report.pairs.map((p) => p.target)).toEqual([t1, t2]);
  expect(statusOf(r.report, 'shared', t1)).toBe('create');
  expect(statusOf(r.report, 'shared', t2)).toBe('blocked_target_conflict');
  expect(Object.keys(ws.state().pairs).sort()).toEqual([`fan-out/${t1}`, `fan-out/${t2}`].sort());
});

test('--only replicates just the named items and reads nothing else', async () => {
  const { src, dst } = vaultPair(emulator);
  for (let i = 0; i < 30; i++) put(src, `many-${i}`, { value: `${i}` });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  emulator.resetCounters();
  const r = await ws.json(['apply', '--only', 'secret/many-7']);
  expect(r.report.pairs[0]!.records.map((x) => `${x.name}:${x.status}`)).toEqual(['many-7:create']);
  expect(await targetNames(dst)).toEqual(['many-7']);
  // Its value, once; after the write, its versions' metadata: the check that the source had not moved on meanwhile.
  expect(emulator.vault(src).counters.valueReads).toBe(1);
  expect(emulator.vault(src).counters.byOperation['GET secrets/:name/versions']).toBe(1);
  expect(emulator.vault(src).counters.byOperation['GET secrets'] ?? 0).toBe(0);
});

test('the correlation id is sent to Azure as x-ms-client-request-id and kept in the state', async () => {
  const { src, dst } = vaultPair(emulator);
  // Written a minute before the run (by the system's clock: other tests of this file move the emulator's ahead), so
  // the record is settled at once rather than compared again (recheck) while the source's second may still change.
  emulator.clock.backdated(60_000, () => put(src, 'c', { value: 'c' }));
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const r = await ws.json(['apply']);
  expect(r.report.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  expect([...emulator.vault(dst).counters.clientRequestIds]).toEqual([r.report.correlationId]);
  expect([...emulator.vault(src).counters.clientRequestIds]).toEqual([r.report.correlationId]);
  // The state names the run that last changed it (records no longer carry it: each is one line on the state branch).
  const saved = Object.values(ws.state().pairs)[0] as unknown as { correlationId: string };
  expect(saved.correlationId).toBe(r.report.correlationId);
  // The next run records the copy as in sync (it was `create`), once the second of the write is over (`updated` has
  // whole seconds: a later edit in it would not show): from then on a no-op run leaves the file be. The product reads
  // the service's clock here (other tests of this file move it ahead), and 2 s pass for both, so that this holds
  // whatever the machine's speed.
  const now = jest.spyOn(systemClock, 'now').mockImplementation(() => emulator.clock.now());
  try {
    emulator.clock.advance(2000);
    await ws.json(['apply']);
    const settled = readFileSync(ws.statePath, 'utf8');
    expect(settled).not.toMatch(/"(recheck|targetRecheck)":true/);
    const noop = await ws.json(['apply']);
    expect(noop.report.totals).toMatchObject({ in_sync: 1 });
    expect(readFileSync(ws.statePath, 'utf8')).toBe(settled);
    // And it says so, rather than "state saved".
    expect(noop.stderr).toContain('state unchanged for 1 pair(s): nothing to save');
    expect(noop.stderr).not.toContain('state saved');
  } finally {
    now.mockRestore();
  }
});
