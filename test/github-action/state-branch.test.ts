import { stringify } from 'yaml';
import { runAction } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { GitFixture, git } from '../support/git-fixture.ts';
import { addVault, uniqueVault } from '../support/replication-world.ts';
import { pastTheLastStampOf, putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';

// What a scheduled workflow leaves on the state branch run after run: nothing when nothing changed, one line per
// changed item otherwise, and a file that stays small.
const BRANCH = 'keyvault-replication-state';
const ITEMS = 60;
const emulator = emulatorPerFile(() => startActionWorld());

test('a no-op apply leaves the state branch head as it was; a change rewrites its record alone', async () => {
  const src = addVault(emulator, uniqueVault('nsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('ndst'), 'westeurope');
  const names = Array.from({ length: ITEMS }, (_, i) => `item-${String(i).padStart(5, '0')}`);
  // Written a minute before the runs (by the system's clock, whatever other tests did to the emulator's): settled at
  // once, not compared again (recheck) as items changed in the listing's second are.
  emulator.clock.backdated(60_000, () => {
    for (const n of names) putSecret(emulator, src, n, `value of ${n}`);
  });
  const repo = new GitFixture({
    '.github/keyvault-replication.yml': stringify({
      version: 1,
      replications: [{ name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
    }),
  });
  const key = `state-key-${crypto.randomUUID()}`;
  const run = () => runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: { 'state-key': key } });
  const head = () => git(repo.remote, 'rev-parse', BRANCH).trim();
  const path = `dr/${dst}.json`;

  expect((await run()).code).toBe(0);
  // The next run records the copies as in sync (they were `create`), once the second of their writes is over; from
  // then on a no-op run makes no commit.
  await pastTheLastStampOf(emulator, dst);
  expect((await run()).code).toBe(0);
  expect(repo.branchFile(BRANCH, path)).not.toMatch(/"(recheck|targetRecheck)":true/);
  const settled = head();
  const noop = await run();
  expect(noop.code).toBe(0);
  expect(noop.report!.totals).toMatchObject({ in_sync: ITEMS });
  expect(head()).toBe(settled);

  const text = repo.branchFile(BRANCH, path);
  const recordLines = text.split('\n').filter((l) => l.startsWith('    "secret/'));
  expect(recordLines).toHaveLength(ITEMS);
  const perRecord = Math.round(recordLines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) / ITEMS);
  console.log(`state bytes per record: ${perRecord} (${Buffer.byteLength(text)} bytes for ${ITEMS} records)`);
  expect(perRecord).toBeLessThan(300);
  expect(JSON.parse(text)).toMatchObject({ version: 2, signature: expect.stringMatching(/^hmac-sha256:/) });

  putSecret(emulator, src, 'item-00007', 'changed');
  expect((await run()).code).toBe(0);
  expect(head()).not.toBe(settled);
  const changed = git(repo.remote, 'diff', '--numstat', settled, BRANCH, '--', path).trim();
  // The record, and the file's run, time, base and signature lines.
  expect(changed).toBe(`5\t5\t${path}`);
});
