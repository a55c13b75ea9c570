import { ClientSecretCredential, WorkloadIdentityCredential } from '@azure/identity';
import { environmentCredential } from '../../src/hosts/shared/env-credential.ts';

const PRINCIPAL = { AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', AZURE_CLIENT_ID: 'replicator-client' };

test('the CLI signs in from the environment it is given, not from process.env', () => {
  expect(environmentCredential({ ...PRINCIPAL, AZURE_CLIENT_SECRET: 's' })).toEqual({
    kind: 'AZURE_CLIENT_SECRET',
    credential: expect.any(ClientSecretCredential),
  });
  expect(environmentCredential({ ...PRINCIPAL, AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' })).toEqual({
    kind: 'AZURE_FEDERATED_TOKEN_FILE',
    credential: expect.any(WorkloadIdentityCredential),
  });
  // Nothing usable named: the caller falls back to DefaultAzureCredential.
  for (const env of [{}, PRINCIPAL, { AZURE_CLIENT_ID: 'x', AZURE_CLIENT_SECRET: 's' }])
    expect(environmentCredential(env)).toBeUndefined();
});
