import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateKeyOf } from '../../src/engine/ports.ts';
import { GitStateStore, type GitStateStoreOptions } from '../../src/state/git-state-store.ts';
import { git, GitFixture } from '../support/git-fixture.ts';
import { OTHER_PAIR, PAIR, pairState, STATE_KEY } from './pair-states.ts';

// The state branch against a real bare repository in a temp folder (real git, no mocks), as a runner's checkout has it.
// One remote and two checkouts for the file (git is cheap, but not free on a busy machine); each test its own branch.
let repo: GitFixture;
let here: string;
let there: string;
let gate: { reject: (on: boolean) => void };
beforeAll(() => {
  repo = new GitFixture({ 'README.md': 'config\n' });
  [here, there] = [repo.clone(), repo.clone()];
  gate = pushGate();
});
afterAll(() => rmSync(repo.root, { recursive: true, force: true }));
let branch = '';
let n = 0;
beforeEach(() => {
  branch = `keyvault-replication-state-${++n}`;
});
afterEach(() => gate.reject(false));

const KEY = stateKeyOf(PAIR);
/** A store on the checkout `here` unless told otherwise, with git's configuration kept out of the user's home. */
const store = (options: Partial<GitStateStoreOptions> = {}) =>
  new GitStateStore({
    repository: here,
    branch,
    env: { HOME: repo.root, GIT_CONFIG_NOSYSTEM: '1' },
    sleep: async () => undefined,
    ...options,
  });
const recordNames = async (s: GitStateStore) =>
  Object.values((await s.load([PAIR])).states.get(KEY)?.records ?? {})
    .map((r) => r.name)
    .sort();
const branchFiles = () => git(repo.remote, 'ls-tree', '-r', '--name-only', branch).trim().split('\n');
const correlationIds = () => repo.log(branch).map((m) => m.split('\n').at(-1));
/** A pre-receive hook that refuses every push while a flag file exists, as a remote does to a push that lost a race. */
function pushGate(): { reject: (on: boolean) => void } {
  const flag = join(repo.root, 'reject-pushes');
  const hook = join(repo.remote, 'hooks', 'pre-receive');
  writeFileSync(hook, `#!/bin/sh\nif [ -e '${flag}' ]; then echo 'rejected by the test' >&2; exit 1; fi\n`);
  chmodSync(hook, 0o755);
  return { reject: (on) => (on ? writeFileSync(flag, '') : rmSync(flag, { force: true })) };
}

test('no branch is no memory; a save makes one commit with a file per pair and leaves the checkout as it was', async () => {
  const s = store();
  expect(await s.load([PAIR])).toEqual({ states: new Map(), problems: [] });
  const head = git(here, 'rev-parse', 'HEAD');
  await s.save([pairState('A', ['a']), pairState('A', ['x'], OTHER_PAIR)], 'run-A');
  expect(branchFiles()).toEqual(['dr/dr-kv.json', 'dr/dst-kv.json']);
  expect(JSON.parse(repo.branchFile(branch, 'dr/dst-kv.json'))).toEqual(pairState('A', ['a']));
  expect(repo.log(branch)).toEqual(['keyvault-replicate state: dr → dst-kv, dr → dr-kv\n\nCorrelation-Id: run-A']);
  expect(git(repo.remote, 'log', '-1', '--format=%an <%ae>', branch).trim()).toBe(
    'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
  );
  // The state branch is history of its own, and the workspace's branch, index and files are untouched.
  expect(git(repo.remote, 'rev-list', '--count', branch)).toBe('1\n');
  expect([
    git(here, 'rev-parse', 'HEAD'),
    git(here, 'status', '--porcelain'),
    git(here, 'branch', '--show-current'),
  ]).toEqual([head, '', 'main\n']);
  expect(await recordNames(store({ repository: there }))).toEqual(['a']);
});

test('a save from another checkout goes on top: other pairs keep their files, and its own pair is merged', async () => {
  await store().save([pairState('A', ['a']), pairState('A', ['x'], OTHER_PAIR)], 'A');
  const other = repo.branchFile(branch, 'dr/dr-kv.json');
  await store({ repository: there }).save([pairState('B', ['a', 'b'], { basedOn: 'A' })], 'B');
  await store().save([pairState('C', ['a', 'c'], { basedOn: 'A' })], 'C');
  expect(correlationIds()).toEqual(['Correlation-Id: C', 'Correlation-Id: B', 'Correlation-Id: A']);
  expect(await recordNames(store())).toEqual(['a', 'b', 'c']);
  expect(repo.branchFile(branch, 'dr/dr-kv.json')).toBe(other);
});

