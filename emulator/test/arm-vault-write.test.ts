import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KeyVaultEmulator } from '../server.ts';
import {
  ADMIN,
  SUB_A,
  SUB_B,
  credentialFor,
  principal,
  startWorld,
  vaultSpec,
  vaultUrl,
} from '../../test/support/world.ts';

const builder = principal('builder');
const reader = principal('reader-only');

let emulator: KeyVaultEmulator;

beforeAll(async () => {
  emulator = await startWorld({
    principals: [builder, reader],
    vaults: [vaultSpec('kv-put-taken', 'westeurope', { subscriptionId: SUB_B })],
    subscriptionRoleAssignments: [
      { subscriptionId: SUB_A, principalId: builder.objectId, role: 'Contributor' },
      { subscriptionId: SUB_A, principalId: reader.objectId, role: 'Reader' },
    ],
  });
});
afterAll(() => emulator.close());

const arm = (who = builder) => new KeyVaultManagementClient(credentialFor(who), SUB_A);
const params = (tenantId: string, extra: Record<string, unknown> = {}) => ({
  location: 'westeurope',
  properties: {
    tenantId,
    sku: { family: 'A' as const, name: 'standard' as const },
    enableRbacAuthorization: true,
    ...extra,
  },
});

test('a Contributor creates a vault through ARM: it is listed, read, served on its own host and keeps its items on update', async () => {
  const tenant = emulator.vault('kv-put-taken').spec.tenantId;
  const created = await arm().vaults.beginCreateOrUpdateAndWait('rg-new', 'kv-put-new', params(tenant));
  expect(created.properties.vaultUri).toBe('https://kv-put-new.vault.azure.net/');
  expect(created.systemData?.createdBy).toBeDefined();
  expect((await arm().vaults.get('rg-new', 'kv-put-new')).location).toBe('westeurope');
  // ARM gave the creator no data role: Key Vault Administrator on the new vault is a separate assignment.
  emulator.vault('kv-put-new').spec.roleAssignments = [
    { principalId: ADMIN.objectId, role: 'Key Vault Administrator' },
  ];
  await new SecretClient(vaultUrl('kv-put-new'), credentialFor(ADMIN)).setSecret('kept', 'v');
  const updated = await arm().vaults.beginCreateOrUpdateAndWait('rg-new', 'kv-put-new', {
    ...params(tenant),
    tags: { env: 'dr' },
  });
  expect(updated.tags).toEqual({ env: 'dr' });
  expect(updated.systemData?.createdAt).toEqual(created.systemData?.createdAt);
  expect(emulator.vault('kv-put-new').secrets.live.has('kept')).toBe(true);
});

test("ARM refuses what Azure refuses: a Reader's create, a name taken elsewhere, an invalid name", async () => {
  const tenant = emulator.vault('kv-put-taken').spec.tenantId;
  await expect(
    arm(reader).vaults.beginCreateOrUpdateAndWait('rg-new', 'kv-put-r', params(tenant)),
  ).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  await expect(arm().vaults.beginCreateOrUpdateAndWait('rg-new', 'kv-put-taken', params(tenant))).rejects.toMatchObject(
    {
      statusCode: 409,
      code: 'VaultAlreadyExists',
    },
  );
  await expect(arm().vaults.beginCreateOrUpdateAndWait('rg-new', 'kv--bad', params(tenant))).rejects.toMatchObject({
    statusCode: 400,
    code: 'VaultNameNotValid',
  });
  expect(() => emulator.vault('kv-put-r')).toThrow();
});
