import { ClientSecretCredential } from '@azure/identity';
import { KeyVaultEmulator, type EmulatorOptions } from '../../emulator/server.ts';
import type { Principal } from '../../emulator/identity.ts';
import type { RoleDefinition, RoleName, VaultSpec } from '../../emulator/model.ts';

/** A small fixed world: one tenant, two subscriptions, vaults in three regions, a few principals. */
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = '0b3b6d32-5b4a-4f7e-9c0e-1f2a3b4c5d6e';
export const SUB_A = '11111111-1111-1111-1111-111111111111';
export const SUB_B = '22222222-2222-2222-2222-222222222222';

export const principal = (name: string, tenantId = TENANT): Principal => ({
  clientId: `${name}-client`,
  objectId: `${name}-oid`,
  tenantId,
  clientSecret: `${name}-secret-not-a-real-one`,
});

export const ADMIN = principal('admin');

export const vaultSpec = (name: string, location: string, extra: Partial<VaultSpec> = {}): VaultSpec => ({
  name,
  location,
  subscriptionId: SUB_A,
  resourceGroup: 'rg-kv',
  tenantId: TENANT,
  roleAssignments: [{ principalId: ADMIN.objectId, role: 'Key Vault Administrator' }],
  ...extra,
});

/** A role assignment on a vault to a principal (or, with `{ objectId }` alone, to a group). */
export const assign = (p: Pick<Principal, 'objectId'>, role: RoleName | RoleDefinition) => ({
  principalId: p.objectId,
  role,
});

/** Points this process's Azure SDK clients at the emulator (they read HTTPS_PROXY when a client is made). */
export function useEmulatorProxy(emulator: KeyVaultEmulator): void {
  Object.assign(process.env, { HTTPS_PROXY: emulator.proxyUrl, NO_PROXY: '' });
}

export async function startWorld(options: EmulatorOptions = {}): Promise<KeyVaultEmulator> {
  // Deletes and recovers complete at once unless a test asks for Azure's windows (setWindows, or `windows` here).
  const emulator = await KeyVaultEmulator.start({
    ...options,
    windows: { deleteMs: 0, recoverMs: 0, purgeMs: 0, ...options.windows },
    principals: [ADMIN, ...(options.principals ?? [])],
  });
  useEmulatorProxy(emulator);
  return emulator;
}

export const credentialFor = (p: Principal) => new ClientSecretCredential(p.tenantId, p.clientId, p.clientSecret!);

export const vaultUrl = (name: string) => `https://${name}.vault.azure.net`;

/**
 * The emulator of one test file: started before its tests, closed after them. What it returns stands for the emulator
 * started (every property and method goes to it), so a file declares it in one line and uses it as the emulator.
 */
export function emulatorPerFile(start: () => Promise<KeyVaultEmulator>): KeyVaultEmulator {
  let started: KeyVaultEmulator | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(() => started?.close());
  const current = () =>
    started ??
    (() => {
      throw new Error('the emulator starts in beforeAll: use it inside a test or hook');
    })();
  return new Proxy({} as KeyVaultEmulator, {
    get: (_target, property) => {
      const value: unknown = Reflect.get(current(), property);
      return typeof value === 'function' ? value.bind(current()) : value;
    },
    set: (_target, property, value) => Reflect.set(current(), property, value),
  });
}
