import { SecretClient } from '@azure/keyvault-secrets';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import type { Principal } from '../../emulator/identity.ts';
import {
  addServiceConnection,
  CONNECTION,
  NODE_20,
  runTask as runAdoTask,
  visibleToAgent,
  type TaskRunOptions,
} from '../support/task-harness.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, REPLICATOR, startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import { ADMIN, credentialFor, vaultUrl, emulatorPerFile, SUB_A } from '../support/world.ts';

const CONFIG_PATH = '.github/keyvault-replication.yml';

const emulator = emulatorPerFile(() => startReplicationWorld());
let FEDERATED: Principal;
beforeAll(async () => {
  FEDERATED = addServiceConnection(emulator);
});

/** Runs the bundled task as the agent does, signed in as the federated service connection unless told otherwise. */
const runTask = (workspace: string, inputs: Record<string, string>, o: Partial<TaskRunOptions> = {}) =>
  runAdoTask(emulator, workspace, inputs, { as: FEDERATED, ...o });

const visible = visibleToAgent;
const pair = (src: string, dst: string) =>
  stringify({
    version: 1,
    replications: [{ name: 'promote', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
  });

function world() {
  const src = addVault(emulator, uniqueVault('asrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('adst'), 'westeurope');
  for (const v of [src, dst])
    emulator.vault(v).spec.roleAssignments!.push({ principalId: FEDERATED.objectId, role: 'Key Vault Administrator' });
  return { src, dst };
}

/** The handlers task.json names, each with the node it runs on: Node20_1 where a Node 20 is installed (CI has one). */
const HANDLERS: [string, string][] = [['Node24', process.execPath]];
if (NODE_20) HANDLERS.push(['Node20_1', NODE_20]);
else test.todo('no Node 20 on the PATH: the Node20_1 handler is not tested');

test.each(HANDLERS)(
  'apply through workload identity federation on the %s handler: summary attached, result Succeeded, state on the branch, no value anywhere',
  async (_handler, node) => {
    const { src, dst } = world();
    const canary = `canary-${crypto.randomUUID()}`;
    emulator.invoke(src, 'PUT', 'secrets/db-password', { value: canary });
    const git = new GitFixture({ [CONFIG_PATH]: pair(src, dst) });

    const run = await runTask(git.clone(), { configFile: CONFIG_PATH }, { node });

    expect(run.result).toBe('Succeeded');
    expect(run.code).toBe(0);
    expect((await new SecretClient(vaultUrl(dst), credentialFor(ADMIN)).getSecret('db-password')).value).toBe(canary);
    expect(run.summary).toContain('## Key Vault replication: applied');
    expect(run.summary).toContain('<code>db-password</code>');
    expect(JSON.parse(run.variables.counts!)).toEqual({ create: 1 });
    // One variable per status, as the Action has an output per status.
    expect(run.variables).toMatchObject({ create: '1', inSync: '0', blockedTargetConflict: '0', heldBack: '0' });
    expect(run.variables.changed).toBe('true');
    expect(git.log('keyvault-replication-state')[0]).toContain(`Correlation-Id: ${run.variables.correlationId}`);
    expect(run.stdout).toContain(`##vso[task.setsecret]${canary}`);
    for (const place of [
      visible(run.stdout),
      run.summary,
      git.history('keyvault-replication-state'),
      readFileSync(run.variables.reportPath!, 'utf8'),
    ])
      expect(place).not.toContain(canary);
  },
);

test('a pull request build plans without writing; a service principal secret works as the fallback', async () => {
  const { src, dst } = world();
  emulator.invoke(src, 'PUT', 'secrets/new-one', { value: 'x' });
  const ws = new GitFixture({ [CONFIG_PATH]: pair(src, dst) }).clone();

  const plan = await runTask(ws, { configFile: CONFIG_PATH }, { buildReason: 'PullRequest' });
  expect(plan.result).toBe('Succeeded');
  expect(plan.summary).toContain('plan (nothing written)');
  expect(emulator.vault(dst).secrets.live.size).toBe(0);

  const apply = await runTask(
    ws,
    { source: src, targets: dst, stateBranch: '' },
    { as: REPLICATOR, scheme: 'ServicePrincipal' },
  );
  expect(apply.result).toBe('Succeeded');
  expect(apply.stdout).toContain('signing in to Azure with service principal secret');
  expect(visible(apply.stdout)).not.toContain(REPLICATOR.clientSecret);
  expect(emulator.vault(dst).secrets.live.has('new-one')).toBe(true);
});

test.each(HANDLERS)(
  'a missing service connection on the %s handler is KVR008 and touches nothing',
  async (_handler, node) => {
    const { src, dst } = world();
    emulator.resetCounters();

    const run = await runTask(
      new GitFixture({ [CONFIG_PATH]: pair(src, dst) }).clone(),
      { configFile: CONFIG_PATH, azureSubscription: '' },
      { node },
    );

    expect(run.result).toBe('Failed');
    expect(run.stdout).toContain("KVR008: input 'azureSubscription': required, but not given");
    expect(run.stdout).not.toContain('KVR039');
    expect(run.variables.correlationId).toBeUndefined();
    expect(emulator.vault(src).counters.requests + emulator.vault(dst).counters.requests).toBe(0);
  },
);

test('a blocked record gives SucceededWithIssues; a bad config gives Failed with file:line:column and touches no vault', async () => {
  const { src, dst } = world();
  emulator.invoke(src, 'PUT', 'secrets/shared', { value: 'source' });
  emulator.invoke(dst, 'PUT', 'secrets/shared', { value: 'target-own' });
  const ws = new GitFixture({
    [CONFIG_PATH]: pair(src, dst),
    'bad.yml': 'version: 1\nreplications: [ { name: x, source: a-b-c }\n',
  }).clone();

  const blocked = await runTask(ws, { configFile: CONFIG_PATH });
  expect(blocked.result).toBe('SucceededWithIssues');
  expect(blocked.summary).toMatch(/<code>shared<\/code> \| secret \| .*blocked_target_conflict/);
  expect(blocked.variables).toMatchObject({ blockedTargetConflict: '1', create: '0', changed: 'false' });

  emulator.resetCounters();
  const bad = await runTask(ws, { configFile: 'bad.yml' });
  expect(bad.result).toBe('Failed');
  expect(bad.stdout).toMatch(/KVR002: bad\.yml:\d+:\d+/);
  expect(emulator.vault(src).counters.requests + emulator.vault(dst).counters.requests).toBe(0);
});

test('a service connection the task refuses still has its key registered with the agent first', async () => {
  const { src, dst } = world();
  const key = `spn-key-${crypto.randomUUID()}`;
  const noTenant = {
    parameters: { serviceprincipalid: REPLICATOR.clientId, serviceprincipalkey: key },
    scheme: 'ServicePrincipal',
  };

  const run = await runTask(
    new GitFixture({ [CONFIG_PATH]: pair(src, dst) }).clone(),
    { configFile: CONFIG_PATH },
    {
      scheme: 'ServicePrincipal',
      env: { [`ENDPOINT_AUTH_${CONNECTION}`]: JSON.stringify(noTenant) },
    },
  );

  expect(run.result).toBe('Failed');
  expect(visible(run.stdout)).toContain('KVR024');
  expect(run.stdout).toContain(`##vso[task.setsecret]${key}`);
});

test('an empty subscription id on the service connection is no subscription: the config names the vaults', async () => {
  const { src, dst } = world();
  const config = stringify({ ...parse(pair(src, dst)), subscriptions: [SUB_A] });

  const run = await runTask(
    new GitFixture({ [CONFIG_PATH]: config }).clone(),
    { configFile: CONFIG_PATH },
    {
      env: { [`ENDPOINT_DATA_${CONNECTION}_SUBSCRIPTIONID`]: '' },
    },
  );

  expect(run.result).toBe('Succeeded');
});

test('recoverSoftDeleted: the copy the task wrote, deleted by hand in the target, is recovered and written; never purged', async () => {
  const { src, dst } = world();
  emulator.setWindows(dst, { deleteMs: 0, recoverMs: 1500, purgeMs: 0 });
  emulator.invoke(src, 'PUT', 'secrets/app-key', { value: 'one' });
  const git = new GitFixture({ 'README.md': 'no config here' });
  // A signed state (stateKey): only a signed record proves the deleted item is this tool's write.
  const inputs = { source: src, targets: dst, recoverSoftDeleted: 'true', stateKey: `k-${crypto.randomUUID()}` };
  expect((await runTask(git.clone(), inputs)).variables.create).toBe('1');
  emulator.invoke(dst, 'DELETE', 'secrets/app-key');
  emulator.invoke(src, 'PUT', 'secrets/app-key', { value: 'two' });

  const run = await runTask(git.clone(), inputs);
  expect(run.result).toBe('Succeeded');
  expect(run.summary).toMatch(/<code>app-key<\/code> \| secret \| .*recovered, then written/);
  expect((await new SecretClient(vaultUrl(dst), credentialFor(ADMIN)).getSecret('app-key')).value).toBe('two');
  expect(emulator.vault(dst).counters.byOperation['POST deletedsecrets/:name/recover']).toBe(1);
  expect(emulator.vault(dst).counters.byOperation['DELETE deletedsecrets/:name'] ?? 0).toBe(0);
});
