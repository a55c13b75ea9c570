import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { githubFederation } from './action-harness.ts';
import { REPLICATOR, startReplicationWorld } from './replication-world.ts';

/** The replicator as a workflow of this repository signs in: by OIDC, through its federated credential. */
export const ACTOR = githubFederation(REPLICATOR);

/** The replication world, with the replicator able to sign in from the Action. */
export async function startActionWorld(): Promise<KeyVaultEmulator> {
  const emulator = await startReplicationWorld();
  emulator.identity.addPrincipal(ACTOR);
  return emulator;
}
