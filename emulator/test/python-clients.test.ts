/**
 * The emulator driven by clients not written in JavaScript: the Azure SDK for Python and the Azure CLI that Debian
 * ships (`python3-azure`, `azure-cli`: `.ci/run` installs them), through the CONNECT proxy (`HTTPS_PROXY`) trusting
 * the test CA (`REQUESTS_CA_BUNDLE`). Both live in Debian's /usr/bin/python3, not in whatever python3 is first on PATH.
 * Where they are missing, CI fails and a contributor's `npm test` skips this file with a message.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../model.ts';
import { CERT_DIR } from '../server.ts';
import { ADMIN, TENANT, emulatorPerFile, startWorld, vaultSpec } from '../../test/support/world.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

const PYTHON = '/usr/bin/python3';
const AZ = '/usr/bin/az';
const run = promisify(execFile);

const sdkImports = () =>
  spawnSync(PYTHON, [
    '-c',
    'import azure.identity, azure.keyvault.secrets, azure.keyvault.certificates, azure.keyvault.keys',
  ]).status === 0;
const available = existsSync(PYTHON) && sdkImports() && existsSync(AZ);

if (!available) {
  if (process.env.CI) {
    test('the Python SDKs and the Azure CLI are installed (CI installs them)', () => {
      throw new Error(`${PYTHON} cannot import azure.keyvault.* or ${AZ} is missing: .ci/run installs them`);
    });
  } else {
    console.warn(
      'Skipping the Python SDK and Azure CLI tests: /usr/bin/python3 cannot import azure.keyvault.* or /usr/bin/az is ' +
        'missing. Install them with: sudo apt-get install python3-azure azure-cli',
    );
  }
}
const describeIfAvailable = available ? describe : describe.skip;

const VAULT = 'kv-python-eu';
/** Same subscription and geography as VAULT: where a key backup restores. */
const OTHER_VAULT = 'kv-python-eu2';

const emulator = emulatorPerFile(() =>
  startWorld({ vaults: [vaultSpec(VAULT, 'westeurope'), vaultSpec(OTHER_VAULT, 'northeurope')] }),
);

/** The environment of a Python client: the emulator's proxy, the test CA, nothing of the developer's Azure setup. */
const pythonEnv = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tempDir('python-home-'),
  HTTPS_PROXY: emulator.proxyUrl,
  NO_PROXY: '',
  REQUESTS_CA_BUNDLE: join(CERT_DIR, 'ca.pem'),
  ...extra,
});

interface Outcome {
  op: string;
  ok: boolean;
  error?: string;
  [fact: string]: unknown;
}

describeIfAvailable('the Azure SDK for Python (Debian python3-azure)', () => {
  const outcomes = new Map<string, Outcome>();
  let pendingPolls = 0;
  beforeAll(async () => {
    // Issuance is on the emulator's clock: the certificate stays pending until the Python poller has seen it pending
    // twice, then the service's time moves past the issuance. Whatever the machine's speed, the poller sees both.
    emulator.onVaultResponse = (method, path, _status, body) => {
      const pending = method === 'GET' && /\/certificates\/py-cert\/pending$/i.test(path);
      if (pending && (body as { status?: string }).status === 'inProgress' && ++pendingPolls === 2)
        emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
    };
    const { stdout } = await run(PYTHON, [join(import.meta.dirname, 'python', 'clients.py')], {
      env: pythonEnv({
        KVR_TENANT: ADMIN.tenantId,
        KVR_CLIENT_ID: ADMIN.clientId,
        KVR_CLIENT_SECRET: ADMIN.clientSecret!,
        KVR_VAULT: VAULT,
        KVR_OTHER_VAULT: OTHER_VAULT,
      }),
      timeout: 50000,
    });
    for (const line of stdout.split('\n').filter(Boolean)) {
      const outcome = JSON.parse(line) as Outcome;
      outcomes.set(outcome.op, outcome);
    }
  }, 55000);

  /** The facts the script reported for one operation; fails naming the operation and the client's error. */
  const facts = (op: string) => {
    const outcome = outcomes.get(op);
    if (!outcome) throw new Error(`${op}: the Python script reported nothing`);
    if (!outcome.ok) throw new Error(`${op} failed in the Python SDK: ${outcome.error}`);
    return outcome;
  };

  test('credential.getToken', () => expect(facts('credential.getToken').hasToken).toBe(true));
  test('secret.set', () =>
    expect(facts('secret.set')).toMatchObject({ valueKept: true, versions: [expect.any(String), expect.any(String)] }));
  test('secret.get', () =>
    expect(facts('secret.get')).toMatchObject({ valueMatches: true, contentType: 'text/plain' }));
  test('secret.getVersion', () => expect(facts('secret.getVersion').valueMatches).toBe(true));
  test('secret.list', () => expect(facts('secret.list').names).toEqual(['py-secret']));
  test('secret.listVersions', () => expect(facts('secret.listVersions').count).toBe(2));
  test('secret.updateProperties', () =>
    expect(facts('secret.updateProperties')).toMatchObject({
      contentType: 'application/x-py',
      tags: { by: 'python' },
    }));
  test('secret.delete', () => expect(facts('secret.delete')).toMatchObject({ name: 'py-secret', hasRecoveryId: true }));
  test('secret.getDeleted', () =>
    expect(facts('secret.getDeleted')).toMatchObject({ name: 'py-secret', scheduledPurge: true }));
  test('secret.recover', () => expect(facts('secret.recover')).toMatchObject({ name: 'py-secret', readable: true }));
  test('secret.deletePurge', () => expect(facts('secret.deletePurge').gone).toBe(true));

  test('certificate.create', () =>
    expect({ ...facts('certificate.create'), pendingPolls }).toMatchObject({
      statuses: ['inProgress', 'completed'],
      hasCer: true,
      pendingPolls: 2,
    }));
  test('certificate.get', () =>
    expect(facts('certificate.get')).toMatchObject({ name: 'py-cert', x509Thumbprint: true, enabled: true }));
  test('certificate.list', () => expect(facts('certificate.list').names).toEqual(['py-cert']));
  test('certificate.import', () => expect(facts('certificate.import').thumbprintMatches).toBe(true));
  test('certificate.delete', () =>
    expect(facts('certificate.delete')).toMatchObject({ name: 'py-imported', hasRecoveryId: true }));
  test('certificate.recover', () =>
    expect(facts('certificate.recover')).toMatchObject({ name: 'py-imported', readable: true }));

  test('key.create', () =>
    expect(facts('key.create')).toMatchObject({ kty: 'RSA', modulusBytes: 256, hasPrivate: false }));
  test('key.get', () => expect(facts('key.get')).toMatchObject({ name: 'py-key', kty: 'RSA' }));
  test('key.list', () => expect(facts('key.list').names).toEqual(['py-cert', 'py-imported', 'py-key']));
  test('key.backup', () => expect(facts('key.backup').bytes).toBeGreaterThan(100));
  test('key.restore', () =>
    expect(facts('key.restore')).toMatchObject({ name: 'py-key', vault: `https://${OTHER_VAULT}.vault.azure.net` }));
  test('key.deletePurge', () => expect(facts('key.deletePurge').gone).toBe(true));
});

