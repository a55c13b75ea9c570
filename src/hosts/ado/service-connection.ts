import { maskSecret } from '../../azure/masked-credential.ts';
import { KvrError } from '../../engine/errors.ts';
import { requireIdentity, type Identity, type IdentityField } from '../shared/identity.ts';
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

/**
 * Each secret is registered with the agent (and hidden in this process's stderr) as it is read, before anything can
 * refuse the connection and print: the same maskSecret the credential uses, so it is registered once.
 */
const registered = (secret: string | undefined): string | undefined => secret && maskSecret(secret, tl.setSecret);

/**
 * The job's System.AccessToken, registered as a secret: every task has it through the SystemVssConnection endpoint
 * (no `env:` mapping needed); the variable is the fallback where a step mapped it.
 */
export const systemAccessToken = (): string | undefined =>
  registered(
    endpointAuthorization('SystemVssConnection').parameters.accesstoken ?? tl.getVariable('System.AccessToken'),
  );

/** The service connection's identity: workload identity federation, or a service principal with a secret. */
export function serviceConnection(): Identity {
  const connection = tl.getInput(INPUTS.azureSubscription, true)!;
  const { scheme, parameters: p } = endpointAuthorization(connection);
  const subscriptionId = tl.getEndpointDataParameter(connection, 'subscriptionid', true);
  const principal = {
    clientId: p.serviceprincipalid,
    tenantId: p.tenantid,
    subscriptions: subscriptionId ? [subscriptionId] : [],
  };
  const federated = scheme.toLowerCase() === 'workloadidentityfederation';
  const identity = federated
    ? { kind: 'azure-pipelines' as const, connection, systemAccessToken: systemAccessToken(), ...principal }
    : {
        kind: 'client-secret' as const,
        label: 'service principal secret',
        secret: registered(p.serviceprincipalkey),
        ...principal,
      };
  const missing: Partial<Record<IdentityField, string>> = {
    systemAccessToken:
      'no System.AccessToken for the OIDC request: allow scripts to access the OAuth token, or map System.AccessToken into the step',
    secret: `service connection ${connection} (${scheme}) has neither workload identity federation nor a client secret`,
  };
  const noPrincipal = `service connection ${connection} has no service principal id or tenant id; use an Azure Resource Manager connection`;
  return requireIdentity(identity, (field) => new KvrError('KVR024', missing[field] ?? noPrincipal));
}

/**
 * The cloud the service connection is for: its `environment` (AzureCloud, AzureUSGovernment, AzureChinaCloud), as an
 * Azure Resource Manager connection records it; none when it records none.
 */
export function serviceConnectionCloud(): string | undefined {
  const connection = tl.getInput(INPUTS.azureSubscription, false);
  return (connection && tl.getEndpointDataParameter(connection, 'environment', true)) || undefined;
}
