import { KeyClient } from '@azure/keyvault-keys';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyVaultEmulator } from '../server.ts';
import { ADMIN, SUB_B, credentialFor, startWorld, vaultSpec, vaultUrl } from '../../test/support/world.ts';

let emulator: KeyVaultEmulator;
const client = (vault: string) => new KeyClient(vaultUrl(vault), credentialFor(ADMIN));

beforeAll(async () => {
  emulator = await startWorld({
    vaults: [
      vaultSpec('kv-keys-eu', 'westeurope'),
      vaultSpec('kv-keys-eu2', 'northeurope'),
      vaultSpec('kv-keys-us', 'eastus'),
      vaultSpec('kv-keys-eu-other-sub', 'westeurope', { subscriptionId: SUB_B }),
    ],
  });
});
afterAll(() => emulator.close());

test('create RSA and EC keys; the private part never leaves', async () => {
  const rsa = await client('kv-keys-eu').createRsaKey('rsa-key', { keySize: 3072, tags: { a: 'b' } });
  expect(rsa.keyType).toBe('RSA');
  expect(rsa.key?.n?.length).toBe(384);
  expect(rsa.key?.d).toBeUndefined();
  expect(rsa.properties.tags).toEqual({ a: 'b' });
  const ec = await client('kv-keys-eu').createEcKey('ec-key', { curve: 'P-384' });
  expect(ec.key?.crv).toBe('P-384');
  expect(ec.key?.x).toBeDefined();
});

test('import, get, update, list paged', async () => {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const imported = await client('kv-keys-eu').importKey('imported', {
    kty: 'RSA',
    n: Buffer.from(jwk.n!, 'base64url'),
    e: Buffer.from(jwk.e!, 'base64url'),
    d: Buffer.from(jwk.d!, 'base64url'),
    p: Buffer.from(jwk.p!, 'base64url'),
    q: Buffer.from(jwk.q!, 'base64url'),
    dp: Buffer.from(jwk.dp!, 'base64url'),
    dq: Buffer.from(jwk.dq!, 'base64url'),
    qi: Buffer.from(jwk.qi!, 'base64url'),
  });
  const pub = createPublicKey({
    key: {
      kty: 'RSA',
      n: Buffer.from(imported.key!.n!).toString('base64url'),
      e: Buffer.from(imported.key!.e!).toString('base64url'),
    },
    format: 'jwk',
  });
  expect(pub.export({ format: 'jwk' }).n).toBe(jwk.n);
  await client('kv-keys-eu').updateKeyProperties('imported', imported.properties.version!, {
    enabled: false,
    tags: { x: '1' },
  });
  const got = await client('kv-keys-eu').getKey('imported');
  expect(got.properties.enabled).toBe(false);
  expect(got.properties.tags).toEqual({ x: '1' });
  await client('kv-keys-eu').createEcKey('listed-ec');
  const names = [];
  for await (const p of client('kv-keys-eu').listPropertiesOfKeys().byPage({ maxPageSize: 1 }))
    names.push(...p.map((k) => k.name));
  expect(names).toEqual(expect.arrayContaining(['listed-ec', 'imported']));
});

test('delete, recover, purge', async () => {
  const c = client('kv-keys-eu');
  await c.createRsaKey('temp');
  await (await c.beginDeleteKey('temp', { intervalInMs: 0 })).pollUntilDone();
  await expect(c.createRsaKey('temp')).rejects.toMatchObject({ statusCode: 409 });
  await (await c.beginRecoverDeletedKey('temp', { intervalInMs: 0 })).pollUntilDone();
  await (await c.beginDeleteKey('temp', { intervalInMs: 0 })).pollUntilDone();
  await c.purgeDeletedKey('temp');
  await expect(c.getDeletedKey('temp')).rejects.toMatchObject({ statusCode: 404, code: 'KeyNotFound' });
});

