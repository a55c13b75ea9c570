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

/**
 * The events a person must see even when progress is hidden (the CLI's --quiet): a failure, a problem (a refused tag
 * target, a pair that could not be listed) or a warning (state not trusted, a guard hold in a plan). Exhaustive, so
 * that a new kind of event is placed on purpose.
 */
export const NEEDS_ATTENTION: Readonly<Record<RunEventKind, boolean>> = {
  [RUN_EVENTS.pairStarted]: false,
  [RUN_EVENTS.planned]: false,
  [RUN_EVENTS.written]: false,
  [RUN_EVENTS.pairFinished]: false,
  [RUN_EVENTS.stateSaved]: false,
  [RUN_EVENTS.failed]: true,
  [RUN_EVENTS.problem]: true,
  [RUN_EVENTS.warning]: true,
};

export interface RunEvent {
  kind: RunEventKind;
  /** One line for a log: names and statuses only, never a value. */
  message: string;
  replication?: string;
  target?: string;
  /** `planned`: the writes to come, after the mass-delete guard (a host's progress counts them down). */
  count?: number;
}

export type RunListener = (event: RunEvent) => void;
