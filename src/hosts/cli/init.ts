import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { parseConfig } from '../../engine/config/parse-config.ts';
import { CONFIG_SCHEMA_URL } from '../../engine/config/schema.ts';
import type { ConfigType, Rule } from '../../engine/config/types.ts';
import { isVaultName } from '../../engine/config/vault-ref.ts';
import { isKvrError, KvrError } from '../../engine/errors.ts';
import { leastRole } from '../../engine/permissions.ts';
import { splitList } from '../shared/only-items.ts';
import { logText } from '../shared/log-text.ts';

/**
 * `keyvault-replicate init`: writes the replication config and a workflow, and prints the `az` (and `gh`) commands
 * that create the identities, their federated credentials and their least role assignments. It is no replication
 * run: it signs in nowhere and calls no service. Every value it prints inside a command is checked against a strict
 * pattern first (vault names, repository, branch, environment, app ids), so no pasted command can run anything else.
 */

export const CONFIG_FILE = '.github/keyvault-replication.yml';
export const WORKFLOW_FILE = '.github/workflows/keyvault-replicate.yml';
const TYPES: readonly ConfigType[] = ['secrets', 'certificates', 'keys'];
const ISSUER = 'https://token.actions.githubusercontent.com';
const AUDIENCE = 'api://AzureADTokenExchange';

/** GitHub's own rules, narrowed: no character a shell, JSON or YAML gives a meaning to. */
const REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?\/[A-Za-z0-9_.-]{1,100}$/;
const BRANCH = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,199}$/;
const ENVIRONMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const INIT_USAGE = `Usage: keyvault-replicate init [options]

Writes ${CONFIG_FILE} and ${WORKFLOW_FILE}, and prints the az commands that create
the sign-in (federated credentials) and the least role assignments. Asks for what is missing when stdin is a
terminal; with flags only, it never asks. Then run \`keyvault-replicate validate\` to see what is still missing.

  --source <vault>         the source vault's name
  --target <vaults>        target vault names (repeat or comma-separated)
  --types <types>          secrets, certificates, keys (comma-separated; default secrets)
  --rule <rule>            all (default), tagged:<name=value>, pattern:<glob>, manual:<name,name>
  --name <name>            the replication's name (default the source vault's name)
  --repo <owner/name>      the GitHub repository the workflow runs in
  --branch <branch>        the branch whose pushes apply (default main)
  --github-environment <name>
                           the GitHub environment the apply job runs in (its OIDC subject then names it);
                           not the Azure cloud (plan and apply take that as --environment)
  --app-id <id>            the app registration (client id) that applies; printed commands create one if not given
  --client-id <id>         the same as --app-id
  --plan-app-id <id>       the read-only app registration that plans pull requests; created if not given
  --dir <path>             the repository's root (default the current directory)
  --force                  overwrite the two files if they exist
  -h, --help               this text`;

export interface InitIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdin is a terminal: only then does init ask for what the flags do not say. */
  stdinIsTTY?: boolean;
  /** Asks one question (a test gives its answers; by default node:readline on stdin). */
  ask?: (question: string) => Promise<string>;
  cwd?: string;
}

export interface InitAnswers {
  source: string;
  targets: string[];
  types: ConfigType[];
  rule: Rule;
  name: string;
  repo: string;
  branch: string;
  environment?: string;
  appId?: string;
  planAppId?: string;
}

const refuse = (what: string, value: string, rule: string): never => {
  throw new KvrError('KVR081', `${what} ${JSON.stringify(value)} is refused: ${rule}`);
};

function checkVault(what: string, name: string): string {
  if (!isVaultName(name)) refuse(what, name, 'a vault name is 3-24 letters, digits and single dashes, from a letter');
  return name.toLowerCase();
}

function parseTypes(text: string): ConfigType[] {
  const types = splitList(text);
  const wrong = types.filter((t) => !(TYPES as readonly string[]).includes(t));
  if (!types.length || wrong.length)
    throw new KvrError('KVR008', `--types must list ${TYPES.join(', ')}, not ${JSON.stringify(text)}`);
  return [...new Set(types)] as ConfigType[];
}

