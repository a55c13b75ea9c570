import { rmSync } from 'node:fs';
import { replicaProblems } from '../support/replica-check.ts';
import { addVault, replication, startReplicationWorld, uniqueVault, Workspace } from '../support/replication-world.ts';
import { seedVariedItems, versionCounts } from '../support/varied-items.ts';
import { emulatorPerFile } from '../support/world.ts';

const emulator = emulatorPerFile(() => startReplicationWorld());

test('applying twice in a row changes nothing the second time, with its state and without it', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope');
  // Written a minute before the run: past the second the items were written in (see `recheck`).
  emulator.clock.backdated(60_000, () => seedVariedItems(emulator, src));
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['secrets', 'certificates', 'keys'] }));
  expect((await ws.json(['apply'])).code).toBe(0);
  expect(replicaProblems(emulator, src, dst, true)).toEqual([]);
  const after = versionCounts(emulator, dst);

  for (const withState of [true, false]) {
    if (!withState) rmSync(ws.statePath);
    emulator.resetCounters();
    const again = await ws.json(['apply']);
    expect(again.code).toBe(0);
    expect(Object.keys(again.report.totals).sort()).toEqual(['in_sync', 'managed_by_certificate', 'source_disabled']);
    expect(emulator.vault(dst).counters.writes).toBe(0);
    expect(versionCounts(emulator, dst)).toEqual(after);
    // With its state the run reads no value at all; without, it compares every value once, and writes nothing.
    if (withState) expect(emulator.vault(src).counters.valueReads + emulator.vault(dst).counters.valueReads).toBe(0);
  }
});
