import { ArmVaultDirectory } from '../../src/azure/arm-vault-directory.ts';
import { systemClock } from '../../src/hosts/shared/system-clock.ts';
import { ADMIN, credentialFor, emulatorPerFile, startWorld, SUB_A, vaultSpec } from '../support/world.ts';

// What ARM discovery asks of Entra ID and ARM before the first vault listing: each round trip there delays the run.
const emulator = emulatorPerFile(() =>
  startWorld({
    vaults: [vaultSpec('disc-src', 'westeurope'), vaultSpec('disc-dst', 'northeurope')],
  }),
);

test('discovery signs in once: the caller is read from the token the management clients use', async () => {
  const tokens = emulator.identity.tokensIssued;
  const directory = new ArmVaultDirectory(credentialFor(ADMIN), [SUB_A], crypto.randomUUID(), systemClock);
  const vaults = await Promise.all(['disc-src', 'disc-dst'].map((n) => directory.resolve(n)));
  await Promise.all(vaults.flatMap((v) => [directory.permissions(v), directory.geography(v)]));
  expect(emulator.identity.tokensIssued - tokens).toBe(1);
});
