import type { KeyVaultEmulator } from '../emulator/server.ts';
import { addVault, replication, startReplicationWorld, uniqueVault, Workspace } from '../support/replication-world.ts';

let emulator: KeyVaultEmulator;
let src: string;
let dst: string;
beforeAll(async () => {
  emulator = await startReplicationWorld();
  src = addVault(emulator, uniqueVault('src'), 'westeurope');
  dst = addVault(emulator, uniqueVault('dst'), 'westeurope');
});
afterAll(() => emulator.close());

const touched = () => [...emulator.vaults.values()].reduce((n, v) => n + v.counters.requests, 0);

const cases: [string, () => string, string, RegExp][] = [
  ['YAML syntax error', () => 'version: 1\nreplications:\n  - name: [unclosed\n', 'KVR002', /:4:1: Flow sequence/],
  ['unknown key', () => `version: 1\nreplications:\n  - name: a\n    source: ${src}\n    targets: [${dst}]\n    types: [secrets]\n    rule: { all: true }\n    colour: blue\n`, 'KVR003', /:8:5: \/replications\/0: unknown key 'colour'/],
  ['missing source', () => `version: 1\nreplications:\n  - name: a\n    targets: [${dst}]\n    types: [secrets]\n    rule: { all: true }\n`, 'KVR003', /missing 'source'/],
  ['empty types', () => `version: 1\nreplications:\n  - name: a\n    source: ${src}\n    targets: [${dst}]\n    types: []\n    rule: { all: true }\n`, 'KVR003', /:6:\d+: .*types/],
  ['source equals a target', () => `version: 1\nreplications:\n  - name: a\n    source: ${src}\n    targets: [${dst}, ${src.toUpperCase()}]\n    types: [secrets]\n    rule: { all: true }\n`, 'KVR005', /:5:\d+: target/],
  ['malformed glob', () => `version: 1\nreplications:\n  - name: a\n    source: ${src}\n    targets: [${dst}]\n    types: [secrets]\n    rule: { pattern: "prod-[abc" }\n`, 'KVR007', /:7:\d+: 'prod-\[abc'/],
  ['duplicate replication names', () => `version: 1\nreplications:\n  - { name: a, source: ${src}, targets: [${dst}], types: [secrets], rule: { all: true } }\n  - { name: A, source: ${src}, targets: [${dst}], types: [keys], rule: { all: true } }\n`, 'KVR004', /:4:\d+: replication name 'A'/],
  ['invalid vault name', () => `version: 1\nreplications:\n  - { name: a, source: "bad_vault!", targets: [${dst}], types: [secrets], rule: { all: true } }\n`, 'KVR006', /:3:\d+: 'bad_vault!'/],
  ['URL of a non-vault host', () => `version: 1\nreplications:\n  - { name: a, source: "https://evil.example.com", targets: [${dst}], types: [secrets], rule: { all: true } }\n`, 'KVR006', /not a Key Vault URL/],
  ['both targets and targets_from_tag', () => `version: 1\nreplications:\n  - { name: a, source: ${src}, targets: [${dst}], targets_from_tag: t, types: [secrets], rule: { all: true } }\n`, 'KVR003', /exactly one of 'targets' or 'targets_from_tag'/],
  ['two rules at once', () => `version: 1\nreplications:\n  - { name: a, source: ${src}, targets: [${dst}], types: [secrets], rule: { all: true, pattern: "x*" } }\n`, 'KVR003', /exactly one of all, tagged, pattern, manual/],
  ['wrong version', () => `version: 2\nreplications: []\n`, 'KVR003', /version/],
  ['a vault that does not exist', () => `version: 1\nreplications:\n  - { name: a, source: ${src}, targets: [no-such-vault-here], types: [secrets], rule: { all: true } }\n`, 'KVR020', /no-such-vault-here was not found/],
];

test.each(cases)('%s fails with its code and touches no vault', async (_name, config, code, where) => {
  emulator.resetCounters();
  const r = await new Workspace().writeConfig(config()).cli(['apply']);
  expect(r.code).toBe(2);
  const text = r.stdout + r.stderr;
  expect(text).toContain(code);
  expect(text).toMatch(where);
  expect(touched()).toBe(0);
});

test('a missing config file, an unknown command and a malformed --only fail with exit 2', async () => {
  const ws = new Workspace();
  expect((await ws.cli(['apply'])).stderr).toContain('KVR001');
  ws.writeConfig(replication(src, [dst]));
  const unknown = await ws.cli(['sync']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('KVR008');
  const only = await ws.cli(['apply', '--only', 'widget/x']);
  expect(only.code).toBe(2);
  expect(only.stderr).toContain('KVR010');
});
