import type { Replication } from './config/types.ts';
import { KvrError } from './errors.ts';
import type { VaultInfo } from './model.ts';
import type { VaultPermissions } from './ports.ts';

const KV = 'Microsoft.KeyVault/vaults';
type Kind = 'secrets' | 'keys' | 'certificates';
interface Need {
  dataAction: string;
  policy: [Kind, string];
}
const need = (kind: Kind, action: string, permission: string): Need => ({
  dataAction: `${KV}/${kind}/${action}`,
  policy: [kind, permission],
});

/** Per item type and side: the calls the tool makes, and the smallest built-in role that allows them. */
const NEEDS = {
  source: {
    secrets: {
      role: 'Key Vault Secrets User',
      needs: [need('secrets', 'readMetadata/action', 'list'), need('secrets', 'getSecret/action', 'get')],
    },
    certificates: {
      role: 'Key Vault Certificate User',
      needs: [need('certificates', 'read', 'list'), need('secrets', 'getSecret/action', 'get')],
    },
    keys: {
      role: 'Key Vault Crypto User',
      needs: [need('keys', 'read', 'list'), need('keys', 'read', 'get'), need('keys', 'backup/action', 'backup')],
    },
  },
  target: {
    secrets: {
      role: 'Key Vault Secrets Officer',
      needs: [
        need('secrets', 'readMetadata/action', 'list'),
        need('secrets', 'getSecret/action', 'get'),
        need('secrets', 'setSecret/action', 'set'),
      ],
    },
    certificates: {
      role: 'Key Vault Certificates Officer',
      needs: [
        need('certificates', 'read', 'list'),
        need('certificates', 'import/action', 'import'),
        need('certificates', 'update/action', 'update'),
      ],
    },
    keys: {
      role: 'Key Vault Crypto Officer',
      needs: [
        need('keys', 'read', 'list'),
        need('keys', 'read', 'get'),
        need('keys', 'restore/action', 'restore'),
        need('keys', 'update/action', 'update'),
      ],
    },
  },
} as const;

/**
 * A plan only reads the target (to tell in sync from differs), so a pull request's plan can run as an identity that
 * cannot write anything (SECURITY.md): these are the target's needs in plan mode.
 */
const PLAN_TARGET_NEEDS = {
  secrets: {
    role: 'Key Vault Secrets User',
    needs: [need('secrets', 'readMetadata/action', 'list'), need('secrets', 'getSecret/action', 'get')],
  },
  certificates: { role: 'Key Vault Certificate User', needs: [need('certificates', 'read', 'list')] },
  keys: { role: 'Key Vault Crypto User', needs: [need('keys', 'read', 'list'), need('keys', 'read', 'get')] },
} as const;

const DELETE_NEEDS: Record<Kind, Need> = {
  secrets: need('secrets', 'delete', 'delete'),
  certificates: need('certificates', 'delete', 'delete'),
  keys: need('keys', 'delete', 'delete'),
};

/**
 * recreate_keys deletes and purges a key this tool restored before restoring the newer one: both must be allowed up
 * front.
 */
const RECREATE_KEY_NEEDS: readonly Need[] = [need('keys', 'delete', 'delete'), need('keys', 'purge/action', 'purge')];

/**
 * The built-in role that grants what one side needs for one item type: what `validate` names when it is missing, and
 * what `keyvault-replicate init` assigns. A target in plan mode needs only the read role.
 */
export function leastRole(side: 'source' | 'target', type: Kind, mode: 'plan' | 'apply' = 'apply'): string {
  return side === 'target' && mode === 'plan' ? PLAN_TARGET_NEEDS[type].role : NEEDS[side][type].role;
}

/**
 * recover_soft_deleted reads a deleted target item (to prove it is this tool's write) and recovers it. Keys are never
 * recovered (they stay blocked), so they need nothing more.
 */
const RECOVER_NEEDS: Partial<Record<Kind, readonly Need[]>> = {
  secrets: [need('secrets', 'recover/action', 'recover')],
  certificates: [need('certificates', 'read', 'get'), need('certificates', 'recover/action', 'recover')],
};

const wildcard = (pattern: string, action: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  ).test(action);

function allows(p: VaultPermissions, n: Need): boolean {
  if (p.model === 'rbac')
    return (
      p.dataActions.some((a) => wildcard(a, n.dataAction)) && !p.notDataActions.some((a) => wildcard(a, n.dataAction))
    );
  const granted = p[n.policy[0]].map((x) => x.toLowerCase());
  return granted.includes('all') || granted.includes(n.policy[1]);
}

/**
 * Every missing permission for a replication on one vault, each with the role (or access policy) that grants it.
 * Validate checks what apply needs.
 */
export function missingPermissions(
  side: 'source' | 'target',
  vault: VaultInfo,
  p: VaultPermissions,
  replication: Replication,
  mode: 'plan' | 'apply' = 'apply',
): string[] {
  const problems: string[] = [];
  const writes = side === 'target' && mode === 'apply';
  for (const type of replication.types) {
    const { role, needs } = side === 'target' && !writes ? PLAN_TARGET_NEEDS[type] : NEEDS[side][type];
    const all: Need[] = [...needs];
    if (writes && replication.propagateDeletes) all.push(DELETE_NEEDS[type]);
    if (writes && replication.recoverSoftDeleted) all.push(...(RECOVER_NEEDS[type] ?? []));
    if (writes && type === 'keys' && replication.recreateKeys)
      all.push(...RECREATE_KEY_NEEDS.filter((n) => !all.some((a) => a.dataAction === n.dataAction)));
    const lacking = all.filter((n) => !allows(p, n));
    if (!lacking.length) continue;
    problems.push(
      p.model === 'rbac'
        ? `${vault.name} (${side}, ${type}): missing ${[...new Set(lacking.map((n) => n.dataAction))].join(', ')}; assign '${role}' on the vault to the caller`
        : `${vault.name} (${side}, ${type}): the access policy lacks ${lacking.map((n) => `${n.policy[0]} ${n.policy[1]}`).join(', ')}; add them to the caller's access policy`,
    );
  }
  return problems;
}

export function assertPermitted(problems: string[]): void {
  if (problems.length)
    throw new KvrError('KVR022', `missing permissions, nothing was written:\n  - ${problems.join('\n  - ')}`);
}
