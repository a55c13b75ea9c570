import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { stringify } from 'yaml';
import { CONNECTION, runTask } from '../support/task-harness.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { startReplicationWorld, uniqueVault } from '../support/replication-world.ts';
import { assign, emulatorPerFile, principal, TENANT, vaultSpec } from '../support/world.ts';

/**
 * The bundled task takes its cloud from its Azure Resource Manager service connection's `environment`, as the
 * connection records it: a US Government connection reaches vault.usgovcloudapi.net vaults through that cloud's
 * Resource Manager and Entra ID, and an `environment` input that names another cloud is refused (KVR072).
 */
const GOV = { ...principal('ado-gov'), cloud: 'AzureUSGovernment' as const };
const emulator = emulatorPerFile(() => startReplicationWorld([GOV]));
const GOV_CONNECTION = {
  [`ENDPOINT_DATA_${CONNECTION}_ENVIRONMENT`]: 'AzureUSGovernment',
  [`ENDPOINT_URL_${CONNECTION}`]: 'https://management.usgovcloudapi.net/',
};

function govPair() {
  const [src, dst] = [uniqueVault('tsrc'), uniqueVault('tdst')];
  for (const name of [src, dst])
    emulator.addVault(
      vaultSpec(name, 'usgovvirginia', {
        cloud: 'AzureUSGovernment',
        roleAssignments: [assign(GOV, 'Key Vault Administrator')],
      }),
    );
  emulator.invoke(src, 'PUT', 'secrets/db-password', { value: 'gov-value' });
  const config = {
    version: 1,
    replications: [
      {
        name: 'gov',
        source: `https://${src}.vault.usgovcloudapi.net`,
        targets: [dst],
        types: ['secrets'],
        rule: { all: true },
      },
    ],
  };
  return { dst, workspace: new GitFixture({ 'keyvault-replication.yml': stringify(config) }).clone() };
}

test("a US Government service connection: the task replicates in that cloud, the connection's environment deciding", async () => {
  const { dst, workspace } = govPair();
  const run = await runTask(
    emulator,
    workspace,
    { configFile: 'keyvault-replication.yml' },
    { as: GOV, scheme: 'ServicePrincipal', env: GOV_CONNECTION },
  );
  expect(run.stdout).toContain('signing in to Azure (AzureUSGovernment)');
  expect(run.result).toBe('Succeeded');
  const credential = new ClientSecretCredential(TENANT, GOV.clientId, GOV.clientSecret!, {
    authorityHost: 'https://login.microsoftonline.us',
  });
  const copy = await new SecretClient(`https://${dst}.vault.usgovcloudapi.net`, credential).getSecret('db-password');
  expect(copy.value).toBe('gov-value');
});

test("an environment input naming another cloud than the connection's is KVR072; without the connection's, KVR071", async () => {
  const { workspace } = govPair();
  const options = { as: GOV, scheme: 'ServicePrincipal' as const };
  const disagreeing = await runTask(
    emulator,
    workspace,
    { configFile: 'keyvault-replication.yml', environment: 'AzureChinaCloud' },
    { ...options, env: GOV_CONNECTION },
  );
  expect(disagreeing.result).toBe('Failed');
  expect(disagreeing.stdout).toMatch(
    /KVR072: input 'environment' is AzureChinaCloud, but the service connection is for AzureUSGovernment/,
  );
  const publicConnection = await runTask(emulator, workspace, { configFile: 'keyvault-replication.yml' }, options);
  expect(publicConnection.result).toBe('Failed');
  expect(publicConnection.stdout).toMatch(
    /KVR071: .*is a vault of AzureUSGovernment, and this run works in AzureCloud/,
  );
});
