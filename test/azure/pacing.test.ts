import {
  KEY_VAULT_LIMITS,
  RunPacing,
  SlidingWindowLimiter,
  vaultPacer,
  type VaultPacer,
} from '../../src/azure/pacing.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

/** The most calls any window of `windowMs` holds, of calls made at `times`. */
function busiestWindow(times: number[], windowMs = KEY_VAULT_LIMITS.windowMs): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Takes `count` calls of `budget` from each pacer at once, and says when each went out. */
async function callTimes(clock: FakeClock, pacers: VaultPacer[], budget: 'create' | 'other', count: number) {
  const times: number[] = [];
  await Promise.all(
    pacers.flatMap((p) =>
      Array.from({ length: count }, async () => {
        const release = await p.take(budget);
        times.push(clock.now());
        release();
      }),
    ),
  );
  return times;
}

describe('pacing', () => {
  test('a sliding window admits at most `limit` calls in any window', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(3, 10_000, clock);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const release = await limiter.take();
      times.push(clock.now());
      release();
    }
    for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(10_000);
    expect(clock.now() - times[0]!).toBeLessThan(21_000);
  });

  test('at the default share (0.5) a vault gets at most 150 creates and 2,000 other calls in any 10 s, and uses them', async () => {
    const clock = new FakeClock();
    const pacer = vaultPacer(clock);
    const creates = await callTimes(clock, [pacer], 'create', 400);
    expect(busiestWindow(creates)).toBe(150);
    const others = await callTimes(clock, [pacer], 'other', 4500);
    expect(busiestWindow(others)).toBe(2000);
  });

  test("a vault's own share (vault_budget_shares, any case) is honoured; the others keep the run's", async () => {
    const clock = new FakeClock();
    const pacing = new RunPacing(clock, { share: 0.3, byVault: { 'dr-kv': 0.95 } });
    const place = { subscriptionId: 'sub-1', location: 'westeurope' };
    const dr = pacing.forVault({ name: 'DR-KV', ...place });
    const prod = pacing.forVault({ name: 'prod-kv', ...place });
    expect(busiestWindow(await callTimes(clock, [dr], 'create', 700))).toBe(285);
    expect(busiestWindow(await callTimes(clock, [prod], 'create', 300))).toBe(90);
    expect(busiestWindow(await callTimes(clock, [dr], 'other', 8000))).toBe(3800);
    expect(busiestWindow(await callTimes(clock, [prod], 'other', 2500))).toBe(1200);
  });

  test("a vault named after an Object property (constructor, __proto__) keeps the run's share; a limit that is no whole number is refused", async () => {
    const clock = new FakeClock();
    const pacing = new RunPacing(clock, { share: 0.5, byVault: { 'dr-kv': 0.9 } });
    const place = { subscriptionId: 'sub-1', location: 'westeurope' };
    for (const name of ['constructor', 'toString', '__proto__']) {
      expect(pacing.shareOf(name)).toBe(0.5);
      expect(busiestWindow(await callTimes(clock, [pacing.forVault({ name, ...place })], 'create', 200))).toBe(150);
    }
    expect(() => new SlidingWindowLimiter(Number.NaN, 10_000, clock)).toThrow(RangeError);
    expect(() => new SlidingWindowLimiter(0, 10_000, clock)).toThrow(RangeError);
  });

  test('every port of a vault shares its one pacer, whoever opens it', () => {
    const pacing = new RunPacing(new FakeClock());
    const place = { subscriptionId: 'sub-1', location: 'westeurope' };
    expect(pacing.forVault({ name: 'kv-a', ...place })).toBe(pacing.forVault({ name: 'KV-A', ...place }));
    expect(pacing.forVault({ name: 'kv-a', ...place })).not.toBe(pacing.forVault({ name: 'kv-b', ...place }));
  });

  test("one limiter per subscription and region, at the run's share of 5× a vault's budget, paces all its vaults together", async () => {
    const clock = new FakeClock();
    // Six vaults each allowed 0.95 of their own budget: together 1,710 creates per 10 s, over the subscription's 1,500.
    const vaults = Array.from({ length: 6 }, (_, i) => `kv-${i}`);
    const pacing = new RunPacing(clock, {
      share: 0.5,
      byVault: Object.fromEntries(vaults.map((v) => [v, 0.95])),
    });
    const place = { subscriptionId: 'SUB-1', location: 'West Europe' };
    const pacers = vaults.map((name) => pacing.forVault({ name, ...place }));
    expect(new Set(pacers.map((p) => p.subscription)).size).toBe(1);
    expect(pacing.forVault({ name: 'kv-other', subscriptionId: 'sub-1', location: 'westeurope' }).subscription).toBe(
      pacers[0]!.subscription,
    );
    expect(
      pacing.forVault({ name: 'kv-north', subscriptionId: 'sub-1', location: 'northeurope' }).subscription,
    ).not.toBe(pacers[0]!.subscription);
    expect(pacing.forVault({ name: 'kv-sub2', subscriptionId: 'sub-2', location: 'westeurope' }).subscription).not.toBe(
      pacers[0]!.subscription,
    );

    // At most the subscription's share in any window, and more than two vaults' worth: the vaults share it.
    const creates = busiestWindow(await callTimes(clock, pacers, 'create', 300));
    expect(creates).toBeLessThanOrEqual(750);
    expect(creates).toBeGreaterThan(2 * 285);
    const others = busiestWindow(await callTimes(clock, pacers, 'other', 4000));
    expect(others).toBeLessThanOrEqual(10_000);
    expect(others).toBeGreaterThan(2 * 3800);
  });
});

test('a call counts until a window after its answer: one answered late keeps its slot that much longer', async () => {
  const clock = new FakeClock();
  const limiter = new SlidingWindowLimiter(1, 10_000, clock);
  const start = clock.now();
  const release = await limiter.take();
  let admitted: number | undefined;
  const next = limiter.take().then((r) => {
    admitted = clock.now();
    r();
  });
  await clock.sleep(3000);
  expect(admitted).toBeUndefined();
  release();
  await next;
  expect(admitted! - start).toBeGreaterThanOrEqual(13_000);
});
