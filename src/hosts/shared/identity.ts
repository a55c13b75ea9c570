import { readFileSync } from 'node:fs';
import {
  AzureCliCredential,
  AzurePipelinesCredential,
  ChainedTokenCredential,
  ClientAssertionCredential,
  ClientSecretCredential,
  EnvironmentCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { PUBLIC_CLOUD, type AzureCloud } from '../../engine/clouds.ts';
import { maskSecret } from '../../azure/masked-credential.ts';
import { explainedCredential, presentedClaims, type PresentedClaims } from '../../azure/sign-in-failure.ts';
import type { KvrError } from '../../engine/errors.ts';

/** An app registration: its tenant and client id, and the Entra ID authority when not the public cloud's. */
interface AppRegistration {
  readonly tenantId: string;
  readonly clientId: string;
  readonly authorityHost?: string;
}

/**
 * Who a run signs in to Azure as, in plain terms (no SDK types): every host describes its identity so, and only here
 * does a description become a credential. `label` is how the log names it (by default the kind's own name), and
 * `subscriptions` the ones the identity brings (as azure/login's does).
 */
export type Identity = { readonly label?: string; readonly subscriptions?: string[] } & (
  | (AppRegistration & { readonly kind: 'client-secret'; readonly secret: string })
  /** A federated token from the CI (GitHub's OIDC ID token), fetched when the SDK asks for one. */
  | (AppRegistration & { readonly kind: 'federated'; assertion(): Promise<string> })
  /** An Azure Pipelines service connection with workload identity federation. */
  | (AppRegistration & {
      readonly kind: 'azure-pipelines';
      readonly connection: string;
      readonly systemAccessToken: string;
    })
  /** A federated token in a file (AKS workload identity, AZURE_FEDERATED_TOKEN_FILE). */
  | (AppRegistration & { readonly kind: 'federated-token-file'; readonly tokenFilePath: string })
  /** What azure/login leaves behind: AZURE_* variables, or else an Azure CLI session. */
  | { readonly kind: 'azure-cli' }
  /**
   * What DefaultAzureCredential's documented sources find: AZURE_* variables, an Azure CLI login, a managed identity
   * (see credentialOf).
   */
  | { readonly kind: 'default' }
);

/** The fields an identity cannot do without, in the order their absence is told. */
export type IdentityField = 'clientId' | 'tenantId' | 'secret' | 'assertion' | 'systemAccessToken' | 'tokenFilePath';
const NEEDS: Record<Identity['kind'], readonly IdentityField[]> = {
  'client-secret': ['clientId', 'tenantId', 'secret'],
  federated: ['clientId', 'tenantId', 'assertion'],
  'azure-pipelines': ['clientId', 'tenantId', 'systemAccessToken'],
  'federated-token-file': ['clientId', 'tenantId', 'tokenFilePath'],
  'azure-cli': [],
  default: [],
};

type Found<I> = I extends unknown ? Omit<I, IdentityField> & { [K in IdentityField & keyof I]?: I[K] } : never;
/** An identity as a host found it: any field it needs may be missing (an input not given, a parameter not set). */
export type FoundIdentity = Found<Identity>;

/** The identity, once every field its kind needs is there; else the host's error for the first missing one. */
export function requireIdentity(found: FoundIdentity, missing: (field: IdentityField) => KvrError): Identity {
  const absent = NEEDS[found.kind].find((field) => !(found as Partial<Record<IdentityField, unknown>>)[field]);
  if (absent) throw missing(absent);
  return found as Identity;
}

/** How the log names each kind of identity (`signing in to Azure with oidc`), unless the host names it otherwise. */
const LABELS: Record<Identity['kind'], string> = {
  'client-secret': 'client-secret',
  federated: 'oidc',
  'azure-pipelines': 'workload identity federation',
  'federated-token-file': 'AZURE_FEDERATED_TOKEN_FILE',
  'azure-cli': 'azure-login',
  default: 'DefaultAzureCredential',
};
export const identityLabel = (identity: Identity): string => identity.label ?? LABELS[identity.kind];

/**
 * The credential of an identity. Every secret it holds is registered (`mask`: the runner's or agent's) and hidden in
 * this process's stderr before the SDK can send or print it; a federated token as it is fetched (it buys access
 * tokens while it lives). A refused sign-in throws KVR024 with Entra's reason, and for a federated token the issuer,
 * subject and audience it presented (never the token); when no source has an identity, what was looked for.
 */
export function credentialOf(
  identity: Identity,
  mask: (secret: string) => void = () => undefined,
  cloud: AzureCloud = PUBLIC_CLOUD,
): ReturnType<typeof explainedCredential> {
  // The identity's own authority (AZURE_AUTHORITY_HOST), else a sovereign cloud's; in the public cloud the SDK's
  // default, which reads AZURE_AUTHORITY_HOST too.
  const authorityHost =
    ('authorityHost' in identity && identity.authorityHost) ||
    (cloud === PUBLIC_CLOUD ? undefined : cloud.authorityHost);
  const who =
    'clientId' in identity ? `${identityLabel(identity)}, client ${identity.clientId}` : identityLabel(identity);
  let presented: PresentedClaims | undefined;
  const credential = ((): TokenCredential => {
    switch (identity.kind) {
      case 'client-secret': {
        const { tenantId, clientId, secret } = identity;
        return new ClientSecretCredential(tenantId, clientId, maskSecret(secret, mask), { authorityHost });
      }
      case 'federated': {
        const { tenantId, clientId } = identity;
        const assertion = async () => {
          const token = maskSecret(await identity.assertion(), mask);
          presented = presentedClaims(token);
          return token;
        };
        return new ClientAssertionCredential(tenantId, clientId, assertion, { authorityHost });
      }
      case 'azure-pipelines': {
        const { tenantId, clientId, connection, systemAccessToken } = identity;
        const token = maskSecret(systemAccessToken, mask);
        return new AzurePipelinesCredential(tenantId, clientId, connection, token, { authorityHost });
      }
      case 'federated-token-file': {
        const { tenantId, clientId, tokenFilePath } = identity;
        return new WorkloadIdentityCredential({ tenantId, clientId, tokenFilePath, authorityHost });
      }
      case 'azure-cli':
        return new ChainedTokenCredential(new EnvironmentCredential({ authorityHost }), new AzureCliCredential());
      case 'default':
        return defaultChain(authorityHost);
    }
  })();
  const sources = identity.kind === 'default' ? DEFAULT_SOURCES : identity.kind === 'azure-cli' ? CLI_SOURCES : [];
  // A token file's claims are read only for the message, when a sign-in failed: the file as the SDK read it.
  const claims = () => (identity.kind === 'federated-token-file' ? tokenFileClaims(identity.tokenFilePath) : presented);
  return explainedCredential(credential, who, claims, sources);
}

/**
 * DefaultAzureCredential's documented sources for the CLI, in its order: AZURE_* variables (a certificate among them),
 * an Azure CLI login, a managed identity (user-assigned when AZURE_CLIENT_ID names one). The IMDS endpoint is probed
 * once, for a second and without retries, as DefaultAzureCredential does, so that a machine with no identity at all is
 * told so at once. The Azure Developer CLI and PowerShell sources, which start a process each and are not documented
 * here, are left out.
 */
const CLI_SOURCES = [
  'AZURE_* variables (EnvironmentCredential: AZURE_TENANT_ID, AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)',
  'an Azure CLI login (AzureCliCredential: az login)',
];
const DEFAULT_SOURCES = [
  ...CLI_SOURCES,
  'a managed identity (ManagedIdentityCredential: IDENTITY_ENDPOINT, MSI_ENDPOINT, or the IMDS endpoint probed once for a second)',
];
function defaultChain(authorityHost: string | undefined): TokenCredential {
  const clientId = process.env.AZURE_CLIENT_ID || undefined;
  // `sendProbeRequest` is the option DefaultAzureCredential itself sets (not in the public type).
  const managed = new ManagedIdentityCredential({ clientId, sendProbeRequest: true } as { clientId?: string });
  return new ChainedTokenCredential(new EnvironmentCredential({ authorityHost }), new AzureCliCredential(), managed);
}

function tokenFileClaims(path: string): PresentedClaims | undefined {
  try {
    return presentedClaims(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}
