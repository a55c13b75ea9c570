import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KvrError } from '../engine/errors.ts';
import { stateKeyOf, type StateKey, type StateStore } from '../engine/ports.ts';
import { mergePairStates, parsePairState, type PairState } from '../engine/state.ts';

interface StateFile { version: 1; pairs: Record<string, PairState> }

/** The CLI's state: one JSON file holding every pair's records, written atomically (temp file, then rename). */
export class FileStateStore implements StateStore {
  readonly #path: string;
  constructor(path: string) {
    this.#path = path;
  }

  async #read(): Promise<StateFile> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, pairs: {} };
      throw new KvrError('KVR050', `state file ${this.#path} cannot be read: ${(e as Error).message}`);
    }
    try {
      const file = JSON.parse(text) as StateFile;
      if (file.version !== 1 || typeof file.pairs !== 'object') throw new Error('not a keyvault-replicate state file');
      for (const p of Object.values(file.pairs)) parsePairState(JSON.stringify(p));
      return file;
    } catch (e) {
      throw new KvrError('KVR050', `state file ${this.#path} is not valid: ${(e as Error).message}; move it aside to start afresh`);
    }
  }

  async load(keys: StateKey[]): Promise<Map<string, PairState>> {
    const file = await this.#read();
    return new Map(keys.flatMap((k) => (file.pairs[stateKeyOf(k)] ? [[stateKeyOf(k), file.pairs[stateKeyOf(k)]!] as const] : [])));
  }

  /** Re-reads the file and saves only this run's pairs, merged with what a concurrent run saved meanwhile. */
  async save(states: PairState[]): Promise<void> {
    const file = await this.#read();
    for (const s of states) file.pairs[stateKeyOf(s)] = mergePairStates(s, file.pairs[stateKeyOf(s)]);
    await mkdir(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.#path);
  }
}
