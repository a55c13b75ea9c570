import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GITHUB_ISSUER } from '../../emulator/identity.ts';
import { run } from '../../src/hosts/cli/main.ts';
import { SUB_A, principal, emulatorPerFile } from '../support/world.ts';
import { REPLICATOR, replication, startReplicationWorld, vaultPair, Workspace } from '../support/replication-world.ts';
import { tempDir } from '../support/temp-dir.ts';

/**
 * A sign-in that fails says why, through the CLI: Entra's AADSTS code and text, the claims of a federated token that
 * did not match (never the token), and, with no identity configured, what was looked for and how to give one.
 */
const MAIN = 'repo:contoso/platform:ref:refs/heads/main';
const federated = {
  ...principal('federated-cli'),
  clientSecret: undefined,
  federatedCredentials: [{ issuer: GITHUB_ISSUER, subject: MAIN }],
};
const emulator = emulatorPerFile(() => startReplicationWorld([federated]));

/** The CLI, in-process, with exactly these AZURE_* variables (and none of this process's). */
async function cliWith(ws: Workspace, azure: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { ...process.env, AZURE_SUBSCRIPTION_ID: SUB_A, ...azure };
  for (const k of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_FEDERATED_TOKEN_FILE'])
    if (!(k in azure)) delete env[k];
  let stdout = '';
  let stderr = '';
  const code = await run(['plan', '--config', ws.configPath, '--state', ws.statePath], {
    env,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, out: stdout + stderr };
}

test('a wrong client secret: KVR024 carries AADSTS7000215 and its text, and not the secret', async () => {
  const { src, dst } = vaultPair(emulator);
  const wrong = 'not-the-secret-9f3b2c';
  const r = await new Workspace()
    .writeConfig(replication(src, [dst]))
    .cli(['plan'], { ...REPLICATOR, clientSecret: wrong });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(
    /KVR024: authentication failed \(AZURE_CLIENT_SECRET, client [^)]+\): AADSTS7000215: Invalid client secret provided/,
  );
  expect(r.stdout + r.stderr).not.toContain(wrong);
  expect(r.stdout + r.stderr).not.toMatch(/Trace ID/);
});

test('a federated token whose subject matches no federated credential: its issuer, subject and audience, never the token', async () => {
  const { src, dst } = vaultPair(emulator);
  emulator.identity.githubRequests.set('pr-request', { sub: 'repo:contoso/platform:pull_request' });
  const res = await fetch(`${emulator.githubOidcRequestUrl}&audience=api%3A%2F%2FAzureADTokenExchange`, {
    headers: { authorization: 'Bearer pr-request' },
  });
  const token = ((await res.json()) as { value: string }).value;
  const dir = tempDir('kvr-oidc-');
  const file = join(dir, 'token');
  writeFileSync(file, token);
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const r = await cliWith(ws, {
    AZURE_TENANT_ID: federated.tenantId,
    AZURE_CLIENT_ID: federated.clientId,
    AZURE_FEDERATED_TOKEN_FILE: file,
  });
  expect(r.code).toBe(2);
  expect(r.out).toContain('AADSTS70021');
  expect(r.out).toContain(
    `the federated token presented has issuer '${GITHUB_ISSUER}', subject 'repo:contoso/platform:pull_request', audience 'api://AzureADTokenExchange'`,
  );
  expect(r.out).not.toContain(token);
  expect(r.out).not.toContain(token.split('.')[1]!);
});

test('no identity configured at all: KVR024 lists what was looked for and how to fix it', async () => {
  const { src, dst } = vaultPair(emulator);
  // No Azure CLI on the PATH, so that a login on this machine cannot answer.
  const noTools = tempDir('kvr-path-');
  mkdirSync(noTools, { recursive: true });
  const path = process.env.PATH;
  process.env.PATH = noTools;
  try {
    const r = await cliWith(new Workspace().writeConfig(replication(src, [dst])), {});
    expect(r.code).toBe(2);
    expect(r.out).toContain('KVR024: no Azure credential found');
    // One line per source on stderr, not a flattened `\n`.
    expect(r.out).toMatch(
      /looked for:\n {2}- AZURE_\* variables \(EnvironmentCredential[^\n]*\n {2}- an Azure CLI login \(AzureCliCredential[^\n]*\n {2}- a managed identity \(ManagedIdentityCredential/,
    );
    expect(r.out).toContain('AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE, or run `az login`');
    // The sources a user never configured for this tool are not tried (each starts a process).
    expect(r.out).not.toMatch(/AzureDeveloperCliCredential|AzurePowerShellCredential/);
  } finally {
    process.env.PATH = path;
  }
});
