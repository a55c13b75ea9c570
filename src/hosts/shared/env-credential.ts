import type { Identity } from './identity.ts';

/**
 * Who the CLI signs in as, from the environment given (not necessarily this process's): a service principal named by
 * AZURE_TENANT_ID and AZURE_CLIENT_ID, with AZURE_CLIENT_SECRET or a federated token in AZURE_FEDERATED_TOKEN_FILE, as
 * the SDK's EnvironmentCredential and WorkloadIdentityCredential read them; else whatever DefaultAzureCredential finds.
 * That fallback (an Azure CLI login, a managed identity) is the SDK's own and reads this process's environment: the
 * environment given decides which identity, never hands one to the fallback.
 */
export function environmentIdentity(env: NodeJS.ProcessEnv): Identity {
  const { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: secret } = env;
  const { AZURE_FEDERATED_TOKEN_FILE: tokenFilePath, AZURE_AUTHORITY_HOST: authorityHost } = env;
  if (!tenantId || !clientId) return { kind: 'default' };
  const app = { tenantId, clientId, authorityHost: authorityHost || undefined };
  if (secret) return { kind: 'client-secret', label: 'AZURE_CLIENT_SECRET', secret, ...app };
  if (tokenFilePath) return { kind: 'federated-token-file', tokenFilePath, ...app };
  return { kind: 'default' };
}
