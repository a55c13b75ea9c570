import { parseConfig } from '../../src/engine/config/parse-config.ts';
import { runReplication, type RunOptions } from '../../src/engine/run.ts';
import { FakeClock } from './fake-clock.ts';
import { MemoryStateStore } from './memory-state.ts';
import { MemoryDirectory, MemoryVault } from './memory-vault.ts';

/**
 * Two memory vaults, `src` and `dst`, a memory state store and a fake clock, and `run` to replicate between them with
 * the config given (in apply mode unless told otherwise). The target's clock starts apart from the source's, so that
 * equal timestamps on both sides are never a coincidence.
 */
export function memoryWorld(config: string, locations: { src?: string; dst?: string } = {}) {
  const directory = new MemoryDirectory();
  const src = directory.add(new MemoryVault({ name: 'src', ...(locations.src && { location: locations.src }) }));
  const dst = directory.add(
    new MemoryVault({ name: 'dst', ...(locations.dst && { location: locations.dst }) }, 1_800_000_000_000),
  );
  const { state, clock, run } = memoryRunner(directory, config);
  return { directory, src, dst, state, clock, run };
}

/** A memory state store, a fake clock and `run`: the config given (apply unless told otherwise) over `directory`. */
export function memoryRunner(directory: MemoryDirectory, config: string) {
  const state = new MemoryStateStore();
  const clock = new FakeClock();
  const run = (extra: Partial<RunOptions> = {}, yaml = config) =>
    runReplication({
      config: parseConfig(yaml, 'c.yml'),
      mode: 'apply',
      directory,
      state,
      correlationId: crypto.randomUUID(),
      clock,
      ...extra,
    });
  return { state, clock, run };
}
