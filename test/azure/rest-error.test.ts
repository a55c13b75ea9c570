import { RestError } from '@azure/core-rest-pipeline';
import { failureKindOf, isNameInTransition, toVaultFailure } from '../../src/azure/rest-error.ts';
import { VaultFailure } from '../../src/engine/vault-failure.ts';

/** Key Vault's error body, as the Key Vault clients deserialize it onto RestError.details. */
const keyVaultError = (statusCode: number, code: string, inner?: string, message = `${code} happened`) =>
  Object.assign(new RestError(message, { statusCode }), {
    details: { error: { code, message, ...(inner ? { innerError: { code: inner } } : {}) } },
  });

describe("Azure errors in the engine's kinds", () => {
  test.each([
    [403, 'Forbidden', 'SecretDisabled', 'secret_disabled'],
    [403, 'Forbidden', 'ForbiddenByRbac', 'denied'],
    [403, 'Forbidden', undefined, 'denied'],
    [429, 'Throttled', undefined, 'throttled'],
    [409, 'Conflict', 'ObjectIsDeletedButRecoverable', 'soft_deleted_conflict'],
    [409, 'Conflict', 'ObjectIsBeingDeleted', 'soft_deleted_conflict'],
    [409, 'Conflict', 'ObjectIsBeingRecovered', 'conflict'],
    [409, 'Conflict', undefined, 'conflict'],
    [404, 'SecretNotFound', undefined, 'gone'],
    [500, 'InternalServerError', undefined, 'transient'],
    [503, 'ServiceUnavailable', undefined, 'transient'],
    [408, 'RequestTimeout', undefined, 'transient'],
    [400, 'BadParameter', undefined, 'other'],
    [401, 'Unauthorized', undefined, 'other'],
  ] as const)('HTTP %i %s (inner %s) is %s', (status, code, inner, kind) => {
    const failure = toVaultFailure(keyVaultError(status, code, inner));
    expect(failure).toBeInstanceOf(VaultFailure);
    expect(failure.kind).toBe(kind);
    expect(failure.detail).toBe(`${code} (HTTP ${status})`);
  });

  test('a backup that cannot be decrypted here is its own kind; another bad request is not', () => {
    expect(failureKindOf({ status: 400, innerCode: undefined, message: 'Unable to decrypt backup blob' })).toBe(
      'backup_not_restorable',
    );
    expect(failureKindOf({ status: 400, innerCode: undefined, message: 'Bad key size' })).toBe('other');
  });

  test('the older wire name of the inner error counts as well', () => {
    const e = Object.assign(new RestError('x', { statusCode: 403 }), {
      details: { error: { code: 'Forbidden', innererror: { code: 'SecretDisabled' } } },
    });
    expect(toVaultFailure(e).kind).toBe('secret_disabled');
  });

  test('a network failure without a status is transient, and its detail names no status', () => {
    const failure = toVaultFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(failure).toMatchObject({ kind: 'transient', detail: 'ECONNREFUSED' });
  });

  test('only the first line of the message travels on: the request (body included) never does', () => {
    const e = keyVaultError(400, 'BadParameter', undefined, 'bad value\nBody: {"value":"s3cret"}');
    expect(toVaultFailure(e).message).toBe('bad value');
    expect(JSON.stringify(toVaultFailure(e))).not.toContain('s3cret');
  });

  test('a VaultFailure passes through unchanged', () => {
    const f = new VaultFailure('gone', 'NotFound (HTTP 404)', 'gone');
    expect(toVaultFailure(f)).toBe(f);
  });
});

test('a 409 for a name still being deleted or recovered is one to try again; other conflicts are not', () => {
  expect(isNameInTransition(keyVaultError(409, 'Conflict', 'ObjectIsBeingDeleted'))).toBe(true);
  expect(isNameInTransition(keyVaultError(409, 'Conflict', 'ObjectIsBeingRecovered'))).toBe(true);
  expect(isNameInTransition(keyVaultError(409, 'Conflict', 'ObjectIsDeletedButRecoverable'))).toBe(false);
  expect(isNameInTransition(keyVaultError(409, 'Conflict'))).toBe(false);
});
