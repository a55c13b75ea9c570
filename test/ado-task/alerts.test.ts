import { stringify } from 'yaml';
import type { Principal } from '../../emulator/identity.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import { addServiceConnection, runTask, visibleToAgent } from '../support/task-harness.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';
import { emulatorPerFile } from '../support/world.ts';

const CONFIG_PATH = '.github/keyvault-replication.yml';
const emulator = emulatorPerFile(() => startReplicationWorld());
let FEDERATED: Principal;
let hook: WebhookReceiver;
beforeAll(async () => {
  FEDERATED = addServiceConnection(emulator);
  hook = await WebhookReceiver.start();
});
afterAll(() => hook.close());

test('alertAfterRuns and alertWebhookUrl: one "entered" message after N blocked runs, one "recovered" once fine; the URL is a secret', async () => {
  const src = addVault(emulator, uniqueVault('asrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('adst'), 'westeurope');
  for (const v of [src, dst])
    emulator.vault(v).spec.roleAssignments!.push({ principalId: FEDERATED.objectId, role: 'Key Vault Administrator' });
  const canary = `canary-${crypto.randomUUID()}`;
  const theirs = `theirs-${crypto.randomUUID()}`;
  emulator.invoke(src, 'PUT', 'secrets/db-password', { value: canary });
  emulator.invoke(dst, 'PUT', 'secrets/db-password', { value: theirs });
  const cfg = {
    version: 1,
    replications: [{ name: 'promote', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
  };
  const ws = new GitFixture({ [CONFIG_PATH]: stringify(cfg) }).clone();
  const apply = (more: Record<string, string> = {}) =>
    runTask(
      emulator,
      ws,
      { configFile: CONFIG_PATH, alertAfterRuns: '2', alertWebhookUrl: hook.url, ...more },
      // The receiver listens on this machine: reached directly, as NO_PROXY says (a real webhook goes via HTTPS_PROXY).
      { as: FEDERATED, env: { NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' } },
    );

  const runs = [await apply()];
  expect(hook.bodies).toEqual([]);
  runs.push(await apply());
  expect(hook.texts()).toHaveLength(1);
  expect(hook.texts()[0]).toContain(`replication promote has records failed or blocked for 2+ runs`);
  expect(hook.texts()[0]).toContain(`${dst}: secret/db-password blocked_target_conflict for 2 runs`);
  runs.push(await apply());
  expect(hook.bodies).toHaveLength(1);
  runs.push(await apply({ acknowledge: 'db-password' }));
  expect(hook.texts()).toHaveLength(2);
  expect(hook.texts()[1]).toContain('replication promote recovered');

  for (const run of runs) {
    expect(run.result).not.toBe('Failed');
    expect(run.stdout).toContain(`##vso[task.setsecret]${hook.url}`);
    expect(visibleToAgent(run.stdout)).not.toContain(hook.token);
    expect(visibleToAgent(run.stdout)).not.toContain(canary);
    expect(visibleToAgent(run.stdout)).not.toContain(theirs);
  }
  for (const body of hook.bodies) {
    expect(body).not.toContain(canary);
    expect(body).not.toContain(theirs);
  }
});
