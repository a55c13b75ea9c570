// What a run is asked to do: its own file, so that the run and each pair's run (run-pair.ts) both read it.
import type { ReplicationConfig } from './config/types.ts';
import type { RunListener } from './events.ts';
import type { OnlyItem } from './model.ts';
import type { PlannedPair } from './plan-file.ts';
import type { Clock, StateStore, VaultDirectory } from './ports.ts';

export type RunMode = 'validate' | 'plan' | 'apply';

export interface RunOptions {
  config: ReplicationConfig;
  mode: RunMode;
  directory: VaultDirectory;
  state: StateStore;
  correlationId: string;
  clock: Clock;
  /** Only these named replications (matrix sharding); all when empty. */
  replications?: readonly string[];
  only?: readonly OnlyItem[];
  acknowledge?: readonly string[];
  /** Names or globs whose remembered acknowledgements are withdrawn. */
  revoke?: readonly string[];
  /** Lets --approve-deletes through the mass-delete guard once. */
  approveMassDelete?: boolean;
  maxConcurrency?: number;
  listener?: RunListener;
  mask?: (value: string) => void;
  /** Cancellation (SIGINT/SIGTERM in the hosts): no new write starts, the state of what was written is saved. */
  signal?: AbortSignal;
  /** Plan: each pair's acting records, for the host to write and sign as a plan file. */
  planned?: (pair: PlannedPair) => void;
  /**
   * Apply: the pairs of a reviewed plan file (verified by the host). The run must have the same pairs (else KVR061,
   * nothing written), and a record that is not as reviewed is held back (`held_back_plan_changed`).
   */
  reviewed?: readonly PlannedPair[];
}
