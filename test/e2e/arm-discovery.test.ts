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
  await Promise.all(vaults.map((v) => directory.geography(v)));
  expect(emulator.identity.tokensIssued - tokens).toBe(1);
});

test("discovery asks for the vaults' token too: the first listings of each vault find it cached", async () => {
  const tokens = emulator.identity.tokensIssued;
  const directory = new ArmVaultDirectory(credentialFor(ADMIN), [SUB_A], crypto.randomUUID(), systemClock);
  const vaults = await Promise.all(['disc-src', 'disc-dst'].map((n) => directory.resolve(n)));
  await Promise.all(vaults.flatMap((v) => [directory.permissions(v), directory.geography(v)]));
  // One for ARM, one for Key Vault: six clients (two vaults, three item types) each meet Key Vault's challenge, and
  // none signs in again.
  const ports = vaults.map((v) => directory.open(v));
  await Promise.all(ports.flatMap((p) => (['secret', 'certificate', 'key'] as const).map((t) => p.list(t))));
  expect(emulator.identity.tokensIssued - tokens).toBe(2);
});
