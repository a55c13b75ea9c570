import type { StateStore } from '../engine/ports.ts';

/** No state between runs (state-branch set empty): every run starts afresh and keeps nothing. */
export class EphemeralStateStore implements StateStore {
  async load() { return new Map(); }
  async save() { /* nothing is kept, by request */ }
}
