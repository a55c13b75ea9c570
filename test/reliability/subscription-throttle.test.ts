import { replicaProblems } from '../support/replica-check.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { addVault, REPLICATOR, replication, uniqueVault, Workspace } from '../support/replication-world.ts';
import { emulatorPerFile, startWorld } from '../support/world.ts';

const emulator = emulatorPerFile(() => startWorld({ principals: [REPLICATOR] }));

const SECRETS = 4;
const TARGETS = 5;

test("a run writing to several vaults of one subscription meets the subscription's limit and still completes, with nothing failed", async () => {
  const src = addVault(emulator, uniqueVault('subs'), 'northeurope');
  const targets = Array.from({ length: TARGETS }, () => addVault(emulator, uniqueVault('subd'), 'westeurope'));
  emulator.clock.backdated(60_000, () => {
    for (let i = 0; i < SECRETS; i++) putSecret(emulator, src, `s-${i}`, { value: `v-${i}`, tags: { n: `${i}` } });
  });
  // Every vault far under its own limits; the subscription's budget in the targets' region (1 s windows, so the run
  // stays short) holds a third of the run's creates. The source, in another region, is not throttled.
  const throttle = {
    mode: 'retry-after' as const,
    createLimit: 100,
    otherLimit: 100,
    subscriptionCreateLimit: 8,
    subscriptionOtherLimit: 15,
    windowMs: 1000,
  };
  for (const v of targets) emulator.setFaults(v, { throttle });
  const ws = new Workspace().writeConfig(replication(src, targets));

  const r = await ws.json(['apply']);
  expect(r.report.errors).toEqual([]);
  expect(r.code).toBe(0);
  const records = r.report.pairs.flatMap((p) => p.records);
  expect(records).toHaveLength(SECRETS * TARGETS);
  expect(records.map((x) => x.status)).toEqual(Array(SECRETS * TARGETS).fill('create'));
  const throttled = targets.reduce((n, v) => n + emulator.vault(v).counters.throttled, 0);
  expect(throttled).toBeGreaterThan(0);
  for (const dst of targets) expect(replicaProblems(emulator, src, dst, true)).toEqual([]);

  const again = await ws.json(['apply']);
  expect(again.code).toBe(0);
  expect(again.report.totals).toEqual({ in_sync: SECRETS * TARGETS });
}, 60_000);