test('a save that changes nothing makes no commit; a state the run did not change never undoes a later save', async () => {
  await store().save([pairState('A', ['a'])], 'A');
  const head = () => git(repo.remote, 'rev-parse', branch);
  const first = head();
  // A no-op run hands back the state it loaded (run A's): nothing to commit, nothing pushed.
  await store().save([pairState('A', ['a'])], 'no-op');
  expect(head()).toBe(first);
  // Meanwhile another run saved; the no-op run's copy of the older state does not bring it back.
  await store({ repository: there }).save([pairState('C', ['a', 'c'], { basedOn: 'A' })], 'C');
  const later = head();
  await store().save([pairState('A', ['a'])], 'no-op-2');
  expect(head()).toBe(later);
  expect(await recordNames(store())).toEqual(['a', 'c']);
  // Each record on one line: a changed record is a changed line.
  expect(repo.branchFile(branch, 'dr/dst-kv.json')).toContain('\n    "secret/c": {"type":"secret","name":"c",');
});

test('a push that lost the race is retried on top of the run that landed first, keeping both', async () => {
  await store().save([pairState('A', ['a'])], 'A');
  const gate = pushGate();
  gate.reject(true);
  let waits = 0;
  // While this run waits to retry, another run lands another pair: the retry must put this run's file on top of it.
  const sleep = async () => {
    waits++;
    gate.reject(false);
    await store({ repository: there }).save([pairState('B', ['x'], OTHER_PAIR)], 'B');
  };
  await store({ sleep }).save([pairState('C', ['a', 'c'], { basedOn: 'A' })], 'C');
  expect(waits).toBe(1);
  expect(correlationIds()).toEqual(['Correlation-Id: C', 'Correlation-Id: B', 'Correlation-Id: A']);
  expect(branchFiles()).toEqual(['dr/dr-kv.json', 'dr/dst-kv.json']);
  expect(await recordNames(store())).toEqual(['a', 'c']);
});

test('a push rejected every time gives up after the given attempts with KVR051', async () => {
  pushGate().reject(true);
  let waits = 0;
  const s = store({
    attempts: 3,
    sleep: async () => {
      waits++;
    },
  });
  await expect(s.save([pairState('A', ['a'])], 'A')).rejects.toThrow(
    expect.objectContaining({
      code: 'KVR051',
      message: expect.stringContaining(`state cannot be pushed to branch ${branch}`),
    }),
  );
  expect(waits).toBe(2);
  expect(git(repo.remote, 'branch', '--list', branch)).toBe('');
});

test('a remote that cannot be reached is KVR050 on load', async () => {
  await expect(store({ remote: join(repo.root, 'no-such-remote.git') }).load([PAIR])).rejects.toThrow(
    expect.objectContaining({
      code: 'KVR050',
      message: expect.stringContaining(`state branch ${branch} cannot be fetched`),
    }),
  );
});

test("a file on the branch that is not this pair's is reported on load, never merged, and replaced by the next save", async () => {
  await store().save([pairState('A', ['a'])], 'A');
  // Someone with push rights puts another source's records under this pair's name.
  git(there, 'fetch', '--quiet', 'origin', branch);
  git(there, 'checkout', '--quiet', '--detach', 'FETCH_HEAD');
  writeFileSync(join(there, 'dr', 'dst-kv.json'), JSON.stringify(pairState('F', ['forged'], { source: 'team-b-kv' })));
  git(there, 'commit', '--quiet', '-am', 'forged');
  git(there, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
  git(there, 'checkout', '--quiet', 'main');
  const s = store();
  const loaded = await s.load([PAIR]);
  expect([loaded.states.size, loaded.problems]).toEqual([0, [expect.objectContaining({ code: 'KVR052' })]]);
  await s.save([pairState('B', ['b'], { basedOn: '' })], 'B');
  expect(await recordNames(store())).toEqual(['b']);
});

test('with a state key files are signed; a store without the key neither uses nor replaces them', async () => {
  const signing = store({ signing: { key: STATE_KEY } });
  expect(signing.signs).toBe(true);
  await signing.save([pairState('A', ['a'])], 'A');
  const signed = repo.branchFile(branch, 'dr/dst-kv.json');
  expect(JSON.parse(signed)).toMatchObject({ signature: expect.stringMatching(/^hmac-sha256:/) });
  expect(await recordNames(store({ signing: { key: STATE_KEY } }))).toEqual(['a']);
  const keyless = store();
  expect((await keyless.load([PAIR])).problems).toEqual([expect.objectContaining({ code: 'KVR053' })]);
  await keyless.save([pairState('B', ['b'], { basedOn: '' }), pairState('B', ['x'], OTHER_PAIR)], 'B');
  expect(repo.branchFile(branch, 'dr/dst-kv.json')).toBe(signed);
  expect(branchFiles()).toEqual(['dr/dr-kv.json', 'dr/dst-kv.json']);
});
