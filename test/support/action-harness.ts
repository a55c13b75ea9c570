import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Principal } from '../../emulator/identity.ts';
import { GITHUB_ISSUER } from '../../emulator/identity.ts';
import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { CHILD_NODE_ENV } from './child-node.ts';
import { SUB_A } from './world.ts';
import { tempDir } from './temp-dir.ts';

export const DIST = resolve(import.meta.dirname, '../../dist/index.js');
export const REPOSITORY = 'owner/repo';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  report?: {
    totals: Record<string, number>;
    pairs: { target: string; records: { name: string; type: string; status: string }[] }[];
    errors: { code: string }[];
  };
}

export interface ActionRunOptions {
  workspace: string;
  inputs?: Record<string, string>;
  event?: { name: string; payload: unknown };
  /** Sign in by OIDC as this principal (the default), by its client secret, or through a logged-in Azure CLI. */
  as: Principal;
  signIn?: 'oidc' | 'client-secret' | 'azure-cli' | 'no-id-token-permission';
  apiUrl?: string;
  env?: Record<string, string>;
  /** Sends this signal, once, when the output holds `times` (default 1) matches of the pattern. */
  killOn?: { pattern: RegExp; signal: NodeJS.Signals; times?: number };
}

/** Reads GITHUB_OUTPUT's `name<<delimiter` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    while (++i < lines.length && lines[i] !== m[2]) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}

/**
 * Runs the bundled Action the way the runner does: a node24 child process, inputs as INPUT_*, the event in a file,
 * GITHUB_STEP_SUMMARY and GITHUB_OUTPUT files, the OIDC request URL and token, and Azure reached through the emulator.
 */
export async function runAction(emulator: KeyVaultEmulator, o: ActionRunOptions): Promise<ActionRun> {
  const temp = tempDir('kvr-runner-');
  const files = { summary: join(temp, 'summary.md'), output: join(temp, 'output'), event: join(temp, 'event.json') };
  writeFileSync(files.summary, '');
  writeFileSync(files.output, '');
  writeFileSync(files.event, JSON.stringify(o.event?.payload ?? {}));
  const signIn = o.signIn ?? 'oidc';
  const env: Record<string, string> = {
    PATH: process.env.PATH!,
    HOME: temp,
    ...CHILD_NODE_ENV,
    RUNNER_TEMP: temp,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_EVENT_NAME: o.event?.name ?? 'schedule',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_API_URL: o.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1',
    ...emulator.env(),
    'INPUT_STATE-BRANCH': 'keyvault-replication-state',
    'INPUT_GITHUB-TOKEN': 'ghs_workflowtoken',
    'INPUT_COMMENT-ON-PR': 'true',
    'INPUT_SUBSCRIPTION-ID': SUB_A,
  };
  if (signIn === 'oidc' || signIn === 'no-id-token-permission')
    Object.assign(env, { 'INPUT_CLIENT-ID': o.as.clientId, 'INPUT_TENANT-ID': o.as.tenantId });
  if (signIn === 'oidc') {
    const requestToken = `gh-request-${crypto.randomUUID()}`;
    emulator.identity.githubRequests.set(requestToken, {
      sub: `repo:${REPOSITORY}:ref:refs/heads/main`,
      repository: REPOSITORY,
    });
    Object.assign(env, {
      ACTIONS_ID_TOKEN_REQUEST_URL: emulator.githubOidcRequestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    });
  }
  if (signIn === 'client-secret')
    Object.assign(env, {
      'INPUT_CLIENT-ID': o.as.clientId,
      'INPUT_TENANT-ID': o.as.tenantId,
      'INPUT_CLIENT-SECRET': o.as.clientSecret!,
    });
  if (signIn === 'azure-cli') env.PATH = `${fakeAzureCli(emulator, o.as, temp)}:${env.PATH}`;
  for (const [k, v] of Object.entries(o.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  Object.assign(env, o.env);

  const child = spawn(process.execPath, [DIST], { cwd: o.workspace, env });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (c) => {
    stdout += c;
    const kill = o.killOn;
    if (kill && !signalled && (stdout.match(new RegExp(kill.pattern.source, 'g'))?.length ?? 0) >= (kill.times ?? 1)) {
      signalled = true;
      child.kill(kill.signal);
    }
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const code = await new Promise<number>((r) => child.on('close', (c, signal) => r(c ?? (signal ? 128 : 1))));
  const outputs = parseOutputFile(readFileSync(files.output, 'utf8'));
  const report = outputs['report-path'] ? JSON.parse(readFileSync(outputs['report-path'], 'utf8')) : undefined;
  return { code, stdout, stderr, summary: readFileSync(files.summary, 'utf8'), outputs, report };
}

/** The principal's federated credential for this repository's main branch (what the OIDC sign-in presents). */
export const githubFederation = (p: Principal): Principal => ({
  ...p,
  federatedCredentials: [{ issuer: GITHUB_ISSUER, subject: `repo:${REPOSITORY}:ref:refs/heads/main` }],
});

/** An `az` on PATH that answers `az account get-access-token` as a CLI that azure/login signed in would. */
function fakeAzureCli(emulator: KeyVaultEmulator, p: Principal, dir: string): string {
  const token = (resource: string) =>
    JSON.stringify({
      accessToken: emulator.identity.accessToken(p, resource.replace(/\/$/, '')),
      expiresOn: '2099-01-01 00:00:00.000000',
      expires_on: 4070908800,
      subscription: SUB_A,
      tenant: p.tenantId,
      tokenType: 'Bearer',
    });
  writeFileSync(
    join(dir, 'az'),
    `#!/bin/sh
case "$*" in
  *vault.azure.net*) echo '${token('https://vault.azure.net')}' ;;
  *management.azure.com*|*management.core.windows.net*) echo '${token('https://management.azure.com')}' ;;
  *) echo "ERROR: unexpected az $*" >&2; exit 1 ;;
esac
`,
    { mode: 0o755 },
  );
  return dir;
}
