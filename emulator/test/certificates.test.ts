import { CertificateClient, WellKnownIssuer } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyClient } from '@azure/keyvault-keys';
import { createHash } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import type { KeyVaultEmulator } from '../server.ts';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../model.ts';
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

/** Creates a self-signed certificate and lets its issuance time pass on the emulator's clock: an issued one. */
async function createIssued(name: string, policy: ReturnType<typeof selfPolicy>, tags?: Record<string, string>) {
  const poller = await certs.beginCreateCertificate(name, policy, { intervalInMs: 0, tags });
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
  return poller.pollUntilDone();
}

function pfxFromForge(
  password: string | null,
  subject = 'imported.contoso.com',
  dnsNames: string[] = [],
): { pfxBase64: string; thumbprint: string; pem: string } {
  const keysPair = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keysPair.publicKey;
  cert.serialNumber = '0a';
  cert.validity.notBefore = new Date(Date.now() - 1000);
  cert.validity.notAfter = new Date(Date.now() + 86400_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: subject }]);
  if (dnsNames.length)
    cert.setExtensions([{ name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) }]);
  cert.sign(keysPair.privateKey, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const p12 = forge.pkcs12.toPkcs12Asn1(keysPair.privateKey, [cert], password, { algorithm: '3des' });
  return {
    pfxBase64: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64'),
    thumbprint: createHash('sha1').update(der).digest('base64url'),
    pem: forge.pki.privateKeyToPem(keysPair.privateKey) + forge.pki.certificateToPem(cert),
  };
}

test('create (self-signed), once issued, links a managed key and secret', async () => {
  const cert = await createIssued('web', selfPolicy(), { app: 'web' });
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
  await createIssued('exportable', selfPolicy(true));
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
  await createIssued('locked', selfPolicy(false));
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
  await createIssued('guarded', selfPolicy());
  const e = await secrets.setSecret('guarded', 'overwrite').catch((x) => x);
  expect(e.statusCode).toBe(403);
  expect(JSON.stringify(e.details)).toContain('SecretManagedByKeyVault');
});

test('update properties, list paged, delete/recover/purge take the backing items along', async () => {
  await createIssued('life', selfPolicy());
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
  for (let i = 0; i < 10; i++) {
    emulator.invoke('kv-cert', 'POST', 'certificates/renewed/create', { policy });
    emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
  }
  emulator.invoke('kv-cert', 'GET', 'certificates/renewed'); // the last issuance completes as the service is called
  const vault = emulator.vault('kv-cert');
  const thumbprints = vault.certificates.live.get('renewed')!.versions.map((v) => v.x5t);
  const moduli = vault.keys.live.get('renewed')!.versions.map((v) => v.jwk.n);
  expect(new Set(thumbprints).size).toBe(10);
  expect(moduli).toHaveLength(10);
  for (let i = 1; i < moduli.length; i++) expect(moduli[i]).not.toBe(moduli[i - 1]);
});

