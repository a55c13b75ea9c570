// What every bench case shares: the principal and vaults, the config it writes, the throttle bound, the emulator's
// counters, and the CLI run as a child process with its peak RSS.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { PUBLISHED_LIMITS } from '../emulator/faults.ts';
import type { KeyVaultEmulator } from '../emulator/server.ts';
import { SUB, TENANT } from '../demo/demo-tenant.ts';

export const PAGE = 25;
// The demos' tenant and subscription: the bench signs in as its own app there.
export { SUB, TENANT };
export const who = {
  clientId: 'bench-client',
  objectId: 'bench-oid',
  tenantId: TENANT,
  clientSecret: 'bench-only-secret',
};
export const vault = (name: string) => ({
  name,
  location: 'westeurope',
  subscriptionId: SUB,
  resourceGroup: 'rg-bench',
  tenantId: TENANT,
  roleAssignments: [{ principalId: who.objectId, role: 'Key Vault Administrator' as const }],
});

export interface Items {
  secrets: number;
  certs: number;
  keys: number;
}

/** The source's items: secrets with a value and a tag, self-signed certificates, RSA keys. */
export const sourceItems = (n: Items) => ({
  secrets: Array.from({ length: n.secrets }, (_, i) => ({
    name: `secret-${i}`,
    value: `value-${i}-${'x'.repeat(64)}`,
    tags: { app: 'bench' },
  })),
  certificates: Array.from({ length: n.certs }, (_, i) => ({ name: `cert-${i}` })),
  keys: Array.from({ length: n.keys }, (_, i) => ({ name: `key-${i}` })),
});

/** A config replicating everything of `source` to `targets`, in `dir`; returns its path. */
export function writeConfig(dir: string, source: string, targets: string[], types: string[], share: number): string {
  const path = join(dir, `config-${source}-${targets.length}.yml`);
  const config: Record<string, unknown> = {
    version: 1,
    budget_share: share,
    replications: [{ name: 'bench', source, targets, types, rule: { all: true } }],
  };
  writeFileSync(path, stringify(config));
  return path;
}

/** The environment the CLI signs in and finds the emulator with. */
export const cliEnv = (emulator: KeyVaultEmulator): NodeJS.ProcessEnv => ({
  ...process.env,
  ...emulator.env(),
  AZURE_TENANT_ID: who.tenantId,
  AZURE_CLIENT_ID: who.clientId,
  AZURE_CLIENT_SECRET: who.clientSecret,
  AZURE_SUBSCRIPTION_ID: SUB,
});

export interface VaultFigures {
  requests: number;
  throttled: number;
  valueReads: number;
  writes: number;
}

export const figures = (emulator: KeyVaultEmulator, names: string[]): Record<string, VaultFigures> =>
  Object.fromEntries(
    names.map((n) => {
      const c = emulator.vault(n).counters;
      return [n, { requests: c.requests, throttled: c.throttled, valueReads: c.valueReads, writes: c.writes }];
    }),
  );

/**
 * The lower bound within a share of each vault's budget: per vault, the largest of creates ÷ (share × 30/s), other
 * calls ÷ (share × 400/s) and sequential list pages × latency, counting only the calls the job needs (lists, one read
 * per changed item, one write per changed item). Each target has a create budget of its own, so targets add no time;
 * the source reads each changed item once, whatever the number of targets. A listing's pages follow each other (each
 * names the next), but listings of different types can run side by side, so the page term is the longest listing: the
 * secrets, which hold the certificate-backed secrets too. `confirmed`: secret copies the last run wrote, whose
 * versions the run lists once on the target (`updated` has whole seconds), one other call each.
 */
export function bound(items: Items, changed: Items, share: number, latencyMs: number, confirmed = 0): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE));
  const listings = [pages(items.secrets + items.certs), pages(items.certs), pages(items.keys + items.certs)];
  const writes = changed.secrets + changed.certs + changed.keys;
  const sourceOther = listings.reduce((a, b) => a + b, 0) + writes;
  const perSecond = PUBLISHED_LIMITS.windowMs / 1000;
  const createRate = (share * PUBLISHED_LIMITS.createLimit) / perSecond;
  const otherRate = (share * PUBLISHED_LIMITS.otherLimit) / perSecond;
  const targetOther = Math.max(...listings) + confirmed;
  return Math.max(
    writes / createRate,
    sourceOther / otherRate,
    targetOther / otherRate,
    (Math.max(...listings) * latencyMs) / 1000,
  );
}

export interface CliRun {
  /** The run itself, from the report (its clock's): process start, module loading and sign-in are apart. */
  seconds: number;
  /** The process, start to exit, in real time. */
  processSeconds: number;
  failed: number;
  peakRssMb: number;
  /** The process's CPU time, user and system. */
  cpuSeconds: number;
  totals: Record<string, number>;
}

const CLI = resolve(import.meta.dirname, '../src/hosts/cli/index.ts');
const RSS_PROBE =
  "process.on('exit',()=>{const u=process.resourceUsage();" +
  "process.stderr.write('BENCH_MAXRSS_KB '+u.maxRSS+' BENCH_CPU_US '+(u.userCPUTime+u.systemCPUTime)+'\\n')})";

/**
 * Runs `apply --json --quiet` in a child process: the CLI's own entry (from source), or `entry` with its arguments
 * before the CLI's (the simulated-clock driver). Its peak RSS comes from the process itself at exit.
 */
export async function runCli(
  env: NodeJS.ProcessEnv,
  config: string,
  state: string,
  entry: string[] = [CLI],
): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(RSS_PROBE)}`,
      ...entry,
      'apply',
      '--config',
      config,
      '--state',
      state,
      '--json',
      '--quiet',
    ],
    { env },
  );
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c) => {
    err += c;
  });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  const processSeconds = (performance.now() - started) / 1000;
  if (code === 2) throw new Error(`the CLI refused the run: ${err}`);
  const report = JSON.parse(Buffer.concat(out).toString('utf8')) as {
    totals: Record<string, number>;
    startedAt: string;
    finishedAt: string;
  };
  return {
    seconds: (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000,
    processSeconds,
    failed: report.totals.failed ?? 0,
    peakRssMb: Number(/BENCH_MAXRSS_KB (\d+)/.exec(err)?.[1] ?? 0) / 1024,
    cpuSeconds: Number(/BENCH_CPU_US (\d+)/.exec(err)?.[1] ?? 0) / 1e6,
    totals: report.totals,
  };
}
