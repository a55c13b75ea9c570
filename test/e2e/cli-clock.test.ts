import type { Clock } from '../../src/engine/ports.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';
import { replication, startReplicationWorld, vaultPair, Workspace } from '../support/replication-world.ts';

// An embedding caller (the bench's simulated-clock run) gives the CLI its clock: the run's pacing and report read it.
const emulator = emulatorPerFile(() => startReplicationWorld());

test("the CLI's io.clock is the run's clock, not only the progress line's", async () => {
  const { src, dst } = vaultPair(emulator);
  putSecret(emulator, src, 'alpha', { value: 'v-alpha' });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const DAY = 86_400_000;
  const clock: Clock = { now: () => Date.now() + DAY, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
  const r = await ws.cli(['apply', '--json'], undefined, { clock });
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout) as { startedAt: string; finishedAt: string; totals: Record<string, number> };
  expect(report.totals).toEqual({ create: 1 });
  for (const stamp of [report.startedAt, report.finishedAt])
    expect(Date.parse(stamp) - Date.now()).toBeGreaterThan(DAY - 60_000);
});
