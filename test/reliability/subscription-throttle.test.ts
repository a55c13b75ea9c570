import { jest } from '@jest/globals';
import { systemClock } from '../../src/hosts/shared/system-clock.ts';
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
  // Every vault far under its own limits; the subscription's budget in the targets' region holds 12 of the run's 20
  // creates per 10 s window, so the limit is met however slow the machine (with 1 s windows a slow run spread its
  // creates under it and met none). The source, in another region, is not throttled. The product's waits (Retry-After)
  // are the service's time passing, so no test sleeps for real.
  const throttle = {
    mode: 'retry-after' as const,
    createLimit: 100,
    otherLimit: 100,
    subscriptionCreateLimit: 12,
    subscriptionOtherLimit: 30,
    windowMs: 10_000,
  };
  for (const v of targets) emulator.setFaults(v, { throttle });
  const ws = new Workspace().writeConfig(replication(src, targets));
  const waits = jest.spyOn(systemClock, 'sleep').mockImplementation(async (ms) => emulator.clock.advance(ms));
  try {
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
  } finally {
    waits.mockRestore();
  }
}, 60_000);
