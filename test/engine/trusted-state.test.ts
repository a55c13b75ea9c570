import { trustedPairState, type PairState, type StateRecord } from '../../src/engine/state.ts';
import { checkStateKey, readPairState, signedPairState } from '../../src/state/state-codec.ts';

const ID = { replication: 'dr', source: 'prod-eu-kv', target: 'prod-us-kv' };
const V = 'a'.repeat(32);
const good: StateRecord = {
  type: 'secret',
  name: 'db-password',
  status: 'in_sync',
  replicatedByUs: true,
  targetVersion: V,
  missingRuns: 0,
  lastCorrelationId: '5b1c0f0e-0000-4000-8000-000000000001',
};
const file = (records: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: 1,
  ...ID,
  updatedAt: '',
  correlationId: 'c',
  records,
  ...extra,
});

/** [what, key, record]: each is a record this tool never writes, so it is dropped. */
const INVALID: [string, string, unknown][] = [
  ['null', 'secret/x', null],
  ['an array', 'secret/x', []],
  ['a key other than type/name', 'secret/zz-db-password', good],
  ['a key of another type', 'key/db-password', good],
  ['an upper-case key', 'secret/DB-password', { ...good, name: 'DB-password' }],
  ['an unknown type', 'widget/db-password', { ...good, type: 'widget' }],
  ['a name no Key Vault item has', 'secret/a b', { ...good, name: 'a b' }],
  ['an unknown status', 'secret/db-password', { ...good, status: 'trusted' }],
  ['replicatedByUs as a string', 'secret/db-password', { ...good, replicatedByUs: 'true' }],
  ['a negative missingRuns', 'secret/db-password', { ...good, missingRuns: -1 }],
  ['a fractional missingRuns', 'secret/db-password', { ...good, missingRuns: 0.5 }],
  ['missingRuns on a record seen last run', 'secret/db-password', { ...good, missingRuns: 1 }],
  ['a huge missingRuns', 'secret/db-password', { ...good, status: 'retired', missingRuns: 1e12 }],
  ['a version that is not one', 'secret/db-password', { ...good, targetVersion: 'latest' }],
  ['an acknowledged version that is not one', 'secret/db-password', { ...good, acknowledgedVersion: '../x' }],
  ['written by this tool, without a version', 'secret/db-password', { ...good, targetVersion: undefined }],
  ['a timestamp as text', 'secret/db-password', { ...good, targetUpdatedOn: '1700000000000' }],
  ['a negative timestamp', 'secret/db-password', { ...good, sourceUpdatedOn: -5 }],
  ['an error code that is not one', 'secret/db-password', { ...good, lastErrorCode: '::error::x' }],
  ['a targetRecheck that is not a boolean', 'secret/db-password', { ...good, targetRecheck: 'no' }],
  ['a correlation id with a newline', 'secret/db-password', { ...good, lastCorrelationId: 'a\n##vso[task.complete]' }],
  [
    'a thumbprint with markup',
    'certificate/web',
    { ...good, type: 'certificate', name: 'web', thumbprint: '<img src=x>' },
  ],
];

test.each(INVALID)('a record with %s is dropped and reported', (_what, key, record) => {
  const { state, problems } = trustedPairState(
    file({ [key]: record, 'secret/ok': { ...good, name: 'ok' } }),
    ID,
    'the file',
  );
  expect(Object.keys(state!.records)).toEqual(['secret/ok']);
  expect(problems).toEqual([{ code: 'KVR054', message: expect.stringContaining('1 invalid record(s) dropped') }]);
});

test('every status this tool writes, with the fields it writes, is kept as it is (unknown fields are dropped)', () => {
  const records = {
    'secret/db-password': good,
    'secret/gone': {
      ...good,
      name: 'gone',
      status: 'retired',
      missingRuns: 40,
      replicatedByUs: false,
      targetVersion: undefined,
    },
    'key/signing': {
      ...good,
      type: 'key',
      name: 'signing',
      status: 'held_back',
      missingRuns: 1,
      acknowledgedVersion: 'B'.repeat(32),
    },
    'certificate/web': {
      ...good,
      type: 'certificate',
      name: 'web',
      thumbprint: 'q0n-E_w',
      sourceUpdatedOn: 1,
      targetUpdatedOn: 2,
      recheck: true,
      targetRecheck: true,
      lastErrorCode: 'KVR033',
      acknowledged: true,
    },
  };
  const { state, problems } = trustedPairState(file(records), ID, 'the file');
  expect(problems).toEqual([]);
  expect(state!.records['certificate/web']).not.toHaveProperty('acknowledged');
  // The run that saved a record (format 1) is read and checked, and no longer kept.
  expect(state!.records['secret/gone']).toEqual({
    ...records['secret/gone'],
    targetVersion: undefined,
    lastCorrelationId: undefined,
  });
});

