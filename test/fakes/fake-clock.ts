import type { Clock } from '../../src/engine/ports.ts';

/** A clock that only moves when something sleeps: pacing tests run instantly and exactly. */
export class FakeClock implements Clock {
  /** Later than any timestamp the memory vaults make, as a real clock is later than what a vault recorded. */
  time = 2_000_000_000_000;
  slept = 0;
  now = () => this.time;
  sleep = async (ms: number) => {
    this.time += ms;
    this.slept += ms;
  };
}
