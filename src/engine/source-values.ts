import { recordKey, type ItemSnapshot, type ItemType } from './model.ts';
import type { VaultPort } from './ports.ts';
import { isVaultFailure } from './vault-failure.ts';

/** A source secret's value with the attributes of the very version it was read from. */
export interface SourceRead {
  readonly value: string;
  readonly item: ItemSnapshot;
}

/**
 * One pair's source values read while planning, in memory only, so that applying need not read them again. Apply
 * forgets each once its record is done; run.ts makes a new cache for every pair and drops it with the pair, so no
 * value outlives its pair or reaches another pair's target.
 */
export class SourceValues {
  readonly #reads = new Map<string, SourceRead>();

  get(type: ItemType, name: string): SourceRead | undefined {
    return this.#reads.get(recordKey(type, name));
  }

  remember(type: ItemType, name: string, read: SourceRead): void {
    this.#reads.set(recordKey(type, name), read);
  }

  forget(type: ItemType, name: string): void {
    this.#reads.delete(recordKey(type, name));
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
