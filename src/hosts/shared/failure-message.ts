import { isKvrError } from '../../engine/errors.ts';
import { logLine } from './log-text.ts';

/**
 * What a host shows for a run that stopped, as one log-safe line (a message may quote an input or a config): a KVR
 * error as it is; anything else as KVR039, first line only (no request echo).
 */
export const failureMessage = (e: unknown): string =>
  logLine(
    isKvrError(e)
      ? e.message
      : `KVR039: unexpected failure: ${e instanceof Error ? e.message.split('\n')[0] : 'error'}`,
  );

/** The exit code of a run that stopped: 2 for a KVR error (an input, a config, a right), 1 for anything unexpected. */
export const failureExitCode = (e: unknown): 1 | 2 => (isKvrError(e) && e.code !== 'KVR039' ? 2 : 1);
