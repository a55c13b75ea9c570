import { stringify } from 'yaml';
import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { ALERT_LABEL, ALERT_MARKER } from '../../src/hosts/github/alert-issue.ts';
import { githubFederation, runAction } from '../support/action-harness.ts';
import { FakeGitHubApi, type Issue } from '../support/fake-github-api.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, REPLICATOR, startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const ACTOR = githubFederation(REPLICATOR);

let emulator: KeyVaultEmulator;
let api: FakeGitHubApi;
let hook: WebhookReceiver;
beforeAll(async () => {
  emulator = await startReplicationWorld();
  emulator.identity.addPrincipal(ACTOR);
  api = await FakeGitHubApi.start();
  api.tokens.add('ghs_workflowtoken');
  hook = await WebhookReceiver.start();
});
afterAll(async () => {
  emulator.close();
  await api.close();
  await hook.close();
});

const put = (vault: string, name: string, value: string) => emulator.invoke(vault, 'PUT', `secrets/${name}`, { value });
/** What the runner shows: the ::add-mask:: commands are consumed by the runner and never printed. */
const visible = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

test('a record blocked for alert-after-runs runs opens one issue and posts "entered" once; a healthy run closes it and posts "recovered"', async () => {
  const src = addVault(emulator, uniqueVault('asrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('adst'), 'northeurope');
  const canary = `canary-${crypto.randomUUID()}`;
  const theirs = `theirs-${crypto.randomUUID()}`;
  put(src, 'db-password', canary);
  // Someone else's item of that name in the target: a conflict, blocked on every run until acknowledged.
  put(dst, 'db-password', theirs);
  const cfg = {
    version: 1,
    replications: [{ name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
  };
  const git = new GitFixture({ '.github/keyvault-replication.yml': stringify(cfg) });
  const inputs = { 'alert-after-runs': '2', 'alert-webhook-url': hook.url };
  const apply = (more: Record<string, string> = {}) =>
    runAction(emulator, {
      workspace: git.clone(),
      as: ACTOR,
      apiUrl: api.url,
      inputs: { ...inputs, ...more },
      // The receiver listens on this machine: reached directly, as NO_PROXY says (a real webhook goes via HTTPS_PROXY).
      env: { NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' },
    });
  const mine = (): Issue[] =>
    api.issues.filter((i) => i.labels.includes(ALERT_LABEL) && i.body.startsWith(`${ALERT_MARKER}:dr -->`));

  hook.bodies.length = 0;
  const runs = [await apply()];
  expect(runs[0]!.report?.pairs[0]!.records[0]!.status).toBe('blocked_target_conflict');
  expect(mine()).toEqual([]);
  expect(hook.bodies).toEqual([]);

  runs.push(await apply());
  expect(mine()).toHaveLength(1);
  expect(mine()[0]).toMatchObject({ state: 'open' });
  expect(mine()[0]!.body).toContain('<code>secret/db-password</code> | blocked_target_conflict | 2 |');
  expect(hook.texts()).toHaveLength(1);
  expect(hook.texts()[0]).toContain('replication dr has records failed or blocked for 2+ runs');
  expect(hook.texts()[0]).toContain(`${dst}: secret/db-password blocked_target_conflict for 2 runs`);

  // Still blocked: the same issue, its count updated; no second message.
  runs.push(await apply());
  expect(mine()).toHaveLength(1);
  expect(mine()[0]!.body).toContain('| blocked_target_conflict | 3 |');
  expect(hook.bodies).toHaveLength(1);

  // Acknowledged: overwritten, fine again. The issue is closed with a comment, and one "recovered" message.
  runs.push(await apply({ acknowledge: 'db-password' }));
  expect(runs[3]!.report?.pairs[0]!.records[0]!.status).toBe('update');
  expect(mine()).toHaveLength(1);
  expect(mine()[0]).toMatchObject({ state: 'closed' });
  expect(api.comments.filter((c) => c.issue === mine()[0]!.number)[0]!.body).toContain('healthy again');
  expect(hook.texts()).toHaveLength(2);
  expect(hook.texts()[1]).toContain('replication dr recovered');

  // A healthy run after that: nothing more.
  runs.push(await apply());
  expect(hook.bodies).toHaveLength(2);
  expect(mine()).toHaveLength(1);

  for (const run of runs) {
    expect(run.code).toBe(0);
    // The webhook URL is a secret: registered with the runner, and never shown.
    expect(run.stdout).toContain(`::add-mask::${hook.url}`);
    expect(visible(run.stdout) + run.stderr).not.toContain(hook.token);
    for (const place of [visible(run.stdout), run.stderr, run.summary]) {
      expect(place).not.toContain(canary);
      expect(place).not.toContain(theirs);
    }
  }
  for (const body of [...hook.bodies, ...api.bodies]) {
    expect(body).not.toContain(canary);
    expect(body).not.toContain(theirs);
    expect(body).not.toContain(hook.token);
  }
});

test('an undeliverable webhook message is a warning (KVR086) naming no URL, and a bad alert input is KVR085', async () => {
  const src = addVault(emulator, uniqueVault('asrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('adst'), 'northeurope');
  put(src, 's', 'v-1');
  put(dst, 's', 'other');
  const cfg = {
    version: 1,
    replications: [{ name: 'dr2', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
  };
  const git = new GitFixture({ '.github/keyvault-replication.yml': stringify(cfg) });
  const apply = (inputs: Record<string, string>) =>
    runAction(emulator, {
      workspace: git.clone(),
      as: ACTOR,
      apiUrl: api.url,
      inputs,
      env: { NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' },
    });
  hook.status = 500;
  try {
    const run = await apply({ 'alert-after-runs': '1', 'alert-webhook-url': hook.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /::warning::KVR086: the alert webhook did not take the message on dr2 \(entered\): HTTP 500/,
    );
    expect(visible(run.stdout)).not.toContain(hook.token);
  } finally {
    hook.status = 200;
  }
  const bad = await apply({ 'alert-after-runs': '11' });
  expect(bad.code).not.toBe(0);
  expect(bad.stdout).toContain("KVR085: input 'alert-after-runs' must be a whole number from 0 (no alerts) to 10");
  const noTimes = await apply({ 'alert-webhook-url': hook.url });
  expect(noTimes.stdout).toContain("input 'alert-webhook-url' is set but input 'alert-after-runs' is 0");
  expect(visible(noTimes.stdout)).not.toContain(hook.token);
});
