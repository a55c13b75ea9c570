// What both demos stand on: one tenant and subscription, the demo's app registration (Key Vault Administrator on
// every vault it seeds), and the environment the CLI signs in from against the embedded emulator.
import type { KeyVaultEmulator } from '../emulator/server.ts';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const SUB = '11111111-1111-1111-1111-111111111111';
export const DEMO_APP = {
  clientId: 'demo-client',
  objectId: 'demo-oid',
  tenantId: TENANT,
  clientSecret: 'demo-only-secret',
};

/** A vault of the demo's tenant in the resource group rg-demo, administered by the demo's app. */
export const demoVault = (name: string, location: string, subscriptionId = SUB) => ({
  name,
  location,
  subscriptionId,
  resourceGroup: 'rg-demo',
  tenantId: TENANT,
  roleAssignments: [{ principalId: DEMO_APP.objectId, role: 'Key Vault Administrator' as const }],
});

/** Points this process's CLI runs at the emulator, signed in as the demo's app. */
export function useEmulator(emulator: KeyVaultEmulator): void {
  Object.assign(process.env, {
    HTTPS_PROXY: emulator.proxyUrl,
    NO_PROXY: '',
    AZURE_TENANT_ID: TENANT,
    AZURE_CLIENT_ID: DEMO_APP.clientId,
    AZURE_CLIENT_SECRET: DEMO_APP.clientSecret,
    AZURE_SUBSCRIPTION_ID: SUB,
  });
}
