import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runAction } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, uniqueVault } from '../support/replication-world.ts';
import { tempDir } from '../support/temp-dir.ts';
import { liveSecretNames, putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';

// Issue 15, part 1, through the bundled Action: the plan job writes a signed plan file (the artifact), the apply job
// after the environment approval applies that file and nothing a person did not review.
const emulator = emulatorPerFile(() => startActionWorld());
const KEY = `state-key-${crypto.randomUUID()}`;
const valueOf = (vault: string, name: string) =>
  (emulator.invoke(vault, 'GET', `secrets/${name}`) as { value: string }).value;

function world() {
  const src = addVault(emulator, uniqueVault('psrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('pdst'), 'westeurope');
  const repo = new GitFixture({
    '.github/keyvault-replication.yml': stringify({
      version: 1,
      replications: [{ name: 'promote', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
    }),
  });
  // The artifact, as actions/upload-artifact and download-artifact carry it from one job to the next.
  const planFile = join(tempDir('kvr-artifact-'), 'keyvault-plan.json');
  const run = (mode: string) =>
    runAction(emulator, {
      workspace: repo.clone(),
      as: ACTOR,
      inputs: { mode, 'plan-file': planFile, 'state-key': KEY },
    });
  return { src, dst, planFile, run };
}

test('plan writes the signed plan file; apply applies it and holds back a source changed since (held-back-plan-changed)', async () => {
  const { src, dst, planFile, run } = world();
  putSecret(emulator, src, 'reviewed', 'reviewed value');
  putSecret(emulator, src, 'changed', 'first value');

  const plan = await run('plan');
  expect(plan.code).toBe(0);
  expect(plan.outputs).toMatchObject({ create: '2', 'held-back-plan-changed': '0' });
  const text = readFileSync(planFile, 'utf8');
  expect(JSON.parse(text)).toMatchObject({
    format: 'keyvault-replicate-plan',
    signature: expect.stringMatching(/^hmac-sha256:/),
  });
  for (const value of ['reviewed value', 'first value', KEY]) expect(text).not.toContain(value);
  expect(liveSecretNames(emulator, dst)).toEqual([]);

  // Between the review and the approval someone writes a version nobody reviewed.
  emulator.clock.advance(60_000);
  putSecret(emulator, src, 'changed', 'value nobody reviewed');

  const apply = await run('apply');
  expect(apply.code).toBe(0);
  expect(apply.outputs).toMatchObject({ create: '1', 'held-back-plan-changed': '1', changed: 'true' });
  expect(apply.report!.totals).toEqual({ create: 1, held_back_plan_changed: 1 });
  expect(liveSecretNames(emulator, dst)).toEqual(['reviewed']);
  expect(valueOf(dst, 'reviewed')).toBe('reviewed value');
  expect(apply.stdout).toMatch(/::warning[^\n]*not what the reviewed plan file said/);
});

test('a plan file edited after the plan job fails the apply step with KVR060 and writes nothing', async () => {
  const { src, dst, planFile, run } = world();
  putSecret(emulator, src, 'one', 'v1');
  putSecret(emulator, src, 'two', 'v1');
  expect((await run('plan')).code).toBe(0);
  const plan = JSON.parse(readFileSync(planFile, 'utf8'));
  plan.pairs[0].records = plan.pairs[0].records.filter((r: { name: string }) => r.name === 'one');
  writeFileSync(planFile, JSON.stringify(plan));

  const apply = await run('apply');
  expect(apply.code).toBe(1);
  expect(apply.stdout).toMatch(/::error::KVR060: the plan file .* is refused: its signature does not verify/);
  expect(apply.summary).toContain('KVR060');
  expect(liveSecretNames(emulator, dst)).toEqual([]);
});