test('a file of another pair, or not a state file at all, is not used', () => {
  expect(trustedPairState(file({}, { source: 'team-b-kv' }), ID, 'f').problems[0]).toMatchObject({
    code: 'KVR052',
    message: expect.stringContaining(
      'records replication, source, target "dr", "team-b-kv", "prod-us-kv", not dr: prod-eu-kv → prod-us-kv',
    ),
  });
  expect(trustedPairState(file({}, { target: 'x' }), ID, 'f').state).toBeUndefined();
  expect(trustedPairState(file({}, { replication: 'inputs' }), ID, 'f').state).toBeUndefined();
  for (const raw of [
    undefined,
    null,
    'text',
    [],
    { version: 3, ...ID, records: {} },
    { version: 1, ...ID, records: [] },
  ]) {
    expect(trustedPairState(raw, ID, 'f')).toEqual({
      problems: [{ code: 'KVR054', message: expect.stringContaining('is not a keyvault-replicate state file') }],
    });
  }
  // Names of vaults compare as Key Vault does, case-insensitively.
  expect(trustedPairState(file({}, { source: 'PROD-EU-KV' }), ID, 'f').problems).toEqual([]);
});

describe('signing', () => {
  const key = `state-key-${crypto.randomUUID()}`;
  const state = trustedPairState(file({ 'secret/db-password': good }), ID, 'f').state as PairState;

  test('a signed state verifies whatever its layout; any edit, another key or no signature does not', () => {
    const signed = signedPairState(state, key);
    const relaid = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(signed).reverse())));
    expect(readPairState(relaid, ID, { key }, 'f')).toEqual({ state, problems: [] });
    const edited = structuredClone(signed);
    edited.records['secret/db-password']!.replicatedByUs = false;
    for (const [raw, k] of [
      [edited, key],
      [signed, `${key}-other`],
      [state, key],
      [{ ...signed, signature: 'hmac-sha256:' }, key],
    ] as const) {
      expect(readPairState(raw, ID, { key: k }, 'f')).toEqual({
        problems: [{ code: 'KVR053', message: expect.stringContaining('it is not used as memory') }],
      });
    }
  });

  test('a run without the key neither uses nor replaces a signed file; adopt-state takes a file as it is, once', () => {
    const signed = signedPairState(state, key);
    expect(readPairState(signed, ID, {}, 'f')).toEqual({
      keep: true,
      problems: [
        {
          code: 'KVR053',
          message: expect.stringContaining('is signed, but this run has no state key: it is neither used nor replaced'),
        },
      ],
    });
    expect(readPairState(state, ID, {}, 'f')).toEqual({ state, problems: [] });
    // Turning the key on, rotating it, turning it off: the file is used, with a warning that says so.
    for (const [raw, k] of [
      [state, key],
      [signedPairState(state, `${key}-old`), key],
      [signed, undefined],
    ] as const) {
      expect(readPairState(raw, ID, { key: k, adopt: true }, 'f')).toEqual({
        state,
        problems: [{ code: 'KVR053', message: expect.stringContaining('adopted as it is (adopt-state)') }],
      });
    }
    // Adopting never skips the checks of a file's pair and records.
    expect(readPairState({ ...state, source: 'team-b-kv' }, ID, { key, adopt: true }, 'f').state).toBeUndefined();
  });

  test('a key shorter than 32 characters is refused', () => {
    expect(() => checkStateKey('x'.repeat(31), 'state-key')).toThrow(
      /KVR008: state-key must be at least 32 characters/,
    );
    expect(checkStateKey('x'.repeat(32), 'state-key')).toBe('x'.repeat(32));
    expect(checkStateKey('', 'state-key')).toBeUndefined();
  });
});
