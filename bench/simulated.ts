// Scale on a simulated clock: an initial sync of many secrets with no latency, the product's pacing sleeps taking no
// time (bench/sim-driver.ts), so that the bound ratio, the peak RSS and the state's size per record are shown at
// 10,000 and 50,000 items in minutes, not hours.
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmulatorClock } from '../emulator/clock.ts';
import { PUBLISHED_LIMITS } from '../emulator/faults.ts';
import { KeyVaultEmulator } from '../emulator/server.ts';
import { applySeed } from '../emulator/seed.ts';
import { bound, cliEnv, figures, runCli, sourceItems, vault, who, writeConfig } from './world.ts';

export interface ScaleResult {
  items: number;
  /** The run, on the simulated clock. */
  simulatedSeconds: number;
  boundSeconds: number;
  ratio: number;
  /** What it took: the product's process, start to exit. */
  realSeconds: number;
  /** The product's CPU time in that while. */
  cpuSeconds: number;
  peakRssMb: number;
  throttled: number;
  failed: number;
  stateBytes: number;
  records: number;
  stateBytesPerRecord: number;
}

const DRIVER = resolve(import.meta.dirname, 'sim-driver.ts');

/** The emulator's clock: the system's plus the offset the driver writes to `file` (see bench/sim-driver.ts). */
function sharedClock(file: string): { clock: EmulatorClock; close(): void } {
  writeFileSync(file, Buffer.alloc(8));
  const fd = openSync(file, 'r');
  const offset = Buffer.alloc(8);
  const read = () => {
    readSync(fd, offset, 0, 8, 0);
    return offset.readDoubleLE(0);
  };
  return { clock: new EmulatorClock(() => Date.now() + read()), close: () => closeSync(fd) };
}

export async function simulatedRun(items: number, share: number, dir: string): Promise<ScaleResult> {
  const [src, dst] = [`bench-sim-src-${items}`, `bench-sim-dst-${items}`];
  const clockFile = join(dir, `clock-${items}.bin`);
  const shared = sharedClock(clockFile);
  const emulator = await KeyVaultEmulator.start({
    faults: { latencyMs: 0, throttle: PUBLISHED_LIMITS },
    clock: shared.clock,
  });
  try {
    applySeed(emulator, {
      principals: [who],
      vaults: [{ ...vault(src), ...sourceItems({ secrets: items, certs: 0, keys: 0 }) }, vault(dst)],
    });
    const state = join(dir, `state-sim-${items}.json`);
    const config = writeConfig(dir, src, [dst], ['secrets'], share);
    const r = await runCli(cliEnv(emulator), config, state, [DRIVER, clockFile]);
    const shape = { secrets: items, certs: 0, keys: 0 };
    const b = bound(shape, shape, share, 0);
    const file = JSON.parse(readFileSync(state, 'utf8')) as { pairs: Record<string, { records: object }> };
    const records = Object.values(file.pairs).reduce((n, p) => n + Object.keys(p.records).length, 0);
    const stateBytes = statSync(state).size;
    const vaults = Object.values(figures(emulator, [src, dst]));
    return {
      items,
      simulatedSeconds: r.seconds,
      boundSeconds: b,
      ratio: r.seconds / b,
      realSeconds: r.processSeconds,
      cpuSeconds: r.cpuSeconds,
      peakRssMb: r.peakRssMb,
      throttled: vaults.reduce((n, v) => n + v.throttled, 0),
      failed: r.failed,
      stateBytes,
      records,
      stateBytesPerRecord: stateBytes / Math.max(1, records),
    };
  } finally {
    await emulator.close();
    shared.close();
  }
}
