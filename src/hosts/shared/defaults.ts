import { KvrError } from '../../engine/errors.ts';
import type { RunMode } from '../../engine/run.ts';

/**
 * What every host does when an input is not given, written once. action.yml and task.json show the same defaults
 * to their users; a test keeps them equal (the engine's own, max concurrency, is in src/engine/defaults.ts).
 */
export const DEFAULT_CONFIG_PATH = '.github/keyvault-replication.yml';
export const DEFAULT_STATE_BRANCH = 'keyvault-replication-state';
export const DEFAULT_TYPES = 'secrets';
export const DEFAULT_RULE = 'all';

/** The run modes, in the order the messages list them. */
export const RUN_MODES = ['plan', 'apply', 'validate'] as const satisfies readonly RunMode[];
/** `plan, apply or validate`, as a message lists them. */
export const RUN_MODE_CHOICES = `${RUN_MODES.slice(0, -1).join(', ')} or ${RUN_MODES.at(-1)}`;
export const isRunMode = (text: string | undefined): text is RunMode =>
  (RUN_MODES as readonly unknown[]).includes(text);

/** A mode as a host takes it (any case); absent means the host's default (plan for pull requests, else apply). */
export function parseMode(text: string | undefined, fallback: RunMode, inputName: string): RunMode {
  const mode = (text ?? fallback).toLowerCase();
  if (!isRunMode(mode)) throw new KvrError('KVR008', `${inputName} must be ${RUN_MODE_CHOICES}, not '${mode}'`);
  return mode;
}
