import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { stringify } from 'yaml';
import { GITHUB_ISSUER } from '../../emulator/identity.ts';
import { REPOSITORY, runAction } from '../support/action-harness.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import { assign, emulatorPerFile, principal, TENANT, vaultSpec } from '../support/world.ts';

/**
 * The bundled Action in Azure China: `environment: AzureChinaCloud` takes the cloud's vault host names, Resource
 * Manager and Entra ID authority, and asks GitHub for a token with China's federation audience, which the emulated
 * Entra ID checks against the federated credential; `audience` names another when the credential expects another.
 */
const MAIN = `repo:${REPOSITORY}:ref:refs/heads/main`;
const chinaApp = (name: string, audience?: string) => ({
  ...principal(name),
  cloud: 'AzureChinaCloud' as const,
  federatedCredentials: [{ issuer: GITHUB_ISSUER, subject: MAIN, ...(audience ? { audience } : {}) }],
});
const CHINA = chinaApp('china-actor', 'api://AzureADTokenExchangeChina');
const PUBLIC_AUDIENCE = chinaApp('china-public-audience', 'api://AzureADTokenExchange');
const emulator = emulatorPerFile(() => startReplicationWorld([CHINA, PUBLIC_AUDIENCE]));

function chinaPair(as: typeof CHINA) {
  const [src, dst] = [uniqueVault('csrc'), uniqueVault('cdst')];
  for (const name of [src, dst])
    emulator.addVault(
      vaultSpec(name, 'chinanorth3', {
        cloud: 'AzureChinaCloud',
        roleAssignments: [assign(as, 'Key Vault Administrator')],
      }),
    );
  emulator.invoke(src, 'PUT', 'secrets/db-password', { value: 'china-value' });
  const config = {
    version: 1,
    replications: [
      { name: 'cn', source: `https://${src}.vault.azure.cn`, targets: [dst], types: ['secrets'], rule: { all: true } },
    ],
  };
  const git = new GitFixture({ '.github/keyvault-replication.yml': stringify(config) });
  return { dst, workspace: git.clone() };
}

const copied = (dst: string, as: typeof CHINA) =>
  new SecretClient(
    `https://${dst}.vault.azure.cn`,
    new ClientSecretCredential(TENANT, as.clientId, as.clientSecret!, {
      authorityHost: 'https://login.chinacloudapi.cn',
    }),
  )
    .getSecret('db-password')
    .then((s) => s.value);

test("environment: AzureChinaCloud signs in by OIDC with China's audience and replicates between vault.azure.cn vaults", async () => {
  const { dst, workspace } = chinaPair(CHINA);
  const run = await runAction(emulator, { workspace, as: CHINA, inputs: { environment: 'AzureChinaCloud' } });
  expect(run.stderr + run.stdout).toContain('signing in to Azure (AzureChinaCloud) with oidc');
  expect(run.code).toBe(0);
  expect(run.outputs).toMatchObject({ create: '1', failed: '0' });
  expect(await copied(dst, CHINA)).toBe('china-value');
});

test("a federated credential that expects another audience: refused with the audience presented, until 'audience' names it", async () => {
  const { dst, workspace } = chinaPair(PUBLIC_AUDIENCE);
  const refused = await runAction(emulator, {
    workspace,
    as: PUBLIC_AUDIENCE,
    inputs: { environment: 'AzureChinaCloud' },
  });
  expect(refused.code).not.toBe(0);
  expect(refused.stdout).toContain('AADSTS70021');
  expect(refused.stdout).toContain("audience 'api://AzureADTokenExchangeChina'");
  const run = await runAction(emulator, {
    workspace,
    as: PUBLIC_AUDIENCE,
    inputs: { environment: 'AzureChinaCloud', audience: 'api://AzureADTokenExchange' },
  });
  expect(run.code).toBe(0);
  expect(await copied(dst, PUBLIC_AUDIENCE)).toBe('china-value');
});
