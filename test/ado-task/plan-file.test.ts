import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Principal } from '../../emulator/identity.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addServiceConnection, runTask } from '../support/task-harness.ts';
import { addVault, startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import { tempDir } from '../support/temp-dir.ts';
import { liveSecretNames, putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';

// Issue 15, part 1, through the bundled task: a plan stage publishes the signed plan file, the apply stage after the
// environment's approval applies that file and holds back what changed since.
const CONFIG_PATH = '.github/keyvault-replication.yml';
const KEY = `state-key-${crypto.randomUUID()}`;
const emulator = emulatorPerFile(() => startReplicationWorld());
let FEDERATED: Principal;
beforeAll(() => {
  FEDERATED = addServiceConnection(emulator);
});

test('plan writes the plan file, apply applies it and holds back a changed source (heldBackPlanChanged)', async () => {
  const src = addVault(emulator, uniqueVault('tsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('tdst'), 'westeurope');
  for (const v of [src, dst])
    emulator.vault(v).spec.roleAssignments!.push({ principalId: FEDERATED.objectId, role: 'Key Vault Administrator' });
  const git = new GitFixture({
    [CONFIG_PATH]: stringify({
      version: 1,
      replications: [{ name: 'promote', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
    }),
  });
  const planFile = join(tempDir('kvr-artifact-'), 'keyvault-plan.json');
  const run = (mode: string) =>
    runTask(emulator, git.clone(), { configFile: CONFIG_PATH, mode, planFile, stateKey: KEY }, { as: FEDERATED });
  putSecret(emulator, src, 'reviewed', 'reviewed value');
  putSecret(emulator, src, 'changed', 'first value');

  const plan = await run('plan');
  expect([plan.result, plan.code]).toEqual(['Succeeded', 0]);
  expect(plan.variables).toMatchObject({ create: '2', heldBackPlanChanged: '0' });
  const text = readFileSync(planFile, 'utf8');
  expect(JSON.parse(text)).toMatchObject({ signature: expect.stringMatching(/^hmac-sha256:/) });
  for (const value of ['reviewed value', 'first value', KEY]) expect(text).not.toContain(value);

  emulator.clock.advance(60_000);
  putSecret(emulator, src, 'changed', 'value nobody reviewed');

  const apply = await run('apply');
  expect(apply.code).toBe(0);
  expect(apply.variables).toMatchObject({ create: '1', heldBackPlanChanged: '1' });
  expect(JSON.parse(apply.variables.counts!)).toEqual({ create: 1, held_back_plan_changed: 1 });
  expect(liveSecretNames(emulator, dst)).toEqual(['reviewed']);
  expect(apply.stdout).toMatch(/##vso\[task\.logissue type=warning[^\n]*not what the reviewed plan file said/);
});
