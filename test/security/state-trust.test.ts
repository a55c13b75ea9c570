import { readFileSync, writeFileSync } from 'node:fs';
import { latest } from '../../emulator/model.ts';
import {
  addVault,
  REPLICATOR,
  replication,
  startReplicationWorld,
  statusOf,
  uniqueVault,
  Workspace,
} from '../support/replication-world.ts';
import { deleteRequests, liveSecretNames, putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';
import { systemClock } from '../../src/hosts/shared/system-clock.ts';
import { jest } from '@jest/globals';

// The state is memory, not authority: whoever can write it (the state branch, the CLI's file) must not be able to make
// the tool delete, overwrite, disable or purge what it cannot prove, live, it wrote and nobody changed.
const emulator = emulatorPerFile(() => startReplicationWorld());

type StateFile = { pairs: Record<string, { records: Record<string, Record<string, unknown>> }> };
const put = (vault: string, name: string, value: string) => putSecret(emulator, vault, name, value);
const disable = (vault: string, name: string) =>
  emulator.invoke(vault, 'PATCH', `secrets/${name}/`, { attributes: { enabled: false } });
const live = (vault: string) => liveSecretNames(emulator, vault);
const valueOf = (vault: string, name: string) => latest(emulator.vault(vault).secrets.live.get(name)!).value;
const deletes = (vault: string) => deleteRequests(emulator, vault);
const fakeVersion = () => crypto.randomUUID().replaceAll('-', '');

/** Edits the CLI's state file as someone with write access to it would, then saves it back. */
function forge(ws: Workspace, edit: (records: Record<string, Record<string, unknown>>) => void): void {
  const file = JSON.parse(readFileSync(ws.statePath, 'utf8')) as StateFile;
  edit(Object.values(file.pairs)[0]!.records);
  writeFileSync(ws.statePath, JSON.stringify(file));
}

function pairWith(names: string[], extra: Record<string, unknown> = {}) {
  const src = addVault(emulator, uniqueVault('tsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('tdst'), 'westeurope');
  for (const n of names) put(src, n, `value-of-${n}`);
  const ws = new Workspace().writeConfig(replication(src, [dst], extra));
  return { src, dst, ws };
}

test('forged records under keys no source item has, and padding, delete nothing: every record is checked, deletes need live proof', async () => {
  const names = Array.from({ length: 8 }, (_, i) => `live-${i}`);
  const { dst, ws } = pairWith(names, { propagate_deletes: true, max_deletes: 10 });
  expect((await ws.json(['apply'])).report.totals).toEqual({ create: 8 });
  forge(ws, (records) => {
    for (const n of names)
      records[`secret/zz-${n}`] = {
        ...records[`secret/${n}`],
        missingRuns: 1,
        status: 'missing_once',
        replicatedByUs: true,
      };
    for (let i = 0; i < 40; i++)
      records[`secret/pad-${i}`] = {
        type: 'secret',
        name: `pad-${i}`,
        status: 'in_sync',
        replicatedByUs: true,
        targetVersion: fakeVersion(),
        missingRuns: 0,
        lastCorrelationId: 'x',
      };
  });
  emulator.resetCounters();
  const r = await ws.json(['apply']);
  expect(deletes(dst)).toBe(0);
  expect(live(dst)).toEqual(names);
  expect(r.code).toBe(0);
  // The 8 copies under forged keys are dropped and reported; the padding only waits a run.
  expect(r.report.warnings.map((w) => w.code)).toEqual(['KVR054']);
  expect(r.report.warnings[0]!.message).toMatch(
    /8 invalid record\(s\) dropped, their items treated as never seen: "secret\/zz-live-0" \(its key is not secret\/<name>\)/,
  );
  expect(r.report.pairs[0]!.records.filter((x) => x.status === 'delete')).toEqual([]);
  expect(
    Object.keys(ws.state().pairs[Object.keys(ws.state().pairs)[0]!]!.records).filter((k) => k.startsWith('secret/zz-')),
  ).toEqual([]);
});

test('a null record is dropped with a warning; it does not fail the pair', async () => {
  const { dst, ws } = pairWith(['one']);
  await ws.json(['apply']);
  forge(ws, (records) => {
    records['secret/null-one'] = null as unknown as Record<string, unknown>;
  });
  const r = await ws.json(['apply']);
  expect([r.code, r.report.pairs[0]!.records.map((x) => `${x.name}:${x.status}`)]).toEqual([0, ['one:in_sync']]);
  expect(r.report.warnings.map((w) => w.message)).toEqual([
    expect.stringMatching(/KVR054: .*1 invalid record\(s\) dropped.*"secret\/null-one" \(not an object\)/),
  ]);
  expect(live(dst)).toEqual(['one']);
});

test("a forged state cannot make a conflict look like this tool's copy, nor acknowledged", async () => {
  const { src, dst, ws } = pairWith([]);
  put(src, 'clash', 'source value');
  put(dst, 'clash', "the target team's value");
  expect(statusOf((await ws.json(['apply'])).report, 'clash')).toBe('blocked_target_conflict');
  // The conflict's record keeps nothing of the target: no version, no timestamp a forger could copy into "unchanged".
  const kept = Object.values(ws.state().pairs)[0]!.records['secret/clash']!;
  expect([kept.targetVersion, kept.targetUpdatedOn, kept.sourceUpdatedOn]).toEqual([undefined, undefined, undefined]);
  const tries: Record<string, unknown>[] = [
    { status: 'in_sync' },
    { replicatedByUs: true, status: 'in_sync', targetVersion: fakeVersion() },
    { replicatedByUs: true, status: 'create' }, // no version at all: not a record this tool writes
    { acknowledged: true },
    { acknowledgedVersion: fakeVersion() },
  ];
  for (const forged of tries) {
    // Settled (no same-second recheck), so that only what the record says can decide.
    forge(ws, (records) => {
      Object.assign(records['secret/clash']!, forged);
      delete records['secret/clash']!.recheck;
    });
    const r = await ws.json(['apply']);
    expect([JSON.stringify(forged), statusOf(r.report, 'clash')]).toEqual([
      JSON.stringify(forged),
      'blocked_target_conflict',
    ]);
    expect(valueOf(dst, 'clash')).toBe("the target team's value");
  }
});

test('an acknowledgement is bound to the target version it was given for; revoke withdraws one', async () => {
  const { src, dst, ws } = pairWith([]);
  put(src, 'clash', 'source value');
  put(dst, 'clash', 'first hand edit');
  expect(statusOf((await ws.json(['apply', '--acknowledge', 'clash'])).report, 'clash')).toBe('update');
  expect(valueOf(dst, 'clash')).toBe('source value');
  // Someone edits the target copy by hand, within the very second of the tool's write (stamped so here, whatever the
  // machine's speed): `updated` is as the tool recorded it, only the version tells. The old acknowledgement does not
  // cover the new version.
  const written = latest(emulator.vault(dst).secrets.live.get('clash')!).attributes;
  put(dst, 'clash', 'second hand edit');
  Object.assign(latest(emulator.vault(dst).secrets.live.get('clash')!).attributes, {
    created: written.created,
    updated: written.updated,
  });
  expect(statusOf((await ws.json(['apply'])).report, 'clash')).toBe('blocked_target_conflict');
  expect(valueOf(dst, 'clash')).toBe('second hand edit');

  // An acknowledgement whose overwrite failed is remembered for that version, until revoked.
  emulator.setFaults(dst, { writeErrorRate: 1 });
  expect(statusOf((await ws.json(['apply', '--acknowledge', 'clash'])).report, 'clash')).toBe('failed');
  emulator.setFaults(dst, { writeErrorRate: 0 });
  const remembered = Object.values(ws.state().pairs)[0]!.records['secret/clash']!;
  expect(remembered.acknowledgedVersion).toBe(latest(emulator.vault(dst).secrets.live.get('clash')!).version);
  expect(statusOf((await ws.json(['plan'])).report, 'clash')).toBe('update');
  expect(statusOf((await ws.json(['plan', '--revoke', 'clash'])).report, 'clash')).toBe('blocked_target_conflict');
  expect(statusOf((await ws.json(['apply', '--revoke', 'cla*'])).report, 'clash')).toBe('blocked_target_conflict');
  expect(Object.values(ws.state().pairs)[0]!.records['secret/clash']!.acknowledgedVersion).toBeUndefined();
  expect(valueOf(dst, 'clash')).toBe('second hand edit');
});

test('a copy found equal by a version before 0.2 (no version kept) gets its version from one live comparison, and follows the source', async () => {
  const { src, dst, ws } = pairWith(['seeded']);
  put(dst, 'seeded', 'value-of-seeded'); // seeded by hand, equal to the source
  await ws.json(['apply']);
  // As the old version kept it; and settled (no same-second recheck), so that only the missing version can ask for a
  // look.
  forge(ws, (records) => {
    delete records['secret/seeded']!.targetVersion;
    delete records['secret/seeded']!.recheck;
  });
  emulator.resetCounters();
  await ws.json(['apply']);
  expect(emulator.vault(dst).counters.valueReads).toBe(1);
  expect(Object.values(ws.state().pairs)[0]!.records['secret/seeded']!.targetVersion).toBe(
    latest(emulator.vault(dst).secrets.live.get('seeded')!).version,
  );
  put(src, 'seeded', 'rotated');
  expect(statusOf((await ws.json(['apply'])).report, 'seeded')).toBe('update');
  expect(valueOf(dst, 'seeded')).toBe('rotated');
});

test('a forged missing-run count does not skip flap protection', async () => {
  const { src, dst, ws } = pairWith(['flappy'], { propagate_deletes: true });
  await ws.json(['apply']);
  forge(ws, (records) => {
    records['secret/flappy']!.missingRuns = 1;
  });
  emulator.invoke(src, 'DELETE', 'secrets/flappy');
  emulator.invoke(src, 'DELETE', 'deletedsecrets/flappy');
  const r = await ws.json(['apply']);
  expect(live(dst)).toEqual(['flappy']);
  expect(deletes(dst)).toBe(0);
  expect(r.report.warnings.map((w) => w.code)).toEqual(['KVR054']);
});

test('the mass-delete guard counts disables: 20 of 20 source items disabled disable nothing without approval', async () => {
  const names = Array.from({ length: 20 }, (_, i) => `switch-${String(i).padStart(2, '0')}`);
  const { src, dst, ws } = pairWith(names, { max_deletes: 1 });
  await ws.json(['apply']);
  for (const n of names) disable(src, n);
  const held = await ws.json(['apply']);
  expect(held.code).toBe(1);
  expect(held.report.errors.map((e) => e.code)).toEqual(['KVR040']);
  expect(held.report.totals).toEqual({ held_back: 20 });
  expect(names.filter((n) => !latest(emulator.vault(dst).secrets.live.get(n)!).attributes.enabled)).toEqual([]);
  // A plan shows the same hold, without failing.
  const plan = await ws.json(['plan']);
  expect([plan.code, plan.report.totals, plan.report.warnings.map((w) => w.code)]).toEqual([
    0,
    { held_back: 20 },
    ['KVR040'],
  ]);
  const approved = await ws.json(['apply', '--approve-deletes']);
  expect(approved.report.totals).toEqual({ source_disabled: 20 });
  expect(names.filter((n) => latest(emulator.vault(dst).secrets.live.get(n)!).attributes.enabled)).toEqual([]);
});

test('a copy disabled by this tool is only one it wrote and nobody changed since', async () => {
  const { src, dst, ws } = pairWith(['ours', 'edited']);
  await ws.json(['apply']);
  put(dst, 'edited', 'changed by hand in the target');
  disable(src, 'ours');
  disable(src, 'edited');
  const r = await ws.json(['apply']);
  expect(r.report.pairs[0]!.records.map((x) => `${x.name}:${x.status}`).sort()).toEqual([
    'edited:source_disabled',
    'ours:source_disabled',
  ]);
  expect(latest(emulator.vault(dst).secrets.live.get('ours')!).attributes.enabled).toBe(false);
  expect(latest(emulator.vault(dst).secrets.live.get('edited')!).attributes.enabled).toBe(true);
});

test('a copy this tool disabled and a person re-enabled stays enabled', async () => {
  const { src, dst, ws } = pairWith(['paused']);
  await ws.json(['apply']);
  disable(src, 'paused');
  expect(statusOf((await ws.json(['apply'])).report, 'paused')).toBe('source_disabled');
  expect(latest(emulator.vault(dst).secrets.live.get('paused')!).attributes.enabled).toBe(false);
  emulator.clock.advance(1000); // the person's edit lands in a later second than the tool's
  emulator.invoke(dst, 'PATCH', 'secrets/paused/', { attributes: { enabled: true } });
  for (let i = 0; i < 3; i++) await ws.json(['apply']);
  expect(latest(emulator.vault(dst).secrets.live.get('paused')!).attributes.enabled).toBe(true);
});

test('recreate_keys never deletes or purges a key this tool did not restore, and needs purge rights up front', async () => {
  const src = addVault(emulator, uniqueVault('ksrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('kdst'), 'westeurope');
  emulator.invoke(src, 'POST', 'keys/signing/create', { kty: 'RSA' });
  emulator.invoke(dst, 'POST', 'keys/signing/create', { kty: 'RSA' });
  const theirs = latest(emulator.vault(dst).keys.live.get('signing')!).version;
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['keys'], recreate_keys: true }));
  const plan = await ws.json(['plan']);
  expect(statusOf(plan.report, 'signing')).toBe('blocked_target_conflict');
  emulator.resetCounters();
  const r = await ws.json(['apply']);
  expect(statusOf(r.report, 'signing')).toBe('blocked_target_conflict');
  expect(deletes(dst)).toBe(0);
  expect(latest(emulator.vault(dst).keys.live.get('signing')!).version).toBe(theirs);

  // An access-policy target that may restore keys but not purge them fails validation before anything is touched.
  const policyTarget = addVault(emulator, uniqueVault('kpol'), 'westeurope', {
    enableRbacAuthorization: false,
    accessPolicies: [
      { objectId: REPLICATOR.objectId, permissions: { keys: ['get', 'list', 'restore', 'update', 'delete'] } },
    ],
  });
  emulator.resetCounters();
  const refused = await new Workspace()
    .writeConfig(replication(src, [policyTarget], { types: ['keys'], recreate_keys: true }))
    .json(['apply']);
  expect(refused.code).toBe(2);
  expect(refused.report.errors[0]!.code).toBe('KVR022');
  expect(refused.report.errors[0]!.message).toContain(
    `${policyTarget} (target, keys): the access policy lacks keys purge`,
  );
  expect(emulator.vault(policyTarget).counters.requests).toBe(0);
});

/** Runs with KEYVAULT_REPLICATE_STATE_KEY set, as a workflow with state-key would. */
async function withStateKey<T>(key: string, fn: () => Promise<T>): Promise<T> {
  process.env.KEYVAULT_REPLICATE_STATE_KEY = key;
  try {
    return await fn();
  } finally {
    delete process.env.KEYVAULT_REPLICATE_STATE_KEY;
  }
}

function keyPair() {
  const src = addVault(emulator, uniqueVault('ksrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('kdst'), 'westeurope');
  for (const name of ['ours', 'touched']) emulator.invoke(src, 'POST', `keys/${name}/create`, { kty: 'RSA' });
  const rotate = () => {
    for (const name of ['ours', 'touched']) emulator.invoke(src, 'POST', `keys/${name}/create`, { kty: 'RSA' });
    emulator.invoke(dst, 'POST', 'keys/touched/create', { kty: 'RSA' }); // a new version made in the target by hand
  };
  return {
    src,
    dst,
    rotate,
    ws: new Workspace().writeConfig(replication(src, [dst], { types: ['keys'], recreate_keys: true })),
  };
}

test('recreate_keys replaces a key this tool restored and nobody changed, on a signed state', async () => {
  const { src, dst, rotate, ws } = keyPair();
  const key = `state-key-${crypto.randomUUID()}`;
  expect((await withStateKey(key, () => ws.json(['apply']))).report.totals).toEqual({ create: 2 });
  rotate();
  const r = await withStateKey(key, () => ws.json(['apply']));
  expect(statusOf(r.report, 'ours')).toBe('update');
  expect(statusOf(r.report, 'touched')).toBe('blocked_target_conflict');
  expect(latest(emulator.vault(dst).keys.live.get('ours')!).version).toBe(
    latest(emulator.vault(src).keys.live.get('ours')!).version,
  );
});

test("recreate_keys inside Azure's windows (delete 3 s, purge 2 s): the key is deleted, purged and restored in one run", async () => {
  const { src, dst, rotate, ws } = keyPair();
  emulator.setWindows(dst, { deleteMs: 3000, recoverMs: 3000, purgeMs: 2000 });
  // The product waits on its clock; here a wait is the service's time passing, so no test sleeps for real.
  const waits = jest.spyOn(systemClock, 'sleep').mockImplementation(async (ms) => emulator.clock.advance(ms));
  try {
    const key = `state-key-${crypto.randomUUID()}`;
    expect((await withStateKey(key, () => ws.json(['apply']))).report.totals).toEqual({ create: 2 });
    rotate();
    const r = await withStateKey(key, () => ws.json(['apply']));
    expect(r.report.errors).toEqual([]);
    expect(statusOf(r.report, 'ours')).toBe('update');
    expect(latest(emulator.vault(dst).keys.live.get('ours')!).version).toBe(
      latest(emulator.vault(src).keys.live.get('ours')!).version,
    );
    expect(waits).toHaveBeenCalled();
  } finally {
    waits.mockRestore();
  }
});

test('without a state key, recreate_keys never purges: an unsigned record cannot prove this tool restored the key', async () => {
  const { dst, rotate, ws } = keyPair();
  expect((await ws.json(['apply'])).report.totals).toEqual({ create: 2 });
  rotate();
  emulator.resetCounters();
  const r = await ws.json(['apply']);
  expect(deletes(dst)).toBe(0);
  expect(r.report.pairs[0]!.records.find((x) => x.name === 'ours')).toMatchObject({
    status: 'blocked_key_restore_conflict',
    reason: expect.stringContaining('recreate_keys purges only on a signed state'),
  });
});

test('with a state key, state is signed, and a file edited without the key is not used as memory', async () => {
  const { src, dst, ws } = pairWith(['adopted']);
  put(dst, 'adopted', 'value-of-adopted'); // equal to the source: adopted, not written by this tool
  process.env.KEYVAULT_REPLICATE_STATE_KEY = 'k'.repeat(16);
  try {
    const short = await ws.cli(['apply']);
    expect([short.code, short.stderr]).toEqual([
      2,
      expect.stringMatching(/KVR008: KEYVAULT_REPLICATE_STATE_KEY must be at least 32 characters/),
    ]);
    process.env.KEYVAULT_REPLICATE_STATE_KEY = `state-key-${crypto.randomUUID()}`;
    await ws.json(['apply']);
    const file = JSON.parse(readFileSync(ws.statePath, 'utf8')) as { pairs: Record<string, { signature?: string }> };
    expect(Object.values(file.pairs)[0]!.signature).toMatch(/^hmac-sha256:[A-Za-z0-9_-]{43}$/);
    // Someone who can write the state claims the adopted copy as this tool's, hoping for a delete later.
    forge(ws, (records) => {
      records['secret/adopted']!.replicatedByUs = true;
    });
    ws.writeConfig(replication(src, [dst], { propagate_deletes: true }));
    emulator.invoke(src, 'DELETE', 'secrets/adopted');
    emulator.invoke(src, 'DELETE', 'deletedsecrets/adopted');
    for (let i = 0; i < 3; i++) {
      const r = await ws.json(['apply']);
      if (i === 0) expect(r.report.warnings.map((w) => w.code)).toEqual(['KVR053']);
      else expect(r.report.warnings).toEqual([]);
    }
    expect(live(dst)).toEqual(['adopted']);
    expect(deletes(dst)).toBe(0);
  } finally {
    delete process.env.KEYVAULT_REPLICATE_STATE_KEY;
  }
});

test('a state file recorded for another source is not memory for this pair', async () => {
  const { src, dst, ws } = pairWith(['mine'], { propagate_deletes: true });
  const other = addVault(emulator, uniqueVault('tsrc'), 'westeurope');
  put(other, 'theirs', 'v');
  // Another config with the same replication name and target, another source, same state file.
  const sibling = new Workspace().writeConfig(replication(other, [dst], { propagate_deletes: true }));
  await sibling.json(['apply']);
  writeFileSync(ws.statePath, readFileSync(sibling.statePath));
  const runs = [await ws.json(['apply']), await ws.json(['apply'])];
  expect(live(dst)).toEqual(['mine', 'theirs']);
  expect(runs.map((r) => statusOf(r.report, 'theirs'))).toEqual([undefined, undefined]);
  expect(runs.map((r) => r.report.warnings.map((w) => w.code))).toEqual([['KVR052'], []]);
  expect(Object.values(ws.state().pairs)[0]).toMatchObject({ source: src, target: dst });
});
