import { AzurePipelinesCredential, ClientAssertionCredential, ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyClient } from '@azure/keyvault-keys';
import { CertificateClient } from '@azure/keyvault-certificates';
import type { KeyVaultEmulator } from '../server.ts';
import { GITHUB_ISSUER } from '../identity.ts';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../model.ts';
import {
  ADMIN,
  OTHER_TENANT,
  TENANT,
  assign,
  credentialFor,
  principal,
  startWorld,
  vaultSpec,
  vaultUrl,
} from '../../test/support/world.ts';

const reader = principal('reader');
const secretsUser = principal('secrets-user');
const policyUser = principal('policy-user');
const stranger = principal('stranger', OTHER_TENANT);
const federated = {
  ...principal('federated'),
  clientSecret: undefined,
  federatedCredentials: [{ issuer: GITHUB_ISSUER, subject: 'repo:contoso/platform:ref:refs/heads/main' }],
};

let emulator: KeyVaultEmulator;

beforeAll(async () => {
  emulator = await startWorld({
    principals: [reader, secretsUser, policyUser, stranger, federated],
    vaults: [
      vaultSpec('kv-rbac', 'westeurope', {
        roleAssignments: [
          assign(ADMIN, 'Key Vault Administrator'),
          assign(reader, 'Key Vault Reader'),
          assign(secretsUser, 'Key Vault Secrets User'),
          assign(federated, 'Key Vault Secrets Officer'),
        ],
      }),
      vaultSpec('kv-policies', 'westeurope', {
        enableRbacAuthorization: false,
        accessPolicies: [
          { objectId: ADMIN.objectId, permissions: { secrets: ['all'], keys: ['all'], certificates: ['all'] } },
          { objectId: policyUser.objectId, permissions: { secrets: ['get', 'list'] } },
        ],
      }),
    ],
  });
  emulator.invoke('kv-rbac', 'PUT', 'secrets/shared', { value: 'x' });
  emulator.invoke('kv-policies', 'PUT', 'secrets/shared', { value: 'y' });
});
afterAll(() => emulator.close());

const secrets = (vault: string, cred: ConstructorParameters<typeof SecretClient>[1]) =>
  new SecretClient(vaultUrl(vault), cred);

test('an unauthenticated request gets the bearer challenge the SDK answers', async () => {
  const res = await emulator.vault('kv-rbac');
  expect(res.spec.tenantId).toBe(TENANT);
  const before = emulator.identity.tokensIssued;
  await secrets('kv-rbac', credentialFor(ADMIN)).getSecret('shared');
  expect(emulator.identity.tokensIssued).toBe(before + 1);
});

test('RBAC: Reader lists but cannot read values; Secrets User reads but cannot write', async () => {
  const asReader = secrets('kv-rbac', credentialFor(reader));
  const names = [];
  for await (const s of asReader.listPropertiesOfSecrets()) names.push(s.name);
  expect(names).toContain('shared');
  const denied = await asReader.getSecret('shared').catch((e) => e);
  expect(denied.statusCode).toBe(403);
  expect(denied.code).toBe('Forbidden');
  expect(JSON.stringify(denied.details)).toContain('ForbiddenByRbac');
  expect(denied.message).toContain('Microsoft.KeyVault/vaults/secrets/getSecret/action');

  const asUser = secrets('kv-rbac', credentialFor(secretsUser));
  expect((await asUser.getSecret('shared')).value).toBe('x');
  await expect(asUser.setSecret('shared', 'z')).rejects.toMatchObject({ statusCode: 403 });
  await expect(new KeyClient(vaultUrl('kv-rbac'), credentialFor(secretsUser)).createRsaKey('k')).rejects.toMatchObject({
    statusCode: 403,
  });
});

test('RBAC: Certificates Officer imports certificates but cannot read secret values; Crypto Officer manages keys only', async () => {
  const certOfficer = principal('cert-officer');
  const cryptoOfficer = principal('crypto-officer');
  emulator.identity.addPrincipal(certOfficer);
  emulator.identity.addPrincipal(cryptoOfficer);
  emulator
    .vault('kv-rbac')
    .spec.roleAssignments!.push(
      assign(certOfficer, 'Key Vault Certificates Officer'),
      assign(cryptoOfficer, 'Key Vault Crypto Officer'),
    );
  const certs = new CertificateClient(vaultUrl('kv-rbac'), credentialFor(certOfficer));
  const creating = await certs.beginCreateCertificate(
    'officer-cert',
    { issuerName: 'Self', subject: 'CN=o' },
    { intervalInMs: 0 },
  );
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
  await creating.pollUntilDone();
  await expect(secrets('kv-rbac', credentialFor(certOfficer)).getSecret('officer-cert')).rejects.toMatchObject({
    statusCode: 403,
  });
  const keys = new KeyClient(vaultUrl('kv-rbac'), credentialFor(cryptoOfficer));
  await keys.createRsaKey('officer-key');
  expect(await keys.backupKey('officer-key')).toBeInstanceOf(Uint8Array);
  await expect(secrets('kv-rbac', credentialFor(cryptoOfficer)).getSecret('shared')).rejects.toMatchObject({
    statusCode: 403,
  });
  await expect(certs.getCertificate('officer-cert')).resolves.toBeDefined();
});

