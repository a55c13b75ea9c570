import type { ItemSnapshot } from '../../src/engine/model.ts';
import { PROVEN_OLDER_MS, stillCurrent } from '../../src/engine/still-current.ts';

const T = 1_700_000_000_000;
const version = (v: string, createdOn: number, updatedOn = createdOn): ItemSnapshot => ({
  type: 'secret',
  name: 's',
  enabled: true,
  tags: {},
  managed: false,
  version: v,
  createdOn,
  updatedOn,
});
const copied = { ...version('b'.repeat(32), T), createdOn: undefined };
const page = (...versions: ItemSnapshot[]) => ({ versions, more: false });

test('the copied version, unchanged, with every other one created well before it: still current', () => {
  expect(stillCurrent(copied, page(version('b'.repeat(32), T)))).toBe(true);
  expect(stillCurrent(copied, page(version('f'.repeat(32), T - PROVEN_OLDER_MS), version('b'.repeat(32), T)))).toBe(
    true,
  );
});

test.each([
  ['a version created later', page(version('b'.repeat(32), T), version('a'.repeat(32), T + 1000))],
  ['a version created in the same second', page(version('a'.repeat(32), T + 999), version('b'.repeat(32), T))],
  // Another node's clock may be a little behind: a newer version stamped a second or two earlier is not proven older.
  ['a version created 2 s before it', page(version('a'.repeat(32), T - 2000), version('b'.repeat(32), T))],
  ['the copied version edited since (updated moved)', page(version('b'.repeat(32), T, T + 5000))],
  ['the copied version not listed', page(version('a'.repeat(32), T - 1000))],
  ['nothing listed (deleted meanwhile)', page()],
  [
    'another version without its created',
    page(version('b'.repeat(32), T), { ...version('a'.repeat(32), 0), createdOn: undefined }),
  ],
  ['a further page', { versions: [version('b'.repeat(32), T)], more: true }],
])('%s: not proven, the value is read again', (_, listed) => {
  expect(stillCurrent(copied, listed)).toBe(false);
});
