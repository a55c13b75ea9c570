import { SecretClient } from '@azure/keyvault-secrets';
import { ArmVaultDirectory } from '../../src/azure/arm-vault-directory.ts';
import type { VaultLimits } from '../../src/azure/pacing.ts';
import { runReplication } from '../../src/engine/run.ts';
import { systemClock } from '../../src/hosts/shared/system-clock.ts';
import { MemoryStateStore } from '../fakes/memory-state.ts';
import { replicaProblems } from '../support/replica-check.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { addVault, REPLICATOR, replication, uniqueVault } from '../support/replication-world.ts';
import { ADMIN, credentialFor, emulatorPerFile, startWorld, SUB_A, vaultUrl } from '../support/world.ts';
import { parseConfig } from '../../src/engine/config/parse-config.ts';
import { stringify } from 'yaml';

// Issue 16: the product keeps within its share of a vault's budget and of its subscription's, so what else uses the
// vault (a production reader) meets no 429. Key Vault's budgets are scaled down (1 s windows, a few dozen calls) in the
// emulator and in the product's pacer alike, so the run lasts seconds; only 429 counts are checked, never timings.
const emulator = emulatorPerFile(() => startWorld({ principals: [REPLICATOR] }));

const directory = (limits: VaultLimits, shares?: { share: number }) =>
  new ArmVaultDirectory(credentialFor(REPLICATOR), [SUB_A], crypto.randomUUID(), systemClock, undefined, {
    limits,
    ...(shares ? { shares } : {}),
  });

const throttled = (vaults: string[]) => vaults.reduce((n, v) => n + emulator.vault(v).counters.throttled, 0);

test("at the default share a run leaves a production reader the other half of the source's budget: 0 × 429 for both", async () => {
  // Creates are plentiful here, so the run's pace is its share of the source's other calls (its value reads).
  const limits = { createLimit: 100, otherLimit: 40, windowMs: 1000 };
  const src = addVault(emulator, uniqueVault('fsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('fdst'), 'westeurope');
  const SECRETS = 60;
  emulator.clock.backdated(60_000, () => {
    for (let i = 0; i < SECRETS; i++) putSecret(emulator, src, `s-${i}`, `v-${i}`);
  });
  for (const v of [src, dst]) emulator.setFaults(v, { throttle: { mode: 'retry-after', ...limits } });

  // The reader: 16 GETs a second, evenly spaced (at most 17 in any window), each 429 counted and not retried.
  const reader = new SecretClient(vaultUrl(src), credentialFor(ADMIN), { retryOptions: { maxRetries: 0 } });
  const seen = { reads: 0, throttled: 0 };
  let done = false;
  const reading = (async () => {
    for (let next = Date.now(), i = 0; !done; i++) {
      next = Math.max(next + 1000 / 16, Date.now());
      await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
      try {
        await reader.getSecret(`s-${i % SECRETS}`);
        seen.reads++;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 429) throw e;
        seen.throttled++;
      }
    }
  })();

  const config = parseConfig(stringify(replication(src, [dst])), 'fair-share.yml');
  const report = await runReplication({
    config,
    mode: 'apply',
    directory: directory(limits),
    state: new MemoryStateStore(),
    correlationId: crypto.randomUUID(),
    clock: systemClock,
  }).finally(() => (done = true));
  await reading;

  expect(report.errors).toEqual([]);
  expect(report.totals).toEqual({ create: SECRETS });
  expect(replicaProblems(emulator, src, dst, true)).toEqual([]);
  expect(seen.reads).toBeGreaterThan(0);
  expect(seen.throttled).toBe(0);
  expect(throttled([src, dst])).toBe(0);
}, 60_000);

test("writes to six vaults of one subscription at share 0.95 stay under the subscription's limit: 0 × 429", async () => {
  // Each vault would take 19 creates a window; six together 114, over the subscription's 5 × 20 = 100 per window.
  const limits = { createLimit: 20, otherLimit: 200, windowMs: 1000 };
  const targets = Array.from({ length: 6 }, () => addVault(emulator, uniqueVault('fsub'), 'westeurope'));
  for (const v of targets) emulator.setFaults(v, { throttle: { mode: 'retry-after', ...limits } });
  const vaults = directory(limits, { share: 0.95 });
  const ports = await Promise.all(targets.map(async (name) => vaults.open(await vaults.resolve(name))));

  const WRITES = 40;
  await Promise.all(
    ports.flatMap((port) =>
      Array.from({ length: WRITES }, (_, i) =>
        port.writeSecret(`w-${i}`, `v-${i}`, {
          type: 'secret',
          name: `w-${i}`,
          enabled: true,
          tags: {},
          managed: false,
        }),
      ),
    ),
  );

  for (const v of targets) expect(emulator.vault(v).secrets.live.size).toBe(WRITES);
  expect(throttled(targets)).toBe(0);
}, 60_000);
