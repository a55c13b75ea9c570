import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KeyVaultEmulator } from '../server.ts';
import { decodeJwt } from '../jwt.ts';
import { matches } from '../rbac.ts';
import type { Principal } from '../identity.ts';
import {
  ADMIN,
  SUB_A,
  SUB_B,
  assign,
  credentialFor,
  principal,
  startWorld,
  vaultSpec,
  vaultUrl,
} from '../../test/support/world.ts';

const dataOnly = principal('data-only');
const readerToo = principal('reader-too');
const customized = principal('customized');
const GROUP = { objectId: 'group-replicators-oid' };
const member: Principal = { ...principal('member'), groups: [GROUP.objectId] };
const overaged: Principal = { ...principal('overaged'), groups: [GROUP.objectId], groupOverage: true };

/** Secrets read, but not values: the custom role's notDataActions take getSecret back from `secrets/*`. */
const metadataOnly = {
  name: 'Secrets metadata only',
  actions: ['Microsoft.KeyVault/vaults/read', 'Microsoft.Authorization/permissions/read'],
  dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  notDataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action'],
};

let emulator: KeyVaultEmulator;

beforeAll(async () => {
  emulator = await startWorld({
    principals: [dataOnly, readerToo, customized, member, overaged],
    vaults: [
      vaultSpec('kv-authz-a', 'westeurope', {
        roleAssignments: [
          assign(ADMIN, 'Key Vault Administrator'),
          assign(dataOnly, 'Key Vault Secrets User'),
          assign(readerToo, 'Key Vault Secrets User'),
          assign(readerToo, 'Reader'),
          assign(customized, metadataOnly),
          assign(GROUP, 'Reader'),
          assign(GROUP, 'Key Vault Secrets User'),
        ],
      }),
      vaultSpec('kv-authz-b', 'westeurope'),
      vaultSpec('kv-authz-ap', 'westeurope', {
        enableRbacAuthorization: false,
        roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(GROUP, 'Reader')],
        accessPolicies: [{ objectId: GROUP.objectId, permissions: { secrets: ['get', 'list'] } }],
      }),
      vaultSpec('kv-authz-other-sub', 'westeurope', { subscriptionId: SUB_B }),
    ],
  });
  for (const v of ['kv-authz-a', 'kv-authz-ap']) emulator.invoke(v, 'PUT', 'secrets/s', { value: 'v' });
});
afterAll(() => emulator.close());

async function listed(p: Principal, sub = SUB_A): Promise<string[]> {
  const names = [];
  for await (const v of new KeyVaultManagementClient(credentialFor(p), sub).vaults.listBySubscription())
    names.push(v.name!);
  return names.sort();
}

async function permissions(p: Principal, vault: string) {
  const auth = new AuthorizationManagementClient(credentialFor(p), SUB_A);
  const out = [];
  for await (const x of auth.permissions.listForResource('rg-kv', 'Microsoft.KeyVault', '', 'vaults', vault))
    out.push(x);
  return out;
}

/** A call's failure, as the SDK's RestError carries it (its message is not enumerable). */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { statusCode?: number; code?: string; message: string }) => ({
      statusCode: e.statusCode,
      code: e.code,
      message: e.message,
    }),
  );

const refusal = (p: Principal, action: string, scope: string) =>
  `The client '${p.clientId}' with object id '${p.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`;

test('a whole-segment star may be empty, as Azure reads `vaults/*/read`; other stars are plain', () => {
  expect(matches('Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/vaults/read')).toBe(true);
  expect(matches('Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/vaults/secrets/read')).toBe(true);
  expect(matches('Microsoft.Authorization/*/read', 'Microsoft.Authorization/permissions/read')).toBe(true);
  expect(matches('*/read', 'Microsoft.KeyVault/vaults/read')).toBe(true);
  expect(matches('Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/vaults/write')).toBe(false);
});

test('ARM: a principal with data roles alone reads secrets but cannot see the vault, list vaults or its permissions', async () => {
  const s = await new SecretClient(vaultUrl('kv-authz-a'), credentialFor(dataOnly)).getSecret('s');
  expect(s.value).toBe('v');
  // The SDK's pager keeps the code but words its own message; ARM's is checked on the GET below.
  expect(await failure(listed(dataOnly))).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  const arm = new KeyVaultManagementClient(credentialFor(dataOnly), SUB_A);
  const vaultScope = `/subscriptions/${SUB_A}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-authz-a`;
  expect(await failure(arm.vaults.get('rg-kv', 'kv-authz-a'))).toEqual({
    statusCode: 403,
    code: 'AuthorizationFailed',
    message: refusal(dataOnly, 'Microsoft.KeyVault/vaults/read', vaultScope),
  });
  expect(await failure(permissions(dataOnly, 'kv-authz-a'))).toEqual({
    statusCode: 403,
    code: 'AuthorizationFailed',
    message: refusal(dataOnly, 'Microsoft.Authorization/permissions/read', vaultScope),
  });
});

