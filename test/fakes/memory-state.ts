import { stateKeyOf, type StateKey, type StateStore } from '../../src/engine/ports.ts';
import type { PairState } from '../../src/engine/state.ts';

export class MemoryStateStore implements StateStore {
  readonly pairs = new Map<string, PairState>();
  async load(keys: StateKey[]) { return new Map(keys.flatMap((k) => (this.pairs.has(stateKeyOf(k)) ? [[stateKeyOf(k), structuredClone(this.pairs.get(stateKeyOf(k))!)] as const] : []))); }
  async save(states: PairState[]) { for (const s of states) this.pairs.set(stateKeyOf(s), structuredClone(s)); }
}
