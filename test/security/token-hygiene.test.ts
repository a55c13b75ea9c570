import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { hideInLogs, redact } from '../../src/azure/log-redaction.ts';
import type { Principal } from '../../emulator/identity.ts';
import { runAction } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { addServiceConnection, runTask, visibleToAgent } from '../support/task-harness.ts';
import { GitFixture } from '../support/git-fixture.ts';
import { addVault, REPLICATOR, uniqueVault, Workspace } from '../support/replication-world.ts';
import { SUB_A, emulatorPerFile } from '../support/world.ts';

/*
 * Issue 11, item 4: behind an HTTPS proxy with the SDK's request log on, access tokens reached stderr. Every host runs
 * here as the runner or agent starts it, with every log switch a user debugging a proxy would turn on, and every bearer
 * credential the emulator handed out during the run is looked for in everything the run left behind.
 */

const CLI = resolve(import.meta.dirname, '../../src/hosts/cli/index.ts');
const CONFIG_PATH = '.github/keyvault-replication.yml';
const SECRETS = 8;

const emulator = emulatorPerFile(() => startActionWorld());
let adoConnection: Principal;
beforeAll(async () => {
  adoConnection = addServiceConnection(emulator);
});

/**
 * The SDK's request log at the level given, Node's own debug output of the modules a request goes through, every
 * `debug` namespace.
 */
const loud = (level: string) => ({
  AZURE_LOG_LEVEL: level,
  TYPESPEC_RUNTIME_LOG_LEVEL: level,
  NODE_DEBUG: 'http,https,tls,net',
  DEBUG: '*',
});

/** One source, two targets, several secrets: requests run side by side and share each keep-alive tunnel. */
function fanOut(signer: Principal) {
  const src = addVault(emulator, uniqueVault('tsrc'), 'westeurope');
  const targets = [
    addVault(emulator, uniqueVault('tdst'), 'westeurope'),
    addVault(emulator, uniqueVault('tdst'), 'northeurope'),
  ];
  for (const v of [src, ...targets]) {
    const roles = emulator.vault(v).spec.roleAssignments!;
    if (!roles.some((r) => r.principalId === signer.objectId))
      roles.push({ principalId: signer.objectId, role: 'Key Vault Administrator' });
  }
  for (let i = 0; i < SECRETS; i++)
    emulator.invoke(src, 'PUT', `secrets/app-${i}`, { value: `value-${i}-${crypto.randomUUID()}` });
  return {
    version: 1,
    replications: [{ name: 'fan-out', source: src, targets, types: ['secrets'], rule: { all: true } }],
  };
}

interface Issued<T> {
  result: T;
  accessTokens: string[];
  canaries: Map<string, string>;
}

/**
 * Runs `run` and names every bearer credential handed out meanwhile: Entra access tokens, OIDC ID tokens, CI request
 * tokens.
 */
async function issuedDuring<T>(run: () => Promise<T>): Promise<Issued<T>> {
  const { identity } = emulator;
  const before = new Set([
    ...identity.issuedAccessTokens,
    ...identity.issuedIdTokens,
    ...identity.githubRequests.keys(),
    ...identity.devopsRequests.keys(),
  ]);
  const result = await run();
  const fresh = (what: string, all: Iterable<string>) =>
    [...all].filter((t) => !before.has(t)).map((t, i) => [t, `${what} ${i + 1}`] as const);
  const accessTokens = fresh('Entra access token', identity.issuedAccessTokens);
  const canaries = new Map([
    ...accessTokens,
    ...fresh('OIDC ID token', identity.issuedIdTokens),
    ...fresh('ACTIONS_ID_TOKEN_REQUEST_TOKEN', identity.githubRequests.keys()),
    ...fresh('System.AccessToken', identity.devopsRequests.keys()),
  ]);
  return { result, accessTokens: accessTokens.map(([t]) => t), canaries };
}

/**
 * Where each credential shows up, with a little of what surrounds it so a failure says what printed it. Credentials are
 * named, never shown: a failing test must not print one either.
 */
