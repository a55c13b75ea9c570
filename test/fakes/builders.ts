import type { Replication } from '../../src/engine/config/types.ts';
import type { VaultInfo } from '../../src/engine/model.ts';

/** A vault as the directory resolves it: RBAC, no purge protection, West Europe, unless told otherwise. */
export const vaultInfo = (name: string, over: Partial<VaultInfo> = {}): VaultInfo => ({
  name,
  uri: `https://${name}.vault.azure.net`,
  location: 'westeurope',
  subscriptionId: 'sub-a',
  resourceGroup: 'rg',
  tenantId: 't',
  tags: {},
  rbac: true,
  purgeProtection: false,
  ...over,
});

/** A replication as the config parser returns it: `src` → `dst`, secrets, every item, no option on. */
export const replicationOf = (over: Partial<Replication> = {}): Replication => ({
  name: 'r',
  source: 'src',
  targets: ['dst'],
  allowedTargets: [],
  types: ['secrets'],
  rule: { all: true },
  exclude: [],
  overwriteOnConflict: false,
  propagateDeletes: false,
  recreateKeys: false,
  maxDeletes: 10,
  recoverSoftDeleted: false,
  ...over,
});
