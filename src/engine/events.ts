/** What the engine tells its host while it runs; hosts decide how to show it (log line, group, progress). */
export const RUN_EVENTS = {
  pairStarted: 'pair-started',
  planned: 'planned',
  written: 'written',
  failed: 'failed',
  pairFinished: 'pair-finished',
  stateSaved: 'state-saved',
  problem: 'problem',
  /** Something the run worked around (state it could not trust, an item it held back in a plan): shown, not failed. */
  warning: 'warning',
} as const;
export type RunEventKind = (typeof RUN_EVENTS)[keyof typeof RUN_EVENTS];

export interface RunEvent {
  kind: RunEventKind;
  /** One line for a log: names and statuses only, never a value. */
  message: string;
  replication?: string;
  target?: string;
}

export type RunListener = (event: RunEvent) => void;
