/**
 * The Azure clouds the emulator stands in for, each under its own host names: Key Vault, Resource Manager and Entra
 * ID. A token is for one cloud's resource; another cloud's services refuse it by its audience, and a cloud's Entra ID
 * knows its own resources and app registrations only.
 */
export type CloudName = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

export interface EmulatedCloud {
  readonly name: CloudName;
  readonly vaultSuffix: string;
  /** Key Vault's application ID URI: the challenge's `resource`, its tokens' `aud`. */
  readonly vaultResource: string;
  readonly armHost: string;
  /** Resource Manager's identifier URIs: it answers to both (`…/.default` of either). */
  readonly armResources: readonly string[];
  readonly loginHost: string;
  /** Instance discovery's entry for the cloud. */
  readonly discovery: { preferred_network: string; preferred_cache: string; aliases: string[] };
  readonly cloudInstanceName: string;
  readonly graphHost: string;
  readonly msgraphHost: string;
  /** Version 1 tokens' issuer host (`https://sts.windows.net/{tid}/`). */
  readonly stsHost: string;
  /** The resources its Entra ID issues tokens for: its services, and its Graph, which clients ask about the caller. */
  readonly resources: readonly string[];
  readonly federationAudience: string;
}

const cloud = (c: Omit<EmulatedCloud, 'resources'>): EmulatedCloud => ({
  ...c,
  resources: [c.vaultResource, ...c.armResources, `https://${c.msgraphHost}`, `https://${c.graphHost}`],
});

export const CLOUDS: Readonly<Record<CloudName, EmulatedCloud>> = {
  AzureCloud: cloud({
    name: 'AzureCloud',
    vaultSuffix: '.vault.azure.net',
    vaultResource: 'https://vault.azure.net',
    armHost: 'management.azure.com',
    armResources: ['https://management.azure.com', 'https://management.core.windows.net'],
    loginHost: 'login.microsoftonline.com',
    discovery: {
      preferred_network: 'login.microsoftonline.com',
      preferred_cache: 'login.windows.net',
      aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    },
    cloudInstanceName: 'microsoftonline.com',
    graphHost: 'graph.windows.net',
    msgraphHost: 'graph.microsoft.com',
    stsHost: 'sts.windows.net',
    federationAudience: 'api://AzureADTokenExchange',
  }),
  AzureUSGovernment: cloud({
    name: 'AzureUSGovernment',
    vaultSuffix: '.vault.usgovcloudapi.net',
    vaultResource: 'https://vault.usgovcloudapi.net',
    armHost: 'management.usgovcloudapi.net',
    armResources: ['https://management.usgovcloudapi.net', 'https://management.core.usgovcloudapi.net'],
    loginHost: 'login.microsoftonline.us',
    discovery: {
      preferred_network: 'login.microsoftonline.us',
      preferred_cache: 'login.microsoftonline.us',
      aliases: ['login.microsoftonline.us', 'login.usgovcloudapi.net'],
    },
    cloudInstanceName: 'microsoftonline.us',
    graphHost: 'graph.windows.net',
    msgraphHost: 'graph.microsoft.us',
    stsHost: 'sts.windows.net',
    federationAudience: 'api://AzureADTokenExchangeUSGov',
  }),
  AzureChinaCloud: cloud({
    name: 'AzureChinaCloud',
    vaultSuffix: '.vault.azure.cn',
    vaultResource: 'https://vault.azure.cn',
    armHost: 'management.chinacloudapi.cn',
    armResources: ['https://management.chinacloudapi.cn', 'https://management.core.chinacloudapi.cn'],
    loginHost: 'login.chinacloudapi.cn',
    discovery: {
      preferred_network: 'login.partner.microsoftonline.cn',
      preferred_cache: 'login.partner.microsoftonline.cn',
      aliases: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
    },
    cloudInstanceName: 'partner.microsoftonline.cn',
    graphHost: 'graph.chinacloudapi.cn',
    msgraphHost: 'microsoftgraph.chinacloudapi.cn',
    stsHost: 'sts.chinacloudapi.cn',
    federationAudience: 'api://AzureADTokenExchangeChina',
  }),
};

export const PUBLIC = CLOUDS.AzureCloud;
const ALL = Object.values(CLOUDS);

/** The cloud of a vault (its spec's), of an app registration, …: the public one unless named. */
export const cloudNamed = (name: CloudName | undefined): EmulatedCloud => CLOUDS[name ?? 'AzureCloud'];
/** The cloud whose Key Vault host a host name is, with the vault it names. */
export function vaultHostOf(host: string): { name: string; cloud: EmulatedCloud } | undefined {
  const cloud = ALL.find((c) => host.endsWith(c.vaultSuffix));
  return cloud && { name: host.slice(0, -cloud.vaultSuffix.length), cloud };
}
export const cloudOfArmHost = (host: string): EmulatedCloud | undefined => ALL.find((c) => c.armHost === host);
export const cloudOfLoginHost = (host: string): EmulatedCloud | undefined =>
  ALL.find((c) => c.loginHost === host || c.discovery.preferred_network === host);
/** Every host name the clouds' services answer on, but the vaults'. */
export const CLOUD_HOSTS = ALL.flatMap((c) => [c.armHost, c.loginHost, c.discovery.preferred_network]);
