import { isKvrError } from '../../engine/errors.ts';

/** What a host shows for a run that stopped: a KVR error as it is; anything else as KVR039, first line only (no request echo). */
export const failureMessage = (e: unknown): string =>
  isKvrError(e) ? e.message : `KVR039: unexpected failure: ${e instanceof Error ? e.message.split('\n')[0] : 'error'}`;
