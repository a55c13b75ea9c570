import { SlidingWindowLimiter } from '../../src/azure/pacing.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

describe('pacing', () => {
  test('a sliding window admits at most `limit` calls in any window', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(3, 10_000, clock);
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      await limiter.take();
      times.push(clock.now());
    }
    for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(10_000);
    expect(clock.now() - times[0]!).toBeLessThan(21_000);
  });
});