test('access policies decide on vaults that use them', async () => {
  const c = secrets('kv-policies', credentialFor(policyUser));
  expect((await c.getSecret('shared')).value).toBe('y');
  const denied = await c.setSecret('shared', 'w').catch((e) => e);
  expect(denied.statusCode).toBe(403);
  expect(JSON.stringify(denied.details)).toContain('AccessDenied');
  expect(denied.message).toContain('does not have secrets set permission');
  await expect(secrets('kv-policies', credentialFor(reader)).getSecret('shared')).rejects.toMatchObject({
    statusCode: 403,
  });
});

test('Entra refuses a wrong client secret and an unknown app with AADSTS errors', async () => {
  const wrong = new ClientSecretCredential(TENANT, ADMIN.clientId, 'not-the-secret');
  await expect(wrong.getToken('https://vault.azure.net/.default')).rejects.toThrow(/AADSTS7000215/);
  const unknown = new ClientSecretCredential(TENANT, 'nobody-client', 'x');
  await expect(unknown.getToken('https://vault.azure.net/.default')).rejects.toThrow(/AADSTS700016/);
});

test('a vault refuses a token from another tenant', async () => {
  const e = await secrets('kv-rbac', credentialFor(stranger))
    .getSecret('shared')
    .catch((x) => x);
  expect(String(e.message)).toMatch(/tenant|AKV10032/i);
});

test('federated credential: a GitHub OIDC token with the configured subject is exchanged; another subject is refused', async () => {
  const requestToken = 'gh-request-token';
  emulator.identity.githubRequests.set(requestToken, {
    sub: 'repo:contoso/platform:ref:refs/heads/main',
    repository: 'contoso/platform',
  });
  const fetchAssertion = async () => {
    const res = await fetch(
      `${emulator.githubOidcRequestUrl}&audience=${encodeURIComponent('api://AzureADTokenExchange')}`,
      { headers: { authorization: `Bearer ${requestToken}` } },
    );
    return ((await res.json()) as { value: string }).value;
  };
  const ok = new ClientAssertionCredential(TENANT, federated.clientId, fetchAssertion);
  await secrets('kv-rbac', ok).setSecret('from-ci', 'v');

  emulator.identity.githubRequests.set('other', { sub: 'repo:contoso/platform:pull_request' });
  const wrongSubject = new ClientAssertionCredential(TENANT, federated.clientId, async () => {
    const res = await fetch(`${emulator.githubOidcRequestUrl}&audience=api%3A%2F%2FAzureADTokenExchange`, {
      headers: { authorization: 'Bearer other' },
    });
    return ((await res.json()) as { value: string }).value;
  });
  await expect(wrongSubject.getToken('https://vault.azure.net/.default')).rejects.toThrow(/AADSTS70021/);
});

test('Azure DevOps OIDC: a service connection token is exchanged through SYSTEM_OIDCREQUESTURI; a wrong access token is refused', async () => {
  emulator.identity.devopsRequests.set('system-access-token', {
    organizationId: 'org-guid',
    subjects: { 'sc-id': 'sc://contoso/platform/kv-connection' },
  });
  emulator.identity.addPrincipal({
    ...principal('ado'),
    clientSecret: undefined,
    federatedCredentials: [
      { issuer: emulator.identity.devopsIssuer('org-guid'), subject: 'sc://contoso/platform/kv-connection' },
    ],
  });
  emulator.vault('kv-rbac').spec.roleAssignments!.push(assign(principal('ado'), 'Key Vault Secrets User'));
  process.env.SYSTEM_OIDCREQUESTURI = emulator.devopsOidcRequestUri();
  const ok = new AzurePipelinesCredential(TENANT, principal('ado').clientId, 'sc-id', 'system-access-token');
  expect((await secrets('kv-rbac', ok).getSecret('shared')).value).toBe('x');
  const bad = new AzurePipelinesCredential(TENANT, principal('ado').clientId, 'sc-id', 'wrong-token');
  await expect(bad.getToken('https://vault.azure.net/.default')).rejects.toThrow();
});
