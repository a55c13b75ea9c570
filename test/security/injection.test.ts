import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Principal } from '../../emulator/identity.ts';
import type { KeyVaultEmulator, VaultRequestInfo } from '../../emulator/server.ts';
import { runAction } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { FakeGitHubApi } from '../support/fake-github-api.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, REPLICATOR, uniqueVault, Workspace } from '../support/replication-world.ts';
import { addServiceConnection, runTask } from '../support/task-harness.ts';

/** The task's own output variables (task.json): the only variables it may set. */
const TASK_OUTPUTS = new Set(
  (
    JSON.parse(readFileSync('ado-task/KeyVaultReplicateV1/task.json', 'utf8')) as {
      outputVariables: { name: string }[];
    }
  ).outputVariables.map((o) => o.name),
);

// Vault tags, event payloads and config text are written by people who must not be able to drive the runner (a
// command in the log), the pipeline (a `##vso[` command) or the pull request (a heading, an image, a mention).

const CONFIG_PATH = '.github/keyvault-replication.yml';
const STATE_BRANCH = 'keyvault-replication-state';
const TAG = 'replicate_to';

let emulator: KeyVaultEmulator;
let api: FakeGitHubApi;
let serviceConnection: Principal;
beforeAll(async () => {
  emulator = await startActionWorld();
  serviceConnection = addServiceConnection(emulator);
  api = await FakeGitHubApi.start();
  api.tokens.add('ghs_workflowtoken');
});
afterEach(() => {
  emulator.hold = undefined;
});
afterAll(async () => {
  emulator.close();
  await api.close();
});

/** Both runners read a line at CR, LF or CRLF. */
const lines = (text: string) => text.split(/\r\n|\r|\n/);

/** The commands the GitHub runner would act on: a line that, trimmed, starts with `::`, or holds a legacy `##[`. */
function runnerCommands(stdout: string): { name: string; data: string }[] {
  return lines(stdout).flatMap((line) => {
    const trimmed = line.trim();
    const modern = /^::([^\s:]+)[^:]*::(.*)$/.exec(trimmed);
    const legacy = /##\[([^\]\s]+)[^\]]*\](.*)$/.exec(line);
    return [
      ...(modern ? [{ name: modern[1]!, data: modern[2]! }] : []),
      ...(legacy ? [{ name: `##[${legacy[1]}`, data: legacy[2]! }] : []),
    ];
  });
}

/** The commands the Azure DevOps agent would act on: from the first `##vso[` in a line, whatever comes before it. */
function agentCommands(stdout: string): { name: string; properties: string; data: string; more: boolean }[] {
  return lines(stdout).flatMap((line) => {
    const at = line.toLowerCase().indexOf('##vso[');
    if (at < 0) return [];
    const m = /^##vso\[(\S+?)(?:\s+([^\]]*))?\](.*)$/i.exec(line.slice(at));
    return m
      ? [
          {
            name: m[1]!.toLowerCase(),
            properties: m[2] ?? '',
            data: m[3]!,
            more: m[3]!.toLowerCase().includes('##vso['),
          },
        ]
      : [];
  });
}

const TASK_COMMANDS = [
  'task.debug',
  'task.setsecret',
  'task.issue',
  'task.uploadsummary',
  'task.setvariable',
  'task.complete',
];
const ACTION_COMMANDS = ['add-mask', 'debug', 'group', 'endgroup'];

function tagWorld(tagText: (dst: string) => string, grant?: Principal) {
  const dst = addVault(emulator, uniqueVault('idst'), 'westeurope');
  const src = addVault(emulator, uniqueVault('isrc'), 'westeurope', { tags: { [TAG]: tagText(dst) } });
  if (grant)
    for (const v of [src, dst])
      emulator.vault(v).spec.roleAssignments!.push({ principalId: grant.objectId, role: 'Key Vault Administrator' });
  emulator.invoke(src, 'PUT', 'secrets/db', { value: 'v' });
  const config = stringify({
    version: 1,
    replications: [
      {
        name: 'fan-out',
        source: src,
        targets_from_tag: TAG,
        allowed_targets: [dst],
        types: ['secrets'],
        rule: { all: true },
      },
    ],
  });
  return { src, dst, git: new GitFixture({ [CONFIG_PATH]: config }) };
}