describe('pending creation (shapes from the recordings)', () => {
  const vault = 'kv-cert';
  const call = (method: string, path: string, body?: unknown, query?: Record<string, string>) =>
    emulator.invoke(vault, method, path, body, query) as Record<string, unknown>;
  const create = (name: string, issuer = 'Self', enabled?: boolean) =>
    call('POST', `certificates/${name}/create`, {
      policy: {
        key_props: { kty: 'RSA', key_size: 2048 },
        x509_props: { subject: `CN=${name}` },
        issuer: { name: issuer },
      },
      ...(enabled === undefined ? {} : { attributes: { enabled } }),
    });
  const listed = (query: Record<string, string> = {}) =>
    (call('GET', 'certificates', undefined, { maxresults: '25', ...query }).value as { id: string }[]).map((i) => i);
  const failure = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e as { status: number; body: { error: { code: string } } };
    }
    throw new Error('expected a failure');
  };

  test('a Self create is pending: 202 inProgress, then a disabled version with no certificate, then issued', () => {
    const op = create('slow');
    expect(op).toMatchObject({
      id: `${vaultUrl(vault)}/certificates/slow/pending`,
      issuer: { name: 'Self' },
      cancellation_requested: false,
      status: 'inProgress',
      status_details: expect.stringContaining('Pending certificate created.'),
    });
    expect(op).not.toHaveProperty('target');
    expect(Buffer.from(op.csr as string, 'base64').length).toBeGreaterThan(200);
    const pending = call('GET', 'certificates/slow');
    expect(pending).toMatchObject({
      attributes: { enabled: false },
      policy: { issuer: { name: 'Self' } },
      pending: { id: `${vaultUrl(vault)}/certificates/slow/pending` },
    });
    expect(Object.keys(pending)).not.toEqual(expect.arrayContaining(['x5t']));
    for (const k of ['x5t', 'cer', 'kid', 'sid']) expect(pending).not.toHaveProperty(k);
    const a = pending.attributes as { nbf: number; exp: number; created: number };
    expect(a.created - a.nbf).toBe(600);
    expect(a.exp).toBeGreaterThan(a.created + 360 * 86400);
    // Not completely provisioned: listed only on includePending=true; its version lists without x5t.
    expect(listed().map((i) => i.id)).not.toContain(`${vaultUrl(vault)}/certificates/slow`);
    const withPending = listed({ includePending: 'true' }).find((i) => i.id.endsWith('/certificates/slow'));
    expect(withPending).toMatchObject({ attributes: { enabled: false } });
    expect(withPending).not.toHaveProperty('x5t');
    const versions = call('GET', 'certificates/slow/versions').value as Record<string, unknown>[];
    expect(versions).toHaveLength(1);
    expect(versions[0]).not.toHaveProperty('x5t');
    expect(failure(() => call('GET', 'secrets/slow')).status).toBe(404);
    expect(call('GET', 'certificates/slow/pending')).toMatchObject({ status: 'inProgress' });

    emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
    const done = call('GET', 'certificates/slow/pending');
    expect(done).toMatchObject({ status: 'completed', target: `${vaultUrl(vault)}/certificates/slow` });
    expect(done).not.toHaveProperty('status_details');
    const issued = call('GET', 'certificates/slow');
    expect(issued).toMatchObject({ attributes: { enabled: true }, x5t: expect.any(String), cer: expect.any(String) });
    expect(issued).not.toHaveProperty('pending');
    expect(call('GET', 'secrets/slow')).toMatchObject({ managed: true });
    expect(listed().map((i) => i.id)).toContain(`${vaultUrl(vault)}/certificates/slow`);
  });

  test('a pending new version of an issued certificate reads disabled without x5t, also in the listing', async () => {
    const first = await createIssued('renewing', selfPolicy());
    create('renewing');
    const pending = call('GET', 'certificates/renewing');
    expect(pending).toMatchObject({ attributes: { enabled: false } });
    expect(pending.id).not.toBe(first.properties.id);
    expect(pending).not.toHaveProperty('x5t');
    const item = listed().find((i) => i.id.endsWith('/certificates/renewing'));
    expect(item).toMatchObject({ attributes: { enabled: false } });
    expect(item).not.toHaveProperty('x5t');
    // The backing secret stays at the issued version until the new one is issued.
    expect(call('GET', 'secrets/renewing')).toMatchObject({ id: first.secretId });
    expect(failure(() => create('renewing'))).toMatchObject({ status: 409 });
    emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
    const renewed = call('GET', 'certificates/renewing');
    expect(renewed).toMatchObject({ id: pending.id, attributes: { enabled: true }, x5t: expect.any(String) });
    expect(call('GET', 'secrets/renewing').id).not.toBe(first.secretId);
  });

  test('an Unknown issuer stays pending until merged with a certificate for its key; a create disabled stays so', () => {
    const op = create('external', 'Unknown', false);
    emulator.clock.advance(20 * DEFAULT_CERTIFICATE_ISSUANCE_MS);
    expect(call('GET', 'certificates/external/pending')).toMatchObject({ status: 'inProgress' });
    const csr = forge.pki.certificationRequestFromAsn1(
      forge.asn1.fromDer(Buffer.from(op.csr as string, 'base64').toString('binary')),
    );
    const ca = forge.pki.rsa.generateKeyPair(1024);
    const signed = (publicKey: forge.pki.PublicKey) => {
      const cert = forge.pki.createCertificate();
      cert.publicKey = publicKey;
      cert.serialNumber = '0b';
      cert.validity.notBefore = new Date(emulator.clock.now() - 1000);
      cert.validity.notAfter = new Date(emulator.clock.now() + 86400_000);
      cert.setSubject([{ name: 'commonName', value: 'external' }]);
      cert.setIssuer([{ name: 'commonName', value: 'Test CA' }]);
      cert.sign(ca.privateKey, forge.md.sha256.create());
      return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary').toString('base64');
    };
    const wrongKey = failure(() =>
      call('POST', 'certificates/external/pending/merge', { x5c: [signed(ca.publicKey)] }),
    );
    expect(wrongKey).toMatchObject({ status: 400, body: { error: { code: 'BadParameter' } } });
    const merged = call('POST', 'certificates/external/pending/merge', { x5c: [signed(csr.publicKey!)] });
    expect(merged).toMatchObject({ x5t: expect.any(String), attributes: { enabled: false } });
    expect(call('GET', 'certificates/external/pending')).toMatchObject({ status: 'completed' });
    expect(failure(() => call('POST', 'certificates/external/pending/merge', { x5c: [] })).status).toBe(404);
    create('self-merge');
    expect(failure(() => call('POST', 'certificates/self-merge/pending/merge', { x5c: ['AA=='] })).status).toBe(403);
  });

  test('DELETE pending cancels the creation: a new certificate is gone, an issued one keeps its versions', async () => {
    create('cancelled', 'Unknown');
    expect(call('DELETE', 'certificates/cancelled/pending')).toMatchObject({ status: 'inProgress' });
    expect(failure(() => call('GET', 'certificates/cancelled')).status).toBe(404);
    expect(failure(() => call('GET', 'certificates/cancelled/pending')).status).toBe(404);
    const issued = await createIssued('kept', selfPolicy());
    create('kept', 'Unknown');
    call('DELETE', 'certificates/kept/pending');
    expect(call('GET', 'certificates/kept')).toMatchObject({ id: issued.properties.id, attributes: { enabled: true } });
    expect(failure(() => call('DELETE', 'certificates/kept/pending')).status).toBe(404);
  });

  test('an import is issued at once', async () => {
    const m = pfxFromForge(null, 'at-once.contoso.com');
    const imported = await certs.importCertificate('at-once', Buffer.from(m.pfxBase64, 'base64'));
    expect(imported.properties.enabled).toBe(true);
    expect(Buffer.from(imported.properties.x509Thumbprint!).toString('base64url')).toBe(m.thumbprint);
  });
});