describeIfAvailable('the Azure CLI (Debian azure-cli)', () => {
  let configDir: string;
  /** Runs `az` with its own config folder, JSON output and no telemetry; fails naming the command and its stderr. */
  const az = async (...args: string[]): Promise<unknown> => {
    try {
      const { stdout } = await run(AZ, [...args, '--output', 'json'], {
        env: pythonEnv({
          AZURE_CONFIG_DIR: configDir,
          AZURE_CORE_COLLECT_TELEMETRY: 'false',
          AZURE_CORE_SURVEY_MESSAGE: 'false',
          AZURE_CORE_NO_COLOR: 'true',
        }),
        timeout: 30000,
      });
      return JSON.parse(stdout) as unknown;
    } catch (e) {
      const failure = e as { stderr?: string; message: string };
      throw new Error(`az ${args.slice(0, 2).join(' ')} failed: ${failure.stderr || failure.message}`);
    }
  };
  // Jest runs the tests in random order: the login every other command needs is made first, and asserted in a test.
  let login: unknown;
  beforeAll(async () => {
    configDir = tempDir('az-config-');
    login = await az(
      'login',
      '--service-principal',
      '-u',
      ADMIN.clientId,
      '-p',
      ADMIN.clientSecret!,
      '--tenant',
      TENANT,
    ).catch((e: unknown) => e);
  }, 35000);

  test('az login --service-principal', () => {
    if (login instanceof Error) throw login;
    expect(login).toEqual([
      expect.objectContaining({
        cloudName: 'AzureCloud',
        id: vaultSpec(VAULT, 'westeurope').subscriptionId,
        tenantId: TENANT,
        user: { name: ADMIN.clientId, type: 'servicePrincipal' },
      }),
    ]);
  });

  test('az account get-access-token', async () => {
    const token = (await az('account', 'get-access-token')) as Record<string, unknown>;
    expect(token).toMatchObject({ tokenType: 'Bearer', tenant: TENANT, accessToken: expect.any(String) });
    const claims = JSON.parse(Buffer.from(String(token.accessToken).split('.')[1]!, 'base64url').toString()) as {
      aud: string;
    };
    expect(claims.aud).toMatch(/^https:\/\/management\.(core\.windows\.net|azure\.com)\/?$/);
    expect(new Date(String(token.expiresOn)).getTime()).toBeGreaterThan(Date.now());
  });

  test('az keyvault list', async () => {
    const vaults = (await az('keyvault', 'list')) as { name: string; location: string }[];
    expect(vaults.map((v) => [v.name, v.location]).sort()).toEqual(
      [
        [VAULT, 'westeurope'],
        [OTHER_VAULT, 'northeurope'],
      ].sort(),
    );
  });

  test('az keyvault show', async () => {
    const vault = (await az('keyvault', 'show', '-n', VAULT)) as { location: string; properties: { vaultUri: string } };
    expect(vault.location).toBe('westeurope');
    expect(vault.properties.vaultUri).toBe(`https://${VAULT}.vault.azure.net/`);
  });
});
