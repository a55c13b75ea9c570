import { CertificateClient, WellKnownIssuer } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KeyVaultEmulator } from '../server.ts';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../model.ts';
import { checkAgainstSpec } from './openapi.ts';
import { ADMIN, credentialFor, startWorld, vaultSpec, vaultUrl } from '../../test/support/world.ts';

let emulator: KeyVaultEmulator;
const seen: { method: string; path: string; status: number; body: unknown }[] = [];

beforeAll(async () => {
  emulator = await startWorld({ vaults: [vaultSpec('kv-spec', 'westeurope'), vaultSpec('kv-spec2', 'westeurope')] });
  emulator.onVaultResponse = (method, path, status, body) => {
    if (status !== 401) seen.push({ method, path, status, body });
  };
});
afterAll(() => emulator.close());

test('every answer of a full workload matches the REST API spec: types, required fields, no invented fields', async () => {
  const cred = credentialFor(ADMIN);
  const secrets = new SecretClient(vaultUrl('kv-spec'), cred);
  const keys = new KeyClient(vaultUrl('kv-spec'), cred);
  const certs = new CertificateClient(vaultUrl('kv-spec'), cred);
  const s = await secrets.setSecret('s1', 'v', {
    contentType: 'text/plain',
    tags: { a: 'b' },
    expiresOn: new Date(2030, 1, 1),
  });
  await secrets.getSecret('s1');
  await secrets.updateSecretProperties('s1', s.properties.version!, { enabled: true });
  for await (const _ of secrets.listPropertiesOfSecrets()) {
    /* drain */
  }
  for await (const _ of secrets.listPropertiesOfSecretVersions('s1')) {
    /* drain */
  }
  await secrets.getSecret('missing').catch(() => undefined);
  await secrets.setSecret('off', 'v', { enabled: false });
  await secrets.getSecret('off').catch(() => undefined);
  const blob = await secrets.backupSecret('s1');
  await (await secrets.beginDeleteSecret('s1', { intervalInMs: 0 })).pollUntilDone();
  for await (const _ of secrets.listDeletedSecrets()) {
    /* drain */
  }
  await secrets.setSecret('s1', 'again').catch(() => undefined);
  await (await secrets.beginRecoverDeletedSecret('s1', { intervalInMs: 0 })).pollUntilDone();
  await (await secrets.beginDeleteSecret('s1', { intervalInMs: 0 })).pollUntilDone();
  await secrets.purgeDeletedSecret('s1');
  await secrets.restoreSecretBackup(blob!);

  await keys.createRsaKey('k1', { tags: { t: '1' } });
  await keys.createEcKey('k2');
  await keys.getKey('k1');
  await keys.updateKeyProperties('k1', '', { enabled: false });
  for await (const _ of keys.listPropertiesOfKeys()) {
    /* drain */
  }
  const kb = await keys.backupKey('k1');
  await new KeyClient(vaultUrl('kv-spec2'), cred).restoreKeyBackup(kb!);
  await (await keys.beginDeleteKey('k2', { intervalInMs: 0 })).pollUntilDone();
  for await (const _ of keys.listDeletedKeys()) {
    /* drain */
  }
  await keys.purgeDeletedKey('k2');

  const creating = await certs.beginCreateCertificate(
    'c1',
    { issuerName: WellKnownIssuer.Self, subject: 'CN=x' },
    { intervalInMs: 0, tags: { c: '1' } },
  );
  await certs.getCertificate('c1'); // the pending version's shape
  for await (const _ of certs.listPropertiesOfCertificates({ includePending: true })) {
    /* drain */
  }
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
  await creating.pollUntilDone();
  await certs.getCertificatePolicy('c1');
  await certs.updateCertificateProperties('c1', '', { tags: { c: '2' } });
  for await (const _ of certs.listPropertiesOfCertificates()) {
    /* drain */
  }
  const pfx = (await secrets.getSecret('c1')).value!;
  await certs.importCertificate('c2', Buffer.from(pfx, 'base64'));
  await (await certs.beginDeleteCertificate('c2', { intervalInMs: 0 })).pollUntilDone();
  for await (const _ of certs.listDeletedCertificates()) {
    /* drain */
  }

  const problems = seen.flatMap((x) => checkAgainstSpec(x.method, x.path, x.status, x.body));
  expect(problems).toEqual([]);
  expect(seen.length).toBeGreaterThan(40);
  expect(new Set(seen.map((x) => x.status))).toEqual(new Set([200, 202, 204, 403, 404, 409]));
});
