import { mapWithWorkers } from '../../src/engine/workers.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

test('maps in the order given, with at most the workers asked for under way', async () => {
  let underWay = 0;
  let most = 0;
  const out = await mapWithWorkers([5, 4, 3, 2, 1, 0, 9, 8], 3, async (n) => {
    most = Math.max(most, ++underWay);
    await new Promise((resolve) => setTimeout(resolve, n));
    underWay--;
    return n * 10;
  });
  expect(out).toEqual([50, 40, 30, 20, 10, 0, 90, 80]);
  expect(most).toBe(3);
});

test('a count that is no whole number still does the work, one at a time', async () => {
  for (const count of [NaN, 0, -2, 1.5]) {
    let most = 0;
    let underWay = 0;
    const out = await mapWithWorkers(['a', 'b'], count, async (s) => {
      most = Math.max(most, ++underWay);
      await tick();
      underWay--;
      return s.toUpperCase();
    });
    expect([out, most]).toEqual([['A', 'B'], 1]);
  }
});

test('a failure stops the workers taking more items, and is thrown once the calls under way have ended', async () => {
  const started: number[] = [];
  let ended = 0;
  const run = mapWithWorkers([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2, async (n) => {
    started.push(n);
    await tick();
    if (n === 1) throw new Error('item 1 failed');
    await tick();
    ended++;
    return n;
  });
  await expect(run).rejects.toThrow('item 1 failed');
  // Item 0 was under way beside item 1 and ended; nothing after the failure was started but what was already taken.
  expect(started.length).toBeLessThanOrEqual(3);
  expect(ended).toBe(started.length - 1);
});
