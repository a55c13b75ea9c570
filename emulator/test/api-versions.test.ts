import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import type { RestError } from '@azure/core-rest-pipeline';
import type { KeyVaultEmulator } from '../server.ts';
import { ADMIN, credentialFor, startWorld, vaultSpec, vaultUrl } from '../../test/support/world.ts';

let emulator: KeyVaultEmulator;

beforeAll(async () => {
  emulator = await startWorld({ vaults: [vaultSpec('kv-apiv', 'westeurope')] });
});
afterAll(() => emulator.close());

/** A client that sends `api-version=<version>`, whatever the SDK's own list of versions says. */
const clientAt = (version: string): SecretClient =>
  new SecretClient(vaultUrl('kv-apiv'), credentialFor(ADMIN), {
    serviceVersion: version as SecretClientOptions['serviceVersion'],
  });

// Old stable versions (what Debian's azure-cli sends), previews (7.5-preview.1 is in the recordings), and the newest.
test.each(['2016-10-01', '7.0', '7.3', '7.5-preview.1', '7.6-preview.2', '2026-01-01-preview', '2025-07-01'])(
  'api-version %s is served for a secret set and get',
  async (version) => {
    const client = clientAt(version);
    const name = `at-${version.replace(/\./g, '-')}`;
    const set = await client.setSecret(name, 'value-1');
    expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect((await client.getSecret(name)).value).toBe('value-1');
  },
);

test('an unknown api-version is refused as Azure refuses it: 400 BadParameter, naming the latest version', async () => {
  let err: RestError | undefined;
  try {
    await clientAt('7.9').getSecret('anything');
  } catch (e) {
    err = e as RestError;
  }
  expect({ status: err?.statusCode, code: err?.code, message: err?.message }).toEqual({
    status: 400,
    code: 'BadParameter',
    message: 'The specified version (7.9) is not recognized. Consider using the latest supported version (2025-07-01).',
  });
});
