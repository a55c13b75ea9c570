import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { CloudName } from '../../emulator/clouds.ts';
import { assign, principal, TENANT, vaultSpec } from '../support/world.ts';
import { replication, startReplicationWorld, uniqueVault, Workspace } from '../support/replication-world.ts';
import { emulatorPerFile } from '../support/world.ts';

/**
 * A run in a sovereign cloud, through the CLI: `--environment` picks the cloud's vault host names, Resource Manager
 * and Entra ID authority; the emulator serves each under its own names and refuses another cloud's tokens.
 */
const GOV = { ...principal('gov-replicator'), cloud: 'AzureUSGovernment' as const };
const emulator = emulatorPerFile(() => startReplicationWorld([GOV]));

function vaultIn(cloud: CloudName, prefix: string): string {
  const name = uniqueVault(prefix);
  emulator.addVault(
    vaultSpec(name, 'usgovvirginia', { cloud, roleAssignments: [assign(GOV, 'Key Vault Administrator')] }),
  );
  return name;
}

test('a US Government pair replicates with --environment AzureUSGovernment, vault URLs and names alike', async () => {
  const src = vaultIn('AzureUSGovernment', 'gsrc');
  const dst = vaultIn('AzureUSGovernment', 'gdst');
  emulator.invoke(src, 'PUT', 'secrets/db-password', { value: 'gov-value' });
  const ws = new Workspace().writeConfig(replication(`https://${src}.vault.usgovcloudapi.net`, [dst]));
  const r = await ws.cli(['apply', '--environment', 'AzureUSGovernment'], GOV);
  expect(r.stderr).toContain('signing in to Azure (AzureUSGovernment)');
  expect(r.code).toBe(0);
  const credential = new ClientSecretCredential(TENANT, GOV.clientId, GOV.clientSecret!, {
    authorityHost: 'https://login.microsoftonline.us',
  });
  const copy = await new SecretClient(`https://${dst}.vault.usgovcloudapi.net`, credential).getSecret('db-password');
  expect(copy.value).toBe('gov-value');
});

test('the same US Government vault URL without --environment is refused with KVR071, before any sign-in', async () => {
  const src = vaultIn('AzureUSGovernment', 'gsrc');
  const dst = vaultIn('AzureUSGovernment', 'gdst');
  const ws = new Workspace().writeConfig(replication(`https://${src}.vault.usgovcloudapi.net`, [dst]));
  const issued = emulator.identity.tokensIssued;
  const r = await ws.cli(['plan'], GOV);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/KVR071: .*is a vault of AzureUSGovernment, and this run works in AzureCloud/);
  expect(emulator.identity.tokensIssued).toBe(issued);
});

test("an app registration of one cloud is no one in another's Entra ID, and a vault answers under its cloud's names only", async () => {
  const src = vaultIn('AzureUSGovernment', 'gsrc');
  const dst = vaultIn('AzureUSGovernment', 'gdst');
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  // Signed in to the public cloud, the US Government principal does not exist (AADSTS700016).
  const r = await ws.cli(['plan'], GOV);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/KVR024: .*AADSTS700016/);
  // A US Government vault is no host in the public cloud: DNS would not find it.
  const publicCredential = new ClientSecretCredential(TENANT, GOV.clientId, GOV.clientSecret!);
  const publicHost = new SecretClient(`https://${src}.vault.azure.net`, publicCredential, {
    retryOptions: { maxRetries: 0 },
  });
  await expect(publicHost.getSecret('x')).rejects.toThrow();
});

test("a token for one cloud's Key Vault does not open another cloud's vault (AKV10022)", async () => {
  const src = vaultIn('AzureUSGovernment', 'gsrc');
  const publicToken = emulator.identity.accessToken(GOV, 'https://vault.azure.net');
  const govToken = emulator.identity.accessToken(GOV, 'https://vault.usgovcloudapi.net');
  const call = (token: string) =>
    new SecretClient(`https://${src}.vault.usgovcloudapi.net`, {
      getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
    }).setSecret('probe', 'v');
  await expect(call(publicToken)).rejects.toThrow(/AKV10022/);
  await expect(call(govToken)).resolves.toMatchObject({ name: 'probe' });
});