function parseRule(text: string): Rule {
  const [kind, ...rest] = text.split(':');
  const value = rest.join(':');
  if (kind === 'all' && !rest.length) return { all: true };
  if (kind === 'tagged' && value) return { tagged: value };
  if (kind === 'pattern' && value) return { pattern: value };
  if (kind === 'manual' && value) return { manual: splitList(value) };
  throw new KvrError(
    'KVR008',
    `--rule must be all, tagged:<name=value>, pattern:<glob> or manual:<name,name>, not ${JSON.stringify(text)}`,
  );
}

/** The answers checked: every value that reaches a printed command matches its strict pattern, or init refuses. */
export function checkAnswers(raw: {
  source: string;
  targets: string[];
  types?: string;
  rule?: string;
  name?: string;
  repo: string;
  branch?: string;
  environment?: string;
  appId?: string;
  planAppId?: string;
}): InitAnswers {
  const source = checkVault('source vault', raw.source);
  const targets = [...new Set(raw.targets.map((t) => checkVault('target vault', t)))];
  if (!targets.length) throw new KvrError('KVR082', 'no target vault given (--target)');
  if (!REPO.test(raw.repo) || /\/\.\.?$/.test(raw.repo))
    refuse('repository', raw.repo, 'give owner/name (letters, digits, dashes; the name also . and _)');
  const branch = raw.branch || 'main';
  if (!BRANCH.test(branch) || /\.\.|\/\/|\/$|\.lock$|\.$|\/\./.test(branch))
    refuse('branch', branch, 'letters, digits, _ . / -, no .. or //, not ending in / or .lock');
  if (raw.environment !== undefined && !ENVIRONMENT.test(raw.environment))
    refuse('environment', raw.environment, 'letters, digits, _ . -, at most 100');
  for (const [what, id] of [
    ['app id', raw.appId],
    ['plan app id', raw.planAppId],
  ] as const)
    if (id !== undefined && !GUID.test(id)) refuse(what, id, "an app registration's client id is a GUID");
  return {
    source,
    targets,
    types: parseTypes(raw.types || 'secrets'),
    rule: parseRule(raw.rule || 'all'),
    name: raw.name || source,
    repo: raw.repo,
    branch,
    environment: raw.environment,
    appId: raw.appId?.toLowerCase(),
    planAppId: raw.planAppId?.toLowerCase(),
  };
}

/** The config text: the schema line, a comment, and the one replication; parsed by the real parser before use. */
export function configText(a: InitAnswers): string {
  const config = {
    version: 1,
    replications: [{ name: a.name, source: a.source, targets: a.targets, types: a.types, rule: a.rule }],
  };
  const text = [
    `# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}`,
    '# Written by `keyvault-replicate init`; the format is in the README ("Configuration").',
    stringify(config, { flowCollectionPadding: false }).trimEnd(),
    '',
  ].join('\n');
  parseConfig(text, CONFIG_FILE);
  return text;
}

/** The workflow: plan on pull requests as the read-only identity, apply on pushes, hourly and by hand. */
export function workflowText(a: InitAnswers): string {
  const environment = a.environment
    ? [
        `    # OIDC subject: repo:${a.repo}:environment:${a.environment}. The environment holds the secret KVR_STATE_KEY.`,
        `    environment: '${a.environment}'`,
      ]
    : [`    # OIDC subject: repo:${a.repo}:ref:refs/heads/${a.branch} (pushes; schedules run on the default branch).`];
  return [
    '# Written by `keyvault-replicate init`: the plan of a pull request as a comment, the apply on every push to',
    `# '${a.branch}' that changes the config, hourly, and by hand.`,
    'name: keyvault-replicate',
    'on:',
    '  pull_request:',
    `    paths: ['${CONFIG_FILE}']`,
    '  push:',
    `    branches: ['${a.branch}']`,
    `    paths: ['${CONFIG_FILE}']`,
    "  schedule: [{ cron: '17 * * * *' }]",
    '  workflow_dispatch:',
    'permissions: {}',
    'jobs:',
    '  plan:',
    "    if: github.event_name == 'pull_request'",
    '    runs-on: ubuntu-latest',
    '    permissions:',
    '      id-token: write        # OIDC sign-in to Azure, no stored secret',
    '      contents: read         # plan mode saves no state',
    '      pull-requests: write   # the preview comment',
    '    steps:',
    '      - uses: actions/checkout@v7',
    '      - uses: keyvault-replicate/keyvault-replicate@v1',
    '        with:',
    '          mode: plan',
    '          client-id: ${{ vars.AZURE_PLAN_CLIENT_ID }}   # read only: subject repo:<owner>/<repo>:pull_request',
    '          tenant-id: ${{ vars.AZURE_TENANT_ID }}',
    '          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
    '  apply:',
    "    if: github.event_name != 'pull_request'",
    '    runs-on: ubuntu-latest',
    ...environment,
    '    permissions:',
    '      id-token: write   # OIDC sign-in to Azure, no stored secret',
    '      contents: write   # the state branch',
    '    concurrency: { group: keyvault-replication, cancel-in-progress: false }',
    '    steps:',
    '      - uses: actions/checkout@v7',
    '      - uses: keyvault-replicate/keyvault-replicate@v1',
    '        with:',
    '          mode: apply',
    '          client-id: ${{ vars.AZURE_CLIENT_ID }}',
    '          tenant-id: ${{ vars.AZURE_TENANT_ID }}',
    '          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
    '          state-key: ${{ secrets.KVR_STATE_KEY }}   # signs the state branch',
    '',
  ].join('\n');
}

