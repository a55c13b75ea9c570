import { writeFileSync } from 'node:fs';
import { putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';
import { replication, startReplicationWorld, statusOf, Workspace, vaultPair } from '../support/replication-world.ts';

/*
 * The Key Vault SDKs send `exp`/`nbf` as 32-bit seconds: 2100-01-01 went out as 1963-11-25T17:31:44Z. Through the CLI,
 * a far date arrives exact, and a copy an earlier version wrote wrong is written again, never reported in sync.
 */
const emulator = emulatorPerFile(() => startReplicationWorld());

const Y2100 = 4102444800; // 2100-01-01T00:00:00Z, seconds
const WRAPPED_2100 = Y2100 | 0; // -192522496: 1963-11-25T17:31:44Z, what an earlier version wrote
const Y9999 = 253402214400; // 9999-12-31T00:00:00Z

type Stored = { id: string; attributes: { exp?: number; nbf?: number; updated: number } };
const stored = (vault: string, name: string) => emulator.invoke(vault, 'GET', `secrets/${name}`) as Stored;

test('a secret expiring 2100-01-01 is copied with exactly that expiry, then stays in sync', async () => {
  const { src, dst } = vaultPair(emulator);
  emulator.clock.backdated(60_000, () => {
    putSecret(emulator, src, 'far', { value: 'v', attributes: { exp: Y2100, nbf: Y9999 } });
  });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const first = await ws.json(['apply']);
  expect(first.code).toBe(0);
  expect(statusOf(first.report, 'far')).toBe('create');
  expect(stored(dst, 'far').attributes).toMatchObject({ exp: Y2100, nbf: Y9999 });

  emulator.clock.advance(60_000);
  emulator.resetCounters();
  const second = await ws.json(['apply']);
  expect(statusOf(second.report, 'far')).toBe('in_sync');
  expect(emulator.vault(dst).counters.writes).toBe(0);
});

test('a copy an earlier version wrote with a wrapped expiry: a conflict without state, an update with its record', async () => {
  const { src, dst } = vaultPair(emulator);
  emulator.clock.backdated(60_000, () => {
    putSecret(emulator, src, 'far', { value: 'v', attributes: { exp: Y2100 } });
    putSecret(emulator, dst, 'far', { value: 'v', attributes: { exp: WRAPPED_2100 } });
  });
  const ws = new Workspace().writeConfig(replication(src, [dst]));

  // No record: the copy differs in its expiry and nobody says who wrote it.
  const stateless = await ws.json(['plan']);
  expect(statusOf(stateless.report, 'far')).toBe('blocked_target_conflict');
  expect(stateless.report.pairs[0]!.records[0]!.reason).toContain('expiry');

  // The record an earlier version left: it wrote this very version and then found it in sync.
  const source = stored(src, 'far');
  const target = stored(dst, 'far');
  await ws.json(['apply']); // writes a state file for the pair (the conflict), patched below as that version left it
  const state = ws.state();
  const [pairKey] = Object.keys(state.pairs);
  const record = state.pairs[pairKey!]!.records['secret/far']!;
  Object.assign(record, {
    status: 'in_sync',
    replicatedByUs: true,
    sourceUpdatedOn: source.attributes.updated * 1000,
    targetUpdatedOn: target.attributes.updated * 1000,
    targetVersion: target.id.split('/').pop(),
  });
  delete (record as { troubleRuns?: number }).troubleRuns; // the conflict's count of runs in trouble: not in sync
  writeFileSync(ws.statePath, JSON.stringify(state));
  expect(stored(dst, 'far').attributes.exp).toBe(WRAPPED_2100);

  const repaired = await ws.json(['apply']);
  expect(repaired.code).toBe(0);
  expect(statusOf(repaired.report, 'far')).toBe('update');
  expect(repaired.report.pairs[0]!.records[0]!.reason).toContain('the copy this tool wrote differs from the source');
  expect(stored(dst, 'far').attributes.exp).toBe(Y2100);

  emulator.clock.advance(60_000);
  expect(statusOf((await ws.json(['apply'])).report, 'far')).toBe('in_sync');
});
