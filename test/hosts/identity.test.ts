import {
  ChainedTokenCredential,
  ClientAssertionCredential,
  ClientSecretCredential,
  WorkloadIdentityCredential,
} from '@azure/identity';
import { KvrError } from '../../src/engine/errors.ts';
import { environmentIdentity } from '../../src/hosts/shared/env-credential.ts';
import {
  credentialOf,
  identityLabel,
  requireIdentity,
  type Identity,
  type IdentityField,
} from '../../src/hosts/shared/identity.ts';

const APP = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: 'replicator-client' };

test('each kind of identity becomes its credential, named in the log by its kind unless the host names it', () => {
  const kinds: [Identity, unknown, string][] = [
    [{ kind: 'client-secret', secret: 's-1', ...APP }, ClientSecretCredential, 'client-secret'],
    [{ kind: 'federated', assertion: async () => 'jwt', ...APP }, ClientAssertionCredential, 'oidc'],
    [
      { kind: 'federated-token-file', tokenFilePath: '/t', ...APP },
      WorkloadIdentityCredential,
      'AZURE_FEDERATED_TOKEN_FILE',
    ],
    [{ kind: 'azure-cli' }, ChainedTokenCredential, 'azure-login'],
    // DefaultAzureCredential's documented sources only: AZURE_* variables, the Azure CLI, a managed identity.
    [{ kind: 'default' }, ChainedTokenCredential, 'DefaultAzureCredential'],
  ];
  for (const [identity, type, label] of kinds) {
    // The SDK's credential, inside the one that explains a refused sign-in (KVR024).
    expect(credentialOf(identity).credential.constructor).toBe(type);
    expect(identityLabel(identity)).toBe(label);
  }
  // Outside a pipeline the SDK refuses to make one (no SYSTEM_OIDCREQUESTURI): that it tried is the proof.
  const pipelines: Identity = { kind: 'azure-pipelines', connection: 'c', systemAccessToken: 'sat', ...APP };
  expect(() => credentialOf(pipelines)).toThrow('AzurePipelinesCredential');
  expect(identityLabel(pipelines)).toBe('workload identity federation');
  expect(identityLabel({ kind: 'client-secret', label: 'service principal secret', secret: 's', ...APP })).toBe(
    'service principal secret',
  );
});

test('the secret an identity holds is registered before the SDK has it; a federated token as it is fetched', async () => {
  const masked: string[] = [];
  const mask = (s: string) => masked.push(s);
  credentialOf({ kind: 'client-secret', secret: 'client-secret-canary', ...APP }, mask);
  const pipelines: Identity = {
    kind: 'azure-pipelines',
    connection: 'c',
    systemAccessToken: 'access-token-canary',
    ...APP,
  };
  expect(() => credentialOf(pipelines, mask)).toThrow(); // outside a pipeline, after the token was registered
  expect(masked).toEqual(['client-secret-canary', 'access-token-canary']);
  // The SDK asks for the assertion when it needs a token; the token endpoint is unreachable, the assertion was read.
  const federated = credentialOf(
    { kind: 'federated', assertion: async () => 'id-token-canary', tenantId: APP.tenantId, clientId: APP.clientId },
    mask,
  );
  await federated
    .getToken('https://vault.azure.net/.default', { abortSignal: AbortSignal.abort() })
    .catch(() => undefined);
  expect(masked).toContain('id-token-canary');
});

test("a missing field is told in the host's words: the app's ids first, then what its kind needs", () => {
  const told: IdentityField[] = [];
  const missing = (field: IdentityField) => {
    told.push(field);
    return new KvrError('KVR024', `no ${field}`);
  };
  expect(() => requireIdentity({ kind: 'client-secret', secret: 's' }, missing)).toThrow('KVR024: no clientId');
  expect(() => requireIdentity({ kind: 'federated', clientId: 'c', assertion: async () => 'x' }, missing)).toThrow(
    'no tenantId',
  );
  expect(() => requireIdentity({ kind: 'client-secret', ...APP, secret: '' }, missing)).toThrow('no secret');
  expect(() => requireIdentity({ kind: 'federated', ...APP }, missing)).toThrow('no assertion');
  expect(() => requireIdentity({ kind: 'azure-pipelines', ...APP, connection: 'c' }, missing)).toThrow(
    'no systemAccessToken',
  );
  expect(told).toEqual(['clientId', 'tenantId', 'secret', 'assertion', 'systemAccessToken']);
  const whole: Identity = { kind: 'client-secret', ...APP, secret: 's' };
  expect(requireIdentity(whole, missing)).toBe(whole);
  expect(requireIdentity({ kind: 'azure-cli' }, missing)).toEqual({ kind: 'azure-cli' });
});

test('the CLI signs in from the environment it is given, not from process.env', () => {
  const env = { AZURE_TENANT_ID: APP.tenantId, AZURE_CLIENT_ID: APP.clientId };
  expect(environmentIdentity({ ...env, AZURE_CLIENT_SECRET: 's' })).toEqual({
    kind: 'client-secret',
    label: 'AZURE_CLIENT_SECRET',
    secret: 's',
    ...APP,
  });
  expect(environmentIdentity({ ...env, AZURE_FEDERATED_TOKEN_FILE: '/t', AZURE_AUTHORITY_HOST: 'https://a' })).toEqual({
    kind: 'federated-token-file',
    tokenFilePath: '/t',
    authorityHost: 'https://a',
    ...APP,
  });
  // Nothing usable named: DefaultAzureCredential.
  for (const partial of [{}, env, { AZURE_CLIENT_ID: 'x', AZURE_CLIENT_SECRET: 's' }])
    expect(environmentIdentity(partial)).toEqual({ kind: 'default' });
});
