import { latest } from '../../emulator/model.ts';
import {
  addVault,
  replication,
  startReplicationWorld,
  statusOf,
  uniqueVault,
  Workspace,
} from '../support/replication-world.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';

// What one run may do beyond the pair it plans: targeted runs, several pairs into one target, types it did not plan.
const emulator = emulatorPerFile(() => startReplicationWorld());

const disable = (vault: string, name: string) =>
  emulator.invoke(vault, 'PATCH', `secrets/${name}/`, { attributes: { enabled: false } });
const enabledIn = (vault: string, name: string) =>
  latest(emulator.vault(vault).secrets.live.get(name)!).attributes.enabled;

test('a targeted run (an event, --only) never disables: item by item, the mass-delete guard would see one at a time', async () => {
  const src = addVault(emulator, uniqueVault('osrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('odst'), 'westeurope');
  const names = ['one', 'two', 'three', 'four'];
  for (const n of names) putSecret(emulator, src, n, n);
  const ws = new Workspace().writeConfig(replication(src, [dst], { max_deletes: 1 }));
  await ws.json(['apply']);
  for (const n of names) disable(src, n);
  for (const n of names) {
    const r = await ws.json(['apply', '--only', `secret/${n}`]);
    expect(r.report.pairs[0]!.records).toEqual([
      expect.objectContaining({
        name: n,
        status: 'source_disabled',
        reason: expect.stringContaining('a targeted run never disables'),
      }),
    ]);
  }
  expect(names.filter((n) => !enabledIn(dst, n))).toEqual([]);
  // The full run sees all four together, and the guard holds them.
  expect((await ws.json(['apply'])).report.totals).toEqual({ held_back: 4 });
});

test('two replications into one target: the second sees what the first wrote in the same run, and does not write over it', async () => {
  const a = addVault(emulator, uniqueVault('asrc'), 'westeurope');
  const b = addVault(emulator, uniqueVault('bsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('shared'), 'westeurope');
  putSecret(emulator, a, 'api-key', 'from-a');
  putSecret(emulator, b, 'api-key', 'from-b');
  const pair = (name: string, source: string) => ({
    name,
    source,
    targets: [dst],
    types: ['secrets'],
    rule: { all: true },
  });
  const r = await new Workspace()
    .writeConfig({ version: 1, replications: [pair('a-dr', a), pair('b-dr', b)] })
    .json(['apply']);
  expect(r.report.pairs.map((p) => `${p.replication}:${p.records.map((x) => x.status).join()}`)).toEqual([
    'a-dr:create',
    'b-dr:blocked_target_conflict',
  ]);
  expect(
    emulator
      .vault(dst)
      .secrets.live.get('api-key')!
      .versions.map((v) => v.value),
  ).toEqual(['from-a']);
});

test('records of item types a run does not plan are kept, not forgotten', async () => {
  const src = addVault(emulator, uniqueVault('tsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('tdst'), 'westeurope');
  putSecret(emulator, src, 'db', 'v');
  emulator.invoke(src, 'POST', 'keys/signing/create', { kty: 'RSA' });
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['secrets', 'keys'] }));
  await ws.json(['apply']);
  const keyRecord = Object.values(ws.state().pairs)[0]!.records['key/signing'];
  expect(keyRecord).toMatchObject({ status: 'create', replicatedByUs: true });
  ws.writeConfig(replication(src, [dst], { types: ['secrets'] }));
  expect(statusOf((await ws.json(['apply'])).report, 'db')).toBe('in_sync');
  expect(Object.values(ws.state().pairs)[0]!.records['key/signing']).toEqual(keyRecord);
});
