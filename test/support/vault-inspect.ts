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

/**
 * Waits until the system's clock (the product's, also in a child process) is past the second of the vault's last
 * secret stamp. `updated` has whole seconds, so a copy written in a second not yet over is looked at again next run
 * (`targetRecheck`); a run started after this finds every copy of the vault settled, whatever the machine's speed.
 * About a second at most: a test whose emulator clock runs ahead of the system's cannot wait for it, and fails here.
 */
export async function pastTheLastStampOf(emulator: KeyVaultEmulator, vault: string): Promise<void> {
  let last = 0;
  for (const item of emulator.vault(vault).secrets.live.values())
    for (const v of item.versions) last = Math.max(last, v.attributes.updated);
  const wait = (last + 1) * 1000 - Date.now();
  if (wait > 3000) throw new Error(`the emulator's clock runs ${wait} ms ahead of the system's: a test cannot wait`);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 10));
}
