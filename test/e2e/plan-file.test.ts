import { jest } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/hosts/shared/system-clock.ts';
import { canonicalJson } from '../../src/state/state-codec.ts';
import { liveSecretNames, putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';
import { REPLICATOR, replication, startReplicationWorld, vaultPair, Workspace } from '../support/replication-world.ts';

// Issue 15, part 1: apply exactly what was reviewed.
const emulator = emulatorPerFile(() => startReplicationWorld());
const KEY = { KEYVAULT_REPLICATE_STATE_KEY: 'k'.repeat(40) };
const put = (vault: string, name: string, value: string) => putSecret(emulator, vault, name, { value });
const valueOf = (vault: string, name: string) =>
  (emulator.invoke(vault, 'GET', `secrets/${name}`) as { value: string }).value;

async function planned(ws: Workspace): Promise<string> {
  const file = join(ws.dir, 'plan.json');
  const plan = await ws.cli(['plan', '--plan-file', file, '--json'], REPLICATOR, { env: KEY });
  expect(plan.code).toBe(0);
  return file;
}

test('apply --plan-file applies what was reviewed and holds back a source changed since (held_back_plan_changed)', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'reviewed', 'v1');
  put(src, 'changed', 'v1');
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const file = await planned(ws);
  const text = readFileSync(file, 'utf8');
  expect(text).not.toContain('v1');
  expect(JSON.parse(text)).toEqual(
    expect.objectContaining({ format: 'keyvault-replicate-plan', signature: expect.stringMatching(/^hmac-sha256:/) }),
  );

  emulator.clock.advance(60_000);
  put(src, 'changed', 'v2 nobody reviewed');
  put(src, 'added-later', 'new');
  const apply = await ws.cli(['apply', '--plan-file', file, '--json'], REPLICATOR, { env: KEY });
  const report = JSON.parse(apply.stdout) as {
    totals: Record<string, number>;
    pairs: { records: { name: string; status: string; reason: string }[] }[];
  };
  expect(report.totals).toEqual({ create: 1, held_back_plan_changed: 2 });
  const byName = Object.fromEntries(report.pairs[0]!.records.map((r) => [r.name, r]));
  expect(byName.changed!.reason).toMatch(/source changed since the plan was reviewed/);
  expect(byName['added-later']!.reason).toMatch(/reviewed plan did not have it/);
  expect(liveSecretNames(emulator, dst)).toEqual(['reviewed']);
  expect(valueOf(dst, 'reviewed')).toBe('v1');
  expect(apply.stderr).toMatch(/held_back_plan_changed/);

  // A plain apply afterwards copies the rest: the held-back records were remembered as nothing done.
  const later = await ws.json(['apply']);
  expect(later.report.totals).toEqual({ create: 2, in_sync: 1 });
});

test('a plan file edited by hand is refused (KVR060) and nothing is written', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'one', 'v1');
  put(src, 'two', 'v1');
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const file = await planned(ws);
  const plan = JSON.parse(readFileSync(file, 'utf8'));
  plan.pairs[0].records = plan.pairs[0].records.filter((r: { name: string }) => r.name === 'one');
  writeFileSync(file, JSON.stringify(plan));
  const apply = await ws.cli(['apply', '--plan-file', file], REPLICATOR);
  expect(apply.code).toBe(2);
  expect(apply.stderr).toMatch(/KVR063/); // without the key: no plan file at all
  const applyKeyed = await ws.cli(['apply', '--plan-file', file], REPLICATOR, { env: KEY });
  expect(applyKeyed.code).toBe(2);
  expect(applyKeyed.stderr).toMatch(/KVR060: the plan file .* is refused: its signature does not verify/);
  expect(liveSecretNames(emulator, dst)).toEqual([]);
});

test('an edited plan re-signed with the state key itself (as a state file is signed) is refused: plan files have their own derived key', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'one', 'v1');
  put(src, 'two', 'v1');
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const file = await planned(ws);
  const { signature: _signature, ...body } = JSON.parse(readFileSync(file, 'utf8'));
  body.pairs[0].records = body.pairs[0].records.filter((r: { name: string }) => r.name === 'one');
  const stateStyle = createHmac('sha256', KEY.KEYVAULT_REPLICATE_STATE_KEY)
    .update(canonicalJson(body))
    .digest('base64url');
  writeFileSync(file, JSON.stringify({ ...body, signature: `hmac-sha256:${stateStyle}` }));
  const apply = await ws.cli(['apply', '--plan-file', file], REPLICATOR, { env: KEY });
  expect(apply.code).toBe(2);
  expect(apply.stderr).toMatch(/KVR060: the plan file .* is refused: its signature does not verify/);
  expect(liveSecretNames(emulator, dst)).toEqual([]);
});

