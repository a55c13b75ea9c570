import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runAction } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { GitFixture, git } from '../support/git-fixture.ts';
import { addVault, uniqueVault } from '../support/replication-world.ts';
import { deleteRequests, putSecret } from '../support/vault-inspect.ts';
import { tempDir } from '../support/temp-dir.ts';
import { emulatorPerFile } from '../support/world.ts';

// A collaborator with push rights but no Azure access edits the state branch; with `state-key` the edit is noticed.
const BRANCH = 'keyvault-replication-state';
const emulator = emulatorPerFile(() => startActionWorld());

const put = (vault: string, name: string, value: string) => putSecret(emulator, vault, name, value);
const deletes = (vault: string) => deleteRequests(emulator, vault);

/** Pushes an edit of one state file to the branch, as `git push` from a collaborator's clone would. */
function pushEdit(
  repo: GitFixture,
  path: string,
  edit: (state: { records: Record<string, Record<string, unknown>> }) => void,
): void {
  const dir = tempDir('kvr-collaborator-');
  git(dir, 'clone', '--quiet', '--branch', BRANCH, repo.remote, 'c');
  const file = join(dir, 'c', path);
  const state = JSON.parse(readFileSync(file, 'utf8'));
  edit(state);
  writeFileSync(file, JSON.stringify(state, null, 2));
  git(join(dir, 'c'), 'commit', '--quiet', '-am', 'tidy up the state');
  git(join(dir, 'c'), 'push', '--quiet', 'origin', BRANCH);
}

test('with state-key the branch is signed, an edit pushed without the key is not memory, and the key never shows', async () => {
  const src = addVault(emulator, uniqueVault('ssrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('sdst'), 'westeurope');
  put(src, 'adopted', 'same');
  put(dst, 'adopted', 'same');
  const config = stringify({
    version: 1,
    replications: [
      { name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true }, propagate_deletes: true },
    ],
  });
  const repo = new GitFixture({ '.github/keyvault-replication.yml': config });
  const key = `state-key-${crypto.randomUUID()}`;
  const run = () => runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: { 'state-key': key } });

  const first = await run();
  expect(first.code).toBe(0);
  const path = `dr/${dst}.json`;
  expect(JSON.parse(repo.branchFile(BRANCH, path))).toMatchObject({
    signature: expect.stringMatching(/^hmac-sha256:/),
    records: { 'secret/adopted': { status: 'in_sync', replicatedByUs: false } },
  });
  // The edit claims the copy this tool only adopted as its own, so that it would be deleted with the source.
  pushEdit(repo, path, (state) => {
    state.records['secret/adopted']!.replicatedByUs = true;
  });
  emulator.invoke(src, 'DELETE', 'secrets/adopted');
  emulator.invoke(src, 'DELETE', 'deletedsecrets/adopted');
  emulator.resetCounters();
  const runs = [await run(), await run(), await run()];

  expect(deletes(dst)).toBe(0);
  expect([...emulator.vault(dst).secrets.live.keys()]).toEqual(['adopted']);
  expect(runs[0]!.stdout).toMatch(
    /::warning::KVR053: state file dr\/.* on branch keyvault-replication-state is not|has a signature that does not verify/,
  );
  expect(runs[0]!.summary).toContain('KVR053');
  expect(runs.slice(1).map((r) => r.stdout.includes('KVR053'))).toEqual([false, false]);
  expect(JSON.parse(repo.branchFile(BRANCH, path)).records['secret/adopted']).toBeUndefined();
  for (const r of [first, ...runs]) {
    expect(r.stdout).toContain(`::add-mask::${key}`);
    const visible = [
      r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
      r.stderr,
      r.summary,
    ].join('\n');
    expect(visible.includes(key) ? 'the key' : 'absent').toBe('absent');
  }
  expect(repo.history(BRANCH).includes(key)).toBe(false);
});

test('turning the key on with adopt-state keeps the memory; a run without the key never unsigns the branch', async () => {
  const src = addVault(emulator, uniqueVault('ssrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('sdst'), 'westeurope');
  put(src, 'ours', 'v1');
  const repo = new GitFixture({
    '.github/keyvault-replication.yml': stringify({
      version: 1,
      replications: [{ name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
    }),
  });
  const key = `state-key-${crypto.randomUUID()}`;
  const run = (inputs: Record<string, string> = {}) =>
    runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs });
  const file = () => repo.branchFile(BRANCH, `dr/${dst}.json`);

  await run();
  const adopted = await run({ 'state-key': key, 'adopt-state': 'true' });
  expect(adopted.stdout).toMatch(
    /::warning::KVR053: state file dr\/.* is not signed; adopted as it is \(adopt-state\), and saved signed with this run's key/,
  );
  expect(JSON.parse(file())).toMatchObject({
    signature: expect.stringMatching(/^hmac-sha256:/),
    records: { 'secret/ours': { replicatedByUs: true } },
  });
  expect((await run({ 'state-key': key })).stdout).not.toContain('KVR053');

  const signedFile = file();
  const keyless = await run();
  expect(keyless.stdout).toMatch(
    /::warning::KVR053: state file dr\/.* is signed, but this run has no state key: it is neither used nor replaced/,
  );
  expect(file()).toBe(signedFile);
  put(src, 'ours', 'v2');
  const keyed = await run({ 'state-key': key });
  expect(keyed.stdout).not.toContain('KVR053');
  expect(keyed.report!.pairs[0]!.records.map((r) => `${r.name}:${r.status}`)).toEqual(['ours:update']);
});

test('a state-key shorter than 32 characters stops the Action before any vault call', async () => {
  emulator.resetCounters();
  const tokens = emulator.identity.tokensIssued;
  const r = await runAction(emulator, {
    workspace: tempDir('kvr-ws-'),
    as: ACTOR,
    inputs: { 'state-key': 'short', source: 'x-src-kv', targets: 'x-dst-kv' },
  });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("::error::KVR008: input 'state-key' must be at least 32 characters");
  expect(emulator.identity.tokensIssued).toBe(tokens);
});
