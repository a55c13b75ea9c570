import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run, type CliIo } from '../../src/hosts/cli/main.ts';
import type { Principal } from '../../emulator/identity.ts';
import type { VaultSpec } from '../../emulator/model.ts';
import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { ADMIN, SUB_A, TENANT, assign, principal, startWorld, vaultSpec } from './world.ts';
import { tempDir } from './temp-dir.ts';

export const REPLICATOR = principal('replicator');

let counter = 0;
/** A unique, valid vault name per test, so tests can run in any order against one emulator. */
export const uniqueVault = (prefix: string) => `${prefix}-${process.pid % 1000}-${++counter}`.slice(0, 24);

export async function startReplicationWorld(extraPrincipals: Principal[] = []): Promise<KeyVaultEmulator> {
  return startWorld({ principals: [REPLICATOR, ...extraPrincipals] });
}

/** Adds a vault where the replicator is Key Vault Administrator unless other assignments are given. */
export function addVault(
  emulator: KeyVaultEmulator,
  name: string,
  location: string,
  extra: Partial<VaultSpec> = {},
): string {
  emulator.addVault(
    vaultSpec(name, location, {
      roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(REPLICATOR, 'Key Vault Administrator')],
      ...extra,
    }),
  );
  return name;
}

/** A source and a target vault in the same region, each with a unique name. */
export const vaultPair = (emulator: KeyVaultEmulator): { src: string; dst: string } => ({
  src: addVault(emulator, uniqueVault('src'), 'westeurope'),
  dst: addVault(emulator, uniqueVault('dst'), 'westeurope'),
});

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
}

export class Workspace {
  readonly dir = tempDir('kvr-');
  readonly configPath = join(this.dir, 'replication.yml');
  readonly statePath = join(this.dir, 'state.json');

  writeConfig(config: unknown): this {
    writeFileSync(this.configPath, typeof config === 'string' ? config : stringify(config));
    return this;
  }

  state(): { pairs: Record<string, { records: Record<string, Record<string, unknown>> }> } {
    return existsSync(this.statePath) ? JSON.parse(readFileSync(this.statePath, 'utf8')) : { pairs: {} };
  }

  /**
   * Runs the CLI's own run() in-process, as the principal given (the AZURE_* variables of the environment it is given);
   * `io` says what the terminal is (stdout and stderr not TTYs unless given).
   */
  async cli(args: string[], as: Principal = REPLICATOR, io: Partial<CliIo> = {}): Promise<CliResult> {
    const env = {
      ...process.env,
      AZURE_TENANT_ID: as.tenantId,
      AZURE_CLIENT_ID: as.clientId,
      AZURE_CLIENT_SECRET: as.clientSecret,
      AZURE_SUBSCRIPTION_ID: SUB_A,
    };
    let stdout = '';
    let stderr = '';
    const code = await run([...args, '--config', this.configPath, '--state', this.statePath], {
      ...io,
      env: { ...env, ...io.env },
      stdout: (t) => {
        stdout += t;
        io.stdout?.(t);
      },
      stderr: (t) => {
        stderr += t;
      },
    });
    return { code, stdout, stderr, dir: this.dir };
  }

  async json(args: string[], as?: Principal): Promise<{ code: number; report: Report; stderr: string }> {
    const r = await this.cli([...args, '--json'], as);
    return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  }
}

export interface Report {
  exitCode: number;
  correlationId: string;
  errors: { code: string; message: string }[];
  warnings: { code: string; message: string }[];
  totals: Record<string, number>;
  pairs: {
    replication: string;
    source: string;
    target: string;
    counts: Record<string, number>;
    records: { type: string; name: string; status: string; reason: string; errorCode?: string }[];
  }[];
}

export const statusOf = (report: Report, name: string, target?: string, type?: string): string | undefined =>
  report.pairs
    .filter((p) => !target || p.target === target)
    .flatMap((p) => p.records)
    .find((r) => r.name === name && (!type || r.type === type))?.status;

export const replication = (source: string, targets: string[], extra: Record<string, unknown> = {}) => ({
  version: 1,
  replications: [{ name: 'r1', source, targets, types: ['secrets'], rule: { all: true }, ...extra }],
});

export { TENANT };