test('ARM: a list shows only the vaults the caller may read; a subscription with none of them is refused', async () => {
  expect(await listed(readerToo)).toEqual(['kv-authz-a']);
  expect(await listed(ADMIN)).toEqual(['kv-authz-a', 'kv-authz-ap', 'kv-authz-b']);
  await expect(listed(readerToo, SUB_B)).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  const resources = [];
  for await (const r of new KeyVaultManagementClient(credentialFor(readerToo), SUB_A).vaults.list())
    resources.push(r.name);
  expect(resources).toEqual(['kv-authz-a']);
  // One entry per assigned role, as Azure reports them.
  const perms = await permissions(readerToo, 'kv-authz-a');
  expect(perms).toHaveLength(2);
  expect(perms.flatMap((p) => p.actions)).toContain('*/read');
});

test('a role at subscription scope reads every vault there, and an empty resource group lists empty', async () => {
  const subReader = principal('sub-reader');
  emulator.identity.addPrincipal(subReader);
  await expect(listed(subReader, SUB_B)).rejects.toMatchObject({ statusCode: 403 });
  emulator.subscriptionRoleAssignments.push({ subscriptionId: SUB_B, principalId: subReader.objectId, role: 'Reader' });
  expect(await listed(subReader, SUB_B)).toEqual(['kv-authz-other-sub']);
  const arm = new KeyVaultManagementClient(credentialFor(subReader), SUB_B);
  const empty = [];
  for await (const v of arm.vaults.listByResourceGroup('rg-empty')) empty.push(v);
  expect(empty).toEqual([]);
  // Its role holds in SUB_B alone.
  await expect(listed(subReader, SUB_A)).rejects.toMatchObject({ statusCode: 403 });
});

test('a custom role: its notDataActions take back what its dataActions grant, on the data plane and in ARM', async () => {
  const c = new SecretClient(vaultUrl('kv-authz-a'), credentialFor(customized));
  const names = [];
  for await (const p of c.listPropertiesOfSecrets()) names.push(p.name);
  expect(names).toContain('s');
  await expect(c.getSecret('s')).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
  expect(await listed(customized)).toEqual(['kv-authz-a']);
  expect(await permissions(customized, 'kv-authz-a')).toEqual([
    {
      actions: metadataOnly.actions,
      notActions: [],
      dataActions: metadataOnly.dataActions,
      notDataActions: metadataOnly.notDataActions,
    },
  ]);
});

test("groups: a member holds its group's role assignments and access policies; the token lists its groups", async () => {
  const token = (await credentialFor(member).getToken('https://vault.azure.net/.default'))!.token;
  expect(decodeJwt(token)!.groups).toEqual([GROUP.objectId]);
  expect((await new SecretClient(vaultUrl('kv-authz-a'), credentialFor(member)).getSecret('s')).value).toBe('v');
  expect((await new SecretClient(vaultUrl('kv-authz-ap'), credentialFor(member)).getSecret('s')).value).toBe('v');
  expect(await listed(member)).toEqual(['kv-authz-a', 'kv-authz-ap']);
  // Not a member: the group's grants are not its own.
  await expect(
    new SecretClient(vaultUrl('kv-authz-ap'), credentialFor(readerToo)).getSecret('s'),
  ).rejects.toMatchObject({ statusCode: 403, code: 'Forbidden' });
});

test('groups overage: the token points at Graph instead of listing groups, and membership still applies', async () => {
  const claims = decodeJwt((await credentialFor(overaged).getToken('https://management.azure.com/.default'))!.token)!;
  expect(claims.groups).toBeUndefined();
  expect(claims._claim_names).toEqual({ groups: 'src1' });
  expect(claims._claim_sources).toEqual({
    src1: {
      endpoint: `https://graph.windows.net/${overaged.tenantId}/servicePrincipals/${overaged.objectId}/getMemberObjects`,
    },
  });
  expect((await new SecretClient(vaultUrl('kv-authz-ap'), credentialFor(overaged)).getSecret('s')).value).toBe('v');
  expect(await listed(overaged)).toEqual(['kv-authz-a', 'kv-authz-ap']);
});
