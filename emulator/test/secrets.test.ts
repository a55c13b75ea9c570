import { SecretClient } from '@azure/keyvault-secrets';
import type { RestError } from '@azure/core-rest-pipeline';
import type { KeyVaultEmulator } from '../server.ts';
import { ADMIN, credentialFor, startWorld, vaultSpec, vaultUrl } from '../../test/support/world.ts';

let emulator: KeyVaultEmulator;
let client: SecretClient;

beforeAll(async () => {
  emulator = await startWorld({ vaults: [vaultSpec('kv-sec', 'westeurope')] });
  client = new SecretClient(vaultUrl('kv-sec'), credentialFor(ADMIN));
});
afterAll(() => emulator.close());

const restError = async (p: Promise<unknown>): Promise<RestError> => {
  try {
    await p;
  } catch (e) {
    return e as RestError;
  }
  throw new Error('expected the call to fail');
};

test('set, get latest and by version, with attributes and tags', async () => {
  const expiresOn = new Date('2030-01-01T00:00:00Z');
  const first = await client.setSecret('db-password', 'v1', {
    contentType: 'text/plain',
    tags: { team: 'a' },
    expiresOn,
  });
  const second = await client.setSecret('db-password', 'v2');
  expect(second.properties.version).not.toBe(first.properties.version);
  expect(second.properties.version).toMatch(/^[0-9a-f]{32}$/);
  expect((await client.getSecret('db-password')).value).toBe('v2');
  const old = await client.getSecret('db-password', { version: first.properties.version! });
  expect(old.value).toBe('v1');
  expect(old.properties.contentType).toBe('text/plain');
  expect(old.properties.tags).toEqual({ team: 'a' });
  expect(old.properties.expiresOn).toEqual(expiresOn);
  expect(old.properties.recoveryLevel).toBe('Recoverable+Purgeable');
});

test('names are case-insensitive', async () => {
  await client.setSecret('MixedCase', 'x');
  expect((await client.getSecret('mixedcase')).value).toBe('x');
});

test('list pages 25 at a time and follows nextLink, empty pages included', async () => {
  for (let i = 0; i < 60; i++)
    emulator.invoke('kv-sec', 'PUT', `secrets/bulk-${String(i).padStart(2, '0')}`, { value: `x${i}` });
  emulator.setFaults('kv-sec', { emptyPageRate: 0.5 });
  const pages: number[] = [];
  for await (const p of client.listPropertiesOfSecrets().byPage()) pages.push(p.length);
  emulator.setFaults('kv-sec', { emptyPageRate: 0 });
  const names = pages.reduce((a, b) => a + b, 0);
  expect(names).toBeGreaterThanOrEqual(60);
  expect(Math.max(...pages)).toBeLessThanOrEqual(25);
  expect(pages).toContain(0);
});

test('list versions', async () => {
  await client.setSecret('versioned', 'a');
  await client.setSecret('versioned', 'b');
  const versions = [];
  for await (const v of client.listPropertiesOfSecretVersions('versioned')) versions.push(v.version);
  expect(versions).toHaveLength(2);
});

// Azure lists a secret's versions by version id, not by creation: three versions created in one second came back
// 67889ccc…, 797c9751…, 85e14505…, the reverse of their creation, and the skip token's marker names the next version id
// (Azure/azure-sdk-for-js, keyvault-secrets recordings, recording_can_retrieve_all_versions_of_a_secret_by_page.json).
test('versions list by version id, 25 a page with a nextLink, with created and updated and never a value', async () => {
  for (let i = 0; i < 30; i++) emulator.invoke('kv-sec', 'PUT', 'secrets/many-versions', { value: `VALUE-${i}` });
  const pages = [];
  for await (const p of client.listPropertiesOfSecretVersions('many-versions').byPage({ maxPageSize: 25 }))
    pages.push(p);
  expect(pages.map((p) => p.length)).toEqual([25, 5]);
  const ids = pages.flat().map((v) => v.version!);
  expect(ids).toEqual([...ids].sort());
  expect(pages.flat().every((v) => v.createdOn instanceof Date && v.updatedOn instanceof Date)).toBe(true);
  expect(JSON.stringify(pages)).not.toContain('VALUE-');
});

test('update properties changes attributes, not the value', async () => {
  const s = await client.setSecret('props', 'value-1');
  await client.updateSecretProperties('props', s.properties.version!, {
    enabled: true,
    contentType: 'application/json',
    tags: { env: 'prod' },
    notBefore: new Date('2020-01-01T00:00:00Z'),
  });
  const got = await client.getSecret('props');
  expect(got.value).toBe('value-1');
  expect(got.properties.version).toBe(s.properties.version);
  expect(got.properties.contentType).toBe('application/json');
  expect(got.properties.tags).toEqual({ env: 'prod' });
  expect(got.properties.notBefore).toEqual(new Date('2020-01-01T00:00:00Z'));
});

test('a disabled secret cannot be read: 403 Forbidden, inner SecretDisabled', async () => {
  const s = await client.setSecret('disabled-one', 'hidden', { enabled: false });
  const e = await restError(client.getSecret('disabled-one'));
  expect(e.statusCode).toBe(403);
  expect(e.code).toBe('Forbidden');
  expect(JSON.stringify(e.details)).toContain('SecretDisabled');
  expect(s.properties.enabled).toBe(false);
});

