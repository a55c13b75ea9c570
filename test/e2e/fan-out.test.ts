import { putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';
import { addVault, replication, startReplicationWorld, uniqueVault, Workspace } from '../support/replication-world.ts';

// One source, three targets, through the CLI against the emulator: the source's values are read once for all targets.
const emulator = emulatorPerFile(() => startReplicationWorld());

test('one source into three targets: each source value is read once per item, not once per target', async () => {
  const src = addVault(emulator, uniqueVault('fsrc'), 'westeurope');
  const targets = [1, 2, 3].map((i) => addVault(emulator, uniqueVault(`fdst${i}`), 'westeurope'));
  const names = ['alpha', 'bravo', 'charlie', 'delta'];
  emulator.clock.backdated(60_000, () => {
    for (const n of names) putSecret(emulator, src, n, `value-of-${n}`);
  });
  const ws = new Workspace().writeConfig(replication(src, targets));
  emulator.resetCounters();

  const r = await ws.json(['apply']);
  expect(r.code).toBe(0);
  expect(r.report.pairs.map((p) => [p.target, p.counts])).toEqual(targets.map((t) => [t, { create: names.length }]));
  for (const t of targets) expect(emulator.vault(t).secrets.live.size).toBe(names.length);
  // One read per item for all three targets (the check after each write lists the secret's versions, no value).
  expect(emulator.vault(src).counters.valueReads).toBe(names.length);

  // A second run reads no value at all.
  emulator.resetCounters();
  const again = await ws.json(['apply']);
  expect(again.report.totals).toEqual({ in_sync: targets.length * names.length });
  expect(emulator.vault(src).counters.valueReads).toBe(0);
});
