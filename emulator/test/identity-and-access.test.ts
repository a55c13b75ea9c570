import { AzurePipelinesCredential, ClientAssertionCredential, ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyClient } from '@azure/keyvault-keys';
import { CertificateClient } from '@azure/keyvault-certificates';
import type { KeyVaultEmulator } from '../server.ts';
import { GITHUB_ISSUER } from '../identity.ts';
import { decodeJwt } from '../jwt.ts';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
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

/** A raw HTTPS request through the emulator's proxy (a pipeline from options has the proxy policy, no credential). */
async function raw(url: string, form?: Record<string, string>) {
  const res = await createPipelineFromOptions({}).sendRequest(
    createDefaultHttpClient(),
    createPipelineRequest({
      url,
      method: form ? 'POST' : 'GET',
      ...(form
        ? {
            body: new URLSearchParams(form).toString(),
            headers: createHttpHeaders({ 'content-type': 'application/x-www-form-urlencoded' }),
          }
        : {}),
    }),
  );
  return { status: res.status, body: JSON.parse(res.bodyAsText!) as Record<string, unknown> };
}

test("Entra: MSAL's instance discovery names the public cloud's aliases and the authority's OpenID configuration", async () => {
  const discover = (authorize: string) =>
    raw(
      `https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(authorize)}`,
    );
  const v2 = await discover(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`);
  expect(v2.status).toBe(200);
  expect(v2.body).toEqual({
    tenant_discovery_endpoint: `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [
      expect.objectContaining({
        preferred_network: 'login.microsoftonline.com',
        preferred_cache: 'login.windows.net',
        aliases: expect.arrayContaining(['login.microsoftonline.com', 'login.windows.net', 'sts.windows.net']),
      }),
    ],
  });
  const v1 = await discover('https://login.microsoftonline.com/common/oauth2/authorize');
  expect(v1.body.tenant_discovery_endpoint).toBe(
    'https://login.microsoftonline.com/common/.well-known/openid-configuration',
  );
  const bogus = await discover('https://bogus.example.com/common/oauth2/v2.0/authorize');
  expect(bogus.status).toBe(400);
  expect(bogus.body).toMatchObject({ error: 'invalid_instance', error_codes: [50049] });
});

test('Entra: OpenID configuration, v1 and v2, for a tenant, common and organizations; an unknown tenant is refused', async () => {
  const config = (tenant: string, v2: boolean) =>
    raw(`https://login.microsoftonline.com/${tenant}/${v2 ? 'v2.0/' : ''}.well-known/openid-configuration`);
  const base = `https://login.microsoftonline.com/${TENANT}`;
  expect((await config(TENANT, true)).body).toMatchObject({
    issuer: `${base}/v2.0`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
  });
  expect((await config(TENANT, false)).body).toMatchObject({
    issuer: `https://sts.windows.net/${TENANT}/`,
    token_endpoint: `${base}/oauth2/token`,
    authorization_endpoint: `${base}/oauth2/authorize`,
  });
  for (const tenant of ['common', 'organizations']) {
    const v2 = await config(tenant, true);
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      token_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
    });
    expect((await config(tenant, false)).body).toMatchObject({
      issuer: 'https://sts.windows.net/{tenantid}/',
      token_endpoint: `https://login.microsoftonline.com/${tenant}/oauth2/token`,
    });
  }
  const unknown = await config('9f3c1e2a-0000-4000-8000-000000000000', true);
  expect(unknown.status).toBe(400);
  expect(unknown.body).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
});

test('Entra: the v1 token endpoint issues a token for a resource, as azure-cli asks for ARM', async () => {
  const v1 = (form: Record<string, string>) =>
    raw(`https://login.microsoftonline.com/${TENANT}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: reader.clientId,
      client_secret: reader.clientSecret!,
      ...form,
    });
  const issued = await v1({ resource: 'https://management.core.windows.net/' });
  expect(issued.status).toBe(200);
  expect(issued.body).toEqual({
    token_type: 'Bearer',
    expires_in: '3599',
    ext_expires_in: '3599',
    expires_on: expect.stringMatching(/^\d+$/),
    not_before: expect.stringMatching(/^\d+$/),
    resource: 'https://management.core.windows.net/',
    access_token: expect.any(String),
  });
  const token = issued.body.access_token as string;
  expect(decodeJwt(token)).toMatchObject({ aud: 'https://management.core.windows.net/', tid: TENANT });
  // ARM takes it: the subscriptions of the caller's tenant.
  const res = await createPipelineFromOptions({}).sendRequest(
    createDefaultHttpClient(),
    createPipelineRequest({
      url: 'https://management.azure.com/subscriptions?api-version=2022-12-01',
      headers: createHttpHeaders({ authorization: `Bearer ${token}` }),
    }),
  );
  expect(res.status).toBe(200);
  const missing = await v1({});
  expect(missing.status).toBe(400);
  expect(missing.body).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
  const wrongSecret = await v1({ resource: 'https://management.core.windows.net/', client_secret: 'nope' });
  expect(wrongSecret.status).toBe(401);
  expect(wrongSecret.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
});

test("Entra refuses a token for a resource it does not know, another cloud's vault among them (AADSTS500011)", async () => {
  const token = (endpoint: 'v1' | 'v2', target: string) =>
    raw(`https://login.microsoftonline.com/${TENANT}/oauth2/${endpoint === 'v1' ? 'token' : 'v2.0/token'}`, {
      grant_type: 'client_credentials',
      client_id: reader.clientId,
      client_secret: reader.clientSecret!,
      ...(endpoint === 'v1' ? { resource: target } : { scope: `${target}/.default` }),
    });
  for (const [endpoint, target] of [
    ['v2', 'https://vault.azure.cn'],
    ['v1', 'https://management.usgovcloudapi.net/'],
    ['v2', 'api://not-registered'],
  ] as const) {
    const refused = await token(endpoint, target);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
    expect(refused.body.error_description).toContain(`The resource principal named ${target} was not found`);
  }
  expect((await token('v2', 'https://vault.azure.net')).status).toBe(200);
  expect((await token('v2', 'https://management.core.windows.net/')).status).toBe(200);
});
