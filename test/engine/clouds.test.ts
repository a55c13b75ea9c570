import { CLOUDS, cloudNamed, PUBLIC_CLOUD } from '../../src/engine/clouds.ts';
import { parseConfig } from '../../src/engine/config/parse-config.ts';
import { vaultNameOf } from '../../src/engine/config/vault-ref.ts';
import { readCiRequest } from '../../src/hosts/shared/run-inputs.ts';
import { kebabCase, namesOf, CI_INPUTS } from '../../src/hosts/shared/run-options.ts';

const { AzureUSGovernment: USGOV, AzureChinaCloud: CHINA } = CLOUDS;

test('each cloud takes the URLs of its own vaults, and names its endpoints as Microsoft documents them', () => {
  expect(vaultNameOf('https://kv-gov.vault.usgovcloudapi.net/', USGOV)).toBe('kv-gov');
  expect(vaultNameOf('https://KV-CN.vault.azure.cn', CHINA)).toBe('kv-cn');
  expect(vaultNameOf('kv-plain', CHINA)).toBe('kv-plain');
  expect(USGOV).toMatchObject({
    armEndpoint: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
    vaultResource: 'https://vault.usgovcloudapi.net',
    federationAudience: 'api://AzureADTokenExchangeUSGov',
  });
  expect(CHINA).toMatchObject({
    armEndpoint: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    vaultResource: 'https://vault.azure.cn',
    federationAudience: 'api://AzureADTokenExchangeChina',
  });
});

test("a vault URL of another cloud is KVR071, naming that cloud; a host of no cloud's vaults stays KVR006", () => {
  expect(() => vaultNameOf('https://kv-gov.vault.usgovcloudapi.net')).toThrow(
    /^KVR071: .*a vault of AzureUSGovernment, and this run works in AzureCloud/,
  );
  expect(() => vaultNameOf('https://kv.vault.azure.net', CHINA)).toThrow(/^KVR071: .*a vault of AzureCloud/);
  expect(() => vaultNameOf('https://kv.vault.example.com', USGOV)).toThrow(
    /^KVR006: .*https:\/\/<vault-name>\.vault\.usgovcloudapi\.net/,
  );
  const config = `version: 1
replications:
  - name: r
    source: https://src.vault.usgovcloudapi.net
    targets: [dst]
    types: [secrets]
    rule: { all: true }
`;
  expect(() => parseConfig(config, 'c.yml')).toThrow(/^KVR071: c\.yml:4:13: .*AzureUSGovernment/);
  expect(parseConfig(config, 'c.yml', USGOV).replications[0]).toMatchObject({ source: 'src', targets: ['dst'] });
});

test('environment names are those of azure/login, in any case; anything else is KVR070', () => {
  expect(cloudNamed(undefined, 'x')).toBe(PUBLIC_CLOUD);
  expect(cloudNamed('azureusgovernment', 'x')).toBe(USGOV);
  expect(() => cloudNamed('AzureGermanCloud', "input 'environment'")).toThrow(
    "KVR070: input 'environment' must be one of AzureCloud, AzureUSGovernment, AzureChinaCloud, not 'AzureGermanCloud'",
  );
});

describe('a CI run takes its cloud from the input, else from the service connection', () => {
  const names = namesOf(CI_INPUTS, kebabCase);
  const ci = (environment?: string) => ({ pullRequest: false, guarded: [], repository: '/nowhere', environment });
  const reader = (inputs: Record<string, string>) => ({
    text: (name: string) => inputs[name],
    flag: () => undefined,
    secret: () => undefined,
  });
  const pair = { source: 'https://src.vault.azure.cn', targets: 'dst' };

  test("the connection's cloud decides the vault URLs allowed", async () => {
    const request = await readCiRequest(names, reader(pair), ci('AzureChinaCloud'));
    expect(request.environment).toBe(CHINA);
    await expect(readCiRequest(names, reader(pair), ci())).rejects.toThrow(/^KVR071: input 'source'/);
  });

  test('an input naming another cloud than the connection is KVR072', async () => {
    await expect(
      readCiRequest(names, reader({ ...pair, environment: 'AzureUSGovernment' }), ci('AzureChinaCloud')),
    ).rejects.toThrow(
      /^KVR072: input 'environment' is AzureUSGovernment, but the service connection is for AzureChinaCloud/,
    );
  });
});
