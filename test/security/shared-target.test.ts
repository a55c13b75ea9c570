import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { latest } from '../../emulator/model.ts';
import { runAction } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { GitFixture, git } from '../support/git-fixture.ts';
import { addVault, uniqueVault } from '../support/replication-world.ts';
import { deleteRequests, liveSecretNames, putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';

// Issue 11, item 1: two workflows of one repository, each a single pair, writing to one shared DR vault.
const BRANCH = 'keyvault-replication-state';
const emulator = emulatorPerFile(() => startActionWorld());

const put = (vault: string, name: string, value: string) => putSecret(emulator, vault, name, value);
const live = (vault: string) => liveSecretNames(emulator, vault);
const deletes = (vault: string) => deleteRequests(emulator, vault);

test("single-pair workflows from two sources into one target keep separate state and never delete each other's copies", async () => {
  const teamA = addVault(emulator, uniqueVault('team-a'), 'westeurope');
  const teamB = addVault(emulator, uniqueVault('team-b'), 'westeurope');
  const shared = addVault(emulator, uniqueVault('shared-dr'), 'westeurope');
  put(teamA, 'a-db-password', 'a');
  put(teamB, 'b-api-key', 'b');
  const repo = new GitFixture({ 'README.md': 'two workflows, one state branch\n' });
  const workflowA = { source: teamA, targets: shared };
  const workflowB = { source: teamB, targets: shared, 'propagate-deletes': 'true' };

  const a = await runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: workflowA });
  emulator.resetCounters();
  const b = [
    await runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: workflowB }),
    await runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: workflowB }),
  ];

  expect(live(shared)).toEqual(['a-db-password', 'b-api-key']);
  expect(deletes(shared)).toBe(0);
  expect([a.code, ...b.map((r) => r.code)]).toEqual([0, 0, 0]);
  expect(b.map((r) => r.report!.pairs.flatMap((p) => p.records.map((x) => `${x.name}:${x.status}`)))).toEqual([
    ['b-api-key:create'],
    ['b-api-key:in_sync'],
  ]);
  // One state file per source and target, each recording its own pair.
  const files = git(repo.remote, 'ls-tree', '-r', '--name-only', BRANCH).trim().split('\n').sort();
  expect(files).toEqual([`single-pair-${teamA}/${shared}.json`, `single-pair-${teamB}/${shared}.json`].sort());
  expect(JSON.parse(repo.branchFile(BRANCH, `single-pair-${teamB}/${shared}.json`))).toMatchObject({
    source: teamB,
    target: shared,
  });
  expect(latest(emulator.vault(shared).secrets.live.get('a-db-password')!).value).toBe('a');
});

test('a config whose replication name another source already used for the target is warned about and never deletes on that memory', async () => {
  const first = addVault(emulator, uniqueVault('cfg-a'), 'westeurope');
  const second = addVault(emulator, uniqueVault('cfg-b'), 'westeurope');
  const shared = addVault(emulator, uniqueVault('cfg-dr'), 'westeurope');
  put(first, 'first-only', '1');
  put(second, 'second-only', '2');
  const config = (source: string) =>
    stringify({
      version: 1,
      replications: [
        { name: 'dr', source, targets: [shared], types: ['secrets'], rule: { all: true }, propagate_deletes: true },
      ],
    });
  // Two repositories... or one repository whose config changed its source: the same state file, dr/<target>.json.
  const repo = new GitFixture({ '.github/keyvault-replication.yml': config(first) });
  await runAction(emulator, { workspace: repo.clone(), as: ACTOR });
  const ws = repo.clone();
  writeFileSync(`${ws}/.github/keyvault-replication.yml`, config(second));
  const runs = [
    await runAction(emulator, { workspace: ws, as: ACTOR }),
    await runAction(emulator, { workspace: ws, as: ACTOR }),
  ];

  expect(live(shared)).toEqual(['first-only', 'second-only']);
  expect(runs.map((r) => r.code)).toEqual([0, 0]);
  expect(runs[0]!.stdout).toMatch(
    /::warning::KVR052: state file dr\/.* records replication, source, target "dr", "cfg-a.*", not dr: cfg-b/,
  );
  expect(runs[0]!.summary).toContain('KVR052');
  expect(runs[1]!.stdout).not.toContain('KVR052');
});
