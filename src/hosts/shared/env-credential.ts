import { ClientSecretCredential, WorkloadIdentityCredential, type TokenCredential } from '@azure/identity';

/**
 * A service principal named by AZURE_TENANT_ID and AZURE_CLIENT_ID in the environment given (not necessarily this
 * process's), with AZURE_CLIENT_SECRET or a federated token in AZURE_FEDERATED_TOKEN_FILE, as the SDK's
 * EnvironmentCredential and WorkloadIdentityCredential read them; undefined when the environment names none.
 */
export function environmentCredential(
  env: NodeJS.ProcessEnv,
): { credential: TokenCredential; kind: string } | undefined {
  const { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: secret } = env;
  if (!tenantId || !clientId) return undefined;
  const authorityHost = env.AZURE_AUTHORITY_HOST || undefined;
  if (secret)
    return {
      kind: 'AZURE_CLIENT_SECRET',
      credential: new ClientSecretCredential(tenantId, clientId, secret, { authorityHost }),
    };
  const tokenFilePath = env.AZURE_FEDERATED_TOKEN_FILE;
  if (tokenFilePath)
    return {
      kind: 'AZURE_FEDERATED_TOKEN_FILE',
      credential: new WorkloadIdentityCredential({ tenantId, clientId, tokenFilePath, authorityHost }),
    };
  return undefined;
}
