import {
  AzureCliCredential,
  ChainedTokenCredential,
  ClientAssertionCredential,
  ClientSecretCredential,
  EnvironmentCredential,
} from '@azure/identity';
import { maskSecret } from '../../azure/masked-credential.ts';
import { KvrError } from '../../engine/errors.ts';
import type { SignIn } from '../shared/host-pipeline.ts';
import { FEDERATION_AUDIENCE, INPUTS } from './constants.ts';
import { logSafeCore as core } from './log-safe-core.ts';

/**
 * Who the Action signs in as, from its inputs or else the AZURE_* variables: OIDC federation when a client id is given
 * (the secure default), a client secret when one is given too, and otherwise the session `azure/login` left behind
 * (the Azure CLI), or AZURE_* variables. The subscription comes with the identity, as with azure/login.
 */
export function actionSignIn(input: (name: string) => string | undefined, env: NodeJS.ProcessEnv): SignIn {
  const subscriptions = [input(INPUTS.subscriptionId) ?? env.AZURE_SUBSCRIPTION_ID].filter((id): id is string => !!id);
  const clientId = input(INPUTS.clientId) ?? (env.AZURE_CLIENT_ID || undefined);
  const tenantId = input(INPUTS.tenantId) ?? (env.AZURE_TENANT_ID || undefined);
  const clientSecret = input(INPUTS.clientSecret);
  if (clientSecret) core.setSecret(clientSecret);
  if (!clientId) {
    const credential = new ChainedTokenCredential(new EnvironmentCredential(), new AzureCliCredential());
    return { kind: 'azure-login', subscriptions, credential };
  }
  if (!tenantId) {
    throw new KvrError(
      'KVR008',
      `input '${INPUTS.tenantId}' is needed with '${INPUTS.clientId}': the Entra ID tenant of the app registration`,
    );
  }
  if (clientSecret) {
    return {
      kind: 'client-secret',
      subscriptions,
      credential: new ClientSecretCredential(tenantId, clientId, clientSecret),
    };
  }
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new KvrError(
      'KVR024',
      "GitHub did not give this job an OIDC token: add 'permissions: id-token: write' to the workflow or job (and 'contents: write' for the state branch). Pull requests from forks never get one.",
    );
  }
  // The ID token is a bearer credential too (it buys access tokens while it lives): registered explicitly rather
  // than trusting getIDToken to keep doing so, and hidden from this process's own stderr.
  const idToken = async () => maskSecret(await core.getIDToken(FEDERATION_AUDIENCE), core.setSecret);
  return { kind: 'oidc', subscriptions, credential: new ClientAssertionCredential(tenantId, clientId, idToken) };
}
