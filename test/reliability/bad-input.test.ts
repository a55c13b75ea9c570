import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../src/engine/errors.ts';
import { USAGE } from '../../src/hosts/cli/args.ts';
import { run } from '../../src/hosts/cli/main.ts';
import { runAction, type ActionRunOptions } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { addVault, replication, uniqueVault, Workspace } from '../support/replication-world.ts';
import { OTHER_TENANT, TENANT, emulatorPerFile } from '../support/world.ts';
import { tempDir } from '../support/temp-dir.ts';

// Each broken config or input fails with its documented code, says where, and touches no vault.
const emulator = emulatorPerFile(() => startActionWorld());
let src: string;
let dst: string;
let foreign: string;
let tagged: string;
beforeAll(async () => {
  src = addVault(emulator, uniqueVault('src'), 'westeurope');
  dst = addVault(emulator, uniqueVault('dst'), 'westeurope');
  // Its subscription moved to this tenant, the vault kept its own: Key Vault would refuse this tenant's tokens.
  foreign = addVault(emulator, uniqueVault('foreign'), 'westeurope', {
    tenantId: OTHER_TENANT,
    subscriptionTenantId: TENANT,
  });
  tagged = uniqueVault('tagged');
  addVault(emulator, tagged, 'westeurope', { tags: { dst_key_vault_names: `${dst},${tagged}` } });
});

const dataPlaneRequests = () => [...emulator.vaults.values()].reduce((n, v) => n + v.counters.requests, 0);

/** One replication as YAML lines, with fields replaced or added; `undefined` drops a field. */
function one(fields: Record<string, string | undefined> = {}, top = 'version: 1'): string {
  const base: Record<string, string | undefined> = {
    name: 'a',
    source: src,
    targets: `[${dst}]`,
    types: '[secrets]',
    rule: '{ all: true }',
    ...fields,
  };
  return `${top}\nreplications:\n  - ${Object.entries(base)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n    ')}\n`;
}

