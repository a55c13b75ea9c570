// The CLI's start: `--help` from the bundle users run (lib/cli, what `npm pack` ships) and from TypeScript source,
// each process timed from spawn to exit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const BUNDLE = resolve(ROOT, 'lib/cli/index.js');
const SOURCE = resolve(ROOT, 'src/hosts/cli/index.ts');

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export const spread = (runs: number[]): Spread => {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs };
};

export interface StartTimes {
  bundle: Spread;
  source: Spread;
}

function timeHelp(entry: string): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [entry, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${entry} --help exited ${r.status}: ${r.stderr}`);
  return seconds;
}

/** Builds the bundles when src changed (scripts/bundles.ts; nothing when they are up to date), then times both. */
export function startTimes(runs: number): StartTimes {
  const build = spawnSync(process.execPath, [resolve(ROOT, 'scripts/bundles.ts')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0 || !existsSync(BUNDLE)) throw new Error(`no CLI bundle at ${BUNDLE} (npm run bundles)`);
  const times = (entry: string) => Array.from({ length: runs }, () => timeHelp(entry));
  return { bundle: spread(times(BUNDLE)), source: spread(times(SOURCE)) };
}
