import { SecretClient } from '@azure/keyvault-secrets';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { githubFederation, runAction, type ActionRun } from '../support/action-harness.ts';
import { RECORD_STATUSES } from '../../src/engine/model.ts';
import { COMMENT_MARKER, OUTPUTS, STATUSES_AFTER_V1 } from '../../src/hosts/github/constants.ts';
import { FakeGitHubApi } from '../support/fake-github-api.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, REPLICATOR, startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import { ADMIN, credentialFor, principal, vaultUrl } from '../support/world.ts';
import { tempDir } from '../support/temp-dir.ts';

const CONFIG_PATH = '.github/keyvault-replication.yml';
const STATE_BRANCH = 'keyvault-replication-state';
const ACTOR = githubFederation(REPLICATOR);
const CLI_USER = principal('azure-login-user');

let emulator: KeyVaultEmulator;
let api: FakeGitHubApi;
beforeAll(async () => {
  emulator = await startReplicationWorld();
  emulator.identity.addPrincipal(ACTOR);
  emulator.identity.addPrincipal(CLI_USER);
  api = await FakeGitHubApi.start();
  api.tokens.add('ghs_workflowtoken');
});
afterAll(async () => {
  emulator.close();
  await api.close();
});

const put = (vault: string, name: string, value: string, extra: Record<string, unknown> = {}) =>
  emulator.invoke(vault, 'PUT', `secrets/${name}`, { value, ...extra });
const config = (replications: Record<string, unknown>[]) => stringify({ version: 1, replications });
const pair = (name: string, source: string, targets: string[], extra: Record<string, unknown> = {}) => ({
  name,
  source,
  targets,
  types: ['secrets'],
  rule: { all: true },
  ...extra,
});
const secretValue = async (vault: string, name: string) =>
  (await new SecretClient(vaultUrl(vault), credentialFor(ADMIN)).getSecret(name)).value;
const statusIn = (run: ActionRun, name: string) =>
  run.report?.pairs.flatMap((p) => p.records).find((r) => r.name === name)?.status;
/** What the runner shows: the ::add-mask:: commands are consumed by the runner and never printed. */
const visible = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

