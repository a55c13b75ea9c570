import { MAX_CONFIG_BYTES, parseConfig } from '../../src/engine/config/parse-config.ts';

// What a valid config becomes, and the corners of its limits; each broken config's code and position is proven end to
// end in test/reliability/bad-input.test.ts.
const SUBSCRIPTION = '3f2504e0-4f89-4d3a-9a0c-0305e82c3301';
const BASE = `version: 1
replications:
  - name: r
    source: src-kv
    targets: [dst-kv]
    types: [secrets]
    rule: { all: true }
`;

test('every field of a replication, as the engine reads it: vault URLs become names, allowed targets lower case', () => {
  const c = parseConfig(
    `version: 1
subscriptions: [${SUBSCRIPTION}]
replications:
  - name: tagged
    source: https://Src-Kv.vault.azure.net
    targets_from_tag: dst_key_vault_names
    allowed_targets: [DR-*, prod-us-kv]
    types: [secrets, certificates, keys]
    rule: { pattern: "db-*" }
    exclude: [db-tmp-*]
    overwrite_on_conflict: true
    propagate_deletes: true
    recreate_keys: true
    max_deletes: 0
    recover_soft_deleted: true
`,
    'c.yml',
  );
  expect(c).toEqual({
    subscriptions: [SUBSCRIPTION],
    replications: [
      {
        name: 'tagged',
        source: 'src-kv',
        targets: undefined,
        targetsFromTag: 'dst_key_vault_names',
        allowedTargets: ['dr-*', 'prod-us-kv'],
        types: ['secrets', 'certificates', 'keys'],
        rule: { pattern: 'db-*' },
        exclude: ['db-tmp-*'],
        overwriteOnConflict: true,
        propagateDeletes: true,
        recreateKeys: true,
        maxDeletes: 0,
        recoverSoftDeleted: true,
      },
    ],
  });
});

test('the size limit counts bytes, not characters: a file of exactly the limit is read, one byte more is KVR009', () => {
  const padded = (bytes: number, char = 'x') =>
    `${BASE}#${char.repeat((bytes - Buffer.byteLength(BASE) - 2) / Buffer.byteLength(char))}\n`;
  expect(Buffer.byteLength(padded(MAX_CONFIG_BYTES))).toBe(MAX_CONFIG_BYTES);
  expect(parseConfig(padded(MAX_CONFIG_BYTES), 'c.yml').replications).toHaveLength(1);
  expect(() => parseConfig(padded(MAX_CONFIG_BYTES + 1), 'c.yml')).toThrow(expect.objectContaining({ code: 'KVR009' }));
  // Two bytes per character: within the limit in characters, over it in bytes.
  const wide = `${BASE}#${'é'.repeat(MAX_CONFIG_BYTES / 2)}\n`;
  expect(wide.length).toBeLessThan(MAX_CONFIG_BYTES);
  expect(() => parseConfig(wide, 'c.yml')).toThrow(
    expect.objectContaining({ code: 'KVR009', message: expect.stringContaining(`${Buffer.byteLength(wide)} bytes`) }),
  );
});

test('several mistakes: the deepest is placed and named, the others are counted and listed after it', () => {
  const text = BASE.replace('types: [secrets]', 'types: [passwords]').replace(
    'rule: { all: true }',
    'rule: { all: true }\n    colour: blue',
  );
  expect(() => parseConfig(text, 'c.yml')).toThrow(
    expect.objectContaining({
      code: 'KVR003',
      message: expect.stringMatching(
        /^KVR003: c\.yml:6:13: \/replications\/0\/types\/0: expected one of secrets, certificates, keys \(and 1 more: \/replications\/0: unknown key 'colour'\)$/,
      ),
    }),
  );
});

test('budget shares: budget_share and vault_budget_shares (names in any case) as the run reads them; absent, none', () => {
  expect(parseConfig(BASE, 'c.yml')).not.toHaveProperty('budgetShare');
  expect(parseConfig(BASE, 'c.yml')).not.toHaveProperty('vaultBudgetShares');
  const c = parseConfig(`${BASE}budget_share: 0.3\nvault_budget_shares: { DR-Kv: 0.95, src-kv: 0.2 }\n`, 'c.yml');
  expect([c.budgetShare, c.vaultBudgetShares]).toEqual([0.3, { 'dr-kv': 0.95, 'src-kv': 0.2 }]);
  const fails = (extra: string, message: RegExp) =>
    expect(() => parseConfig(`${BASE}${extra}\n`, 'c.yml')).toThrow(
      expect.objectContaining({ code: 'KVR003', message: expect.stringMatching(message) }),
    );
  const range = /a share of the vault's Key Vault budget is a number more than 0 and at most 0\.95$/;
  for (const bad of ['0', '-1', '0.96', '"half"']) fails(`budget_share: ${bad}`, range);
  fails('budget_share: 2', /^KVR003: c\.yml:8:15: \/budget_share: /);
  fails('vault_budget_shares: { dr-kv: 1 }', /^KVR003: c\.yml:8:31: \/vault_budget_shares\/dr-kv: a share/);
  fails('vault_budget_shares: { dr_kv: 0.5 }', /\/vault_budget_shares: 'dr_kv' is not a vault name/);
  fails('vault_budget_shares: { dr-kv: 0.5, DR-KV: 0.4 }', /:8:36: .*'DR-KV' is already given as 'dr-kv'/);
});
