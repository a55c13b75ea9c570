import { RUN_EVENTS, type RunEvent } from '../../src/engine/events.ts';
import { cliProgress, duration, PLAIN_EVERY_MS } from '../../src/hosts/cli/progress.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

const pairEvents = (writes: number, clock: FakeClock, msPerWrite: number): (() => RunEvent)[] => [
  () => ({ kind: RUN_EVENTS.pairStarted, message: 'r: kv-a → kv-b' }),
  () => ({ kind: RUN_EVENTS.planned, message: `${writes} of ${writes} records to write`, count: writes }),
  ...Array.from({ length: writes }, () => () => {
    clock.time += msPerWrite;
    return { kind: RUN_EVENTS.written, message: 'create secret s → kv-b' } as RunEvent;
  }),
  () => ({ kind: RUN_EVENTS.pairFinished, message: 'r → kv-b done' }),
];

function runWith(isTTY: boolean, writes: number, msPerWrite = 100, quiet = false) {
  const clock = new FakeClock();
  let out = '';
  const p = cliProgress({ write: (t) => (out += t), isTTY, columns: 120 }, clock, quiet);
  for (const e of pairEvents(writes, clock, msPerWrite)) p.listener(e());
  p.end();
  return out;
}

test('on a terminal the writes are one line redrawn in place, with done/total and an ETA', () => {
  const out = runWith(true, 200, 100);
  const lines = out.split('\n');
  // Started, planned, the finished count, the pair's end: no line per write.
  expect(lines.filter(Boolean).length).toBeLessThanOrEqual(4);
  expect(out).toContain('\r\x1b[2Kr: kv-a → kv-b: 100/200 written (50%), ETA 10s');
  expect(out).toContain('r: kv-a → kv-b: 200/200 written (100%) in 20s\n');
  // Once done, the count is not drawn again.
  expect(out.split('200/200')).toHaveLength(2);
});

test('on a log a plain line at each tenth, none per write, the last with the time taken', () => {
  const out = runWith(false, 5000, 34);
  expect(out).not.toContain('\r');
  const counts = out.split('\n').filter((l) => l.includes('written ('));
  expect(counts).toHaveLength(10);
  expect(counts[0]).toBe('r: kv-a → kv-b: 500/5000 written (10%), ETA 2m33s');
  expect(counts.at(-1)).toBe('r: kv-a → kv-b: 5000/5000 written (100%) in 2m50s');
});

test('on a log slow writes still show a line every PLAIN_EVERY_MS', () => {
  const out = runWith(false, 5, PLAIN_EVERY_MS);
  expect(out.split('\n').filter((l) => l.includes('written ('))).toHaveLength(5);
});

test('quiet: no progress at all, failures still print', () => {
  const clock = new FakeClock();
  let out = '';
  const p = cliProgress({ write: (t) => (out += t), isTTY: true }, clock, true);
  for (const e of pairEvents(3, clock, 10)) p.listener(e());
  p.listener({ kind: RUN_EVENTS.failed, message: 'KVR030 forbidden' });
  expect(out).toBe('[failed] KVR030 forbidden\n');
});

test('a log line during the writes clears the live line and redraws it after', () => {
  const clock = new FakeClock();
  let out = '';
  const p = cliProgress({ write: (t) => (out += t), isTTY: true }, clock, false);
  const events = pairEvents(4, clock, 10);
  for (const e of events.slice(0, 3)) p.listener(e());
  out = '';
  p.listener({ kind: RUN_EVENTS.failed, message: 'KVR030 forbidden' });
  expect(out).toMatch(/^\r\x1b\[2K\[failed\] KVR030 forbidden\n\r\x1b\[2K.*1\/4 written \(25%, 1 failed\)/);
  expect(out).toMatch(/\r\x1b\[2K[^\r\n]*2\/4 written \(50%, 1 failed\), ETA 0s$/);
});

test('durations read as minutes and seconds', () => {
  expect(duration(0)).toBe('0s');
  expect(duration(59_400)).toBe('59s');
  expect(duration(125_000)).toBe('2m05s');
});

test('on a terminal a long line wraps at a word within the width; on a log it stays one line', () => {
  const long = `warning: ${'word '.repeat(60)}end`;
  for (const isTTY of [true, false]) {
    let out = '';
    cliProgress({ write: (t) => (out += t), isTTY, columns: 120 }, new FakeClock(), false).say(long);
    const lines = out.trimEnd().split('\n');
    if (isTTY) {
      expect(lines.length).toBeGreaterThan(1);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
      expect(lines[1]).toMatch(/^ {2}word/);
    } else expect(lines).toEqual([long]);
  }
});