test('(a) a targets tag carrying ##vso[ commands after a line break drives nothing in the Azure DevOps task', async () => {
  const { dst, git } = tagWorld(
    (d) =>
      `${d},x\n##vso[task.setvariable variable=injected]pwned\n##vso[task.uploadfile]/etc/passwd\n##vso[task.complete result=Failed;]x`,
    serviceConnection,
  );

  const run = await runTask(emulator, git.clone(), { configFile: CONFIG_PATH }, { as: serviceConnection });

  // The allowed target ran; the tag's other text was refused (KVR042) and reported.
  expect(emulator.vault(dst).secrets.live.has('db')).toBe(true);
  expect(run.stdout).toContain('KVR042');
  const commands = agentCommands(run.stdout);
  // Only the task's own commands, each read from the start of its line: no second `##vso[` hides in one.
  const ours = (c: { name: string; properties: string }) =>
    TASK_COMMANDS.includes(c.name) &&
    (c.name !== 'task.setvariable' || TASK_OUTPUTS.has(/^variable=([^;]*);/.exec(c.properties)?.[1] ?? ''));
  expect(commands.filter((c) => !ours(c))).toEqual([]);
  expect(commands.filter((c) => c.name === 'task.complete')).toEqual([
    expect.objectContaining({ properties: 'result=Failed;' }),
  ]);
  expect(commands.filter((c) => c.more)).toEqual([]);
});

test('(b) a targets tag carrying :: and ##[ commands after a line break starts no command in the Action', async () => {
  const { dst, git } = tagWorld((d) => `${d},x\n::warning::pwned\n::stop-commands::x\n##[warning]pwned`);

  const run = await runAction(emulator, { workspace: git.clone(), as: ACTOR });

  expect(emulator.vault(dst).secrets.live.has('db')).toBe(true);
  expect(run.stdout).toContain('KVR042');
  const commands = runnerCommands(run.stdout);
  expect(commands.filter((c) => !ACTION_COMMANDS.includes(c.name) && c.name !== 'error')).toEqual([]);
  expect(commands.filter((c) => c.name === 'error').map((c) => c.data)).toEqual([expect.stringMatching(/^KVR042: /)]);
});

