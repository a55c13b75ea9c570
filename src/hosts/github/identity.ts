import { PUBLIC_CLOUD, type AzureCloud } from '../../engine/clouds.ts';
import { KvrError } from '../../engine/errors.ts';
import { requireIdentity, type Identity } from '../shared/identity.ts';
import type { CiInputReader } from '../shared/run-inputs.ts';
import { INPUTS } from './constants.ts';
import { logSafeCore as core } from './log-safe-core.ts';

const NO_OIDC =
  "GitHub did not give this job an OIDC token: add 'permissions: id-token: write' to the workflow or job (and 'contents: write' for the state branch). Pull requests from forks never get one.";

/**
 * Who the Action signs in as, from its inputs or else the AZURE_* variables: OIDC federation when a client id is given
 * (the secure default), a client secret when one is given too, and otherwise the session `azure/login` left behind
 * (the Azure CLI), or AZURE_* variables. The subscription comes with the identity, as with azure/login.
 */
export function actionIdentity(
  read: CiInputReader,
  env: NodeJS.ProcessEnv,
  cloud: AzureCloud = PUBLIC_CLOUD,
): Identity {
  const subscriptions = [read.text(INPUTS.subscriptionId) ?? env.AZURE_SUBSCRIPTION_ID].filter(
    (id) => !!id,
  ) as string[];
  const clientId = read.text(INPUTS.clientId) ?? (env.AZURE_CLIENT_ID || undefined);
  const tenantId = read.text(INPUTS.tenantId) ?? (env.AZURE_TENANT_ID || undefined);
  const secret = read.secret(INPUTS.clientSecret);
  if (!clientId) return { kind: 'azure-cli', subscriptions };
  const oidc = env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  // The audience of GitHub's token: the federated credential's, by default its cloud's (as azure/login's `audience`).
  const audience = read.text(INPUTS.audience) ?? cloud.federationAudience;
  const assertion = oidc ? () => core.getIDToken(audience) : undefined;
  const app = { clientId, tenantId, subscriptions };
  const identity = secret
    ? { kind: 'client-secret' as const, secret, ...app }
    : { kind: 'federated' as const, assertion, ...app };
  return requireIdentity(identity, (field) =>
    field === 'tenantId'
      ? new KvrError(
          'KVR008',
          `input '${INPUTS.tenantId}' is needed with '${INPUTS.clientId}': the Entra ID tenant of the app registration`,
        )
      : new KvrError('KVR024', NO_OIDC),
  );
}
