// `npm run bench`: replication speed against Key Vault's throttle bound within the tool's share of each vault
// (DESIGN §11), with a production application reading the same vaults, several targets, scale on a simulated clock,
// the CLI's start, and the seed design's full copy; on the emulator with per-request latency and per-vault throttling
// at the published rates. The CLI runs as a child process, as users run it.
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { PUBLISHED_LIMITS } from '../emulator/faults.ts';
import { KeyVaultEmulator } from '../emulator/server.ts';
import { applySeed } from '../emulator/seed.ts';
import { startReader, withoutReader, type ReaderFigures } from './reader.ts';
import { simulatedRun, type ScaleResult } from './simulated.ts';
import { spread, startTimes, type Spread, type StartTimes } from './start.ts';
import {
  bound,
  cliEnv,
  figures,
  runCli,
  sourceItems,
  vault,
  who,
  writeConfig,
  type CliRun,
  type Items,
  type VaultFigures,
} from './world.ts';

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '20' },
    share: { type: 'string', default: '0.5' },
    'reader-rate': { type: 'string', default: '150' },
    targets: { type: 'string', default: '3' },
    scale: { type: 'string', default: '10000,50000' },
    'scale-share': { type: 'string', default: '0.95' },
    'skip-baseline': { type: 'boolean' },
    'skip-scale': { type: 'boolean' },
    'skip-start': { type: 'boolean' },
  },
});
const N = Number(args.items);
const LATENCY = Number(args.latency);
const SHARE = Number(args.share);
const READER_RATE = Number(args['reader-rate']);
const TARGETS = Number(args.targets);
const SCALE = args['skip-scale'] ? [] : args.scale.split(',').map(Number);
// The simulated runs take 0.95: at 0.5, 50,000 creates last 3,333 simulated seconds, about the emulator's token
// lifetime (3,599 s), and the SDK's token cache refreshes on the real clock, where only a minute or two passes.
const SCALE_SHARE = Number(args['scale-share']);
const ITEMS: Items = { secrets: N, certs: Math.max(1, Math.round(N / 100)), keys: Math.max(1, Math.round(N / 100)) };
const ALL = ITEMS.secrets + ITEMS.certs + ITEMS.keys;
const TYPES = ['secrets', 'certificates', 'keys'];
const wallStarted = performance.now();
/** Progress on stderr: the bench takes minutes. */
const step = (what: string) =>
  console.error(`bench: ${what} (${((performance.now() - wallStarted) / 1000).toFixed(0)} s)`);

const [SRC, DST, BASE] = ['bench-src', 'bench-dst', 'bench-baseline'];
const FANOUT = Array.from({ length: TARGETS }, (_, i) => `bench-fan-${i + 1}`);
/** What the production reader reads in the target: the application's own secrets there, not the sync's. */
const APP_SECRETS = Array.from({ length: 20 }, (_, i) => ({ name: `app-setting-${i}`, value: `app-${i}` }));

const emulator = await KeyVaultEmulator.start({ faults: { latencyMs: LATENCY, throttle: PUBLISHED_LIMITS } });
applySeed(emulator, {
  principals: [who],
  vaults: [
    { ...vault(SRC), ...sourceItems(ITEMS) },
    { ...vault(DST), secrets: APP_SECRETS },
    vault(BASE),
    ...FANOUT.map(vault),
  ],
});
const env = cliEnv(emulator);
Object.assign(process.env, emulator.env());
const dir = mkdtempSync(join(tmpdir(), 'kvr-bench-'));
const config = writeConfig(dir, SRC, [DST], TYPES, SHARE);
const state = join(dir, 'state.json');

interface CaseResult {
  case: string;
  seconds: number;
  processSeconds?: number;
  boundSeconds: number;
  ratio: number;
  vaults: Record<string, VaultFigures>;
  failed: number;
  peakRssMb?: number;
  /** The case's real time, start to end, process start and emulator work included. */
  realSeconds: number;
  /** no-op: every run's `seconds`, and their median (`seconds`), min and max. */
  spread?: Spread;
}
const results: CaseResult[] = [];
const none: Items = { secrets: 0, certs: 0, keys: 0 };

function engineResult(
  name: string,
  r: CliRun,
  changed: Items,
  vaults: string[],
  started: number,
  confirmed = 0,
): CaseResult {
  const b = bound(ITEMS, changed, SHARE, LATENCY, confirmed);
  return {
    case: name,
    seconds: r.seconds,
    processSeconds: r.processSeconds,
    boundSeconds: b,
    ratio: r.seconds / b,
    vaults: figures(emulator, vaults),
    failed: r.failed,
    peakRssMb: r.peakRssMb,
    realSeconds: (performance.now() - started) / 1000,
  };
}

