import type { ItemSnapshot, ItemType } from './model.ts';
import type { VaultPort } from './ports.ts';

/** Memoised listings, so that a source shared by several targets is listed once per run. */
export class Listings {
  readonly #live = new Map<string, Promise<ItemSnapshot[]>>();
  readonly #deleted = new Map<string, Promise<Set<string>>>();

  live(port: VaultPort, type: ItemType): Promise<ItemSnapshot[]> {
    const k = `${port.info.name}/${type}`;
    if (!this.#live.has(k)) this.#live.set(k, port.list(type));
    return this.#live.get(k)!;
  }

  /**
   * Forgets a vault's listings once this run wrote to it, so that a later pair into the same target sees what an
   * earlier one wrote (and does not take the name for missing, writing over it).
   */
  forget(port: VaultPort): void {
    for (const cache of [this.#live, this.#deleted])
      for (const k of [...cache.keys()]) if (k.startsWith(`${port.info.name}/`)) cache.delete(k);
  }

  deleted(port: VaultPort, type: ItemType): Promise<Set<string>> {
    const k = `${port.info.name}/${type}`;
    if (!this.#deleted.has(k)) this.#deleted.set(k, port.listDeletedNames(type));
    return this.#deleted.get(k)!;
  }
}

export const byName = (items: ItemSnapshot[]): Map<string, ItemSnapshot> =>
  new Map(items.map((i) => [i.name.toLowerCase(), i]));
