import { CertificateClient, WellKnownIssuer } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyClient } from '@azure/keyvault-keys';
import { createHash } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import type { KeyVaultEmulator } from '../server.ts';
import { ADMIN, credentialFor, startWorld, vaultSpec, vaultUrl } from '../../test/support/world.ts';

let emulator: KeyVaultEmulator;
let certs: CertificateClient;
let secrets: SecretClient;
let keys: KeyClient;

beforeAll(async () => {
  emulator = await startWorld({ vaults: [vaultSpec('kv-cert', 'westeurope')] });
  certs = new CertificateClient(vaultUrl('kv-cert'), credentialFor(ADMIN));
  secrets = new SecretClient(vaultUrl('kv-cert'), credentialFor(ADMIN));
  keys = new KeyClient(vaultUrl('kv-cert'), credentialFor(ADMIN));
});
afterAll(() => emulator.close());

const selfPolicy = (exportable = true) => ({
  issuerName: WellKnownIssuer.Self,
  subject: 'CN=app.contoso.com',
  exportable,
  validityInMonths: 12,
});

function pfxFromForge(
  password: string | null,
  subject = 'imported.contoso.com',
): { pfxBase64: string; thumbprint: string; pem: string } {
  const keysPair = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keysPair.publicKey;
  cert.serialNumber = '0a';
  cert.validity.notBefore = new Date(Date.now() - 1000);
  cert.validity.notAfter = new Date(Date.now() + 86400_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: subject }]);
  cert.sign(keysPair.privateKey, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const p12 = forge.pkcs12.toPkcs12Asn1(keysPair.privateKey, [cert], password, { algorithm: '3des' });
  return {
    pfxBase64: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64'),
    thumbprint: createHash('sha1').update(der).digest('base64url'),
    pem: forge.pki.privateKeyToPem(keysPair.privateKey) + forge.pki.certificateToPem(cert),
  };
}

test('create (self-signed) completes at once and links a managed key and secret', async () => {
  const poller = await certs.beginCreateCertificate('web', selfPolicy(), { intervalInMs: 0, tags: { app: 'web' } });
  const cert = await poller.pollUntilDone();
  expect(cert.properties.version).toMatch(/^[0-9a-f]{32}$/);
  expect(cert.keyId).toBe(`${vaultUrl('kv-cert')}/keys/web/${cert.properties.version}`);
  expect(cert.secretId).toBe(`${vaultUrl('kv-cert')}/secrets/web/${cert.properties.version}`);
  expect(cert.properties.tags).toEqual({ app: 'web' });
  const x5t = createHash('sha1').update(cert.cer!).digest();
  expect(Buffer.from(cert.properties.x509Thumbprint!)).toEqual(x5t);
  const backing = await secrets.getSecret('web');
  expect(backing.properties.managed).toBe(true);
  expect(backing.properties.contentType).toBe('application/x-pkcs12');
  expect(backing.properties.certificateKeyId).toBe(cert.keyId);
  const key = await keys.getKey('web');
  expect(key.properties.managed).toBe(true);
  const listed = [];
  for await (const s of secrets.listPropertiesOfSecrets()) if (s.name === 'web') listed.push(s.managed);
  expect(listed).toEqual([true]);
  const policy = await certs.getCertificatePolicy('web');
  expect(policy.issuerName).toBe('Self');
  expect(policy.exportable).toBe(true);
});

test('the backing secret of an exportable certificate is a blank-password PKCS#12 with the private key', async () => {
  await (await certs.beginCreateCertificate('exportable', selfPolicy(true), { intervalInMs: 0 })).pollUntilDone();
  const value = (await secrets.getSecret('exportable')).value!;
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(value)), '');
  expect(
    p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!],
  ).toHaveLength(1);
  // OpenSSL reads it too (its MAC and key bag checked with a key derivation that is not the emulator's).
  expect(() => createSecureContext({ pfx: Buffer.from(value, 'base64'), passphrase: '' })).not.toThrow();
  expect(() => createSecureContext({ pfx: Buffer.from(value, 'base64'), passphrase: 'wrong' })).toThrow(
    /mac verify failure/i,
  );
});

test("a non-exportable certificate's secret carries no private key", async () => {
  await (await certs.beginCreateCertificate('locked', selfPolicy(false), { intervalInMs: 0 })).pollUntilDone();
  const value = (await secrets.getSecret('locked')).value!;
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(value)), '');
  expect(
    p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? [],
  ).toHaveLength(0);
  expect((await certs.getCertificatePolicy('locked')).exportable).toBe(false);
});

