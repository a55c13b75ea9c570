// `npm run bench`: replication speed against Key Vault's throttle-bound limit (DESIGN §11), and against the seed
// design's full copy, on the emulator with per-request latency and per-vault throttling at the published rates.
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { PUBLISHED_LIMITS } from '../emulator/faults.ts';
import { KeyVaultEmulator } from '../emulator/server.ts';
import { applySeed } from '../emulator/seed.ts';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '2000' },
    latency: { type: 'string', default: '20' },
    'skip-baseline': { type: 'boolean' },
  },
});
const N = Number(args.items);
const LATENCY = Number(args.latency);
const CERTS = Math.max(1, Math.round(N / 100));
const KEYS = Math.max(1, Math.round(N / 100));
const PAGE = 25;
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const SUB = '11111111-1111-1111-1111-111111111111';
const who = { clientId: 'bench-client', objectId: 'bench-oid', tenantId: TENANT, clientSecret: 'bench-only-secret' };
const vault = (name: string) => ({
  name,
  location: 'westeurope',
  subscriptionId: SUB,
  resourceGroup: 'rg-bench',
  tenantId: TENANT,
  roleAssignments: [{ principalId: who.objectId, role: 'Key Vault Administrator' as const }],
});
const [SRC, DST, BASE] = ['bench-src', 'bench-dst', 'bench-baseline'];

const emulator = await KeyVaultEmulator.start({ faults: { latencyMs: LATENCY, throttle: PUBLISHED_LIMITS } });
applySeed(emulator, {
  principals: [who],
  vaults: [
    {
      ...vault(SRC),
      secrets: Array.from({ length: N }, (_, i) => ({
        name: `secret-${i}`,
        value: `value-${i}-${'x'.repeat(64)}`,
        tags: { app: 'bench' },
      })),
      certificates: Array.from({ length: CERTS }, (_, i) => ({ name: `cert-${i}` })),
      keys: Array.from({ length: KEYS }, (_, i) => ({ name: `key-${i}` })),
    },
    vault(DST),
    vault(BASE),
  ],
});
const env = {
  ...process.env,
  ...emulator.env(),
  AZURE_TENANT_ID: who.tenantId,
  AZURE_CLIENT_ID: who.clientId,
  AZURE_CLIENT_SECRET: who.clientSecret,
  AZURE_SUBSCRIPTION_ID: SUB,
};
Object.assign(process.env, emulator.env());
const dir = mkdtempSync(join(tmpdir(), 'kvr-bench-'));
const configPath = join(dir, 'config.yml');
writeFileSync(
  configPath,
  stringify({
    version: 1,
    replications: [
      { name: 'bench', source: SRC, targets: [DST], types: ['secrets', 'certificates', 'keys'], rule: { all: true } },
    ],
  }),
);

interface VaultFigures {
  requests: number;
  throttled: number;
  valueReads: number;
  writes: number;
}
interface CaseResult {
  case: string;
  seconds: number;
  processSeconds?: number;
  boundSeconds: number;
  ratio: number;
  vaults: Record<string, VaultFigures>;
  failed: number;
  peakRssMb?: number;
}

const figures = (names: string[]) =>
  Object.fromEntries(
    names.map((n) => {
      const c = emulator.vault(n).counters;
      return [n, { requests: c.requests, throttled: c.throttled, valueReads: c.valueReads, writes: c.writes }];
    }),
  );

/**
 * The lower bound: per vault, the largest of creates ÷ 30/s, other calls ÷ 400/s and sequential list pages × latency,
 * counting only the calls the job needs (lists, one read per changed item, one write per changed item). A listing's
 * pages follow each other (each names the next), but listings of different types can run side by side, so the page
 * term is the longest listing: the secrets, which hold the certificate-backed secrets too.
 */
function bound(changed: { secrets: number; certs: number; keys: number }): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE));
  const listings = [pages(N + CERTS), pages(CERTS), pages(KEYS + CERTS)];
  const writes = changed.secrets + changed.certs + changed.keys;
  const sourceOther = listings.reduce((a, b) => a + b, 0) + changed.secrets + changed.certs + changed.keys;
  const createRate = PUBLISHED_LIMITS.createLimit / (PUBLISHED_LIMITS.windowMs / 1000);
  const otherRate = PUBLISHED_LIMITS.otherLimit / (PUBLISHED_LIMITS.windowMs / 1000);
  return Math.max(writes / createRate, sourceOther / otherRate, (Math.max(...listings) * LATENCY) / 1000);
}

