import { KvrError } from './errors.ts';

/**
 * An Azure cloud, by the names azure/login and the Azure CLI give it, and the endpoints the tool uses there: Key
 * Vault's DNS suffix and token resource, Resource Manager's endpoint (its token scope is `<arm>/.default`), Entra ID's
 * authority and the audience a federated (OIDC) token for it carries. Each value is from Microsoft's documentation
 * of the national clouds, as the SDKs (AzureAuthorityHosts) and the Azure CLI's `az cloud show` list them.
 */
export interface AzureCloud {
  readonly name: CloudName;
  /** `.vault.azure.net`: a vault's host is `<name><vaultSuffix>`. */
  readonly vaultSuffix: string;
  /** The resource Key Vault's bearer challenge names; its tokens' audience. */
  readonly vaultResource: string;
  readonly armEndpoint: string;
  readonly authorityHost: string;
  readonly federationAudience: string;
}

export const CLOUD_NAMES = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export const CLOUDS: Readonly<Record<CloudName, AzureCloud>> = {
  AzureCloud: {
    name: 'AzureCloud',
    vaultSuffix: '.vault.azure.net',
    vaultResource: 'https://vault.azure.net',
    armEndpoint: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
    federationAudience: 'api://AzureADTokenExchange',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    vaultSuffix: '.vault.usgovcloudapi.net',
    vaultResource: 'https://vault.usgovcloudapi.net',
    armEndpoint: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
    federationAudience: 'api://AzureADTokenExchangeUSGov',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    vaultSuffix: '.vault.azure.cn',
    vaultResource: 'https://vault.azure.cn',
    armEndpoint: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    federationAudience: 'api://AzureADTokenExchangeChina',
  },
};

export const PUBLIC_CLOUD = CLOUDS.AzureCloud;

/** The cloud an `environment` names, in any case (azure/login's names); none given is the public cloud. KVR070. */
export function cloudNamed(text: string | undefined, label: string): AzureCloud {
  if (!text) return PUBLIC_CLOUD;
  const found = CLOUD_NAMES.find((name) => name.toLowerCase() === text.trim().toLowerCase());
  if (!found) throw new KvrError('KVR070', `${label} must be one of ${CLOUD_NAMES.join(', ')}, not '${text}'`);
  return CLOUDS[found];
}

/** The cloud whose Key Vault hosts a host name is one of, if any. */
export const cloudOfVaultHost = (host: string): AzureCloud | undefined =>
  Object.values(CLOUDS).find((c) => host.toLowerCase().endsWith(c.vaultSuffix));
