import type { LoadedStates, StateStore } from '../engine/ports.ts';

/** No state between runs (state-branch set empty): every run starts afresh and keeps nothing. */
export class EphemeralStateStore implements StateStore {
  readonly signs = false;
  async load(): Promise<LoadedStates> {
    return { states: new Map(), problems: [] };
  }
  async save() {
    return false; // nothing is kept, by request
  }
}
