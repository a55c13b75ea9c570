import type { KeyVaultEmulator } from '../../emulator/server.ts';

/** Seeds a secret version straight into the emulator (no request counted): a value, or a whole request body. */
export const putSecret = (
  emulator: KeyVaultEmulator,
  vault: string,
  name: string,
  body: string | Record<string, unknown>,
): unknown => emulator.invoke(vault, 'PUT', `secrets/${name}`, typeof body === 'string' ? { value: body } : body);

/** Names of the live (not deleted) secrets of a vault, sorted. */
export const liveSecretNames = (emulator: KeyVaultEmulator, vault: string): string[] =>
  [...emulator.vault(vault).secrets.live.keys()].sort();

/** DELETE requests a vault answered since the counters were last reset: deletes and purges of every item type. */
export const deleteRequests = (emulator: KeyVaultEmulator, vault: string): number =>
  Object.entries(emulator.vault(vault).counters.byOperation)
    .filter(([op]) => op.startsWith('DELETE'))
    .reduce((n, [, c]) => n + c, 0);