/** [what, config text, code, what the message must say]; `lookup` cases need ARM (a token) but still no vault. */
const CONFIGS: [string, () => string, string, RegExp, 'lookup'?][] = [
  // YAML that does not parse
  ['a YAML syntax error', () => 'version: 1\nreplications:\n  - name: [unclosed\n', 'KVR002', /:4:1: Flow sequence/],
  ['tab indentation', () => 'version: 1\nreplications:\n\t- name: a\n', 'KVR002', /:3:1: /],
  [
    'a key given twice',
    () => `version: 1\n${one().split('\n').slice(1).join('\n')}version: 1\n`,
    'KVR002',
    /Map keys must be unique/,
  ],
  ['an unterminated quoted string', () => one({ source: `"${src}` }), 'KVR002', /:8:1: Missing closing "quote/],
  ['two YAML documents', () => `${one()}---\n${one()}`, 'KVR002', /multiple documents/],
  [
    'an alias bomb',
    () =>
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nversion: 1\n',
    'KVR002',
    /alias/i,
  ],
  ['a huge file', () => `${one()}# ${'x'.repeat(1024 * 1024)}\n`, 'KVR009', /at most 1048576 bytes/],
  // the wrong shape or type
  ['an empty file', () => '', 'KVR003', /:1:1: expected a mapping/],
  ['a list at the top', () => '- version: 1\n', 'KVR003', /:1:1: expected a mapping/],
  ['a plain string', () => 'replicate everything please\n', 'KVR003', /:1:1: expected a mapping/],
  ['a wrong version', () => 'version: 2\nreplications: []\n', 'KVR003', /version/],
  ['the version as a string', () => one({}, 'version: "1"'), 'KVR003', /:1:10: \/version: expected 1/],
  [
    'replications as a mapping',
    () => `version: 1\nreplications:\n  a: { source: ${src} }\n`,
    'KVR003',
    /\/replications: must be array/,
  ],
  [
    'no replications',
    () => 'version: 1\nreplications: []\n',
    'KVR003',
    /\/replications: must NOT have fewer than 1 items/,
  ],
  [
    'more than 500 replications',
    () =>
      `version: 1\nreplications:\n${Array.from({ length: 501 }, (_, i) => `  - { name: r${i}, source: ${src}, targets: [${dst}], types: [secrets], rule: { all: true } }`).join('\n')}\n`,
    'KVR003',
    /must NOT have more than 500 items/,
  ],
  ['a missing source', () => one({ source: undefined }), 'KVR003', /missing 'source'/],
  ['types as a string', () => one({ types: 'secrets' }), 'KVR003', /:6:\d+: \/replications\/0\/types: must be array/],
  ['empty types', () => one({ types: '[]' }), 'KVR003', /:6:\d+: .*types/],
  [
    'an unknown item type',
    () => one({ types: '[passwords]' }),
    'KVR003',
    /expected one of secrets, certificates, keys/,
  ],
  ['a type given twice', () => one({ types: '[secrets, secrets]' }), 'KVR003', /duplicate items/],
  ['targets as a string', () => one({ targets: dst }), 'KVR003', /\/targets: must be array/],
  [
    'a boolean given as a string',
    () => one({ overwrite_on_conflict: '"yes"' }),
    'KVR003',
    /overwrite_on_conflict: must be boolean/,
  ],
  ['a negative max_deletes', () => one({ max_deletes: '-1' }), 'KVR003', /max_deletes: must be >= 0/],
  ['a fractional max_deletes', () => one({ max_deletes: '2.5' }), 'KVR003', /max_deletes: must be integer/],
  ['rule all: false', () => one({ rule: '{ all: false }' }), 'KVR003', /\/rule\/all: expected true/],
  ['an empty tag rule', () => one({ rule: '{ tagged: "" }' }), 'KVR003', /\/rule\/tagged/],
  ['an empty manual list', () => one({ rule: '{ manual: [] }' }), 'KVR003', /\/rule\/manual/],
  [
    'two rules at once',
    () => one({ rule: '{ all: true, pattern: "x*" }' }),
    'KVR003',
    /exactly one of all, tagged, pattern, manual/,
  ],
  [
    'both targets and targets_from_tag',
    () => one({ targets_from_tag: 't' }),
    'KVR003',
    /exactly one of 'targets' or 'targets_from_tag'/,
  ],
  [
    'a subscription that is not a GUID',
    () => one({}, 'version: 1\nsubscriptions: [my-subscription]'),
    'KVR003',
    /\/subscriptions\/0: must match pattern/,
  ],
  // unknown keys
  ['an unknown key', () => one({ colour: 'blue' }), 'KVR003', /:8:5: \/replications\/0: unknown key 'colour'/],
  ['a misspelt top-level key', () => `version: 1\nreplication:\n  - name: a\n`, 'KVR003', /unknown key 'replication'/],
  ['an unknown rule', () => one({ rule: '{ regex: "^db" }' }), 'KVR003', /unknown key 'regex'|exactly one of/],
  // names with characters Key Vault and the state files do not allow
  [
    'a replication name with a slash',
    () => one({ name: 'prod/dr' }),
    'KVR003',
    /\/replications\/0\/name: must match pattern/,
  ],
  ['a replication name too long', () => one({ name: 'r'.repeat(65) }), 'KVR003', /\/name: must match pattern/],
  [
    'a manual item name with an underscore',
    () => one({ rule: '{ manual: [db_password] }' }),
    'KVR003',
    /\/rule\/manual\/0: must match pattern/,
  ],
  [
    'a vault name with illegal characters',
    () => one({ source: '"bad_vault!"' }),
    'KVR006',
    /:4:\d+: 'bad_vault!' is not a valid vault name/,
  ],
  ['a vault name too short', () => one({ source: 'ab' }), 'KVR003', /\/source: must NOT have fewer than 3 characters/],
  ['a vault name too long', () => one({ source: 'v'.repeat(25) }), 'KVR006', /not a valid vault name/],
  ['a vault name with a double dash', () => one({ source: 'prod--kv' }), 'KVR006', /not a valid vault name/],
  ['a vault name starting with a digit', () => one({ source: '1prod-kv' }), 'KVR006', /not a valid vault name/],
  // URLs that are not a vault of this cloud
  ['the URL of a non-vault host', () => one({ source: '"https://evil.example.com"' }), 'KVR006', /not a Key Vault URL/],
  [
    'a look-alike vault host',
    () => one({ source: `"https://${src}.vault.azure.net.evil.example"` }),
    'KVR006',
    /not a Key Vault URL/,
  ],
  ['a vault URL over http', () => one({ source: `"http://${src}.vault.azure.net"` }), 'KVR006', /not a Key Vault URL/],
  [
    'a vault URL with a path',
    () => one({ source: `"https://${src}.vault.azure.net/secrets/db"` }),
    'KVR006',
    /not a Key Vault URL/,
  ],
  [
    'a vault URL with a port',
    () => one({ source: `"https://${src}.vault.azure.net:8443"` }),
    'KVR006',
    /not a Key Vault URL/,
  ],
  [
    'a vault URL with user info',
    () => one({ source: `"https://me:pw@${src}.vault.azure.net"` }),
    'KVR006',
    /not a Key Vault URL/,
  ],
  [
    'a vault URL with a query',
    () => one({ source: `"https://${src}.vault.azure.net/?x=1"` }),
    'KVR006',
    /not a Key Vault URL/,
  ],
  [
    'a vault URL of a sub-domain',
    () => one({ source: `"https://a.${src}.vault.azure.net"` }),
    'KVR006',
    /not a Key Vault URL/,
  ],
  ['an IP address', () => one({ source: '"https://127.0.0.1"' }), 'KVR006', /not a Key Vault URL/],
  [
    'a vault URL of another cloud',
    () => one({ source: `"https://${src}.vault.azure.cn"` }),
    'KVR071',
    /is a vault of AzureChinaCloud, and this run works in AzureCloud/,
  ],
  // globs
  ['a glob that does not close', () => one({ rule: '{ pattern: "prod-[abc" }' }), 'KVR007', /:7:\d+: 'prod-\[abc'/],
  [
    'a glob that can never match (underscore)',
    () => one({ rule: '{ pattern: "db_*" }' }),
    'KVR007',
    /'_' is in no Key Vault name/,
  ],
  [
    'an exclude glob that can never match (dot)',
    () => one({ exclude: '["*.tmp"]' }),
    'KVR007',
    /'\.' is in no Key Vault name/,
  ],
  ['an exclude glob with a path', () => one({ exclude: '["tmp/*"]' }), 'KVR007', /no path separators/],
  // the same vault twice
  ['a target that is the source', () => one({ targets: `[${dst}, ${src.toUpperCase()}]` }), 'KVR005', /:5:\d+: target/],
  [
    'a target that is the source, as a URL',
    () => one({ targets: `["https://${src}.vault.azure.net/"]` }),
    'KVR005',
    /is the source vault itself/,
  ],
  [
    'a target given twice',
    () => one({ targets: `[${dst}, "https://${dst.toUpperCase()}.vault.azure.net"]` }),
    'KVR003',
    /is already targets\[0\]/,
  ],
  [
    'duplicate replication names',
    () =>
      `version: 1\nreplications:\n  - { name: a, source: ${src}, targets: [${dst}], types: [secrets], rule: { all: true } }\n  - { name: A, source: ${src}, targets: [${dst}], types: [keys], rule: { all: true } }\n`,
    'KVR004',
    /:4:\d+: replication name 'A'/,
  ],
  // vaults that cannot be used, found by looking them up (ARM only)
  [
    'a vault that does not exist',
    () => one({ targets: '[no-such-vault-here]' }),
    'KVR020',
    /no-such-vault-here was not found/,
    'lookup',
  ],
  [
    'a vault in another tenant',
    () => one({ targets: `[${foreign}]` }),
    'KVR021',
    /belongs to tenant 0b3b6d32/,
    'lookup',
  ],
  // tag-driven targets are bounded by the config
  [
    'targets_from_tag without allowed_targets',
    () => one({ targets: undefined, targets_from_tag: 'dst_key_vault_names' }),
    'KVR003',
    /'targets_from_tag' needs 'allowed_targets'/,
  ],
  [
    'allowed_targets without targets_from_tag',
    () => one({ allowed_targets: '["dr-*"]' }),
    'KVR003',
    /'allowed_targets' needs 'targets_from_tag'/,
  ],
  [
    'an allowed_targets glob that can never match',
    () => one({ targets: undefined, targets_from_tag: 't', allowed_targets: '["dr_*"]' }),
    'KVR007',
    /:8:\d+: 'dr_\*'.*'_' is in no Key Vault name/,
  ],
  [
    'an allowed_targets negation',
    () => one({ targets: undefined, targets_from_tag: 't', allowed_targets: '["!prod-eu-legacy-kv"]' }),
    'KVR007',
    /leading '!' would match every name but that one/,
  ],
  [
    'an allowed_targets URL',
    () => one({ targets: undefined, targets_from_tag: 't', allowed_targets: '["https://dr-kv.vault.azure.net"]' }),
    'KVR007',
    /vault names have no path separators \(give vault names, not URLs\)/,
  ],
  [
    'empty allowed_targets',
    () => one({ targets: undefined, targets_from_tag: 't', allowed_targets: '[]' }),
    'KVR003',
    /allowed_targets: must NOT have fewer than 1 items/,
  ],
  [
    'a budget_share over 0.95',
    () => one({}, 'version: 1\nbudget_share: 1'),
    'KVR003',
    /:2:15: \/budget_share: .* more than 0 and at most 0\.95/,
  ],
  ['a budget_share of 0', () => one({}, 'version: 1\nbudget_share: 0'), 'KVR003', /more than 0 and at most 0\.95/],
  [
    'a vault_budget_shares entry over 0.95',
    () => one({}, `version: 1\nvault_budget_shares: { ${dst}: 0.99 }`),
    'KVR003',
    /\/vault_budget_shares\/.*: .* more than 0 and at most 0\.95/,
  ],
  [
    'a vault_budget_shares key that is no vault name',
    () => one({}, 'version: 1\nvault_budget_shares: { "dr kv": 0.5 }'),
    'KVR003',
    /'dr kv' is not a vault name/,
  ],
];

// Every row gets all five cells: jest takes a parameter past a row's last cell for a `done` callback.
test.each(
  CONFIGS.map(([what, config, code, message, lookup]) => [what, config, code, message, lookup === 'lookup'] as const),
)('config: %s fails with its code and touches no vault', async (_what, config, code, message, lookup) => {
  emulator.resetCounters();
  const tokens = emulator.identity.tokensIssued;
  const r = await new Workspace().writeConfig(config()).cli(['apply']);
  expect(r.code).toBe(2);
  expect(r.stdout + r.stderr).toContain(code);
  expect(r.stdout + r.stderr).toMatch(message);
  expect(dataPlaneRequests()).toBe(0);
  if (!lookup) expect(emulator.identity.tokensIssued).toBe(tokens);
  else expect(r.stdout).toContain('## Key Vault replication: apply stopped before any write');
});

/** [what, CLI arguments, code, what the message must say]. */
const ARGUMENTS: [string, string[], string, RegExp][] = [
  ['an unknown command', ['sync'], 'KVR008', /expected one command, plan, apply or validate, not 'sync'/],
  ['two commands', ['plan', 'apply'], 'KVR008', /not 'plan apply'/],
  ['an unknown option', ['apply', '--force'], 'KVR008', /Unknown option '--force'/],
  ['concurrency 0', ['apply', '--max-concurrency', '0'], 'KVR008', /whole number from 1 to 256, not '0'/],
  ['concurrency 257', ['apply', '--max-concurrency', '257'], 'KVR008', /not '257'/],
  ['concurrency that is not a number', ['apply', '--max-concurrency', 'lots'], 'KVR008', /not 'lots'/],
  ['an --only item of no type', ['apply', '--only', 'widget/x'], 'KVR010', /'widget\/x' is not an item/],
  ['an --only item with no name', ['apply', '--only', 'secret/'], 'KVR010', /'secret\/' is not an item/],
  ['an --only item with an illegal name', ['apply', '--only', 'secret/db_password'], 'KVR010', /'secret\/db_password'/],
  ['an unknown --replications name', ['apply', '--replications', 'nope'], 'KVR008', /no replication named nope/],
  [
    'an --acknowledge glob that can never match',
    ['apply', '--acknowledge', 'db_*'],
    'KVR007',
    /--acknowledge: 'db_\*'/,
  ],
  ['a --revoke glob that can never match', ['apply', '--revoke', 'db_*'], 'KVR007', /--revoke: 'db_\*'/],
  [
    'an unknown --fail-on',
    ['apply', '--fail-on', 'sometimes'],
    'KVR008',
    /--fail-on must be failed, blocked, never or empty \(failed\), not "sometimes"/,
  ],
  [
    'a --budget-share over 0.95',
    ['apply', '--budget-share', '0.96'],
    'KVR008',
    /--budget-share must be .*0\.95.*'0\.96'/,
  ],
  ['a --budget-share of 0', ['apply', '--budget-share', '0'], 'KVR008', /more than 0 and at most 0\.95/],
  ['a --budget-share that is no number', ['apply', '--budget-share', 'half'], 'KVR008', /not 'half'/],
];

test.each(ARGUMENTS)('CLI: %s fails with its code and touches no vault', async (_what, args, code, message) => {
  emulator.resetCounters();
  const tokens = emulator.identity.tokensIssued;
  const r = await new Workspace().writeConfig(replication(src, [dst])).cli(args);
  expect(r.code).toBe(2);
  expect(r.stderr + r.stdout).toContain(code);
  expect(r.stderr + r.stdout).toMatch(message);
  expect(dataPlaneRequests()).toBe(0);
  expect(emulator.identity.tokensIssued).toBe(tokens);
});

test('CLI: a command line of the wrong shape prints the error on one line, then the usage text as it is', async () => {
  for (const argv of [['plan', '--revoke'], ['sync']]) {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      env: {},
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    });
    const [first, ...rest] = stderr.split('\n');
    expect([code, stdout]).toEqual([2, '']);
    expect(first).toMatch(
      argv[1]
        ? /^KVR008: Option '--revoke <value>' argument missing$/
        : /^KVR008: expected one command, plan, apply or validate, not 'sync'$/,
    );
    expect(rest.join('\n')).toBe(`\n${USAGE}\n`);
    expect(stderr).not.toContain('\\n');
  }
});