test('get of a missing secret is 404 SecretNotFound', async () => {
  const e = await restError(client.getSecret('nope'));
  expect(e.statusCode).toBe(404);
  expect(e.code).toBe('SecretNotFound');
});

test('soft delete, deleted listing, set on the deleted name, recover, purge', async () => {
  await client.setSecret('gone', 'v');
  const poller = await client.beginDeleteSecret('gone', { intervalInMs: 0 });
  const deleted = await poller.pollUntilDone();
  expect(deleted.recoveryId).toBe(`${vaultUrl('kv-sec')}/deletedsecrets/gone`);
  expect(deleted.properties.deletedOn).toBeInstanceOf(Date);
  const names = [];
  for await (const d of client.listDeletedSecrets()) names.push(d.name);
  expect(names).toContain('gone');

  const conflict = await restError(client.setSecret('gone', 'again'));
  expect(conflict.statusCode).toBe(409);
  expect(conflict.code).toBe('Conflict');
  expect(JSON.stringify(conflict.details)).toContain('ObjectIsDeletedButRecoverable');

  await (await client.beginRecoverDeletedSecret('gone', { intervalInMs: 0 })).pollUntilDone();
  expect((await client.getSecret('gone')).value).toBe('v');

  await (await client.beginDeleteSecret('gone', { intervalInMs: 0 })).pollUntilDone();
  await client.purgeDeletedSecret('gone');
  await expect(client.getDeletedSecret('gone')).rejects.toMatchObject({ statusCode: 404 });
  await client.setSecret('gone', 'reborn');
});

test('backup and restore within the same subscription and geography', async () => {
  await client.setSecret('portable', 'p');
  const blob = await client.backupSecret('portable');
  await (await client.beginDeleteSecret('portable', { intervalInMs: 0 })).pollUntilDone();
  await client.purgeDeletedSecret('portable');
  const restored = await client.restoreSecretBackup(blob!);
  expect(restored.name).toBe('portable');
  expect((await client.getSecret('portable')).value).toBe('p');
});

test('counters record value reads and the client request id', async () => {
  const before = emulator.vault('kv-sec').counters.valueReads;
  await client.setSecret('counted', 'c');
  await client.getSecret('counted', { requestOptions: { headers: { 'x-ms-client-request-id': 'corr-123' } } });
  expect(emulator.vault('kv-sec').counters.valueReads).toBe(before + 1);
  expect(emulator.vault('kv-sec').counters.clientRequestIds.has('corr-123')).toBe(true);
});

test('a delete, a recover and a purge take their windows of emulator time, with Azure answers inside', async () => {
  emulator.addVault(vaultSpec('kv-win', 'westeurope'));
  emulator.setWindows('kv-win', { deleteMs: 3000, recoverMs: 2000, purgeMs: 1000 });
  const c = new SecretClient(vaultUrl('kv-win'), credentialFor(ADMIN));
  const codes = async (p: Promise<unknown>) => {
    const e = await restError(p);
    const inner = (e.details as { error?: { innerError?: { code?: string } } }).error?.innerError?.code;
    return [e.statusCode, inner ?? e.code, e.message];
  };
  await c.setSecret('w', 'v');
  const deleting = await c.beginDeleteSecret('w');
  expect(deleting.isDone()).toBe(false); // its first GET deletedsecrets/w answered 404, as in the recordings
  expect((await codes(c.getSecret('w')))[0]).toBe(404);
  expect(await codes(c.getDeletedSecret('w'))).toEqual([404, 'SecretNotFound', 'Deleted Secret not found: w']);
  expect([...(await c.listDeletedSecrets().byPage().next()).value]).toEqual([]);
  expect(await codes(c.setSecret('w', 'again'))).toEqual([
    409,
    'ObjectIsBeingDeleted',
    'Secret w is currently being deleted and cannot be re-created; retry later.',
  ]);
  expect((await codes(c.purgeDeletedSecret('w'))).slice(0, 2)).toEqual([409, 'ObjectIsBeingDeleted']);
  expect((await codes(c.beginRecoverDeletedSecret('w'))).slice(0, 2)).toEqual([404, 'SecretNotFound']);
  emulator.clock.advance(3000);
  expect((await c.getDeletedSecret('w')).name).toBe('w');
  expect((await codes(c.setSecret('w', 'again'))).slice(0, 2)).toEqual([409, 'ObjectIsDeletedButRecoverable']);

  const recovering = await c.beginRecoverDeletedSecret('w');
  expect(recovering.isDone()).toBe(false); // the SDK's GET secrets/w answered 404
  expect((await codes(c.getSecret('w')))[0]).toBe(404);
  expect((await codes(c.getDeletedSecret('w')))[0]).toBe(404);
  expect(await codes(c.setSecret('w', 'again'))).toEqual([
    409,
    'ObjectIsBeingRecovered',
    'Secret w is currently being recovered and cannot be re-created; retry later.',
  ]);
  expect([...(await c.listPropertiesOfSecrets().byPage().next()).value]).toEqual([]);
  emulator.clock.advance(2000);
  expect((await c.getSecret('w')).value).toBe('v');

  await c.beginDeleteSecret('w');
  emulator.clock.advance(3000);
  await c.purgeDeletedSecret('w');
  expect((await codes(c.setSecret('w', 'new'))).slice(0, 2)).toEqual([409, 'ObjectIsBeingDeleted']);
  emulator.clock.advance(1000);
  expect((await c.setSecret('w', 'new')).value).toBe('new');
});
