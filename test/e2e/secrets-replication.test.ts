import { SecretClient } from '@azure/keyvault-secrets';
import { logSafeJson } from '../../src/hosts/shared/log-text.ts';
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

const secrets = (vault: string) => new SecretClient(vaultUrl(vault), credentialFor(ADMIN));
const put = (vault: string, name: string, body: Record<string, unknown>) => putSecret(emulator, vault, name, body);

test('creates missing secrets with value and every attribute, then a re-run reads no value and writes nothing', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'northeurope');
  // Key Vault's `updated` has whole seconds: items listed in the second they changed are rightly compared once more,
  // so these were written a minute before the run.
  emulator.clock.backdated(60_000, () => {
    put(src, 'db-password', {
      value: 'p@ss',
      contentType: 'text/plain',
      tags: { team: 'data', replicate: 'true' },
      attributes: { enabled: true, exp: 1900000000, nbf: 1700000000 },
    });
    put(src, 'api-key', { value: 'k', tags: {} });
  });
  const ws = new Workspace().writeConfig(replication(src, [dst]));

  const first = await ws.json(['apply']);
  expect(first.code).toBe(0);
  expect(statusOf(first.report, 'db-password')).toBe('create');
  const copy = await secrets(dst).getSecret('db-password');
  expect(copy.value).toBe('p@ss');
  expect(copy.properties.contentType).toBe('text/plain');
  expect(copy.properties.tags).toEqual({ team: 'data', replicate: 'true' });
  expect(copy.properties.expiresOn).toEqual(new Date(1900000000 * 1000));
  expect(copy.properties.notBefore).toEqual(new Date(1700000000 * 1000));
  expect(copy.properties.enabled).toBe(true);

  emulator.resetCounters();
  const second = await ws.json(['apply']);
  expect(second.code).toBe(0);
  expect(second.report.pairs[0]!.counts).toEqual({ in_sync: 2 });
  expect(emulator.vault(src).counters.valueReads).toBe(0);
  expect(emulator.vault(dst).counters.valueReads).toBe(0);
  expect(emulator.vault(dst).counters.writes).toBe(0);
});

test('a change on the source updates the copy this tool wrote; plan shows it and writes nothing', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'rotating', { value: 'v1' });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  await ws.json(['apply']);
  emulator.clock.advance(1000); // updatedOn has one-second resolution
  put(src, 'rotating', { value: 'v2' });
  const plan = await ws.json(['plan']);
  expect(statusOf(plan.report, 'rotating')).toBe('update');
  expect((await secrets(dst).getSecret('rotating')).value).toBe('v1');
  const applied = await ws.json(['apply']);
  expect(statusOf(applied.report, 'rotating')).toBe('update');
  expect((await secrets(dst).getSecret('rotating')).value).toBe('v2');
});

test('a target equal to the source is in_sync; a different one not written by us is a conflict until acknowledged', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'same', { value: 's' });
  put(dst, 'same', { value: 's' });
  put(src, 'clash', { value: 'source-value' });
  put(dst, 'clash', { value: 'someone-elses' });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const first = await ws.json(['apply']);
  expect(statusOf(first.report, 'same')).toBe('in_sync');
  expect(statusOf(first.report, 'clash')).toBe('blocked_target_conflict');
  expect((await secrets(dst).getSecret('clash')).value).toBe('someone-elses');

  const acked = await ws.json(['apply', '--acknowledge', 'clash']);
  expect(statusOf(acked.report, 'clash')).toBe('update');
  expect((await secrets(dst).getSecret('clash')).value).toBe('source-value');
  // The overwrite used the acknowledgement up: the target now holds this tool's write, and nothing else is allowed.
  expect(Object.values(ws.state().pairs)[0]!.records['secret/clash']).toMatchObject({
    replicatedByUs: true,
    targetVersion: expect.stringMatching(/^[0-9a-f]{32}$/),
  });
  expect(Object.values(ws.state().pairs)[0]!.records['secret/clash']!.acknowledgedVersion).toBeUndefined();
});

test('overwrite_on_conflict writes over a differing target', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'x', { value: 'mine' });
  put(dst, 'x', { value: 'theirs' });
  const ws = new Workspace().writeConfig(replication(src, [dst], { overwrite_on_conflict: true }));
  const r = await ws.json(['apply']);
  expect(statusOf(r.report, 'x')).toBe('update');
  expect((await secrets(dst).getSecret('x')).value).toBe('mine');
});

test('an initial sync reads each source value once: the check after each write lists versions, it reads no value', async () => {
  const { src, dst } = vaultPair(emulator);
  const names = ['one', 'two', 'three', 'four', 'five'];
  emulator.clock.backdated(60_000, () => names.forEach((n) => put(src, n, { value: `value of ${n}` })));
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  emulator.resetCounters();
  const r = await ws.json(['apply']);
  expect(r.code).toBe(0);
  expect(r.report.pairs[0]!.counts).toEqual({ create: names.length });
  expect(emulator.vault(src).counters.valueReads).toBe(names.length);
  for (const n of names) expect((await secrets(dst).getSecret(n)).value).toBe(`value of ${n}`);
});

test('a rotation between the write and the check is copied in the same run, its value read once more', async () => {
  const { src, dst } = vaultPair(emulator);
  emulator.clock.backdated(60_000, () => put(src, 'rotated', { value: 'v1' }));
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  let rotated = false;
  // The first write of the copy reaches the target just as the source rotates.
  emulator.hold = (r) => {
    if (rotated || r.vault !== dst || r.method !== 'PUT' || r.path !== '/secrets/rotated') return undefined;
    rotated = true;
    emulator.clock.advance(1000);
    put(src, 'rotated', { value: 'v2' });
    return undefined;
  };
  emulator.resetCounters();
  try {
    const r = await ws.json(['apply']);
    expect(rotated).toBe(true);
    expect(statusOf(r.report, 'rotated')).toBe('create');
  } finally {
    emulator.hold = undefined;
  }
  expect(emulator.vault(src).counters.valueReads).toBe(2);
  expect((await secrets(dst).getSecret('rotated')).value).toBe('v2');
});

test('the CLI writes a large JSON report in pieces of about 64 KB, which join to the report as one piece was', async () => {
  const { src, dst } = vaultPair(emulator);
  emulator.clock.backdated(60_000, () => {
    for (let i = 0; i < 600; i++) put(src, `s-${i}`, { value: `v${i}`, tags: { note: 'a\u009b ##vso[x]' } });
  });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const writes: string[] = [];
  const plan = await ws.cli(['plan', '--json'], undefined, { stdout: (t) => void writes.push(t) });
  expect(plan.code).toBe(0);
  const joined = writes.join('');
  const report = JSON.parse(joined) as { pairs: { records: unknown[] }[] };
  expect(report.pairs[0]!.records).toHaveLength(600);
  expect(joined).toBe(`${logSafeJson(report)}\n`);
  // Never the whole report in one write: each is 64 KB and a piece at most.
  expect(writes.length).toBeGreaterThan(1);
  for (const w of writes) expect(w.length).toBeLessThan(64 * 1024 + 4096);
});
