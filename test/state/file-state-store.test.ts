import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateKeyOf } from '../../src/engine/ports.ts';
import { FileStateStore } from '../../src/state/file-state-store.ts';
import { OTHER_PAIR, PAIR, pairState, STATE_KEY } from './pair-states.ts';
import { tempDir } from '../support/temp-dir.ts';

// The CLI's state file, in a temp directory: one JSON file for every pair, written atomically.
let dir: string;
let path: string;
beforeEach(() => {
  dir = tempDir('kvr-file-state-');
  path = join(dir, 'nested', 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEY = stateKeyOf(PAIR);
const fileOf = () =>
  JSON.parse(readFileSync(path, 'utf8')) as { version: 1; pairs: Record<string, Record<string, unknown>> };
const recordNames = async (store: FileStateStore) =>
  Object.values((await store.load([PAIR])).states.get(KEY)?.records ?? {})
    .map((r) => r.name)
    .sort();

test('no file is no memory; a save creates the folders and a file only its owner reads, with no temp file left', async () => {
  const store = new FileStateStore(path);
  expect(await store.load([PAIR])).toEqual({ states: new Map(), problems: [] });
  const saved = pairState('A', ['db']);
  await store.save([saved]);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']);
  expect(fileOf()).toEqual({ version: 1, pairs: { [KEY]: saved } });
  expect(await store.load([PAIR])).toEqual({ states: new Map([[KEY, saved]]), problems: [] });
});

test.each([
  ['not JSON', '{ "version": 1, '],
  ['JSON of another shape', '[1, 2]'],
  ['a state file of another version', '{ "version": 2, "pairs": {} }'],
  ['a state file whose pairs are a list', '{ "version": 1, "pairs": [] }'],
])('a file that is %s stops load and save with KVR050, and is left as it was', async (_what, text) => {
  mkdirSync(join(dir, 'nested'));
  writeFileSync(path, text);
  const store = new FileStateStore(path);
  const notState = expect.objectContaining({
    code: 'KVR050',
    message: expect.stringContaining('is not a keyvault-replicate state file'),
  });
  await expect(store.load([PAIR])).rejects.toThrow(notState);
  await expect(store.save([pairState('A', ['db'])])).rejects.toThrow(notState);
  expect(readFileSync(path, 'utf8')).toBe(text);
});

test('a path that cannot be read (a folder) is KVR050', async () => {
  mkdirSync(path, { recursive: true });
  await expect(new FileStateStore(path).load([PAIR])).rejects.toThrow(
    expect.objectContaining({ code: 'KVR050', message: expect.stringContaining('cannot be read') }),
  );
});

test('a save re-reads the file: other pairs stay as they are, and a run that saved meanwhile is merged, not lost', async () => {
  await new FileStateStore(path).save([pairState('A', ['a']), pairState('A', ['x'], OTHER_PAIR)]);
  const other = fileOf().pairs[stateKeyOf(OTHER_PAIR)];
  // Two runs both started from A; B saves first, then C: C's save keeps B's record.
  await new FileStateStore(path).save([pairState('B', ['a', 'b'], { basedOn: 'A' })]);
  await new FileStateStore(path).save([pairState('C', ['a', 'c'], { basedOn: 'A' })]);
  expect(await recordNames(new FileStateStore(path))).toEqual(['a', 'b', 'c']);
  expect(fileOf().pairs[stateKeyOf(OTHER_PAIR)]).toEqual(other);
  // A run that started from the latest state replaces it as it is.
  await new FileStateStore(path).save([pairState('D', ['d'], { basedOn: 'C' })]);
  expect(await recordNames(new FileStateStore(path))).toEqual(['d']);
});

test('a save that changes nothing leaves the file as it is; a state the run did not change never undoes a later save', async () => {
  await new FileStateStore(path).save([pairState('A', ['a'])], 'A');
  const written = statSync(path).ino;
  await new FileStateStore(path).save([pairState('A', ['a'])], 'no-op');
  expect(statSync(path).ino).toBe(written);
  await new FileStateStore(path).save([pairState('C', ['a', 'c'], { basedOn: 'A' })], 'C');
  await new FileStateStore(path).save([pairState('A', ['a'])], 'no-op-2');
  expect(await recordNames(new FileStateStore(path))).toEqual(['a', 'c']);
});

test('a pair recorded for another source is reported, not used, and replaced by the next save', async () => {
  await new FileStateStore(path).save([pairState('A', ['a'], { source: 'team-b-kv' })]);
  const store = new FileStateStore(path);
  const loaded = await store.load([PAIR]);
  expect(loaded.states.size).toBe(0);
  expect(loaded.problems).toEqual([expect.objectContaining({ code: 'KVR052' })]);
  await store.save([pairState('B', ['b'], { basedOn: '' })]);
  expect(fileOf().pairs[KEY]).toMatchObject({ source: 'src-kv', correlationId: 'B' });
  expect(await recordNames(store)).toEqual(['b']);
});

test('with a state key the pairs are signed; a store without the key neither uses nor replaces them', async () => {
  const signing = new FileStateStore(path, { key: STATE_KEY });
  expect(signing.signs).toBe(true);
  await signing.save([pairState('A', ['a'])]);
  const signed = fileOf().pairs[KEY]!;
  expect(signed.signature).toMatch(/^hmac-sha256:/);
  expect(await recordNames(signing)).toEqual(['a']);
  const keyless = new FileStateStore(path);
  expect(keyless.signs).toBe(false);
  const loaded = await keyless.load([PAIR]);
  expect([loaded.states.size, loaded.problems]).toEqual([0, [expect.objectContaining({ code: 'KVR053' })]]);
  await keyless.save([pairState('B', ['b'], { basedOn: '' })]);
  expect(fileOf().pairs[KEY]).toEqual(signed);
  // Another key: not memory, and the next save replaces the file with one signed by this key.
  const rotated = new FileStateStore(path, { key: `${STATE_KEY}-new` });
  expect((await rotated.load([PAIR])).problems).toEqual([
    expect.objectContaining({ code: 'KVR053', message: expect.stringContaining('does not verify') }),
  ]);
  await rotated.save([pairState('C', ['c'], { basedOn: '' })]);
  expect(await recordNames(rotated)).toEqual(['c']);
});