const vaultId = (vault: string) => `"$(az keyvault show --name ${vault} --query id -o tsv)"`;

function federated(app: string, name: string, subject: string, description: string): string {
  const parameters = JSON.stringify({ name, issuer: ISSUER, subject, audiences: [AUDIENCE], description });
  return `az ad app federated-credential create --id ${app} --parameters '${parameters}'`;
}

/** The role assignments of one identity: Reader (to find the vault in ARM) and the least data role per type. */
function assignments(app: string, a: InitAnswers, mode: 'plan' | 'apply'): string[] {
  const sides = [['source', a.source], ...a.targets.map((t) => ['target', t] as const)] as const;
  return sides.flatMap(([side, vault]) =>
    [...new Set(['Reader', ...a.types.map((type) => leastRole(side, type, mode))])].map(
      (role) => `az role assignment create --assignee ${app} --role "${role}" --scope ${vaultId(vault)}`,
    ),
  );
}

/** The commands to paste: identities, federated credentials, role assignments, the workflow's variables. */
export function commandsText(a: InitAnswers): string {
  const repoName = a.repo.replace('/', '-');
  const app = a.appId ?? '"$APP_ID"';
  const planApp = a.planAppId ?? '"$PLAN_APP_ID"';
  const applySubject = a.environment
    ? `repo:${a.repo}:environment:${a.environment}`
    : `repo:${a.repo}:ref:refs/heads/${a.branch}`;
  const create = (variable: string, name: string) => [
    `${variable}=$(az ad app create --display-name ${name} --query appId -o tsv)`,
    `az ad sp create --id "$${variable}"`,
  ];
  const env = a.environment ? ` --env ${a.environment}` : '';
  return [
    '# 1. Two identities: one applies (write roles on the targets), one plans pull requests (read roles only:',
    '#    whoever can open a pull request controls what it plans; SECURITY.md says why).',
    ...(a.appId ? [] : create('APP_ID', `keyvault-replicate-${repoName}`)),
    ...(a.planAppId ? [] : create('PLAN_APP_ID', `keyvault-replicate-plan-${repoName}`)),
    '',
    '# 2. Federated credentials: GitHub signs in without a stored secret.',
    federated(
      app,
      a.environment ? 'keyvault-replicate-environment' : 'keyvault-replicate-branch',
      applySubject,
      'apply',
    ),
    federated(planApp, 'keyvault-replicate-pull-request', `repo:${a.repo}:pull_request`, 'plan'),
    '',
    '# 3. The least roles on each vault (docs/rbac.md has custom roles that grant even less).',
    ...assignments(app, a, 'apply'),
    ...assignments(planApp, a, 'plan'),
    '',
    "# 4. The workflow's variables, and the key that signs the state branch.",
    ...(a.environment ? [`gh api --method PUT repos/${a.repo}/environments/${a.environment}`] : []),
    `gh variable set AZURE_CLIENT_ID --repo ${a.repo} --body ${app}`,
    `gh variable set AZURE_PLAN_CLIENT_ID --repo ${a.repo} --body ${planApp}`,
    `gh variable set AZURE_TENANT_ID --repo ${a.repo} --body "$(az account show --query tenantId -o tsv)"`,
    `gh variable set AZURE_SUBSCRIPTION_ID --repo ${a.repo} --body "$(az account show --query id -o tsv)"`,
    `gh secret set KVR_STATE_KEY --repo ${a.repo}${env} --body "$(openssl rand -base64 32)"`,
    '',
  ].join('\n');
}

