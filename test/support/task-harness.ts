import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Principal } from '../../emulator/identity.ts';
import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { CHILD_NODE_ENV } from './child-node.ts';
import { REPLICATOR } from './replication-world.ts';
import { SUB_A } from './world.ts';
import { tempDir } from './temp-dir.ts';

export const TASK = resolve(import.meta.dirname, '../../ado-task/KeyVaultReplicateV1/dist/index.js');
export const CONNECTION = '6f1c2a9e-0d4b-4c55-8e3a-2b7d9f0a1c3e';
const ORG_ID = '9a8b7c6d-0000-4000-8000-00000000c0de';
const SUBJECT = `sc://contoso/platform/${CONNECTION}`;

/**
 * The replicator as an Azure Resource Manager service connection with workload identity federation, known to the
 * emulator.
 */
export function addServiceConnection(emulator: KeyVaultEmulator): Principal {
  const federated: Principal = {
    ...REPLICATOR,
    clientId: 'ado-wif-client',
    objectId: 'ado-wif-oid',
    clientSecret: undefined,
    federatedCredentials: [{ issuer: emulator.identity.devopsIssuer(ORG_ID), subject: SUBJECT }],
  };
  emulator.identity.addPrincipal(federated);
  return federated;
}

/**
 * A Node 20 on the PATH (the system's node here and on CI), for the Node20_1 handler; undefined when there is none.
 * npm puts the project's Node 24 first on the PATH, so every directory is looked at.
 */
export const NODE_20 = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir, 'node'))
  .find((node) => {
    try {
      return existsSync(node) && execFileSync(node, ['--version'], { encoding: 'utf8' }).startsWith('v20.');
    } catch {
      return false;
    }
  });

export interface TaskRun {
  code: number;
  /** stdout and stderr together, as the agent's log shows them. */
  stdout: string;
  /** Each stream on its own: a line of one is never cut by a chunk of the other. */
  streams: { out: string; err: string };
  summary: string;
  result: string;
  variables: Record<string, string>;
}

export interface TaskRunOptions {
  as: Principal;
  scheme?: 'WorkloadIdentityFederation' | 'ServicePrincipal';
  buildReason?: string;
  /**
   * Further agent variables, as the agent passes them (BUILD_SOURCEBRANCH, SYSTEM_PULLREQUEST_TARGETBRANCH,
   * SYSTEM_DEBUG).
   */
  env?: Record<string, string>;
  /** The node that runs the bundle, as the agent's handler would: this process's (Node 24) unless told. */
  node?: string;
}

/** Runs the bundled task as the agent does: inputs, endpoint and variables through the environment. */
export async function runTask(
  emulator: KeyVaultEmulator,
  workspace: string,
  inputs: Record<string, string>,
  o: TaskRunOptions,
): Promise<TaskRun> {
  const as = o.as;
  const scheme = o.scheme ?? 'WorkloadIdentityFederation';
  const temp = tempDir('kvr-agent-');
  const accessToken = `ado-access-${crypto.randomUUID()}`;
  emulator.identity.devopsRequests.set(accessToken, { organizationId: ORG_ID, subjects: { [CONNECTION]: SUBJECT } });
  const env: Record<string, string> = {
    PATH: process.env.PATH!,
    HOME: temp,
    ...CHILD_NODE_ENV,
    ...emulator.env(),
    AGENT_TEMPDIRECTORY: temp,
    BUILD_SOURCESDIRECTORY: workspace,
    BUILD_REASON: o.buildReason ?? 'Schedule',
    TF_BUILD: 'True',
    SYSTEM_OIDCREQUESTURI: emulator.devopsOidcRequestUri(),
    INPUT_AZURESUBSCRIPTION: CONNECTION,
    INPUT_STATEBRANCH: 'keyvault-replication-state',
    [`ENDPOINT_URL_${CONNECTION}`]: 'https://management.azure.com/',
    [`ENDPOINT_AUTH_SCHEME_${CONNECTION}`]: scheme,
    [`ENDPOINT_DATA_${CONNECTION}_SUBSCRIPTIONID`]: SUB_A,
    ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({ parameters: { AccessToken: accessToken }, scheme: 'OAuth' }),
  };
  const parameters = {
    serviceprincipalid: as.clientId,
    tenantid: as.tenantId,
    ...(scheme === 'ServicePrincipal' ? { serviceprincipalkey: as.clientSecret!, authenticationType: 'spnKey' } : {}),
  };
  env[`ENDPOINT_AUTH_${CONNECTION}`] = JSON.stringify({ parameters, scheme });
  for (const [k, v] of Object.entries(parameters)) env[`ENDPOINT_AUTH_PARAMETER_${CONNECTION}_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  Object.assign(env, o.env);
  const child = spawn(o.node ?? process.execPath, [TASK], { cwd: workspace, env });
  let stdout = '';
  const streams = { out: '', err: '' };
  child.stdout.on('data', (c) => {
    stdout += c;
    streams.out += c;
  });
  child.stderr.on('data', (c) => {
    stdout += c;
    streams.err += c;
  });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  const summaryPath = /##vso\[task\.uploadsummary\](.+)/.exec(stdout)?.[1]?.trim();
  const variables = Object.fromEntries(
    [...stdout.matchAll(/##vso\[task\.setvariable variable=([^;]+);[^\]]*\](.*)/g)].map((m) => [m[1]!, m[2]!]),
  );
  return {
    code,
    stdout,
    streams,
    summary: summaryPath && existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '',
    result: /##vso\[task\.complete result=(\w+);/.exec(stdout)?.[1] ?? '',
    variables,
  };
}

/** What the agent shows of a step: it consumes the setsecret commands, which is where secrets must go. */
export const visibleToAgent = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('##vso[task.setsecret]'))
    .join('\n');