test('(c) Key Vault events with invalid names are dropped with KVR044: no command, no vault request, nothing in state', async () => {
  const dst = addVault(emulator, uniqueVault('edst'), 'westeurope');
  const src = addVault(emulator, uniqueVault('esrc'), 'westeurope');
  emulator.invoke(src, 'PUT', 'secrets/bravo', { value: 'b' });
  const git = new GitFixture({
    [CONFIG_PATH]: stringify({
      version: 1,
      replications: [{ name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
    }),
  });
  const JUNK = ['x\n::stop-commands::tok', 'a`b', '../x'];
  const event = (name: string) => ({
    eventType: 'Microsoft.KeyVault.SecretNewVersionCreated',
    subject: name,
    data: { VaultName: src, ObjectType: 'Secret', ObjectName: name },
  });
  const dispatch = (names: string[]) => ({
    name: 'repository_dispatch',
    payload: { action: 'keyvault-event', client_payload: { events: names.map(event) } },
  });
  const requests: VaultRequestInfo[] = [];
  emulator.hold = (r) => {
    requests.push(r);
    return undefined;
  };

  const mixed = await runAction(emulator, { workspace: git.clone(), as: ACTOR, event: dispatch(['bravo', ...JUNK]) });

  const commands = runnerCommands(mixed.stdout);
  expect(commands.filter((c) => !ACTION_COMMANDS.includes(c.name) && c.name !== 'warning')).toEqual([]);
  expect(commands.filter((c) => c.name === 'warning').map((c) => c.data)).toEqual([
    expect.stringMatching(/^KVR044: 3 Key Vault event\(s\) ignored/),
  ]);
  expect(mixed.code).toBe(0);
  expect(mixed.report!.pairs.map((p) => p.records.map((r) => `${r.type}/${r.name}:${r.status}`))).toEqual([
    ['secret/bravo:create'],
  ]);
  // Every data-plane request was a listing or about bravo (a junk name could also arrive as a normalised path, /x).
  const paths = requests.map((r) => decodeURIComponent(r.path));
  expect(paths.filter((p) => /bravo/.test(p)).length).toBeGreaterThan(0);
  expect(paths.filter((p) => !/^\/(deleted)?secrets(\/bravo(\/.*)?)?\/?$/i.test(p))).toEqual([]);
  const history = git.history(STATE_BRANCH);
  expect(history).toContain('secret/bravo');
  for (const text of [mixed.stdout, mixed.summary, history])
    for (const junk of ['stop-commands', 'a`b', '../x']) expect(text).not.toContain(junk);

  // Junk alone is no full sweep: nothing is read, written or saved.
  requests.length = 0;
  const commits = git.log(STATE_BRANCH).length;
  const junkOnly = await runAction(emulator, { workspace: git.clone(), as: ACTOR, event: dispatch(JUNK) });
  expect(junkOnly.code).toBe(0);
  expect(requests).toEqual([]);
  expect(git.log(STATE_BRANCH)).toHaveLength(commits);
  expect(runnerCommands(junkOnly.stdout).filter((c) => c.name !== 'debug')).toEqual([
    { name: 'warning', data: expect.stringMatching(/^KVR044: 3 Key Vault event\(s\) ignored/) },
    { name: 'notice', data: expect.stringMatching(/^Nothing to replicate: /) },
  ]);
  expect(junkOnly.stdout).not.toContain('stop-commands');
});

/** What GitHub would find in the rendered text: backslash escapes and entities resolved. */
const decoded = (md: string) =>
  md
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&(amp|lt|gt);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>' })[e]!);
/** The Markdown with every backslash-escaped character taken out: what is left is what a renderer reads as syntax. */
const unescaped = (md: string) => md.replace(/\\[!-/:-@[-`{-~]/g, '');

test('(d) a tagged rule with a lone CR, a table row, a heading, an image and a team mention stays text in the PR comment', async () => {
  const dst = addVault(emulator, uniqueVault('pdst'), 'westeurope');
  const src = addVault(emulator, uniqueVault('psrc'), 'westeurope');
  for (const n of ['plain', 'other']) emulator.invoke(src, 'PUT', `secrets/${n}`, { value: n });
  const tagged = 'team\r| x |\r# Heading\r![img](https://evil.example/x.png)\r@some-org/some-team';
  const git = new GitFixture({
    [CONFIG_PATH]: stringify({
      version: 1,
      replications: [{ name: 'promote', source: src, targets: [dst], types: ['secrets'], rule: { tagged } }],
    }),
  });
  const pr = {
    name: 'pull_request',
    payload: { pull_request: { number: 77 }, repository: { name: 'repo', owner: { login: 'owner' } } },
  };

  const run = await runAction(emulator, { workspace: git.clone(), as: ACTOR, event: pr, apiUrl: api.url });

  expect(run.code).toBe(0);
  const body = api.comments.find((c) => c.issue === 77)!.body;
  for (const md of [body, run.summary]) {
    const all = lines(md);
    expect(all.filter((l) => /^ {0,3}#{1,6}(\s|$)/.test(l))).toEqual([
      '## Key Vault replication: plan (nothing written)',
      `### promote: ${src} → ${dst}`,
    ]);
    const start = all.indexOf('| Item | Type | Status | Reason |');
    const table = all.slice(start, all.indexOf('', start));
    expect(table).toHaveLength(4);
    for (const row of table) expect(unescaped(row).match(/\|/g)).toHaveLength(5);
    expect(table.slice(2).join('\n')).toContain('not matched by tag team');
    expect(unescaped(md)).not.toMatch(/!\[|\]\(|<img|https:\/\/evil/i);
    expect(decoded(md)).not.toMatch(/(^|[^\w`])@[A-Za-z0-9]/);
  }
});

test('(e) the CLI, which may run in a pipeline too, prints no runner command: progress, Markdown or JSON', async () => {
  const { src, dst } = tagWorld((d) => `${d},x\n::warning::pwned\n##vso[task.setvariable variable=injected]pwned`);
  const ws = new Workspace().writeConfig({
    version: 1,
    replications: [
      {
        name: 'fan-out',
        source: src,
        targets_from_tag: TAG,
        allowed_targets: [dst],
        types: ['secrets'],
        rule: { all: true },
      },
    ],
  });

  const markdown = await ws.cli(['plan'], REPLICATOR);
  const json = await ws.cli(['plan', '--json'], REPLICATOR);

  expect(markdown.stderr).toContain('KVR042');
  expect(JSON.parse(json.stdout).errors[0].message).toContain('##vso[task.setvariable variable=injected]pwned');
  for (const out of [markdown.stdout, markdown.stderr, json.stdout, json.stderr]) {
    expect(runnerCommands(out)).toEqual([]);
    expect(agentCommands(out)).toEqual([]);
  }
});
