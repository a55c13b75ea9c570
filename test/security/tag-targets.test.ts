import { addVault, startReplicationWorld, uniqueVault, Workspace } from '../support/replication-world.ts';
import { emulatorPerFile } from '../support/world.ts';

// Issue 11, item 6: writing a tag on the source vault is a control-plane right; it must not decide where secrets go.
const emulator = emulatorPerFile(() => startReplicationWorld());

test('a targets tag naming a vault outside allowed_targets is reported and never written; a name given twice runs once', async () => {
  const dr = addVault(emulator, uniqueVault('dr'), 'westeurope');
  const rogue = addVault(emulator, uniqueVault('rogue'), 'westeurope');
  const src = addVault(emulator, uniqueVault('src'), 'westeurope', {
    tags: { dst_key_vault_names: `${dr}, ${rogue},${dr.toUpperCase()}, not a vault!` },
  });
  emulator.invoke(src, 'PUT', 'secrets/db-password', { value: 'p' });
  const ws = new Workspace().writeConfig({
    version: 1,
    replications: [
      {
        name: 'fan-out',
        source: src,
        targets_from_tag: 'dst_key_vault_names',
        allowed_targets: ['dr-*'],
        types: ['secrets'],
        rule: { all: true },
      },
    ],
  });
  emulator.resetCounters();

  const r = await ws.json(['apply']);

  expect(emulator.vault(rogue).counters.requests).toBe(0);
  expect(emulator.vault(rogue).secrets.live.size).toBe(0);
  expect(r.report.pairs.map((p) => `${p.target}:${p.counts.create}`)).toEqual([`${dr}:1`]);
  expect(r.code).toBe(1);
  expect(r.report.errors.map((e) => e.code)).toEqual(['KVR042', 'KVR042']);
  expect(r.report.errors[0]!.message).toContain(
    `names "${rogue}", which allowed_targets does not allow; nothing was read for it or written to it`,
  );
  expect(r.report.errors[1]!.message).toContain('names "not a vault!", which is not a vault name');
  expect(Object.keys(ws.state().pairs)).toEqual([`fan-out/${dr}`]);
});
