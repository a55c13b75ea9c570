import { recordKey, type ItemSnapshot, type ItemType } from './model.ts';
import type { VaultPort } from './ports.ts';
import { isVaultFailure } from './vault-failure.ts';

/** A source secret's value with the attributes of the very version it was read from. */
export interface SourceRead {
  readonly value: string;
  readonly item: ItemSnapshot;
}

/**
 * One pair's view of its source's values, read while planning or copying, in memory only. The pairs of one source
 * share them: a value the first pair reads is not read again for the others (a read under way is shared too).
 */
export interface SourceValues {
  /** The secret's value, read once for all the source's pairs; undefined when the secret is disabled. */
  read(name: string): Promise<SourceRead | undefined>;
  /** The value already read (settled), if this pair may still use it. */
  get(type: ItemType, name: string): SourceRead | undefined;
  /** This pair needs the item's value no more (it will not write it, or has written it). */
  release(type: ItemType, name: string): void;
  /** Planning is done: this pair needs the values of these records (recordKey) only, whatever it read or may read. */
  retainOnly(keys: ReadonlySet<string>): void;
}

interface Entry {
  readonly read: Promise<SourceRead | undefined>;
  settled?: SourceRead;
  /** The pairs that may still use the value: the entry goes with the last of them. */
  readonly users: Set<PairValues>;
}

/** One source vault's values, shared by the pairs of the run reading that vault (and no other). */
class VaultValues {
  readonly entries = new Map<string, Entry>();
  /** The source's pairs that have not ended. */
  readonly pairs = new Set<PairValues>();
  readonly port: VaultPort;
  constructor(port: VaultPort) {
    this.port = port;
  }
}

class PairValues implements SourceValues {
  readonly released = new Set<string>();
  /** Once planned: the only keys whose values this pair may still use. */
  retained?: ReadonlySet<string>;
  readonly vault: VaultValues;
  constructor(vault: VaultValues) {
    this.vault = vault;
  }

  read(name: string): Promise<SourceRead | undefined> {
    const key = recordKey('secret', name);
    const { entries, pairs, port } = this.vault;
    const known = entries.get(key);
    if (known) return known.read;
    const read = readSecretIfEnabled(port, name);
    const users = new Set([...pairs].filter((p) => !p.released.has(key) && (!p.retained || p.retained.has(key))));
    if (!users.size) return read;
    const entry: Entry = { read, users };
    entries.set(key, entry);
    // A failed read is not kept: whoever asks again reads again.
    read.then(
      (r) => {
        entry.settled = r;
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return read;
  }

  get(type: ItemType, name: string): SourceRead | undefined {
    const entry = this.vault.entries.get(recordKey(type, name));
    return entry?.users.has(this) ? entry.settled : undefined;
  }

  release(type: ItemType, name: string): void {
    const key = recordKey(type, name);
    if (!this.vault.pairs.has(this)) return;
    // Remembered only for another pair that may read it later; a source's only pair keeps no list of names.
    if (this.vault.pairs.size > 1) this.released.add(key);
    const entry = this.vault.entries.get(key);
    if (entry) this.#letGo(key, entry);
  }

  retainOnly(keys: ReadonlySet<string>): void {
    this.retained = keys;
    for (const [key, entry] of this.vault.entries) if (!keys.has(key)) this.#letGo(key, entry);
  }

  /** The pair is done (planned, applied or failed): it releases every value it might still have used. */
  end(): void {
    this.vault.pairs.delete(this);
    this.released.clear();
    for (const [key, entry] of this.vault.entries) this.#letGo(key, entry);
  }

  /** This pair no longer uses the entry's value; the value goes with its last user. */
  #letGo(key: string, entry: Entry): void {
    if (entry.users.delete(this) && !entry.users.size) this.vault.entries.delete(key);
  }
}

/**
 * The source values of one run, one cache per source vault (keyed by its name: a value of one source can never
 * stand for another's). Every pair joins before any pair reads, so that a value is kept until each pair of its source
 * has released it or ended; a vault this run writes drops its values (a later pair reading it reads again), and the
 * run clears everything when it ends: no value outlives the run.
 */
export class SourceValueCache {
  readonly #vaults = new Map<string, VaultValues>();

  /** A pair of this source: its view of the source's values. */
  join(source: VaultPort): SourceValues & { end(): void } {
    const name = source.info.name;
    const vault = this.#vaults.get(name) ?? this.#vaults.set(name, new VaultValues(source)).get(name)!;
    const pair = new PairValues(vault);
    vault.pairs.add(pair);
    return pair;
  }

  /** The vault was written: the values read from it before are not read as its values any more. */
  forget(vault: VaultPort): void {
    this.#vaults.get(vault.info.name)?.entries.clear();
  }

  /** The values still held, over all sources (a test's view: none once the run has ended). */
  get size(): number {
    return [...this.#vaults.values()].reduce((n, v) => n + v.entries.size, 0);
  }

  clear(): void {
    for (const v of this.#vaults.values()) v.entries.clear();
    this.#vaults.clear();
  }
}

/** Reads a secret's value; undefined when the secret is disabled (Key Vault refuses its value then). */
export async function readSecretIfEnabled(port: VaultPort, name: string): Promise<SourceRead | undefined> {
  try {
    return await port.readSecret(name);
  } catch (e) {
    if (isVaultFailure(e, 'secret_disabled')) return undefined;
    throw e;
  }
}
