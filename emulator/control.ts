import type { EmulatorClock } from './clock.ts';
import type { FaultSettings } from './faults.ts';
import type { IdentityProvider } from './identity.ts';
import type { VaultSpec, VaultState } from './model.ts';

/**
 * What seeding and the admin API may do to a running emulator: its vaults, principals and faults. KeyVaultEmulator
 * implements it; they depend on this, not on the server, so that the server can serve them without a loop.
 */
export interface EmulatorControl {
  /** The service's time, which the admin API may move forward (`POST /__admin/clock/advance`). */
  readonly clock: EmulatorClock;
  readonly identity: IdentityProvider;
  readonly vaults: ReadonlyMap<string, VaultState>;
  addVault(spec: VaultSpec): VaultState;
  setFaults(vault: string, faults: Partial<FaultSettings>): void;
  faultsOf(vault: string): FaultSettings;
  resetCounters(): void;
  reset(): void;
  invoke(vaultName: string, method: string, path: string, body?: unknown, query?: Record<string, string>): unknown;
}
