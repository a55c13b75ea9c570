import { singlePairConfig, type SinglePairInputs } from '../../src/hosts/shared/single-pair.ts';

const ACTION = { source: 'source', targets: 'targets', types: 'types', rule: 'rule' };
const pair =
  (i: Partial<SinglePairInputs>, names = ACTION) =>
  () =>
    singlePairConfig({ source: 'src-kv', targets: 'dst-kv', ...i }, names);

test('the single-pair inputs make one replication named after its source, with the defaults of a config file', () => {
  const { replications } = pair({
    source: 'https://Src-KV.vault.azure.net',
    targets: 'dst-kv, dr-kv',
    types: 'Secrets,keys',
    rule: 'pattern:app-*',
    propagateDeletes: true,
  })();
  expect(replications).toEqual([
    expect.objectContaining({
      name: 'single-pair-src-kv',
      source: 'src-kv',
      targets: ['dst-kv', 'dr-kv'],
      types: ['secrets', 'keys'],
      rule: { pattern: 'app-*' },
      overwriteOnConflict: false,
      propagateDeletes: true,
      maxDeletes: 10,
    }),
  ]);
  expect(pair({ rule: 'tagged:replicate=yes' })().replications[0]!.rule).toEqual({ tagged: 'replicate=yes' });
  expect(pair({ rule: 'manual: db-one, db-two' })().replications[0]!.rule).toEqual({ manual: ['db-one', 'db-two'] });
  expect(pair({})().replications[0]).toMatchObject({ types: ['secrets'], rule: { all: true } });
});

/** [what, inputs, the code and message]: each names the input the user wrote, never a position in a document. */
const MISTAKES: [string, Partial<SinglePairInputs>, string][] = [
  [
    'an unknown type',
    { types: 'secretz' },
    "KVR008: input 'types': 'secretz' is not one of secrets, certificates, keys",
  ],
  ['a type given twice', { types: 'keys,keys' }, "KVR008: input 'types': 'keys' is given twice"],
  [
    'a source that is no vault',
    { source: 'bad_vault!' },
    "KVR006: input 'source': 'bad_vault!' is not a valid vault name",
  ],
  [
    'a source on another host',
    { source: 'https://evil.example.com' },
    "KVR006: input 'source': 'https://evil.example.com' is not a Key Vault URL",
  ],
  ['no targets', { targets: ' , ' }, "KVR008: input 'targets' is empty"],
  ['a target that is no vault', { targets: 'dst-kv,x' }, "KVR006: input 'targets': 'x' is not a valid vault name"],
  [
    'a target that is the source',
    { targets: 'SRC-KV' },
    "KVR005: input 'targets': target 'SRC-KV' is the source vault itself",
  ],
  [
    'a target given twice',
    { targets: 'dst-kv,https://dst-kv.vault.azure.net' },
    "KVR008: input 'targets': target 'https://dst-kv.vault.azure.net' is given twice",
  ],
  [
    'an unknown rule',
    { rule: 'regex:^db' },
    "KVR008: input 'rule': 'regex:^db' is not one of all, tagged:<tag>[=<value>], pattern:<glob>, manual:<name>,<name>",
  ],
  ['a glob that can never match', { rule: 'pattern:db_*' }, "KVR007: input 'rule': 'db_*' is not a usable glob"],
  [
    'a manual name Key Vault refuses',
    { rule: 'manual:db_password' },
    "KVR008: input 'rule': 'db_password' is not a Key Vault item name",
  ],
  ['a tag rule with no tag', { rule: 'tagged:=x' }, "KVR008: input 'rule': 'tagged:=x' is not one of"],
];

test.each(MISTAKES)('%s is reported against its input', (_what, inputs, message) => {
  expect(pair(inputs)).toThrow(message);
});

test('a message names the input as the host calls it', () => {
  expect(pair({ types: 'secretz' }, { ...ACTION, types: 'itemTypes' })).toThrow(
    "KVR008: input 'itemTypes': 'secretz' is not one of",
  );
});