function leaks(canaries: Map<string, string>, places: Record<string, string>): string[] {
  const hide = (text: string) => [...canaries].reduce((t, [token, name]) => t.replaceAll(token, `<${name}>`), text);
  const found: string[] = [];
  for (const [token, name] of canaries) {
    for (const [place, text] of Object.entries(places)) {
      const at = text.indexOf(token);
      if (at >= 0)
        found.push(`${name} in ${place}: …${hide(text.slice(Math.max(0, at - 300), at + token.length + 40))}…`);
    }
  }
  return found;
}

/** Each access token, named: registered with the runner or agent (by its command on stdout), or not. */
const unregistered = (accessTokens: string[], stdout: string, command: string) => {
  const registered = new Set(
    stdout
      .split('\n')
      .filter((l) => l.startsWith(command))
      .map((l) => l.slice(command.length).trim()),
  );
  return accessTokens.map((t, i) => (registered.has(t) ? 'registered' : `Entra access token ${i + 1} not registered`));
};

/** Which logs were really on, as booleans: a failing matcher would print all of stderr, credentials included. */
const logsOn = (stderr: string) => ({
  sdk: stderr.includes('azure:core-rest-pipeline'),
  node: /^HTTPS? \d+:/m.test(stderr),
});
const ON = { sdk: true, node: true };

/** Serialised agents and requests in a log: what carried other requests' raw headers there. */
const agentDumps = (stderr: string) => stderr.match(/"(_header|_httpMessage|freeSockets)"/g)?.length ?? 0;

