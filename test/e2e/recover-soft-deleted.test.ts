import { SecretClient } from '@azure/keyvault-secrets';
import { jest } from '@jest/globals';
import { systemClock } from '../../src/hosts/shared/system-clock.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { ADMIN, credentialFor, vaultUrl, emulatorPerFile } from '../support/world.ts';
import { replication, startReplicationWorld, statusOf, Workspace, vaultPair } from '../support/replication-world.ts';

/*
 * recover_soft_deleted (issue 15 §2), through the CLI against the emulator at Azure's windows: a name deleted by hand
 * in the target is recovered (and waited for) when the deleted item is the copy this tool wrote, or when acknowledged;
 * anything else stays blocked; nothing is ever purged.
 */
const emulator = emulatorPerFile(() => startReplicationWorld());

const put = (vault: string, name: string, body: Record<string, unknown>) => putSecret(emulator, vault, name, body);
const deleteByHand = (vault: string, name: string) => emulator.invoke(vault, 'DELETE', `secrets/${name}`);
const value = async (vault: string, name: string) =>
  (await new SecretClient(vaultUrl(vault), credentialFor(ADMIN)).getSecret(name)).value;
const record = (r: { pairs: { records: { name: string }[] }[] }, name: string) =>
  r.pairs.flatMap((p) => p.records).find((x) => x.name === name) as Record<string, unknown> | undefined;
const ops = (vault: string) => emulator.vault(vault).counters.byOperation;

let waits: ReturnType<typeof jest.spyOn>;
beforeEach(() => {
  // The product waits on its clock; here a wait is the service's time passing, so no test sleeps for real.
  waits = jest.spyOn(systemClock, 'sleep').mockImplementation(async (ms) => emulator.clock.advance(ms));
  // Only a signed record proves a deleted item is this tool's write (recover_soft_deleted's proof): a state key.
  process.env.KEYVAULT_REPLICATE_STATE_KEY = `state-key-${crypto.randomUUID()}`;
});
afterEach(() => {
  waits.mockRestore();
  delete process.env.KEYVAULT_REPLICATE_STATE_KEY;
});

test('recover_soft_deleted: the copy this tool wrote, deleted by hand, is recovered, waited for and written; another item stays blocked until acknowledged; nothing is purged', async () => {
  const { src, dst } = vaultPair(emulator);
  emulator.setWindows(dst, { deleteMs: 3000, recoverMs: 3000, purgeMs: 2000 });
  put(src, 'ours', { value: 'o1' });
  put(src, 'theirs', { value: 's1' });
  put(dst, 'theirs', { value: 'written by hand in the target' });
  const ws = new Workspace().writeConfig(replication(src, [dst], { recover_soft_deleted: true }));
  const first = await ws.json(['apply']);
  expect(statusOf(first.report, 'ours')).toBe('create');
  expect(statusOf(first.report, 'theirs')).toBe('blocked_target_conflict');

  deleteByHand(dst, 'ours');
  deleteByHand(dst, 'theirs');
  emulator.clock.advance(4000);
  put(src, 'ours', { value: 'o2' });

  // A plan says what apply would do, and recovers nothing.
  const plan = await ws.json(['plan']);
  expect(record(plan.report, 'ours')).toMatchObject({ status: 'create', action: 'recover' });
  expect(statusOf(plan.report, 'theirs')).toBe('blocked_target_soft_deleted');
  expect(ops(dst)['POST deletedsecrets/:name/recover'] ?? 0).toBe(0);

  const applied = await ws.json(['apply']);
  expect(applied.code).toBe(0);
  expect(record(applied.report, 'ours')).toMatchObject({
    status: 'create',
    action: 'recover',
    reason: expect.stringContaining('the deleted item is the copy this tool wrote'),
  });
  expect(record(applied.report, 'theirs')).toMatchObject({
    status: 'blocked_target_soft_deleted',
    reason: expect.stringContaining('recovers it only when acknowledged'),
  });
  expect(await value(dst, 'ours')).toBe('o2');
  // Recovered, not recreated: the version this tool wrote first is still there, under the new one.
  const versions = [];
  for await (const v of new SecretClient(vaultUrl(dst), credentialFor(ADMIN)).listPropertiesOfSecretVersions('ours'))
    versions.push(v.version);
  expect(versions).toHaveLength(2);
  expect(emulator.vault(dst).secrets.deleted.has('theirs')).toBe(true);

  const next = await ws.json(['apply']);
  expect(statusOf(next.report, 'ours')).toBe('in_sync');

  const acknowledged = await ws.json(['apply', '--acknowledge', 'theirs']);
  expect(record(acknowledged.report, 'theirs')).toMatchObject({ status: 'create', action: 'recover' });
  expect(await value(dst, 'theirs')).toBe('s1');
  expect(ops(dst)['POST deletedsecrets/:name/recover']).toBe(2);
  expect(Object.keys(ops(dst)).filter((op) => op.startsWith('DELETE deleted'))).toEqual([]);
});

test('without recover_soft_deleted the same copy stays blocked, and nothing is recovered', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'ours', { value: 'o1' });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  await ws.json(['apply']);
  deleteByHand(dst, 'ours');
  emulator.clock.advance(4000);
  const r = await ws.json(['apply']);
  expect(statusOf(r.report, 'ours')).toBe('blocked_target_soft_deleted');
  expect(ops(dst)['POST deletedsecrets/:name/recover'] ?? 0).toBe(0);
});
