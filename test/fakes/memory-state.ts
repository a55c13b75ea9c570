import { stateKeyOf, type LoadedStates, type StateKey, type StateStore } from '../../src/engine/ports.ts';
import { trustedPairState, type PairState } from '../../src/engine/state.ts';

/** A state store in memory that checks what it hands out as the real stores do, so engine tests see the same rules. */
export class MemoryStateStore implements StateStore {
  /** As a store with a state key would be: only its state may allow a purge. */
  signs = false;
  readonly pairs = new Map<string, PairState>();
  async load(keys: StateKey[]): Promise<LoadedStates> {
    const loaded: LoadedStates = { states: new Map(), problems: [] };
    for (const k of keys) {
      if (!this.pairs.has(stateKeyOf(k))) continue;
      const { state, problems } = trustedPairState(structuredClone(this.pairs.get(stateKeyOf(k))), k, stateKeyOf(k));
      if (state) loaded.states.set(stateKeyOf(k), state);
      loaded.problems.push(...problems);
    }
    return loaded;
  }
  async save(states: PairState[]) {
    for (const s of states) this.pairs.set(stateKeyOf(s), structuredClone(s));
    return true;
  }
}