async function runCli(
  workspace: Workspace,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string; report: string }> {
  const reportPath = join(workspace.dir, 'report.json');
  const child = spawn(
    process.execPath,
    [CLI, 'apply', '--config', workspace.configPath, '--state', workspace.statePath, '--report', reportPath],
    {
      cwd: workspace.dir,
      env: {
        PATH: process.env.PATH!,
        HOME: workspace.dir,
        ...emulator.env(),
        ...env,
        AZURE_TENANT_ID: REPLICATOR.tenantId,
        AZURE_CLIENT_ID: REPLICATOR.clientId,
        AZURE_CLIENT_SECRET: REPLICATOR.clientSecret!,
        AZURE_SUBSCRIPTION_ID: SUB_A,
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  return { code, stdout, stderr, report: existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '' };
}

describe.each(['info', 'verbose'])(
  'AZURE_LOG_LEVEL=%s behind an HTTPS proxy, with NODE_DEBUG=http,https,tls,net',
  (level) => {
    test('the Action (OIDC, step debug on) prints no token and registers every access token with the runner', async () => {
      const repo = new GitFixture({ [CONFIG_PATH]: stringify(fanOut(ACTOR)) });
      const env = { ...loud(level), RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' };

      const {
        result: run,
        accessTokens,
        canaries,
      } = await issuedDuring(() => runAction(emulator, { workspace: repo.clone(), as: ACTOR, env }));

      expect(run.code).toBe(0);
      expect(run.report!.totals).toEqual({ create: 2 * SECRETS });
      expect(logsOn(run.stderr)).toEqual(ON);
      expect(accessTokens.length).toBeGreaterThanOrEqual(2);
      expect([...canaries.values()]).toEqual(
        expect.arrayContaining(['OIDC ID token 1', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN 1']),
      );
      const visible = run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
      expect(
        leaks(canaries, {
          stdout: visible,
          stderr: run.stderr,
          summary: run.summary,
          outputs: JSON.stringify(run.outputs),
          report: readFileSync(run.outputs['report-path']!, 'utf8'),
        }),
      ).toEqual([]);
      expect(agentDumps(run.stderr)).toBe(0);
      expect(unregistered(accessTokens, run.stdout, '::add-mask::')).toEqual(accessTokens.map(() => 'registered'));
    });

    test('the Azure DevOps task (workload identity federation, system debug on) prints no token nor the state key, and registers each with the agent', async () => {
      const repo = new GitFixture({ [CONFIG_PATH]: stringify(fanOut(adoConnection)) });
      const env = { ...loud(level), SYSTEM_DEBUG: 'true' };
      // task-lib's getInput debug-logs name=value: the state key must be read another way, and masked first.
      const stateKey = `state-key-${crypto.randomUUID()}`;

      const {
        result: run,
        accessTokens,
        canaries,
      } = await issuedDuring(() =>
        runTask(emulator, repo.clone(), { configFile: CONFIG_PATH, stateKey }, { as: adoConnection, env }),
      );
      canaries.set(stateKey, 'state key');

      expect(run.result).toBe('Succeeded');
      expect(JSON.parse(run.variables.counts!)).toEqual({ create: 2 * SECRETS });
      expect(logsOn(run.streams.err)).toEqual(ON);
      expect(accessTokens.length).toBeGreaterThanOrEqual(2);
      expect([...canaries.values()]).toEqual(expect.arrayContaining(['OIDC ID token 1', 'System.AccessToken 1']));
      expect(
        leaks(canaries, {
          stdout: visibleToAgent(run.streams.out),
          stderr: run.streams.err,
          summary: run.summary,
          variables: JSON.stringify(run.variables),
          report: readFileSync(run.variables.reportPath!, 'utf8'),
        }),
      ).toEqual([]);
      expect(agentDumps(run.streams.err)).toBe(0);
      expect(unregistered(accessTokens, run.streams.out, '##vso[task.setsecret]')).toEqual(
        accessTokens.map(() => 'registered'),
      );
      expect(run.streams.out.split('\n').includes(`##vso[task.setsecret]${stateKey}`)).toBe(true);
      // Debug output was on, and is on again after the key was read (the next input read logs as usual).
      expect(run.streams.out).toContain('##vso[task.debug]azureSubscription=');
    });

    test('the CLI (client secret through the environment) prints no token and no client secret', async () => {
      const workspace = new Workspace().writeConfig(fanOut(REPLICATOR));

      const { result: run, accessTokens, canaries } = await issuedDuring(() => runCli(workspace, loud(level)));
      canaries.set(REPLICATOR.clientSecret!, 'client secret');

      expect(run.code).toBe(0);
      expect(JSON.parse(run.report).totals).toEqual({ create: 2 * SECRETS });
      expect(logsOn(run.stderr)).toEqual(ON);
      expect(accessTokens.length).toBeGreaterThanOrEqual(2);
      expect(
        leaks(canaries, {
          stdout: run.stdout,
          stderr: run.stderr,
          report: run.report,
          state: readFileSync(workspace.statePath, 'utf8'),
        }),
      ).toEqual([]);
      expect(agentDumps(run.stderr)).toBe(0);
    });
  },
);

test('the redaction takes credentials out of log text and leaves what explains a failure', () => {
  const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: crypto.randomUUID() })).toString('base64url')}.c2lnbmF0dXJl`;
  const opaque = `opaque-${crypto.randomUUID()}`;
  hideInLogs(opaque);
  const cases: [string, string][] = [
    [
      `"_header": "GET /secrets HTTP/1.1\\r\\nAuthorization: Bearer ${jwt}\\r\\nHost: a.vault.azure.net"`,
      '"_header": "GET /secrets HTTP/1.1\\r\\nAuthorization: ***\\r\\nHost: a.vault.azure.net"',
    ],
    [`headers: { Authorization: 'Bearer gh-request-${'0'.repeat(32)}' },`, "headers: { Authorization: '***' },"],
    [`client_assertion=${jwt}&client_id=x`, 'client_assertion=***&client_id=x'],
    [`the token ${opaque} was sent`, 'the token *** was sent'],
    [`retrying with Bearer ado-access-${'0'.repeat(24)} now`, 'retrying with Bearer *** now'],
    ['proxy http://corp%5Cuser:p%40ss@proxy.contoso.com:8080', 'proxy http://corp%5Cuser:***@proxy.contoso.com:8080'],
  ];
  for (const [text, shown] of cases) expect(redact(text)).toBe(shown);
  for (const kept of [
    '"WWW-Authenticate": "Bearer authorization=\\"https://login.microsoftonline.com/72f988bf\\", resource=\\"https://vault.azure.net\\""',
    'AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.',
    'GET https://localhost:44583/gh-oidc?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange',
  ])
    expect(redact(kept)).toBe(kept);
});