function world(extraFiles: Record<string, string> = {}) {
  const src = addVault(emulator, uniqueVault('gsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('gdst'), 'northeurope');
  return { src, dst, repo: (cfg: string) => new GitFixture({ [CONFIG_PATH]: cfg, ...extraFiles }) };
}

test('a scheduled apply signs in by OIDC, replicates, writes the summary and outputs, and commits state with the correlation id', async () => {
  const { src, dst, repo } = world();
  const canary = `canary-${crypto.randomUUID()}`;
  put(src, 'db-password', canary, { contentType: 'text/plain', tags: { team: 'pay' } });
  put(src, 'api-key', 'k-1');
  const git = repo(config([pair('dr', src, [dst])]));

  const run = await runAction(emulator, { workspace: git.clone(), as: ACTOR });

  expect(run.code).toBe(0);
  expect(await secretValue(dst, 'db-password')).toBe(canary);
  expect(run.outputs).toMatchObject({ create: '2', failed: '0', 'in-sync': '0', changed: 'true' });
  // Every status's count under its kebab-case name, and under the deprecated snake_case one until v2 (statuses added
  // after v1 have the kebab-case name only).
  for (const status of RECORD_STATUSES) {
    const count = status === 'create' ? '2' : '0';
    const old = STATUSES_AFTER_V1.includes(status) ? undefined : count;
    expect([status, run.outputs[OUTPUTS.statuses[status]], run.outputs[status]]).toEqual([status, count, old]);
  }
  expect(run.outputs['correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(JSON.parse(run.outputs.counts!)).toEqual({ create: 2 });
  expect(run.summary).toContain('## Key Vault replication: applied');
  expect(run.summary).toMatch(/\| <code>db-password<\/code> \| secret \| .*create/);
  expect(run.stdout).toContain(`::group::dr: ${src} → ${dst}`);
  // State: one file per replication and target, the commit names the run.
  const state = JSON.parse(git.branchFile(STATE_BRANCH, `dr/${dst}.json`));
  expect(state.correlationId).toBe(run.outputs['correlation-id']);
  expect(Object.keys(state.records)).toEqual(expect.arrayContaining(['secret/db-password', 'secret/api-key']));
  expect(git.log(STATE_BRANCH)[0]).toContain(`Correlation-Id: ${run.outputs['correlation-id']}`);
  // The value was masked the moment it was read, and appears nowhere a person or the repository can see.
  expect(run.stdout).toContain(`::add-mask::${canary}`);
  for (const place of [
    visible(run.stdout),
    run.stderr,
    run.summary,
    JSON.stringify(run.outputs),
    JSON.stringify(run.report),
    git.history(STATE_BRANCH),
  ]) {
    expect(place).not.toContain(canary);
  }

  const again = await runAction(emulator, { workspace: git.clone(), as: ACTOR });
  expect(again.outputs).toMatchObject({ 'in-sync': '2', in_sync: '2', create: '0', changed: 'false' });
  expect(git.log(STATE_BRANCH)).toHaveLength(2);
});

test('on pull_request the default mode is plan: one sticky comment, updated on the next push, and nothing written', async () => {
  const { src, dst, repo } = world();
  const canary = `canary-${crypto.randomUUID()}`;
  put(src, 'first', canary);
  const git = repo(config([pair('promote', src, [dst])]));
  const pr = {
    name: 'pull_request',
    payload: { pull_request: { number: 42 }, repository: { name: 'repo', owner: { login: 'owner' } } },
  };
  // A person's comment that starts with the marker is theirs: never taken for the preview, never edited.
  const human = `${COMMENT_MARKER}:all -->\nLGTM, ship it`;
  api.addComment(42, human, { login: 'mallory', type: 'User' });
  const bots = () => api.comments.filter((c) => c.issue === 42 && c.user.type === 'Bot');

  const first = await runAction(emulator, { workspace: git.clone(), as: ACTOR, event: pr, apiUrl: api.url });
  expect(first.code).toBe(0);
  expect(bots()).toHaveLength(1);
  expect(bots()[0]!.body).toContain('plan (nothing written)');
  expect(bots()[0]!.body).toContain('<code>first</code>');

  put(src, 'second', 'v2');
  const second = await runAction(emulator, { workspace: git.clone(), as: ACTOR, event: pr, apiUrl: api.url });
  expect(second.code).toBe(0);
  const comments = bots();
  expect(comments).toHaveLength(1);
  expect(comments[0]!.body).toContain('<code>second</code>');
  expect(api.requests.filter((r) => r.startsWith('PATCH'))).toHaveLength(1);
  expect(api.comments.filter((c) => c.issue === 42 && c.user.type === 'User').map((c) => c.body)).toEqual([human]);
  expect(emulator.vault(dst).secrets.live.size).toBe(0);
  for (const place of [
    comments[0]!.body,
    visible(first.stdout),
    visible(second.stdout),
    second.summary,
    JSON.stringify(second.outputs),
  ])
    expect(place).not.toContain(canary);
  expect(() => git.branchFile(STATE_BRANCH, `promote/${dst}.json`)).toThrow();
});

test('two concurrent jobs on different replications both land their state on the branch', async () => {
  const src = addVault(emulator, uniqueVault('gsrc'), 'westeurope');
  const [a, b] = [
    addVault(emulator, uniqueVault('ga'), 'westeurope'),
    addVault(emulator, uniqueVault('gb'), 'westeurope'),
  ];
  for (let i = 0; i < 5; i++) put(src, `s${i}`, `v${i}`);
  const git = new GitFixture({ [CONFIG_PATH]: config([pair('shard-a', src, [a]), pair('shard-b', src, [b])]) });

  const runs = await Promise.all(
    ['shard-a', 'shard-b'].map((r) =>
      runAction(emulator, { workspace: git.clone(), as: ACTOR, inputs: { replications: r } }),
    ),
  );

  expect(runs.map((r) => r.code)).toEqual([0, 0]);
  expect(JSON.parse(git.branchFile(STATE_BRANCH, `shard-a/${a}.json`)).records['secret/s0'].status).toBe('create');
  expect(JSON.parse(git.branchFile(STATE_BRANCH, `shard-b/${b}.json`)).records['secret/s4'].status).toBe('create');
  const messages = git.log(STATE_BRANCH).join('\n');
  for (const r of runs) expect(messages).toContain(r.outputs['correlation-id']);
});

test('flap protection holds across runs through the state branch: missing once, then retired, the copy kept', async () => {
  const { src, dst, repo } = world();
  put(src, 'flappy', 'v');
  const git = repo(config([pair('dr', src, [dst])]));
  const apply = () => runAction(emulator, { workspace: git.clone(), as: ACTOR });

  expect(statusIn(await apply(), 'flappy')).toBe('create');
  emulator.invoke(src, 'DELETE', 'secrets/flappy');
  emulator.invoke(src, 'DELETE', 'deletedsecrets/flappy');
  expect(statusIn(await apply(), 'flappy')).toBe('missing_once');
  expect(statusIn(await apply(), 'flappy')).toBe('retired');
  expect(await secretValue(dst, 'flappy')).toBe('v');
  expect(JSON.parse(git.branchFile(STATE_BRANCH, `dr/${dst}.json`)).records['secret/flappy'].status).toBe('retired');
});

test('a repository_dispatch carrying a Key Vault event replicates that one item and reads nothing else', async () => {
  const { src, dst, repo } = world();
  for (const n of ['alpha', 'bravo', 'charlie']) put(src, n, `value-${n}`);
  const other = addVault(emulator, uniqueVault('gother'), 'westeurope');
  const git = repo(config([pair('dr', src, [dst]), pair('unrelated', other, [dst])]));
  const event = {
    name: 'repository_dispatch',
    payload: {
      action: 'keyvault-event',
      client_payload: {
        id: crypto.randomUUID(),
        topic: `/subscriptions/x/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/${src}`,
        subject: 'bravo',
        eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
        eventTime: '2026-11-24T10:00:00Z',
        dataVersion: '1',
        metadataVersion: '1',
        data: {
          Id: `https://${src}.vault.azure.net/secrets/bravo/0123`,
          VaultName: src,
          ObjectType: 'Secret',
          ObjectName: 'bravo',
          Version: '0123',
        },
      },
    },
  };
  emulator.resetCounters();

  const run = await runAction(emulator, { workspace: git.clone(), as: ACTOR, event });

  expect(run.code).toBe(0);
  expect(run.report!.pairs.map((p) => p.records.map((r) => `${r.type}/${r.name}:${r.status}`))).toEqual([
    ['secret/bravo:create'],
  ]);
  expect([...emulator.vault(dst).secrets.live.keys()]).toEqual(['bravo']);
  // Its value, once; after the write, its versions' metadata: the check that the source had not moved on meanwhile.
  expect(emulator.vault(src).counters.valueReads).toBe(1);
  expect(emulator.vault(src).counters.byOperation['GET secrets/:name/versions']).toBe(1);
  expect(emulator.vault(other).counters.requests).toBe(0);
});

test('a bad config fails with file, line and column, and no vault is touched', async () => {
  const { src, dst, repo } = world();
  put(src, 'x', 'y');
  const git = repo(
    `version: 1\nreplications:\n  - name: dr\n    source: ${src}\n    targets: [${dst}]\n    types: [secrets]\n    rule: { all: true }\n    overwrite_on_confict: true\n`,
  );
  emulator.resetCounters();
  const tokensBefore = emulator.identity.tokensIssued;

  const run = await runAction(emulator, { workspace: git.clone(), as: ACTOR });

  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(
    /::error::KVR003: \.github\/keyvault-replication\.yml:8:5: .*unknown key 'overwrite_on_confict'/,
  );
  expect(run.summary).toContain('KVR003');
  expect(emulator.vault(src).counters.requests + emulator.vault(dst).counters.requests).toBe(0);
  expect(emulator.identity.tokensIssued).toBe(tokensBefore);
});

test('without id-token: write the Action says exactly that, and how to fix it', async () => {
  const { src, dst, repo } = world();
  const run = await runAction(emulator, {
    workspace: repo(config([pair('dr', src, [dst])])).clone(),
    as: ACTOR,
    signIn: 'no-id-token-permission',
  });
  expect(run.code).toBe(1);
  expect(run.stdout).toContain(
    "::error::KVR024: GitHub did not give this job an OIDC token: add 'permissions: id-token: write'",
  );
});

test("a federated credential for another subject: Entra's AADSTS70021 and the token's issuer, subject and audience, never the token", async () => {
  const { src, dst, repo } = world();
  // Trusts the production environment only; the job presents its branch.
  const envOnly = {
    ...principal('env-only'),
    clientSecret: undefined,
    federatedCredentials: [
      { issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:owner/repo:environment:production' },
    ],
  };
  emulator.identity.addPrincipal(envOnly);
  const run = await runAction(emulator, { workspace: repo(config([pair('dr', src, [dst])])).clone(), as: envOnly });
  expect(run.code).toBe(1);
  const shown = visible(run.stdout);
  expect(shown).toMatch(
    /::error::KVR024: authentication failed \(oidc, client [^)]+\): AADSTS70021: No matching federated identity record/,
  );
  expect(shown).toContain(
    "the federated token presented has issuer 'https://token.actions.githubusercontent.com', subject 'repo:owner/repo:ref:refs/heads/main', audience 'api://AzureADTokenExchange'",
  );
  // The token is masked, and appears nowhere else: not in the log, not in the summary.
  const masks = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice(12));
  const jwt = masks.find((m) => m.split('.').length === 3);
  expect(jwt).toBeDefined();
  expect(shown + run.summary).not.toContain(jwt!);
  expect(run.summary).toContain('AADSTS70021');
});

test('after azure/login the Action uses the signed-in Azure CLI; with a client secret it uses that', async () => {
  const { src, dst, repo } = world();
  put(src, 'via-cli', 'c');
  emulator.vault(src).spec.roleAssignments!.push({ principalId: CLI_USER.objectId, role: 'Key Vault Administrator' });
  emulator.vault(dst).spec.roleAssignments!.push({ principalId: CLI_USER.objectId, role: 'Key Vault Administrator' });
  const git = repo(config([pair('dr', src, [dst])]));

  const viaCli = await runAction(emulator, {
    workspace: git.clone(),
    as: CLI_USER,
    signIn: 'azure-cli',
    inputs: { 'state-branch': '' },
  });
  expect(viaCli.code).toBe(0);
  expect(viaCli.stdout).toContain('signing in to Azure with azure-login');
  expect(await secretValue(dst, 'via-cli')).toBe('c');

  put(src, 'via-secret', 's');
  const viaSecret = await runAction(emulator, { workspace: git.clone(), as: REPLICATOR, signIn: 'client-secret' });
  expect(viaSecret.code).toBe(0);
  expect(viaSecret.stdout).toContain(`::add-mask::${REPLICATOR.clientSecret}`);
  expect(visible(viaSecret.stdout)).not.toContain(REPLICATOR.clientSecret);
  expect(await secretValue(dst, 'via-secret')).toBe('s');
});

// A mistake in the single-pair inputs: test/reliability/bad-input.test.ts runs the Action for one, test/hosts for each.
test('single-pair inputs replace the config file', async () => {
  const src = addVault(emulator, uniqueVault('gsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('gdst'), 'westeurope');
  put(src, 'app-one', '1');
  put(src, 'db-two', '2');
  const ws = new GitFixture({ 'README.md': 'no config here' }).clone();

  const run = await runAction(emulator, {
    workspace: ws,
    as: ACTOR,
    inputs: { source: `https://${src}.vault.azure.net`, targets: dst, rule: 'pattern:app-*' },
  });
  expect(run.code).toBe(0);
  expect(run.outputs).toMatchObject({ create: '1', 'excluded-by-rule': '1', excluded_by_rule: '1' });
});

test('past 1,000 records the summary stops with a note, counts first', async () => {
  const { src, dst, repo } = world();
  for (let i = 0; i < 1005; i++) put(src, `bulk-${String(i).padStart(4, '0')}`, 'x');
  const run = await runAction(emulator, {
    workspace: repo(config([pair('bulk', src, [dst])])).clone(),
    as: ACTOR,
    inputs: { mode: 'plan' },
  });
  expect(run.code).toBe(0);
  expect(run.outputs.create).toBe('1005');
  expect(run.summary.indexOf('| 1005 |')).toBeLessThan(run.summary.indexOf('<code>bulk-0000</code>'));
  expect(run.summary).toContain('_5 more records not shown (the table stops at 1000 rows)');
});

test('without a checkout the state branch is fetched and pushed with the token, straight from the repository; no clone is left behind', async () => {
  const { src, dst, repo } = world();
  put(src, 'no-checkout', 'v');
  const git = repo(config([pair('dr', src, [dst])]));
  const workspace = new GitFixture({ 'unrelated.txt': '' }).root; // a plain folder, no .git
  mkdirSync(`${workspace}/.github`, { recursive: true });
  writeFileSync(`${workspace}/${CONFIG_PATH}`, config([pair('dr', src, [dst])]));
  const temps = { RUNNER_TEMP: tempDir('kvr-runner-temp-'), TMPDIR: tempDir('kvr-os-temp-') };

  const run = await runAction(emulator, {
    workspace,
    as: ACTOR,
    env: { GITHUB_SERVER_URL: `file://${git.root}`, ...temps },
  });

  expect(run.code).toBe(0);
  expect(JSON.parse(git.branchFile(STATE_BRANCH, `dr/${dst}.json`)).records['secret/no-checkout'].status).toBe(
    'create',
  );
  // The repository the state went through was the run's own, and is gone with it.
  expect(
    Object.values(temps)
      .flatMap((dir) => readdirSync(dir))
      .filter((f) => f.startsWith('kvr-state')),
  ).toEqual([]);
  for (const dir of Object.values(temps)) rmSync(dir, { recursive: true, force: true });
});

test('recover-soft-deleted: the copy the Action wrote, deleted by hand in the target, is recovered and written; never purged', async () => {
  const src = addVault(emulator, uniqueVault('gsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('gdst'), 'westeurope');
  // Key Vault takes a moment to finish a recovery: the bundle waits it out on its own (real) clock.
  emulator.setWindows(dst, { deleteMs: 0, recoverMs: 1500, purgeMs: 0 });
  put(src, 'app-key', 'one');
  const git = new GitFixture({ 'README.md': 'no config here' });
  // A signed state (state-key): only a signed record proves the deleted item is this tool's write.
  const inputs = { source: src, targets: dst, 'recover-soft-deleted': 'true', 'state-key': `k-${crypto.randomUUID()}` };
  const apply = () => runAction(emulator, { workspace: git.clone(), as: ACTOR, inputs });
  expect(statusIn(await apply(), 'app-key')).toBe('create');
  emulator.invoke(dst, 'DELETE', 'secrets/app-key');
  put(src, 'app-key', 'two');

  const run = await apply();
  expect(run.code).toBe(0);
  expect(run.report?.pairs[0]?.records[0]).toMatchObject({ name: 'app-key', status: 'create', action: 'recover' });
  expect(run.summary).toContain('recovered, then written');
  expect(await secretValue(dst, 'app-key')).toBe('two');
  expect(emulator.vault(dst).counters.byOperation['POST deletedsecrets/:name/recover']).toBe(1);
  expect(emulator.vault(dst).counters.byOperation['DELETE deletedsecrets/:name'] ?? 0).toBe(0);
});