test('CLI: a config that is a directory, or missing, is KVR001; no subscription at all is KVR025', async () => {
  const ws = new Workspace();
  const missing = await ws.cli(['apply']);
  expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('KVR001')]);
  const dir = tempDir('kvr-dir-');
  const isDir = await run(['apply', '--config', dir], {
    env: {},
    stdout: () => undefined,
    stderr: (t) => {
      missing.stderr = t;
    },
  });
  expect([isDir, missing.stderr]).toEqual([2, expect.stringContaining('KVR001')]);
  ws.writeConfig(replication(src, [dst]));
  let out = '';
  const noSubscription = await run(['apply', '--config', ws.configPath, '--state', ws.statePath], {
    env: {},
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      out += t;
    },
  });
  expect(noSubscription).toBe(2);
  expect(out).toContain('KVR025');
});

/**
 * [what, Action inputs, code, what the message must say, the run's event and variables]: the bundled Action, as the
 * runner starts it, once per way a refusal comes in (a plain input, the single pair, the credential, each branch the
 * runner or the event names). The other input mistakes are checked where they are read (test/hosts/ci-inputs.test.ts).
 */
const ACTION_INPUTS: [string, Record<string, string>, string, RegExp, Pick<ActionRunOptions, 'event' | 'env'>?][] = [
  ['an unknown mode', { mode: 'sync' }, 'KVR008', /input 'mode' must be plan, apply or validate, not 'sync'/],
  [
    'an unknown type',
    { source: 'x-src-kv', targets: 'x-dst-kv', types: 'secretz' },
    'KVR008',
    /input 'types': 'secretz' is not one of secrets, certificates, keys/,
  ],
  [
    'a client id without its tenant',
    { source: 'x-src-kv', targets: 'x-dst-kv', 'tenant-id': '' },
    'KVR008',
    /'tenant-id' is needed with 'client-id'/,
  ],
  // State branches: never the default or the built branch, whichever the runner or the event names (main itself:
  // test/security/host-rules.test.ts).
  [
    'state-branch the default branch of the event payload',
    { 'state-branch': 'trunk' },
    'KVR011',
    /"trunk" .* it is the repository's default branch \(the event's repository\.default_branch\)/,
    {
      event: { name: 'push', payload: { repository: { default_branch: 'trunk' } } },
      env: { GITHUB_REF: 'refs/heads/feature' },
    },
  ],
  [
    'state-branch the branch the workflow runs on',
    { 'state-branch': 'release/2025' },
    'KVR011',
    /"release\/2025" .* it is the branch this workflow runs on \(GITHUB_REF\)/,
    { env: { GITHUB_REF: 'refs/heads/release/2025' } },
  ],
  [
    "state-branch a pull request's head branch, in other case",
    { 'state-branch': 'Feature-X' },
    'KVR011',
    /"Feature-X" .* it is the pull request's head branch/,
    {
      event: { name: 'pull_request', payload: {} },
      env: { GITHUB_REF: 'refs/pull/7/merge', GITHUB_HEAD_REF: 'feature-x', GITHUB_BASE_REF: 'develop' },
    },
  ],
  ['budget-share over 0.95', { 'budget-share': '1' }, 'KVR008', /input 'budget-share' must be .*at most 0\.95/],
];

