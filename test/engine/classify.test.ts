import { classifyFailure } from '../../src/engine/classify.ts';
import { KvrError } from '../../src/engine/errors.ts';
import { VAULT_FAILURE_KINDS, VaultFailure, type VaultFailureKind } from '../../src/engine/vault-failure.ts';

const failure = (kind: VaultFailureKind) => new VaultFailure(kind, `Code (HTTP 400)`, 'the service said so');

describe('classifyFailure', () => {
  test.each([
    ['denied', 'KVR030', 'the caller lacks the permission; see docs/errors.md#kvr030 for the role to assign'],
    ['secret_disabled', 'KVR030', 'the caller lacks the permission'],
    ['throttled', 'KVR031', 'throttled after every retry; the next run retries this item'],
    ['soft_deleted_conflict', 'KVR032', 'the name is soft-deleted in kv-dst; recover or purge it'],
    ['conflict', 'KVR034', 'Key Vault reported a conflict; the next run retries'],
    ['gone', 'KVR035', 'the item disappeared while replicating'],
    ['backup_not_restorable', 'KVR036', 'the key backup cannot be restored here (different geography or subscription)'],
    ['transient', 'KVR033', 'transient service or network failure; the next run retries'],
  ] as const)('%s is %s with its remedy', (kind, code, remedy) => {
    const { code: got, message } = classifyFailure(failure(kind), 'kv-dst', 'secret/db');
    expect(got).toBe(code);
    expect(message).toContain(`kv-dst/secret/db: Code (HTTP 400): ${remedy}`);
  });

  test('another kind is KVR039 with the detail alone', () => {
    expect(classifyFailure(failure('other'), 'kv', 'key/k')).toEqual({
      code: 'KVR039',
      message: 'kv/key/k: Code (HTTP 400)',
    });
  });

  test('every kind has a code', () => {
    for (const kind of VAULT_FAILURE_KINDS) expect(classifyFailure(failure(kind), 'kv', 'x').code).toMatch(/^KVR03\d$/);
  });

  test('a KvrError keeps its code, without repeating it in the message', () => {
    expect(classifyFailure(new KvrError('KVR038', 'kept changing'), 'kv', 'secret/s')).toEqual({
      code: 'KVR038',
      message: 'kv/secret/s: kept changing',
    });
  });

  test('anything else is an unexpected failure named by its class only (its message may hold anything)', () => {
    expect(classifyFailure(new TypeError('value s3cret'), 'kv', 'secret/s')).toEqual({
      code: 'KVR039',
      message: 'kv/secret/s: unexpected failure (TypeError)',
    });
  });
});
