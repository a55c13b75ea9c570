// The product on a simulated clock, in a process of its own: `node bench/sim-driver.ts <clock file> <CLI args>` runs
// the CLI's run() with a clock whose sleeps take no time. A sleep moves this clock to its end at once, and the
// emulator's by the same amount first, so that its throttle windows pass with the product's pacing. Between sleeps
// time runs as the system's, so the work itself is timed as it is.
//
// The two clocks share their offset through a file of 8 bytes (a float64, milliseconds), written here synchronously
// before this clock moves and read by the emulator's clock on every reading (bench/simulated.ts): the emulator never
// lags. A request to the emulator's admin API (POST /__admin/clock/advance) did the same, but waited behind the
// requests the emulator was serving: 14 ms each under load, 45 % of a 10,000-item run's real time.
import { openSync, writeSync } from 'node:fs';
import type { Clock } from '../src/engine/ports.ts';
import { run } from '../src/hosts/cli/main.ts';

const [clockFile, ...argv] = process.argv.slice(2);
const fd = openSync(clockFile!, 'r+');
const offset = Buffer.alloc(8);
let offsetMs = 0;

const clock: Clock = {
  now: () => Date.now() + offsetMs,
  sleep(ms) {
    const delta = ms;
    if (delta > 0) {
      offset.writeDoubleLE(offsetMs + delta);
      writeSync(fd, offset, 0, 8, 0);
      offsetMs += delta;
    }
    // A turn of the event loop, as a timer would give: what was waiting for I/O runs.
    return new Promise((resolve) => setImmediate(resolve));
  },
};

process.exitCode = await run(argv, {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  clock,
});