test('backup restores into a vault of the same subscription and geography, with all versions', async () => {
  const src = client('kv-keys-eu');
  const v1 = await src.createRsaKey('travel');
  const v2 = await src.createRsaKey('travel');
  const blob = await src.backupKey('travel');
  const restored = await client('kv-keys-eu2').restoreKeyBackup(blob!);
  expect(restored.properties.version).toBe(v2.properties.version);
  const versions = [];
  for await (const v of client('kv-keys-eu2').listPropertiesOfKeyVersions('travel')) versions.push(v.version);
  expect(versions.sort()).toEqual([v1.properties.version, v2.properties.version].sort());
  await expect(client('kv-keys-eu2').restoreKeyBackup(blob!)).rejects.toMatchObject({ statusCode: 409 });
});

test('backup does not restore across geography or subscription; a malformed blob is 400', async () => {
  await client('kv-keys-eu').createRsaKey('stay-home');
  const blob = await client('kv-keys-eu').backupKey('stay-home');
  await expect(client('kv-keys-us').restoreKeyBackup(blob!)).rejects.toMatchObject({
    statusCode: 400,
    message: 'Cannot decrypt backup blob.',
  });
  await expect(client('kv-keys-eu-other-sub').restoreKeyBackup(blob!)).rejects.toMatchObject({
    statusCode: 400,
    message: 'Cannot decrypt backup blob.',
  });
  await expect(client('kv-keys-eu2').restoreKeyBackup(new Uint8Array(64))).rejects.toMatchObject({
    statusCode: 400,
    code: 'Malformed backup blob',
  });
});

test('a restore into a name still being deleted, recovered or purged is refused until its window ends', async () => {
  emulator.addVault(vaultSpec('kv-keys-win', 'westeurope'));
  emulator.setWindows('kv-keys-win', { deleteMs: 3000, recoverMs: 2000, purgeMs: 1000 });
  const c = client('kv-keys-win');
  await c.createRsaKey('k');
  const blob = await c.backupKey('k');
  const refusal = () =>
    c.restoreKeyBackup(blob!).then(
      () => undefined,
      (e) => [e.statusCode, e.details?.error?.innerError?.code],
    );
  await c.beginDeleteKey('k');
  expect(await refusal()).toEqual([409, 'ObjectIsBeingDeleted']);
  emulator.clock.advance(3000);
  expect(await refusal()).toEqual([409, 'ObjectIsDeletedButRecoverable']);
  await c.beginRecoverDeletedKey('k');
  expect(await refusal()).toEqual([409, 'ObjectIsBeingRecovered']);
  await expect(c.getKey('k')).rejects.toMatchObject({ statusCode: 404 });
  emulator.clock.advance(2000);
  expect((await c.getKey('k')).name).toBe('k');
  await c.beginDeleteKey('k');
  emulator.clock.advance(3000);
  await c.purgeDeletedKey('k');
  expect(await refusal()).toEqual([409, 'ObjectIsBeingDeleted']);
  emulator.clock.advance(1000);
  expect((await c.restoreKeyBackup(blob!)).name).toBe('k');
});

test("a key's attributes carry hsmPlatform, as the recordings show for software keys (bundle and list item)", async () => {
  const created = await client('kv-keys-eu2').createRsaKey('hsm-platform');
  expect(created.properties.hsmPlatform).toBe('0');
  for await (const p of client('kv-keys-eu2').listPropertiesOfKeys()) expect(p.hsmPlatform).toBe('0');
});

test('a malformed $skiptoken is the client’s error: 400 BadParameter, not a server fault', async () => {
  for (const token of ['not-base64-json', Buffer.from('{"NextMarker":"x"}').toString('base64url')]) {
    const pages = client('kv-keys-eu2')
      .listPropertiesOfKeys()
      .byPage({ continuationToken: `${vaultUrl('kv-keys-eu2')}:443/keys?api-version=7.6&$skiptoken=${token}` });
    const err = await pages.next().then(
      () => undefined,
      (e: { statusCode?: number; code?: string }) => e,
    );
    expect({ status: err?.statusCode, code: err?.code }).toEqual({ status: 400, code: 'BadParameter' });
  }
});
