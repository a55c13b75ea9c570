import { logSafeCore as core } from './log-safe-core.ts';
import {
  AzureCliCredential,
  ChainedTokenCredential,
  ClientAssertionCredential,
  ClientSecretCredential,
  EnvironmentCredential,
  type TokenCredential,
} from '@azure/identity';
import { maskSecret } from '../../azure/masked-credential.ts';
import { KvrError } from '../../engine/errors.ts';
import { FEDERATION_AUDIENCE, INPUTS } from './constants.ts';

export interface CredentialChoice {
  credential: TokenCredential;
  /** How the Action signs in, for the log. */
  kind: 'oidc' | 'client-secret' | 'azure-login';
}

/**
 * OIDC federation when a client id is given (the secure default), a client secret when one is given, and otherwise
 * the session `azure/login` left behind (the Azure CLI), or AZURE_* variables.
 */
export function chooseCredential(
  o: { clientId?: string; tenantId?: string; clientSecret?: string },
  env: NodeJS.ProcessEnv,
): CredentialChoice {
  if (o.clientSecret) core.setSecret(o.clientSecret);
  if (o.clientId && !o.tenantId)
    throw new KvrError(
      'KVR008',
      `input '${INPUTS.tenantId}' is needed with '${INPUTS.clientId}': the Entra ID tenant of the app registration`,
    );
  if (o.clientId && o.clientSecret) {
    return { kind: 'client-secret', credential: new ClientSecretCredential(o.tenantId!, o.clientId, o.clientSecret) };
  }
  if (o.clientId) {
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      throw new KvrError(
        'KVR024',
        "GitHub did not give this job an OIDC token: add 'permissions: id-token: write' to the workflow or job (and 'contents: write' for the state branch). Pull requests from forks never get one.",
      );
    }
    // The ID token is a bearer credential too (it buys access tokens while it lives): registered explicitly rather
    // than trusting getIDToken to keep doing so, and hidden from this process's own stderr.
    const idToken = async () => maskSecret(await core.getIDToken(FEDERATION_AUDIENCE), core.setSecret);
    return { kind: 'oidc', credential: new ClientAssertionCredential(o.tenantId!, o.clientId, idToken) };
  }
  return {
    kind: 'azure-login',
    credential: new ChainedTokenCredential(new EnvironmentCredential(), new AzureCliCredential()),
  };
}