const FLAGS = {
  source: { type: 'string' },
  target: { type: 'string', multiple: true },
  types: { type: 'string' },
  rule: { type: 'string' },
  name: { type: 'string' },
  repo: { type: 'string' },
  branch: { type: 'string' },
  'github-environment': { type: 'string' },
  'app-id': { type: 'string' },
  'client-id': { type: 'string' },
  'plan-app-id': { type: 'string' },
  dir: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function readline(): (question: string) => Promise<string> {
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}

/** Runs `init`; resolves to the exit code: 0 written, 2 refused (nothing written). */
export async function runInit(argv: string[], io: InitIo): Promise<number> {
  try {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
    } catch (e) {
      throw new KvrError('KVR008', (e as Error).message);
    }
    if (values.help) {
      io.stdout(`${INIT_USAGE}\n`);
      return 0;
    }
    const given = {
      source: values.source,
      targets: (values.target ?? []).flatMap(splitList),
      repo: values.repo,
    };
    const missing = [
      given.source === undefined && '--source',
      !given.targets.length && '--target',
      given.repo === undefined && '--repo',
    ].filter((m): m is string => !!m);
    let answers = { ...values, environment: values['github-environment'], ...given };
    if (missing.length) {
      if (!io.stdinIsTTY)
        throw new KvrError('KVR082', `${missing.join(', ')} not given, and stdin is no terminal to ask on`);
      const ask = io.ask ?? readline();
      const q = async (question: string, current: string | undefined, fallback = '') =>
        current ?? ((await ask(`${question}${fallback ? ` [${fallback}]` : ''}: `)).trim() || fallback || undefined);
      answers = {
        ...answers,
        source: await q('Source vault', given.source),
        targets: given.targets.length
          ? given.targets
          : splitList(await q('Target vaults (comma-separated)', undefined)),
        types: await q('Item types (secrets, certificates, keys)', values.types, 'secrets'),
        rule: await q('Rule (all, tagged:<name=value>, pattern:<glob>, manual:<names>)', values.rule, 'all'),
        repo: await q('GitHub repository (owner/name)', given.repo),
        branch: await q('Branch whose pushes apply', values.branch, 'main'),
        environment: await q('GitHub environment of the apply job (empty: none)', values['github-environment']),
      };
    }
    const a = checkAnswers({
      ...answers,
      source: answers.source ?? '',
      repo: answers.repo ?? '',
      appId: values['app-id'] ?? values['client-id'],
      planAppId: values['plan-app-id'],
    });
    const root = resolve(io.cwd ?? process.cwd(), values.dir ?? '.');
    const files = [
      [CONFIG_FILE, configText(a)],
      [WORKFLOW_FILE, workflowText(a)],
    ] as const;
    const existing = files.filter(([path]) => existsSync(join(root, path))).map(([path]) => path);
    if (existing.length && !values.force)
      throw new KvrError('KVR080', `${existing.join(' and ')} already exist(s) in ${root}; nothing was written`);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    io.stderr(`Wrote ${files.map(([path]) => join(root, path)).join(' and ')}.\n`);
    io.stdout(
      [
        '# Paste these in a shell signed in with `az login` (as someone who may create app registrations and assign',
        '# roles on the vaults) and `gh auth login`; then commit both files, and run',
        `#   keyvault-replicate validate --config ${CONFIG_FILE}`,
        '# signed in as the apply identity to see what is still missing.',
        '',
        commandsText(a),
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    io.stderr(`${logText(isKvrError(e) ? e.message : `KVR039: ${(e as Error).message}`)}\n`);
    return 2;
  }
}