test('import PKCS#12 without and with a password, thumbprint as Azure computes it, issuer Unknown', async () => {
  const plain = pfxFromForge(null);
  const imported = await certs.importCertificate('imp-plain', Buffer.from(plain.pfxBase64, 'base64'), {
    tags: { src: 'x' },
    enabled: true,
  });
  expect(Buffer.from(imported.properties.x509Thumbprint!).toString('base64url')).toBe(plain.thumbprint);
  expect(imported.policy?.issuerName).toBe('Unknown');
  const secret = await secrets.getSecret('imp-plain');
  expect(secret.properties.managed).toBe(true);

  const locked = pfxFromForge('s3cret');
  const withPwd = await certs.importCertificate('imp-pwd', Buffer.from(locked.pfxBase64, 'base64'), {
    password: 's3cret',
  });
  expect(Buffer.from(withPwd.properties.x509Thumbprint!).toString('base64url')).toBe(locked.thumbprint);
  await expect(
    certs.importCertificate('imp-bad', Buffer.from(locked.pfxBase64, 'base64'), { password: 'wrong' }),
  ).rejects.toMatchObject({ statusCode: 400 });
});

test('import PEM', async () => {
  const m = pfxFromForge(null, 'pem.contoso.com');
  const imported = await certs.importCertificate('imp-pem', Buffer.from(m.pem), {
    policy: { contentType: 'application/x-pem-file', issuerName: 'Unknown' },
  });
  expect(Buffer.from(imported.properties.x509Thumbprint!).toString('base64url')).toBe(m.thumbprint);
  const secret = await secrets.getSecret('imp-pem');
  expect(secret.value).toContain('-----BEGIN CERTIFICATE-----');
  expect(secret.value).toContain('PRIVATE KEY-----');
});

test('a certificate-backed secret cannot be written alone: 403 SecretManagedByKeyVault', async () => {
  await (await certs.beginCreateCertificate('guarded', selfPolicy(), { intervalInMs: 0 })).pollUntilDone();
  const e = await secrets.setSecret('guarded', 'overwrite').catch((x) => x);
  expect(e.statusCode).toBe(403);
  expect(JSON.stringify(e.details)).toContain('SecretManagedByKeyVault');
});

test('update properties, list paged, delete/recover/purge take the backing items along', async () => {
  await (await certs.beginCreateCertificate('life', selfPolicy(), { intervalInMs: 0 })).pollUntilDone();
  const updated = await certs.updateCertificateProperties('life', '', { enabled: false, tags: { t: '1' } });
  expect(updated.properties.enabled).toBe(false);
  expect(updated.properties.tags).toEqual({ t: '1' });
  const names = [];
  for await (const p of certs.listPropertiesOfCertificates().byPage({ maxPageSize: 2 }))
    names.push(...p.map((c) => c.name));
  expect(names).toContain('life');
  await (await certs.beginDeleteCertificate('life', { intervalInMs: 0 })).pollUntilDone();
  await expect(secrets.getSecret('life')).rejects.toMatchObject({ statusCode: 404 });
  const deleted = await certs.getDeletedCertificate('life');
  expect(deleted.recoveryId).toContain('/deletedcertificates/life');
  await (await certs.beginRecoverDeletedCertificate('life', { intervalInMs: 0 })).pollUntilDone();
  expect((await certs.getCertificate('life')).name).toBe('life');
  await (await certs.beginDeleteCertificate('life', { intervalInMs: 0 })).pollUntilDone();
  await certs.purgeDeletedCertificate('life');
  await expect(certs.getDeletedCertificate('life')).rejects.toMatchObject({ statusCode: 404 });
});

test('every new version of a certificate has a new thumbprint and a key other than the one it replaces', () => {
  const policy = {
    key_props: { exportable: true, kty: 'RSA', key_size: 2048 },
    x509_props: { subject: 'CN=renewed' },
    issuer: { name: 'Self' },
  };
  for (let i = 0; i < 10; i++) emulator.invoke('kv-cert', 'POST', 'certificates/renewed/create', { policy });
  const vault = emulator.vault('kv-cert');
  const thumbprints = vault.certificates.live.get('renewed')!.versions.map((v) => v.x5t);
  const moduli = vault.keys.live.get('renewed')!.versions.map((v) => v.jwk.n);
  expect(new Set(thumbprints).size).toBe(10);
  expect(moduli).toHaveLength(10);
  for (let i = 1; i < moduli.length; i++) expect(moduli[i]).not.toBe(moduli[i - 1]);
});