// Initial sync, with a production application reading source and target meanwhile.
step(`initial sync with a reader at ${READER_RATE} GETs/s`);
let started = performance.now();
emulator.resetCounters();
const reader = startReader(
  { [SRC]: sourceItems(ITEMS).secrets.map((s) => s.name), [DST]: APP_SECRETS.map((s) => s.name) },
  READER_RATE,
);
const initialRun = await runCli(env, config, state);
const readerFigures: ReaderFigures = await reader.stop();
const initial = engineResult('initial sync (+ reader)', initialRun, ITEMS, [SRC, DST], started);
initial.vaults = withoutReader(initial.vaults, readerFigures);
results.push(initial);

// The run after a sync lists the versions of each secret copy it wrote, once (no value): `updated` has whole seconds,
// so an edit later in the second of a write would not show otherwise.
step('first re-sync, confirming the copies written');
started = performance.now();
emulator.resetCounters();
const confirmRun = await runCli(env, config, state);
results.push(
  engineResult(
    'first re-sync (confirms the copies)',
    confirmRun,
    none,
    [SRC, DST],
    started,
    ITEMS.secrets + ITEMS.keys,
  ),
);

// No-op, three times: the median and the spread.
step('no-op re-sync, 3 runs');
started = performance.now();
const noops: CaseResult[] = [];
for (let i = 0; i < 3; i++) {
  emulator.resetCounters();
  noops.push(engineResult('no-op re-sync', await runCli(env, config, state), none, [SRC, DST], started));
}
const noopSpread = spread(noops.map((r) => r.seconds));
const noop = noops.find((r) => r.seconds === noopSpread.median) ?? noops[1]!;
results.push({
  ...noop,
  case: 'no-op re-sync (median of 3)',
  seconds: noopSpread.median,
  ratio: noopSpread.median / noop.boundSeconds,
  spread: noopSpread,
  realSeconds: (performance.now() - started) / 1000,
});

step('1 % changed');
started = performance.now();
const onePercent = Math.max(1, Math.round(N / 100));
for (let i = 0; i < onePercent; i++)
  emulator.invoke(SRC, 'PUT', `secrets/secret-${i * 100}`, { value: `changed-${i}`, tags: { app: 'bench' } });
emulator.resetCounters();
const changed = { ...none, secrets: onePercent };
results.push(engineResult('1 % changed', await runCli(env, config, state), changed, [SRC, DST], started));

// One source, several fresh targets: each target has its own create budget, the source's reads are shared.
step(`${TARGETS} targets`);
started = performance.now();
emulator.resetCounters();
const fanoutRun = await runCli(env, writeConfig(dir, SRC, FANOUT, TYPES, SHARE), join(dir, 'state-fanout.json'));
const fanout = engineResult(`${TARGETS} targets, initial`, fanoutRun, ITEMS, [SRC, ...FANOUT], started);
results.push(fanout);
const sourceReadsPerItem = fanout.vaults[SRC]!.valueReads / ALL;

/**
 * The seed design: list, then get on the source and set on the target for every enabled secret, sequentially. It does
 * the same every run, initial or not, so one run stands for both: its ratio is to the initial sync's bound.
 */
async function baseline(): Promise<CaseResult> {
  emulator.resetCounters();
  const credential = new ClientSecretCredential(who.tenantId, who.clientId, who.clientSecret);
  const source = new SecretClient(`https://${SRC}.vault.azure.net`, credential);
  const target = new SecretClient(`https://${BASE}.vault.azure.net`, credential);
  let failed = 0;
  const begun = performance.now();
  for await (const p of source.listPropertiesOfSecrets()) {
    if (!p.enabled) continue;
    try {
      const s = await source.getSecret(p.name);
      await target.setSecret(p.name, s.value!, { contentType: s.properties.contentType, tags: s.properties.tags });
    } catch {
      failed++;
    }
  }
  const seconds = (performance.now() - begun) / 1000;
  return {
    case: 'baseline: full copy, every run',
    seconds,
    boundSeconds: initial.boundSeconds,
    ratio: seconds / initial.boundSeconds,
    vaults: figures(emulator, [SRC, BASE]),
    failed,
    realSeconds: seconds,
  };
}
let fullCopy: CaseResult | undefined;
if (!args['skip-baseline']) {
  step('baseline (full copy)');
  results.push((fullCopy = await baseline()));
}
await emulator.close();

const scale: ScaleResult[] = [];
for (const n of SCALE) {
  step(`simulated clock, ${n} secrets`);
  scale.push(await simulatedRun(n, SCALE_SHARE, dir));
}
if (!args['skip-start']) step('CLI start');
const start: StartTimes | undefined = args['skip-start'] ? undefined : startTimes(5);
rmSync(dir, { recursive: true, force: true });
const wallSeconds = (performance.now() - wallStarted) / 1000;

const table = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const sum = (r: CaseResult, k: keyof VaultFigures, which = Object.values(r.vaults)) =>
  which.reduce((a, x) => a + x[k], 0);