/** Runs the CLI, the product's own entry, as a child process; its peak RSS comes from the process itself at exit. */
async function runCli(): Promise<{ seconds: number; processSeconds: number; failed: number; peakRssMb: number }> {
  const rssProbe =
    "process.on('exit',()=>process.stderr.write('BENCH_MAXRSS_KB '+process.resourceUsage().maxRSS+'\\n'))";
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(rssProbe)}`,
      resolve(import.meta.dirname, '../src/hosts/cli/index.ts'),
      'apply',
      '--config',
      configPath,
      '--state',
      join(dir, 'state.json'),
      '--json',
      '--quiet',
    ],
    { env },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    err += c;
  });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  const processSeconds = (performance.now() - started) / 1000;
  if (code === 2) throw new Error(`the CLI refused the run: ${err}`);
  const report = JSON.parse(out) as { totals: Record<string, number>; startedAt: string; finishedAt: string };
  // The run itself, from the report: process start, module loading and sign-in are shown apart.
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  return {
    seconds,
    processSeconds,
    failed: report.totals.failed ?? 0,
    peakRssMb: Number(/BENCH_MAXRSS_KB (\d+)/.exec(err)?.[1] ?? 0) / 1024,
  };
}

const results: CaseResult[] = [];
async function engineCase(name: string, changed: { secrets: number; certs: number; keys: number }): Promise<void> {
  emulator.resetCounters();
  const r = await runCli();
  const b = bound(changed);
  results.push({
    case: name,
    seconds: r.seconds,
    processSeconds: r.processSeconds,
    boundSeconds: b,
    ratio: r.seconds / b,
    vaults: figures([SRC, DST]),
    failed: r.failed,
    peakRssMb: r.peakRssMb,
  });
}

await engineCase('initial sync', { secrets: N, certs: CERTS, keys: KEYS });
await engineCase('no-op re-sync', { secrets: 0, certs: 0, keys: 0 });
const onePercent = Math.max(1, Math.round(N / 100));
for (let i = 0; i < onePercent; i++)
  emulator.invoke(SRC, 'PUT', `secrets/secret-${i * 100}`, { value: `changed-${i}`, tags: { app: 'bench' } });
await engineCase('1 % changed', { secrets: onePercent, certs: 0, keys: 0 });

/**
 * The seed design: list, then get on the source and set on the target for every enabled secret, sequentially, every
 * run.
 */
async function baseline(name: string, reference: CaseResult): Promise<void> {
  emulator.resetCounters();
  const credential = new ClientSecretCredential(who.tenantId, who.clientId, who.clientSecret);
  const source = new SecretClient(`https://${SRC}.vault.azure.net`, credential);
  const target = new SecretClient(`https://${BASE}.vault.azure.net`, credential);
  let failed = 0;
  const started = performance.now();
  for await (const p of source.listPropertiesOfSecrets()) {
    if (!p.enabled) continue;
    try {
      const s = await source.getSecret(p.name);
      await target.setSecret(p.name, s.value!, { contentType: s.properties.contentType, tags: s.properties.tags });
    } catch {
      failed++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  results.push({
    case: name,
    seconds,
    boundSeconds: reference.boundSeconds,
    ratio: seconds / reference.boundSeconds,
    vaults: figures([SRC, BASE]),
    failed,
  });
}
if (!args['skip-baseline']) {
  await baseline('baseline: initial copy', results[0]!);
  await baseline('baseline: no-op re-run', results[1]!);
}
emulator.close();
rmSync(dir, { recursive: true, force: true });

const row = (r: CaseResult) => {
  const v = Object.values(r.vaults);
  const sum = (k: keyof VaultFigures) => v.reduce((a, x) => a + x[k], 0);
  return [
    r.case,
    r.seconds.toFixed(2),
    r.processSeconds ? r.processSeconds.toFixed(1) : '-',
    r.boundSeconds.toFixed(1),
    `${r.ratio.toFixed(2)}×`,
    Object.entries(r.vaults)
      .map(([n, x]) => `${n}:${x.requests}`)
      .join(' '),
    String(sum('throttled')),
    String(sum('valueReads')),
    String(v[1]!.writes),
    String(r.failed),
    r.peakRssMb ? r.peakRssMb.toFixed(0) : '-',
  ];
};
const header = [
  'case',
  'run s',
  'process s',
  'bound s',
  'ratio',
  'transactions per vault',
  '429s',
  'value reads',
  'target writes',
  'failed',
  'peak RSS MB',
];
console.log(
  `\nkeyvault-replicate bench: ${N} secrets + ${CERTS} certificates + ${KEYS} keys, ${LATENCY} ms latency, ${PUBLISHED_LIMITS.createLimit} creates / ${PUBLISHED_LIMITS.otherLimit} others per ${PUBLISHED_LIMITS.windowMs / 1000} s per vault`,
);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);
console.log([header, ...results.map(row)].map((r) => `| ${r.join(' | ')} |`).join('\n'));
const noop = results.find((r) => r.case === 'no-op re-sync')!;
const baseNoop = results.find((r) => r.case === 'baseline: no-op re-run');
if (baseNoop)
  console.log(
    `\nno-op re-sync is ${(baseNoop.seconds / noop.seconds).toFixed(0)}× faster than the baseline's, which wrote ${baseNoop.vaults[BASE]!.writes} new versions`,
  );
writeFileSync(
  resolve(import.meta.dirname, 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), items: { secrets: N, certificates: CERTS, keys: KEYS }, latencyMs: LATENCY, limits: PUBLISHED_LIMITS, machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, results }, null, 2)}\n`,
);
