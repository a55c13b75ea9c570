import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KeyVaultEmulator } from '../server.ts';
import {
  ADMIN,
  OTHER_TENANT,
  SUB_A,
  SUB_B,
  TENANT,
  assign,
  credentialFor,
  principal,
  startWorld,
  vaultSpec,
  vaultUrl,
} from '../../test/support/world.ts';

const user = principal('arm-user');
let emulator: KeyVaultEmulator;

beforeAll(async () => {
  emulator = await startWorld({
    principals: [user],
    vaults: [
      vaultSpec('kv-arm-eu', 'westeurope', {
        tags: { dst_key_vault_names: 'kv-arm-us' },
        roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(user, 'Key Vault Secrets User')],
      }),
      vaultSpec('kv-arm-us', 'eastus', {
        enableRbacAuthorization: false,
        enablePurgeProtection: true,
        accessPolicies: [{ objectId: user.objectId, permissions: { secrets: ['get'] } }],
      }),
      vaultSpec('kv-faulty', 'westeurope'),
    ],
  });
});
afterAll(() => emulator.close());

test('ARM: list vaults in a subscription, get one with location, tags and access model', async () => {
  const arm = new KeyVaultManagementClient(credentialFor(ADMIN), SUB_A);
  const listed = [];
  for await (const v of arm.vaults.listBySubscription()) listed.push(v.name);
  expect(listed).toEqual(expect.arrayContaining(['kv-arm-eu', 'kv-arm-us']));
  const resources = [];
  for await (const r of arm.vaults.list()) resources.push(r.name);
  expect(resources).toContain('kv-arm-eu');
  const eu = await arm.vaults.get('rg-kv', 'kv-arm-eu');
  expect(eu.location).toBe('westeurope');
  expect(eu.tags).toEqual({ dst_key_vault_names: 'kv-arm-us' });
  expect(eu.properties.enableRbacAuthorization).toBe(true);
  expect(eu.properties.vaultUri).toBe('https://kv-arm-eu.vault.azure.net/');
  const us = await arm.vaults.get('rg-kv', 'kv-arm-us');
  expect(us.properties.enableRbacAuthorization).toBe(false);
  expect(us.properties.enablePurgeProtection).toBe(true);
  expect(us.properties.accessPolicies?.map((p) => p.objectId)).toContain(user.objectId);
  await expect(arm.vaults.get('rg-kv', 'nope')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
});

test("ARM: a subscription's locations carry ARM's geography metadata; another tenant's subscription is not found", async () => {
  const get = (who = user, sub = SUB_A, query = '?api-version=2022-12-01') =>
    new KeyVaultManagementClient(credentialFor(who), sub).pipeline.sendRequest(
      createDefaultHttpClient(),
      createPipelineRequest({ url: `https://management.azure.com/subscriptions/${sub}/locations${query}` }),
    );
  const res = await get();
  expect(res.status).toBe(200);
  interface Location {
    name: string;
    metadata: { geography?: string };
  }
  const { value } = JSON.parse(res.bodyAsText!) as { value: Location[] };
  const byName = new Map(value.map((l) => [l.name, l]));
  expect(byName.get('westeurope')).toEqual({
    id: `/subscriptions/${SUB_A}/locations/westeurope`,
    name: 'westeurope',
    type: 'Region',
    displayName: 'West Europe',
    regionalDisplayName: '(Europe) West Europe',
    metadata: expect.objectContaining({
      regionType: 'Physical',
      geography: 'Europe',
      geographyGroup: 'Europe',
      pairedRegion: [{ name: 'northeurope', id: `/subscriptions/${SUB_A}/locations/northeurope` }],
    }),
  });
  expect(byName.get('eastus')?.metadata.geography).toBe('United States');
  expect(byName.get('taiwannorth')?.metadata.geography).toBe(byName.get('taiwannorthwest')?.metadata.geography);
  // Logical regions are listed too, with no geography.
  expect(byName.get('unitedstates')?.metadata).toEqual({ regionType: 'Logical', regionCategory: 'Other' });

  const stranger = principal('arm-stranger', OTHER_TENANT);
  emulator.identity.addPrincipal(stranger);
  const foreign = await get(stranger);
  expect(foreign.status).toBe(404);
  expect(JSON.parse(foreign.bodyAsText!).error.code).toBe('SubscriptionNotFound');
  expect((await get(user, SUB_B)).status).toBe(404);
  const noVersion = await get(user, SUB_A, '');
  expect(noVersion.status).toBe(400);
  expect(JSON.parse(noVersion.bodyAsText!).error.code).toBe('MissingApiVersionParameter');
});

test("ARM: a token for either ARM audience lists the caller's subscriptions and tenants, as az login reads them", async () => {
  const arm = async (token: string, path: string) => {
    // A pipeline from options has the proxy policy (HTTPS_PROXY) and no credential: the token goes as given.
    const res = await createPipelineFromOptions({}).sendRequest(
      createDefaultHttpClient(),
      createPipelineRequest({
        url: `https://management.azure.com${path}`,
        headers: createHttpHeaders({ authorization: `Bearer ${token}` }),
      }),
    );
    return { status: res.status, body: JSON.parse(res.bodyAsText!) as Record<string, unknown> };
  };
  const credential = credentialFor(user);
  for (const scope of ['https://management.core.windows.net//.default', 'https://management.azure.com/.default']) {
    const { token } = await credential.getToken(scope);
    const subscriptions = await arm(token, '/subscriptions?api-version=2022-12-01');
    expect(subscriptions.status).toBe(200);
    expect(subscriptions.body).toEqual({
      value: [
        {
          id: `/subscriptions/${SUB_A}`,
          authorizationSource: 'RoleBased',
          managedByTenants: [],
          subscriptionId: SUB_A,
          tenantId: TENANT,
          displayName: expect.any(String),
          state: 'Enabled',
          subscriptionPolicies: expect.objectContaining({ spendingLimit: 'Off' }),
        },
      ],
      count: { type: 'Total', value: 1 },
    });
    const one = await arm(token, `/subscriptions/${SUB_A}?api-version=2022-12-01`);
    expect(one.body).toEqual((subscriptions.body.value as unknown[])[0]);
    expect((await arm(token, `/subscriptions/${SUB_B}?api-version=2022-12-01`)).body).toMatchObject({
      error: { code: 'SubscriptionNotFound' },
    });
    const tenants = await arm(token, '/tenants?api-version=2022-12-01');
    expect(tenants.status).toBe(200);
    expect(tenants.body).toEqual({
      value: [
        expect.objectContaining({
          id: `/tenants/${TENANT}`,
          tenantId: TENANT,
          tenantCategory: 'Home',
          displayName: expect.any(String),
          defaultDomain: expect.any(String),
        }),
      ],
      count: { type: 'Total', value: 1 },
    });
    expect((await arm(token, '/subscriptions')).body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
  }
  // Another tenant's principal sees none of this tenant's subscriptions; a Key Vault token is no ARM token.
  const stranger = principal('arm-stranger-2', OTHER_TENANT);
  emulator.identity.addPrincipal(stranger);
  const foreign = await credentialFor(stranger).getToken('https://management.core.windows.net//.default');
  expect((await arm(foreign.token, '/subscriptions?api-version=2022-12-01')).body).toEqual({
    value: [],
    count: { type: 'Total', value: 0 },
  });
  const vaultToken = await credential.getToken('https://vault.azure.net/.default');
  const refused = await arm(vaultToken.token, '/subscriptions?api-version=2022-12-01');
  expect(refused.status).toBe(401);
  expect(refused.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
});

test("ARM: the caller's permissions on a vault scope list its data actions, for a caller that may read them", async () => {
  const auth = new AuthorizationManagementClient(credentialFor(user), SUB_A);
  const list = async () => {
    const perms = [];
    for await (const p of auth.permissions.listForResource('rg-kv', 'Microsoft.KeyVault', '', 'vaults', 'kv-arm-eu'))
      perms.push(p);
    return perms;
  };
  // Key Vault Secrets User has data actions only: no Microsoft.Authorization/*/read.
  await expect(list()).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  const roles = emulator.vault('kv-arm-eu').spec.roleAssignments!;
  roles.push(assign(user, 'Reader'));
  try {
    expect((await list()).flatMap((p) => p.dataActions)).toEqual(
      expect.arrayContaining(['Microsoft.KeyVault/vaults/secrets/getSecret/action']),
    );
  } finally {
    roles.pop();
  }
});

test('throttling at a per-window limit: 429 with Retry-After is retried by the SDK, a bare 429 is not', async () => {
  const c = new SecretClient(vaultUrl('kv-faulty'), credentialFor(ADMIN));
  await c.setSecret('warm', 'x');
  emulator.setFaults('kv-faulty', {
    throttle: { mode: 'retry-after', createLimit: 2, otherLimit: 1000, windowMs: 1000 },
  });
  const started = Date.now();
  for (let i = 0; i < 4; i++) await c.setSecret(`t-${i}`, 'v');
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(emulator.vault('kv-faulty').counters.throttled).toBeGreaterThan(0);

  emulator.setFaults('kv-faulty', { throttle: { mode: 'bare', createLimit: 1, otherLimit: 1000, windowMs: 60_000 } });
  await c.setSecret('bare-1', 'v').catch(() => undefined);
  const e = await c.setSecret('bare-2', 'v').catch((x) => x);
  expect(e.statusCode).toBe(429);
  expect(e.code).toBe('Throttled');
  emulator.setFaults('kv-faulty', { throttle: undefined });
});

test('server errors and dropped connections are injected at the configured share, repeatably', async () => {
  const c = new SecretClient(vaultUrl('kv-faulty'), credentialFor(ADMIN), { retryOptions: { maxRetries: 0 } });
  await c.setSecret('probe', 'x');
  emulator.setFaults('kv-faulty', { serverErrorRate: 0.5 });
  const outcomes = await Promise.all(
    Array.from({ length: 40 }, () =>
      c.getSecret('probe').then(
        () => 200,
        (e) => e.statusCode,
      ),
    ),
  );
  emulator.setFaults('kv-faulty', { serverErrorRate: 0 });
  expect(outcomes.filter((s) => s === 500 || s === 503).length).toBeGreaterThan(5);
  expect(outcomes.filter((s) => s === 200).length).toBeGreaterThan(5);

  emulator.setFaults('kv-faulty', { dropRate: 1 });
  const dropped = await c.getSecret('probe').catch((e) => e);
  emulator.setFaults('kv-faulty', { dropRate: 0 });
  expect(dropped.code).toMatch(/ECONNRESET|socket hang up|REQUEST_SEND_ERROR/i);
});

test('latency is added per request', async () => {
  const c = new SecretClient(vaultUrl('kv-faulty'), credentialFor(ADMIN));
  await c.setSecret('slow', 'x');
  emulator.setFaults('kv-faulty', { latencyMs: 150 });
  const t = Date.now();
  await c.getSecret('slow');
  emulator.setFaults('kv-faulty', { latencyMs: 0 });
  expect(Date.now() - t).toBeGreaterThanOrEqual(150);
});
