import { SecretClient } from '@azure/keyvault-secrets';
import type { FaultSettings } from '../faults.ts';
import {
  ADMIN,
  SUB_B,
  credentialFor,
  emulatorPerFile,
  startWorld,
  vaultSpec,
  vaultUrl,
} from '../../test/support/world.ts';

// Key Vault throttles per vault and, per region, per subscription at 5 × a vault's limits summed over its vaults.
const SIX = ['kv-sub-1', 'kv-sub-2', 'kv-sub-3', 'kv-sub-4', 'kv-sub-5', 'kv-sub-6'];
const emulator = emulatorPerFile(() =>
  startWorld({
    vaults: [
      ...SIX.map((name) => vaultSpec(name, 'westeurope')),
      vaultSpec('kv-sub-other', 'westeurope', { subscriptionId: SUB_B }),
      vaultSpec('kv-sub-east', 'eastus'),
    ],
  }),
);

type Throttle = NonNullable<FaultSettings['throttle']>;
// Per vault 10 other transactions per 10 s, so 50 for the subscription in a region.
const LIMITS: Throttle = { mode: 'retry-after', createLimit: 100, otherLimit: 10, windowMs: 10_000 };

/** Tests run in any order: each starts in a window of its own, with counters at zero and its own settings. */
function freshWindow(throttle: Throttle): void {
  emulator.clock.advance(throttle.windowMs);
  emulator.resetCounters();
  emulator.setFaults('*', { throttle });
}

interface Outcome {
  status: number;
  retryAfter?: string;
}

/** One read of a missing secret (a transaction like any other), without the SDK's retries. */
async function read(client: SecretClient): Promise<Outcome> {
  try {
    await client.getSecret('absent');
    return { status: 200 };
  } catch (e) {
    const err = e as { statusCode: number; response?: { headers: { get(name: string): string | undefined } } };
    return { status: err.statusCode, retryAfter: err.response?.headers.get('retry-after') };
  }
}

test("vaults each under their own limit but together over their subscription's get 429 with Retry-After; other subscriptions and regions do not; the window resets", async () => {
  const client = (vault: string) =>
    new SecretClient(vaultUrl(vault), credentialFor(ADMIN), { retryOptions: { maxRetries: 0 } });
  freshWindow(LIMITS);
  const clients = Object.fromEntries([...SIX, 'kv-sub-other', 'kv-sub-east'].map((v) => [v, client(v)]));
  const outcomes: Outcome[] = [];
  // 9 reads per vault, under the vault's 10: 54 in all, over the subscription's 50.
  for (const vault of SIX) for (let i = 0; i < 9; i++) outcomes.push(await read(clients[vault]!));
  expect(outcomes.slice(0, 50).map((o) => o.status)).toEqual(Array(50).fill(404));
  for (const o of outcomes.slice(50)) {
    expect(o.status).toBe(429);
    expect(Number(o.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(o.retryAfter)).toBeLessThanOrEqual(10);
  }
  expect(SIX.map((v) => emulator.vault(v).counters.throttled)).toEqual([0, 0, 0, 0, 0, 4]);
  // The first vault has room of its own, not its subscription's.
  expect((await read(clients['kv-sub-1']!)).status).toBe(429);
  // Another subscription in the region, and the subscription in another region, have their own budgets.
  expect((await read(clients['kv-sub-other']!)).status).toBe(404);
  expect((await read(clients['kv-sub-east']!)).status).toBe(404);

  // A 429 is not counted: the sixth vault met 4 of them and counted 5 reads, so with the subscription's budget raised
  // it has 5 more before its own limit.
  emulator.setFaults('*', { throttle: { ...LIMITS, subscriptionOtherLimit: 1000 } });
  const more: number[] = [];
  for (let i = 0; i < 6; i++) more.push((await read(clients['kv-sub-6']!)).status);
  expect(more).toEqual([404, 404, 404, 404, 404, 429]);

  // The window ends on the emulator's clock: every vault reads again.
  emulator.setFaults('*', { throttle: LIMITS });
  emulator.clock.advance(10_000);
  for (const vault of SIX) expect((await read(clients[vault]!)).status).toBe(404);
});

test('the subscription budget is settable, and off with per-vault throttling off', async () => {
  const client = (vault: string) =>
    new SecretClient(vaultUrl(vault), credentialFor(ADMIN), { retryOptions: { maxRetries: 0 } });
  freshWindow({ ...LIMITS, mode: 'bare', subscriptionOtherLimit: 3 });
  const statuses: Outcome[] = [];
  for (const vault of ['kv-sub-1', 'kv-sub-2', 'kv-sub-3', 'kv-sub-4']) statuses.push(await read(client(vault)));
  expect(statuses).toEqual([{ status: 404 }, { status: 404 }, { status: 404 }, { status: 429 }]);
  emulator.setFaults('*', { throttle: undefined });
  for (let i = 0; i < 12; i++) expect((await read(client('kv-sub-4'))).status).toBe(404);
});