test('a certificate being recovered is not listed until the recover window ends, as secrets and keys are not', async () => {
  emulator.addVault(vaultSpec('kv-cert-win', 'westeurope'));
  const c = new CertificateClient(vaultUrl('kv-cert-win'), credentialFor(ADMIN));
  const listed = async () => {
    const names: string[] = [];
    for await (const p of c.listPropertiesOfCertificates()) names.push(p.name!);
    return names;
  };
  emulator.invoke('kv-cert-win', 'POST', 'certificates/back/create', {
    policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=back' } },
  });
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS); // issued
  expect(await listed()).toEqual(['back']);
  emulator.invoke('kv-cert-win', 'DELETE', 'certificates/back');
  emulator.setWindows('kv-cert-win', { recoverMs: 2000 });
  emulator.invoke('kv-cert-win', 'POST', 'deletedcertificates/back/recover');
  expect(await listed()).toEqual([]);
  emulator.clock.advance(2000);
  expect(await listed()).toEqual(['back']);
});

test("an imported certificate's policy describes it: its subject, its validity, and SANs only when it has them", async () => {
  const plain = pfxFromForge(null, 'plain.contoso.com');
  await certs.importCertificate('policy-plain', Buffer.from(plain.pfxBase64, 'base64'));
  const p = await certs.getCertificatePolicy('policy-plain');
  // Valid one day: Azure's whole days × 12 / 365, rounded up (13 for the recorded 366-day certificate).
  expect({ subject: p.subject, months: p.validityInMonths, sans: p.subjectAlternativeNames }).toEqual({
    subject: 'CN=plain.contoso.com',
    months: 1,
    sans: undefined,
  });
  const named = pfxFromForge(null, 'named.contoso.com', ['named.contoso.com', 'www.contoso.com']);
  await certs.importCertificate('policy-sans', Buffer.from(named.pfxBase64, 'base64'));
  expect((await certs.getCertificatePolicy('policy-sans')).subjectAlternativeNames).toEqual({
    dnsNames: ['named.contoso.com', 'www.contoso.com'],
  });
});

test('certificate list items carry what Azure sends: no recovery fields, an empty subject (recordings)', async () => {
  await certs.importCertificate('listed-shape', Buffer.from(pfxFromForge(null).pfxBase64, 'base64'));
  for await (const c of certs.listPropertiesOfCertificates())
    expect({ level: c.recoveryLevel, days: c.recoverableDays }).toEqual({ level: undefined, days: undefined });
});

test("a certificate's managed secret and key are deleted and recovered in the certificate's windows", async () => {
  emulator.addVault(vaultSpec('kv-cert-back', 'westeurope'));
  emulator.invoke('kv-cert-back', 'POST', 'certificates/pair/create', {
    policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=pair' } },
  });
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS); // issued
  emulator.setWindows('kv-cert-back', { deleteMs: 3000, recoverMs: 3000 });
  const s = new SecretClient(vaultUrl('kv-cert-back'), credentialFor(ADMIN));
  const k = new KeyClient(vaultUrl('kv-cert-back'), credentialFor(ADMIN));
  emulator.invoke('kv-cert-back', 'DELETE', 'certificates/pair');
  // Being deleted: gone from the live side, not yet readable as deleted.
  await expect(s.getDeletedSecret('pair')).rejects.toMatchObject({ statusCode: 404 });
  await expect(k.getDeletedKey('pair')).rejects.toMatchObject({ statusCode: 404 });
  emulator.clock.advance(3000);
  const deleted = await s.getDeletedSecret('pair');
  // Retention as for any deleted item (90 days by default), not purged at once.
  expect(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime()).toBe(
    90 * 86400_000,
  );
  expect((await k.getDeletedKey('pair')).name).toBe('pair');
  emulator.invoke('kv-cert-back', 'POST', 'deletedcertificates/pair/recover');
  // Being recovered: not readable yet, then back.
  await expect(s.getSecret('pair')).rejects.toMatchObject({ statusCode: 404 });
  await expect(k.getKey('pair')).rejects.toMatchObject({ statusCode: 404 });
  emulator.clock.advance(3000);
  expect((await s.getSecret('pair')).name).toBe('pair');
  expect((await k.getKey('pair')).name).toBe('pair');
});