// Every row gets all five cells (see above).
test.each(ACTION_INPUTS.map(([what, inputs, code, message, run]) => [what, inputs, code, message, run ?? {}] as const))(
  'Action: %s fails the step with its code and touches no vault',
  async (_what, inputs, code, message, run) => {
    emulator.resetCounters();
    const tokens = emulator.identity.tokensIssued;
    const r = await runAction(emulator, { workspace: tempDir('kvr-ws-'), as: ACTOR, inputs, ...run });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::error::${code}`);
    expect(r.stdout).toMatch(message);
    expect(dataPlaneRequests()).toBe(0);
    expect(emulator.identity.tokensIssued).toBe(tokens);
  },
);

/**
 * [what, how the CLI's state file is forged from a real one, the warning (or stop) code]. Each runs a plan against a
 * pair whose trusted state would allow nothing harmful, and whose forged state would, if believed, show a delete of a
 * copy the source still has or an overwrite of a conflict.
 */
type StateFile = {
  version: unknown;
  pairs: Record<
    string,
    { source?: string; target?: string; replication?: string; records: Record<string, unknown> } | unknown
  >;
};
type Forge = (
  file: StateFile,
  pair: { records: Record<string, Record<string, unknown>> } & Record<string, unknown>,
) => unknown;
const STATE_FILES: [string, Forge, string][] = [
  ['a file that is not JSON', () => '{"version": 1, "pairs": {', 'KVR050'],
  ['a JSON array', () => [], 'KVR050'],
  ['a state file of another version', (f) => ({ ...f, version: 2 }), 'KVR050'],
  ['pairs as null', (f) => ({ ...f, pairs: null }), 'KVR050'],
  [
    "the pair's entry as a string",
    (f) => ({ ...f, pairs: Object.fromEntries(Object.keys(f.pairs).map((k) => [k, 'trust me'])) }),
    'KVR054',
  ],
  [
    "the pair's records as an array",
    (f, p) => {
      p.records = [] as unknown as Record<string, Record<string, unknown>>;
      return f;
    },
    'KVR054',
  ],
  [
    'another source recorded',
    (f, p) => {
      p.source = 'team-b-kv';
      return f;
    },
    'KVR052',
  ],
  [
    'another target recorded',
    (f, p) => {
      p.target = 'elsewhere-kv';
      return f;
    },
    'KVR052',
  ],
  [
    'another replication recorded',
    (f, p) => {
      p.replication = 'inputs';
      return f;
    },
    'KVR052',
  ],
  [
    'a null record',
    (f, p) => {
      p.records['secret/keep'] = null as unknown as Record<string, unknown>;
      return f;
    },
    'KVR054',
  ],
  [
    'a copy of a record under another key',
    (f, p) => {
      p.records['secret/zz-keep'] = { ...p.records['secret/keep'], missingRuns: 1, status: 'missing_once' };
      return f;
    },
    'KVR054',
  ],
  [
    'an unknown status',
    (f, p) => {
      p.records['secret/clash']!.status = 'trusted';
      return f;
    },
    'KVR054',
  ],
  [
    'missingRuns as text',
    (f, p) => {
      p.records['secret/keep']!.missingRuns = '1';
      return f;
    },
    'KVR054',
  ],
  [
    'missingRuns on a record in sync',
    (f, p) => {
      p.records['secret/keep']!.missingRuns = 5;
      return f;
    },
    'KVR054',
  ],
  [
    'a version that is no version id',
    (f, p) => {
      p.records['secret/clash']!.targetVersion = 'latest';
      p.records['secret/clash']!.replicatedByUs = true;
      return f;
    },
    'KVR054',
  ],
  [
    'written by this tool without a version',
    (f, p) => {
      p.records['secret/clash']!.replicatedByUs = true;
      delete p.records['secret/clash']!.targetVersion;
      return f;
    },
    'KVR054',
  ],
  [
    'a workflow command as error code',
    (f, p) => {
      p.records['secret/keep']!.lastErrorCode = '::error::pwned';
      return f;
    },
    'KVR054',
  ],
  [
    'a name with a line break',
    (f, p) => {
      p.records['secret/x\n##vso[task.complete]'] = { ...p.records['secret/keep'], name: 'x\n##vso[task.complete]' };
      return f;
    },
    'KVR054',
  ],
  [
    'replicatedByUs as text',
    (f, p) => {
      p.records['secret/clash']!.replicatedByUs = 'true';
      return f;
    },
    'KVR054',
  ],
  [
    'a timestamp as text',
    (f, p) => {
      p.records['secret/keep']!.targetUpdatedOn = 'yesterday';
      return f;
    },
    'KVR054',
  ],
];

describe('forged CLI state files', () => {
  let world: { src: string; dst: string; base: string; statePath: string };
  beforeAll(async () => {
    const s = addVault(emulator, uniqueVault('fsrc'), 'westeurope');
    const d = addVault(emulator, uniqueVault('fdst'), 'westeurope');
    for (const [v, name, value] of [
      [s, 'keep', 'k'],
      [s, 'gone', 'g'],
      [s, 'clash', 'ours'],
      [d, 'clash', 'theirs'],
    ] as const)
      emulator.invoke(v, 'PUT', `secrets/${name}`, { value });
    const ws = new Workspace().writeConfig(replication(s, [d], { propagate_deletes: true }));
    await ws.json(['apply']);
    // Gone from the source once: the trusted state makes that a first miss (missing_once), never a delete.
    emulator.invoke(s, 'DELETE', 'secrets/gone');
    emulator.invoke(s, 'DELETE', 'deletedsecrets/gone');
    world = { src: s, dst: d, base: readFileSync(ws.statePath, 'utf8'), statePath: ws.statePath };
  });

  test.each(STATE_FILES)(
    'state: %s is not trusted, is reported with its code, and allows nothing',
    async (_what, forge, code) => {
      const base = JSON.parse(world.base) as StateFile;
      const pair = Object.values(base.pairs)[0] as { records: Record<string, Record<string, unknown>> } & Record<
        string,
        unknown
      >;
      const forged = forge(base, pair);
      const ws = new Workspace().writeConfig(replication(world.src, [world.dst], { propagate_deletes: true }));
      writeFileSync(ws.statePath, typeof forged === 'string' ? forged : JSON.stringify(forged));
      emulator.resetCounters();
      if (code === 'KVR050') {
        const r = await ws.cli(['plan']);
        expect([r.code, r.stderr + r.stdout]).toEqual([2, expect.stringContaining(code)]);
        expect(dataPlaneRequests()).toBe(0);
        return;
      }
      const r = await ws.json(['plan']);
      expect(r.report.warnings.map((w) => w.code)).toContain(code);
      const status = (name: string) => r.report.pairs[0]!.records.find((x) => x.name === name)?.status;
      expect([status('keep'), status('clash'), status('gone') ?? 'forgotten']).toEqual([
        'in_sync',
        'blocked_target_conflict',
        expect.stringMatching(/^(forgotten|missing_once)$/),
      ]);
      expect(r.report.pairs[0]!.records.filter((x) => x.status === 'delete' || x.status === 'update')).toEqual([]);
    },
  );
});

/**
 * [what, the source vault's targets tag (given the source's name), the code]: each names no usable target. Nothing is
 * read or written for it, and it stops only its own replication (exit 1), never the others.
 */
const TAGS: [string, (source: string) => string, string][] = [
  ['a vault outside allowed_targets', () => 'rogue-kv', 'KVR042'],
  ['a line break and an ADO command', () => 'x\n##vso[task.setvariable variable=injected]pwned', 'KVR042'],
  ['a GitHub workflow command', () => '::warning::pwned', 'KVR042'],
  ['a path', () => '../../etc/passwd', 'KVR042'],
  ['a URL to another host', () => 'https://evil.example.com', 'KVR042'],
  ['a name too long for a vault', () => 'a'.repeat(30), 'KVR042'],
  ['a double dash', () => 'dr--kv', 'KVR042'],
  ['the source vault itself', (source) => source, 'KVR042'],
  ['an allowed name that no vault has', () => 'dr-no-such-vault', 'KVR042'],
  ['an allowed name of a vault in another tenant', () => foreignDr, 'KVR042'],
  ['an empty tag', () => '', 'KVR023'],
  ['only commas and spaces', () => ' , ,, ', 'KVR023'],
];

let foreignDr: string;
beforeAll(() => {
  foreignDr = addVault(emulator, uniqueVault('dr-foreign'), 'westeurope', {
    tenantId: OTHER_TENANT,
    subscriptionTenantId: TENANT,
  });
});

test.each(TAGS)(
  'targets tag: %s is refused with its code, touches no vault, and stops only its replication',
  async (_what, tag, code) => {
    const source = uniqueVault('tagsrc');
    addVault(emulator, source, 'westeurope', { tags: { dst_key_vault_names: tag(source) } });
    const fine = addVault(emulator, uniqueVault('fine'), 'westeurope');
    emulator.resetCounters();
    const r = await new Workspace()
      .writeConfig({
        version: 1,
        replications: [
          {
            name: 'fan',
            source,
            targets_from_tag: 'dst_key_vault_names',
            allowed_targets: ['dr-*', 'tagsrc-*'],
            types: ['secrets'],
            rule: { all: true },
          },
          { name: 'other', source: src, targets: [fine], types: ['secrets'], rule: { all: true } },
        ],
      })
      .json(['plan']);
    expect(r.code).toBe(1);
    expect(r.report.errors.map((e) => e.code)).toEqual([code]);
    expect(r.report.pairs.map((p) => p.replication)).toEqual(['other']);
    expect(emulator.vault(source).counters.requests).toBe(0);
    expect(emulator.vault(foreignDr).counters.requests).toBe(0);
  },
);

test('the corpus is at least 110 cases, and every code the tool has is documented with its cause and fix', () => {
  expect(
    CONFIGS.length + ARGUMENTS.length + ACTION_INPUTS.length + STATE_FILES.length + TAGS.length + 3,
  ).toBeGreaterThanOrEqual(110);
  const doc = readFileSync(join(import.meta.dirname, '../../docs/errors.md'), 'utf8');
  for (const code of Object.keys(ERROR_CODES))
    expect(doc).toMatch(new RegExp(`<a id="${code.toLowerCase()}"></a>${code} \\| [^|]+ \\| [^|]+ \\| [^|]+ \\|`));
});
