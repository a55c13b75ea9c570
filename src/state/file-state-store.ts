import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KvrError } from '../engine/errors.ts';
import { stateKeyOf, type LoadedStates, type StateKey, type StateStore } from '../engine/ports.ts';
import { mergePairStates, type PairState } from '../engine/state.ts';
import {
  loadTrusted,
  parseStateText,
  readPairState,
  signedPairState,
  stateJson,
  verifiesState,
  type ReadState,
  type StateSigning,
} from './state-codec.ts';

interface StateFile {
  version: 1;
  pairs: Record<string, unknown>;
}

/**
 * The CLI's state: one JSON file holding every pair's records, written atomically (temp file, then rename). A file
 * that is not a state file at all stops the run (the path may be a mistake, and saving would overwrite it); a pair
 * inside it that is not trusted (another pair's, unsigned, invalid records) is reported and not used.
 */
export class FileStateStore implements StateStore {
  readonly #path: string;
  readonly #signing: StateSigning;
  readonly signs: boolean;
  constructor(path: string, signing: StateSigning = {}) {
    this.#path = path;
    this.#signing = signing;
    this.signs = verifiesState(signing);
  }

  async #read(): Promise<StateFile & { text?: string }> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, pairs: {} };
      throw new KvrError('KVR050', `state file ${this.#path} cannot be read: ${(e as Error).message}`);
    }
    const file = parseStateText(text) as StateFile | undefined;
    if (file?.version !== 1 || typeof file.pairs !== 'object' || file.pairs === null || Array.isArray(file.pairs)) {
      throw new KvrError(
        'KVR050',
        `${this.#path} is not a keyvault-replicate state file; check --state, or move the file aside to start afresh`,
      );
    }
    return { ...file, text };
  }

  #trusted(file: StateFile, key: StateKey): ReadState {
    const raw = file.pairs[stateKeyOf(key)];
    return raw === undefined
      ? { problems: [] }
      : readPairState(raw, key, this.#signing, `${this.#path} (${stateKeyOf(key)})`);
  }

  async load(keys: StateKey[]): Promise<LoadedStates> {
    const file = await this.#read();
    return loadTrusted(keys, (k) => this.#trusted(file, k));
  }

  /**
   * Re-reads the file and saves only this run's pairs, merged with what a concurrent run saved meanwhile; a file that
   * would not change is not written. `correlationId` is the run's: a state without it is one the run did not change.
   */
  async save(states: PairState[], correlationId?: string): Promise<boolean> {
    const { text, ...file } = await this.#read();
    for (const s of states) {
      const current = this.#trusted(file, s);
      if (!current.keep)
        file.pairs[stateKeyOf(s)] = signedPairState(
          mergePairStates(s, current.state, correlationId),
          this.#signing.key,
        );
    }
    const next = stateJson(file);
    if (next === text) return false;
    await mkdir(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.${process.pid}.tmp`;
    await writeFile(tmp, next, { mode: 0o600 });
    await rename(tmp, this.#path);
    return true;
  }
}