test('a plan file made with another config is refused (KVR061); one from 8 days ago too (KVR062)', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'one', 'v1');
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const file = await planned(ws);
  ws.writeConfig(replication(src, [dst], { exclude: ['nothing-*'] }));
  const other = await ws.cli(['apply', '--plan-file', file], REPLICATOR, { env: KEY });
  expect(other.code).toBe(2);
  expect(other.stderr).toMatch(/KVR061/);
  ws.writeConfig(replication(src, [dst]));
  const now = Date.now();
  const spy = jest.spyOn(Date, 'now').mockReturnValue(now + 8 * 86_400_000);
  try {
    const old = await ws.cli(['apply', '--plan-file', file], REPLICATOR, { env: KEY });
    expect(old.stderr).toMatch(/KVR062/);
    expect(old.code).toBe(2);
  } finally {
    spy.mockRestore();
  }
  expect(liveSecretNames(emulator, dst)).toEqual([]);
});

test('apply --plan-file writes the reviewed source version only: one put as the target write arrives is not copied', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'raced', 'v1');
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const file = await planned(ws);
  emulator.clock.advance(60_000);
  // Just as apply's write of the reviewed v1 reaches the target, the source gets a version nobody reviewed.
  let raced = false;
  emulator.hold = (r) => {
    if (raced || r.vault !== dst || r.method !== 'PUT' || r.path !== '/secrets/raced') return undefined;
    raced = true;
    emulator.clock.advance(60_000);
    put(src, 'raced', 'v2 NOBODY REVIEWED');
    return undefined;
  };
  try {
    const apply = await ws.cli(['apply', '--plan-file', file, '--json'], REPLICATOR, { env: KEY });
    expect(raced).toBe(true);
    const report = JSON.parse(apply.stdout) as { totals: Record<string, number> };
    expect(report.totals).toEqual({ create: 1 });
  } finally {
    emulator.hold = undefined;
  }
  const versions = emulator
    .vault(dst)
    .secrets.live.get('raced')!
    .versions.map((v) => v.value);
  expect(versions).toEqual(['v1']);
  // The newer version is the next plan's, to review.
  const next = await ws.cli(['plan', '--json'], REPLICATOR, { env: KEY });
  expect(JSON.parse(next.stdout).totals).toEqual({ update: 1 });
});

describe('recover_soft_deleted with a plan file', () => {
  let waits: ReturnType<typeof jest.spyOn>;
  beforeEach(() => {
    waits = jest.spyOn(systemClock, 'sleep').mockImplementation(async (ms) => emulator.clock.advance(ms));
  });
  afterEach(() => waits.mockRestore());

  async function deletedInTarget() {
    const { src, dst } = vaultPair(emulator);
    put(src, 'gone', 's1');
    put(dst, 'gone', 'by hand');
    emulator.invoke(dst, 'DELETE', 'secrets/gone');
    emulator.clock.advance(60_000);
    const ws = new Workspace().writeConfig(replication(src, [dst], { recover_soft_deleted: true }));
    const file = join(ws.dir, 'plan.json');
    const args = (mode: string) => [mode, '--plan-file', file, '--acknowledge', 'gone', '--json'];
    const plan = await ws.cli(args('plan'), REPLICATOR, { env: KEY });
    expect(plan.code).toBe(0);
    const recover = JSON.parse(readFileSync(file, 'utf8')).pairs[0].records[0];
    expect(recover).toMatchObject({ action: 'recover', source: { version: expect.any(String) } });
    expect(recover.target).toEqual({ version: expect.any(String), updatedOn: expect.any(Number) });
    const apply = async () => {
      const run = await ws.cli(args('apply'), REPLICATOR, { env: KEY });
      expect(run.stderr).not.toMatch(/KVR060/);
      return JSON.parse(run.stdout) as { pairs: { records: { status: string; action: string; reason: string }[] }[] };
    };
    return { src, dst, apply };
  }

  test('a reviewed recover is applied: the deleted name is recovered and the reviewed source version written', async () => {
    const { dst, apply } = await deletedInTarget();
    const report = await apply();
    expect(report.pairs[0]!.records[0]).toMatchObject({ status: 'create', action: 'recover' });
    expect(valueOf(dst, 'gone')).toBe('s1');
  });

  test('a recover whose deleted target changed since the plan is held back, nothing recovered', async () => {
    const { dst, apply } = await deletedInTarget();
    emulator.invoke(dst, 'POST', 'deletedsecrets/gone/recover');
    emulator.clock.advance(60_000);
    put(dst, 'gone', 'by hand again');
    emulator.invoke(dst, 'DELETE', 'secrets/gone');
    emulator.clock.advance(60_000);
    const report = await apply();
    expect(report.pairs[0]!.records[0]).toMatchObject({
      status: 'held_back_plan_changed',
      reason: expect.stringMatching(/target changed since the plan was reviewed/),
    });
    expect(liveSecretNames(emulator, dst)).toEqual([]);
  });
});