const caseRow = (r: CaseResult) => [
  r.case,
  r.spread ? `${r.seconds.toFixed(2)} (${r.spread.min.toFixed(2)}–${r.spread.max.toFixed(2)})` : r.seconds.toFixed(2),
  r.processSeconds ? r.processSeconds.toFixed(1) : '-',
  r.boundSeconds.toFixed(1),
  `${r.ratio.toFixed(2)}×`,
  Object.entries(r.vaults)
    .map(([n, x]) => `${n.replace('bench-', '')}:${x.requests}`)
    .join(' '),
  String(sum(r, 'throttled')),
  String(r.vaults[SRC]!.valueReads),
  String(sum(r, 'writes', Object.values(r.vaults).slice(1))),
  String(r.failed),
  r.peakRssMb ? r.peakRssMb.toFixed(0) : '-',
  r.realSeconds.toFixed(0),
];
console.log(
  `\nkeyvault-replicate bench: ${N} secrets + ${ITEMS.certs} certificates + ${ITEMS.keys} keys, ${LATENCY} ms latency, ` +
    `${PUBLISHED_LIMITS.createLimit} creates / ${PUBLISHED_LIMITS.otherLimit} others per ` +
    `${PUBLISHED_LIMITS.windowMs / 1000} s per vault; budget_share ${SHARE} (bounds within it)`,
);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);
// One table: the sync cases, the production reader, the scale runs on the simulated clock and the CLI's start.
const DASH = '-';
const dashes = (n: number) => Array.from({ length: n }, () => DASH);
const r = readerFigures;
const readerRow = [
  `production reader, ${READER_RATE} GETs/s during the initial sync`,
  DASH,
  r.seconds.toFixed(1),
  ...dashes(2),
  `GETs:${r.gets}`,
  String(r.throttled),
  ...dashes(2),
  String(r.failed),
  ...dashes(3),
];
const scaleRows = scale.map((x) => [
  `scale: ${x.items} secrets, simulated clock (budget_share ${SCALE_SHARE})`,
  x.simulatedSeconds.toFixed(0),
  x.realSeconds.toFixed(0),
  x.boundSeconds.toFixed(0),
  `${x.ratio.toFixed(2)}×`,
  DASH,
  String(x.throttled),
  ...dashes(2),
  String(x.failed),
  x.peakRssMb.toFixed(0),
  x.stateBytesPerRecord.toFixed(0),
  x.realSeconds.toFixed(0),
]);
const fmt = (x: Spread) => `${x.median.toFixed(2)} (${x.min.toFixed(2)}–${x.max.toFixed(2)})`;
const startRows = start
  ? [
      [`CLI start from the bundle (--help, median of 5)`, DASH, fmt(start.bundle), ...dashes(10)],
      [`CLI start from source (--help, median of 5)`, DASH, fmt(start.source), ...dashes(10)],
    ]
  : [];
console.log(
  table(
    [
      'case',
      'run s',
      'process s',
      'bound s',
      'ratio',
      'transactions per vault',
      '429s',
      'source value reads',
      'target writes',
      'failed',
      'peak RSS MB',
      'state B/record',
      'real s',
    ],
    [
      ...results.map((x) => [...caseRow(x).slice(0, -1), DASH, caseRow(x).at(-1)!]),
      readerRow,
      ...scaleRows,
      ...startRows,
    ],
  ),
);
console.log(
  `\nproduction reader: ${(r.gets / r.seconds).toFixed(0)} GETs/s over source and target, ${r.throttled} × 429 (goal 0)`,
);
console.log(
  `${TARGETS} targets: ${sourceReadsPerItem.toFixed(2)} source value reads per item (goal 1, whatever the targets)`,
);
if (fullCopy)
  console.log(
    `no-op re-sync is ${(fullCopy.seconds / noopSpread.median).toFixed(0)}× faster than the full copy, which writes ` +
      `${fullCopy.vaults[BASE]!.writes} new versions every run`,
  );
if (scale.length)
  console.log(
    'scale rows: secrets only, no latency; the pacer\'s sleeps take no time; "run s" is simulated time, "process s" ' +
      `the real time (CPU ${scale.map((x) => `${x.cpuSeconds.toFixed(1)} s`).join(', ')})`,
  );
console.log(`\nwall time ${wallSeconds.toFixed(0)} s`);

// As the formatter would lay it out, so that `npm run format:check` passes with the file committed.
const resultsPath = resolve(import.meta.dirname, 'results.json');
const resultsJson = JSON.stringify(
  {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    items: ITEMS,
    latencyMs: LATENCY,
    limits: PUBLISHED_LIMITS,
    share: { sync: SHARE, scale: SCALE_SHARE },
    results,
    reader: readerFigures,
    fanout: { targets: TARGETS, sourceValueReadsPerItem: sourceReadsPerItem },
    scale,
    start,
    wallSeconds,
  },
  null,
  2,
);
writeFileSync(resultsPath, await format(resultsJson, { ...(await resolveConfig(resultsPath)), filepath: resultsPath }));
