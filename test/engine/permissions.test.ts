import type { Replication } from '../../src/engine/config/types.ts';
import type { VaultPermissions } from '../../src/engine/ports.ts';
import { assertPermitted, missingPermissions } from '../../src/engine/permissions.ts';
import { replicationOf, vaultInfo } from '../fakes/builders.ts';

const vault = vaultInfo('kv', { subscriptionId: 's' });
const replication = (over: Partial<Replication> = {}): Replication =>
  replicationOf({ source: 'a', targets: ['b'], ...over });
const rbac = (dataActions: string[], notDataActions: string[] = []): VaultPermissions => ({
  model: 'rbac',
  dataActions,
  notDataActions,
});
const KV = 'Microsoft.KeyVault/vaults';

describe('missingPermissions', () => {
  test('a wildcard grants everything; notDataActions take it back', () => {
    expect(
      missingPermissions(
        'target',
        vault,
        rbac([`${KV}/*`]),
        replication({ types: ['secrets', 'certificates', 'keys'], propagateDeletes: true, recreateKeys: true }),
      ),
    ).toEqual([]);
    expect(
      missingPermissions('source', vault, rbac([`${KV}/secrets/*`], [`${KV}/secrets/getSecret/action`]), replication()),
    ).toEqual([
      `kv (source, secrets): missing ${KV}/secrets/getSecret/action; assign 'Key Vault Secrets User' on the vault to the caller`,
    ]);
  });

  test('the source only reads: Secrets User is enough, whatever the mode', () => {
    const user = rbac([`${KV}/secrets/readMetadata/action`, `${KV}/secrets/getSecret/action`]);
    expect(missingPermissions('source', vault, user, replication())).toEqual([]);
  });

  test('a target needs writes in apply (and validate), only reads in plan', () => {
    const user = rbac([`${KV}/secrets/readMetadata/action`, `${KV}/secrets/getSecret/action`]);
    expect(missingPermissions('target', vault, user, replication(), 'plan')).toEqual([]);
    expect(missingPermissions('target', vault, user, replication())).toEqual([
      `kv (target, secrets): missing ${KV}/secrets/setSecret/action; assign 'Key Vault Secrets Officer' on the vault to the caller`,
    ]);
  });

  test('propagate_deletes needs delete; recreate_keys needs delete and purge on keys', () => {
    const officer = rbac([
      `${KV}/secrets/readMetadata/action`,
      `${KV}/secrets/getSecret/action`,
      `${KV}/secrets/setSecret/action`,
    ]);
    expect(missingPermissions('target', vault, officer, replication({ propagateDeletes: true }))[0]).toContain(
      `missing ${KV}/secrets/delete;`,
    );
    const crypto = rbac([`${KV}/keys/read`, `${KV}/keys/restore/action`, `${KV}/keys/update/action`]);
    expect(
      missingPermissions(
        'target',
        vault,
        crypto,
        replication({ types: ['keys'], recreateKeys: true, propagateDeletes: true }),
      ),
    ).toEqual([
      `kv (target, keys): missing ${KV}/keys/delete, ${KV}/keys/purge/action; assign 'Key Vault Crypto Officer' on the vault to the caller`,
    ]);
  });

  test('recover_soft_deleted needs recover (and, for certificates, get of a deleted one); keys need nothing more', () => {
    const officer = rbac([
      `${KV}/secrets/readMetadata/action`,
      `${KV}/secrets/getSecret/action`,
      `${KV}/secrets/setSecret/action`,
      `${KV}/keys/read`,
      `${KV}/keys/restore/action`,
      `${KV}/keys/update/action`,
    ]);
    const on = replication({ types: ['secrets', 'keys'], recoverSoftDeleted: true });
    expect(missingPermissions('target', vault, officer, on)).toEqual([
      `kv (target, secrets): missing ${KV}/secrets/recover/action; assign 'Key Vault Secrets Officer' on the vault to the caller`,
    ]);
    expect(missingPermissions('target', vault, officer, on, 'plan')).toEqual([]);
    const policy: VaultPermissions = {
      model: 'access-policy',
      secrets: [],
      keys: [],
      certificates: ['list', 'import', 'update'],
    };
    expect(
      missingPermissions('target', vault, policy, replication({ types: ['certificates'], recoverSoftDeleted: true })),
    ).toEqual([
      `kv (target, certificates): the access policy lacks certificates get, certificates recover; add them to the caller's access policy`,
    ]);
  });

  test('an access policy is checked by its permission names; "all" grants every one', () => {
    const policy: VaultPermissions = { model: 'access-policy', secrets: ['List'], keys: [], certificates: ['all'] };
    expect(missingPermissions('source', vault, policy, replication({ types: ['secrets', 'certificates'] }))).toEqual([
      "kv (source, secrets): the access policy lacks secrets get; add them to the caller's access policy",
      "kv (source, certificates): the access policy lacks secrets get; add them to the caller's access policy",
    ]);
  });

  test('keys need "get" under an access policy (the run reads a key\'s version), in plan and apply, both sides', () => {
    const policy: VaultPermissions = {
      model: 'access-policy',
      secrets: [],
      keys: ['list', 'backup', 'restore', 'update'],
      certificates: [],
    };
    const keys = replication({ types: ['keys'] });
    expect([
      ...missingPermissions('source', vault, policy, keys),
      ...missingPermissions('target', vault, policy, keys),
      ...missingPermissions('target', vault, policy, keys, 'plan'),
    ]).toEqual([
      "kv (source, keys): the access policy lacks keys get; add them to the caller's access policy",
      "kv (target, keys): the access policy lacks keys get; add them to the caller's access policy",
      "kv (target, keys): the access policy lacks keys get; add them to the caller's access policy",
    ]);
    // Under RBAC, keys/read allows both, and a missing one is named once.
    expect(
      missingPermissions('target', vault, rbac([`${KV}/keys/restore/action`, `${KV}/keys/update/action`]), keys),
    ).toEqual([
      "kv (target, keys): missing Microsoft.KeyVault/vaults/keys/read; assign 'Key Vault Crypto Officer' on the vault to the caller",
    ]);
  });

  test('assertPermitted throws KVR022 listing every problem, and nothing when there is none', () => {
    expect(() => assertPermitted([])).not.toThrow();
    expect(() => assertPermitted(['one', 'two'])).toThrow(
      /^KVR022: missing permissions, nothing was written:\n {2}- one\n {2}- two$/,
    );
  });
});
