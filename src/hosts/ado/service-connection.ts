import { AzurePipelinesCredential, ClientSecretCredential } from '@azure/identity';
import { KvrError } from '../../engine/errors.ts';
import type { SignIn } from '../shared/host-pipeline.ts';
import { INPUTS } from './constants.ts';
import { logSafeTask as tl } from './log-safe-task.ts';

/**
 * An endpoint's authorization, read once from its JSON (task-lib's per-parameter getter debug-logs the value), with
 * its parameter names in lower case (the agent's casing varies).
 */
function endpointAuthorization(id: string): { scheme: string; parameters: Record<string, string | undefined> } {
  const auth = tl.getEndpointAuthorization(id, true);
  const parameters = Object.entries(auth?.parameters ?? {}).map(([key, value]) => [
    key.toLowerCase(),
    value || undefined,
  ]);
  return { scheme: auth?.scheme ?? '', parameters: Object.fromEntries(parameters) };
}

/** The service connection's identity: workload identity federation, or a service principal with a secret. */
export function signIn(): SignIn {
  const connection = tl.getInput(INPUTS.azureSubscription, true)!;
  const { scheme, parameters } = endpointAuthorization(connection);
  const { serviceprincipalid: clientId, tenantid: tenantId, serviceprincipalkey: secret } = parameters;
  const subscriptions = [tl.getEndpointDataParameter(connection, 'subscriptionid', true)].filter(
    (s) => s !== undefined,
  );
  if (!clientId || !tenantId) {
    throw new KvrError(
      'KVR024',
      `service connection ${connection} has no service principal id or tenant id; use an Azure Resource Manager connection`,
    );
  }
  if (scheme.toLowerCase() === 'workloadidentityfederation') {
    const accessToken =
      endpointAuthorization('SystemVssConnection').parameters.accesstoken ?? tl.getVariable('System.AccessToken');
    if (!accessToken) {
      throw new KvrError(
        'KVR024',
        'no System.AccessToken for the OIDC request: allow scripts to access the OAuth token, or map System.AccessToken into the step',
      );
    }
    tl.setSecret(accessToken);
    const credential = new AzurePipelinesCredential(tenantId, clientId, connection, accessToken);
    return { kind: 'workload identity federation', subscriptions, credential };
  }
  if (!secret) {
    throw new KvrError(
      'KVR024',
      `service connection ${connection} (${scheme}) has neither workload identity federation nor a client secret`,
    );
  }
  tl.setSecret(secret);
  return {
    kind: 'service principal secret',
    subscriptions,
    credential: new ClientSecretCredential(tenantId, clientId, secret),
  };
}
