import { stringify } from 'yaml';
import type { Principal } from '../../emulator/identity.ts';
import { THREAD_MARKER } from '../../src/hosts/ado/pr-thread.ts';
import { BUILD_SERVICE, FakeDevOpsApi } from '../support/fake-devops-api.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, REPLICATOR, startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import {
  addServiceConnection,
  runTask as runAdoTask,
  visibleToAgent as visible,
  type TaskRunOptions,
} from '../support/task-harness.ts';
import { emulatorPerFile } from '../support/world.ts';

const CONFIG_PATH = '.github/keyvault-replication.yml';
const PR = 17;

const emulator = emulatorPerFile(() => startReplicationWorld());
let FEDERATED: Principal;
let api: FakeDevOpsApi;
beforeAll(() => {
  FEDERATED = addServiceConnection(emulator);
  // The stand-in takes the tokens the harness gives each job as System.AccessToken.
  api = new FakeDevOpsApi((token) => emulator.identity.devopsRequests.has(token));
  emulator.devopsApi = api.handle;
});

/** The predefined variables of a pull request build of an Azure Repos repository. */
const prBuild = (): Partial<TaskRunOptions> => ({
  buildReason: 'PullRequest',
  env: {
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'platform',
    BUILD_REPOSITORY_ID: api.repositoryId,
    BUILD_REPOSITORY_PROVIDER: 'TfsGit',
    SYSTEM_PULLREQUEST_PULLREQUESTID: String(PR),
    SYSTEM_PULLREQUEST_SOURCEBRANCH: 'refs/heads/feature/x',
    SYSTEM_PULLREQUEST_TARGETBRANCH: 'refs/heads/main',
  },
});

const runTask = (workspace: string, inputs: Record<string, string>, o: Partial<TaskRunOptions> = {}) =>
  runAdoTask(emulator, workspace, inputs, { as: FEDERATED, ...o });

