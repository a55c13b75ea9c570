import type { ItemSnapshot, ItemType } from '../../src/engine/model.ts';
import { memoryWorld } from '../fakes/memory-world.ts';
import { MemoryVault } from '../fakes/memory-vault.ts';

/**
 * A no-op run costs what its slowest chain of requests costs: what must wait for an answer, and what need not. These
 * tests hold answers back (latches, no timing) and look at which requests were made meanwhile.
 */

/** A vault whose live listings answer only when released; it records every listing asked for, in order. */
class HeldListings extends MemoryVault {
  readonly asked: string[] = [];
  #release!: () => void;
  readonly #released = new Promise<void>((r) => (this.#release = r));
  release(): void {
    this.#release();
  }
  override async list(type: ItemType): Promise<ItemSnapshot[]> {
    this.asked.push(`live ${type}`);
    await this.#released;
    return super.list(type);
  }
  override async listDeletedNames(type: ItemType): Promise<Set<string>> {
    this.asked.push(`deleted ${type}`);
    return super.listDeletedNames(type);
  }
}

const CONFIG = `version: 1
replications:
  - { name: r, source: src, targets: [dst], types: [secrets, certificates, keys], rule: { all: true } }
`;

/** Lets every pending promise chain run as far as it can without the held answers. */
const settle = () => new Promise((r) => setImmediate(r));

test("the source's deleted listings start with the live ones, not after them", async () => {
  const world = memoryWorld(CONFIG);
  const src = new HeldListings({ name: 'src' });
  world.directory.add(src);
  src.seedSecret('a', 'v');
  const run = world.run({ mode: 'plan' });
  try {
    for (let i = 0; i < 5; i++) await settle();
    expect(src.asked.filter((a) => a.startsWith('deleted')).sort()).toEqual([
      'deleted certificate',
      'deleted key',
      'deleted secret',
    ]);
  } finally {
    src.release();
  }
  expect((await run).exitCode).toBe(0);
});