function world() {
  const src = addVault(emulator, uniqueVault('psrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('pdst'), 'westeurope');
  for (const v of [src, dst])
    for (const principalId of [FEDERATED.objectId, REPLICATOR.objectId])
      emulator.vault(v).spec.roleAssignments!.push({ principalId, role: 'Key Vault Administrator' });
  const config = stringify({
    version: 1,
    replications: [{ name: 'promote', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
  });
  return { src, dst, git: new GitFixture({ [CONFIG_PATH]: config }) };
}

/** The threads the build service started for one set of replications (`all`, or their names). */
const ours = (key = 'all') =>
  api.threads.filter(
    (t) =>
      t.pullRequest === PR &&
      t.comments[0]!.author.id === BUILD_SERVICE.id &&
      t.comments[0]!.content.startsWith(`${THREAD_MARKER}:${key} -->`),
  );
const tokensSent = (from = 0) => [...new Set(api.authorizations.slice(from).map((a) => a.replace(/^Bearer /i, '')))];

test('a pull request build posts one thread with the plan, updates it on the next push, and never writes', async () => {
  const { src, dst, git } = world();
  const canary = `canary-${crypto.randomUUID()}`;
  emulator.invoke(src, 'PUT', 'secrets/first', { value: canary });
  // A person's thread that starts with the marker is theirs: never taken for the preview, never edited.
  const person = { id: 'mallory-id', displayName: 'Mallory', uniqueName: 'mallory@contoso.com' };
  const human = `${THREAD_MARKER}:all -->\nLGTM, ship it`;
  api.addThread(PR, human, person);
  const start = { requests: api.requests.length, authorizations: api.authorizations.length };

  const first = await runTask(git.clone(), { configFile: CONFIG_PATH }, prBuild());
  expect(first.result).toBe('Succeeded');
  expect(ours()).toHaveLength(1);
  expect(ours()[0]!.comments[0]!.content).toContain('plan (nothing written)');
  expect(ours()[0]!.comments[0]!.content).toContain('<code>first</code>');
  // Nothing needs a person: the thread is resolved, so a comment-resolution policy does not wait on it.
  expect(ours()[0]!.status).toBe('closed');
  expect(first.stdout).toContain(`preview thread created on pull request ${PR}`);

  // The next push: a new item, and a target item of the same name the tool did not write (blocked).
  emulator.invoke(src, 'PUT', 'secrets/second', { value: 'v2' });
  emulator.invoke(src, 'PUT', 'secrets/shared', { value: 'source' });
  emulator.invoke(dst, 'PUT', 'secrets/shared', { value: 'target-own' });
  const second = await runTask(git.clone(), { configFile: CONFIG_PATH }, prBuild());
  expect(second.result).toBe('SucceededWithIssues');
  expect(ours()).toHaveLength(1);
  expect(ours()[0]!.comments).toHaveLength(1);
  expect(ours()[0]!.comments[0]!.content).toContain('<code>second</code>');
  expect(ours()[0]!.comments[0]!.content).toMatch(/<code>shared<\/code>.*blocked_target_conflict/);
  expect(ours()[0]!.status).toBe('active');
  expect(api.requests.slice(start.requests).filter((r) => r.startsWith('POST'))).toHaveLength(1);
  expect(second.stdout).toContain(`preview thread updated on pull request ${PR}`);
  expect(api.threads.filter((t) => t.comments[0]!.author.id === person.id).map((t) => t.comments[0]!.content)).toEqual([
    human,
  ]);
  expect(emulator.vault(dst).secrets.live.has('first')).toBe(false);

  // The token is registered with the agent and shown nowhere; no value reaches the thread.
  const tokens = tokensSent(start.authorizations);
  expect(tokens).toHaveLength(2);
  for (const [token, run] of tokens.map((t, i) => [t, [first, second][i]!] as const))
    expect(run.stdout).toContain(`##vso[task.setsecret]${token}`);
  for (const place of [visible(first.stdout), visible(second.stdout), ours()[0]!.comments[0]!.content])
    for (const secret of [canary, ...tokens]) expect(place).not.toContain(secret);
});

test('commentOnPr false posts nothing; an apply build posts nothing', async () => {
  const { src, git } = world();
  emulator.invoke(src, 'PUT', 'secrets/a', { value: 'x' });
  const before = api.requests.length;
  const off = await runTask(git.clone(), { configFile: CONFIG_PATH, commentOnPr: 'false' }, prBuild());
  expect(off.result).toBe('Succeeded');
  const apply = await runTask(git.clone(), { configFile: CONFIG_PATH, mode: 'apply', stateBranch: '' }, prBuild());
  expect(apply.result).toBe('Succeeded');
  expect(api.requests.length).toBe(before);
});

test('no System.AccessToken is a KVR075 warning, and a token without permission a KVR076 warning: the result stays', async () => {
  const { src, git } = world();
  emulator.invoke(src, 'PUT', 'secrets/a', { value: 'x' });
  const before = api.requests.length;

  // A service principal connection needs no token to sign in; the job has none.
  const build = prBuild();
  const none = await runTask(
    git.clone(),
    { configFile: CONFIG_PATH },
    {
      ...build,
      as: REPLICATOR,
      scheme: 'ServicePrincipal',
      env: { ...build.env, ENDPOINT_AUTH_SYSTEMVSSCONNECTION: '' },
    },
  );
  expect(none.result).toBe('Succeeded');
  expect(none.stdout).toMatch(/##vso\[task\.logissue type=warning[^\]]*\]KVR075: no System\.AccessToken/);
  expect(api.requests.length).toBe(before);

  api.readOnly = true;
  try {
    const denied = await runTask(git.clone(), { configFile: CONFIG_PATH }, build);
    expect(denied.result).toBe('Succeeded');
    expect(denied.stdout).toMatch(/\]KVR076: the preview thread could not be posted .*403 TF401027/);
    for (const token of tokensSent()) expect(visible(denied.stdout)).not.toContain(token);
  } finally {
    api.readOnly = false;
  }
});

test("failOn blocked fails the task on a blocked record (KVR043), as the Action's fail-on does", async () => {
  const { src, dst, git } = world();
  emulator.invoke(src, 'PUT', 'secrets/shared', { value: 'source' });
  emulator.invoke(dst, 'PUT', 'secrets/shared', { value: 'target-own' });
  const ws = git.clone();

  const strict = await runTask(ws, { configFile: CONFIG_PATH, failOn: 'blocked' });
  expect(strict.result).toBe('Failed');
  expect(strict.stdout).toContain('KVR043');
  expect(strict.variables).toMatchObject({ blockedTargetConflict: '1' });
  const never = await runTask(ws, { configFile: CONFIG_PATH, failOn: 'never' });
  expect(never.result).toBe('SucceededWithIssues');
});

test('a run of some replications has a thread of its own beside the thread of all', async () => {
  const { src, git } = world();
  emulator.invoke(src, 'PUT', 'secrets/a', { value: 'x' });
  const one = await runTask(git.clone(), { configFile: CONFIG_PATH, replications: 'promote' }, prBuild());
  expect(one.result).toBe('Succeeded');
  const again = await runTask(git.clone(), { configFile: CONFIG_PATH, replications: 'promote' }, prBuild());
  expect(again.stdout).toContain(`preview thread updated on pull request ${PR}`);
  expect(ours('promote')).toHaveLength(1);
  expect(ours('promote')[0]!.comments[0]!.content).toContain('<code>a</code>');
});
