import { HttpError, kvError } from './http-util.ts';
import type { AccessPolicy, RoleName, VaultState } from './model.ts';

const KV = 'Microsoft.KeyVault/vaults';

/** Data actions of the built-in Key Vault roles (Azure built-in role definitions). */
export const ROLE_DATA_ACTIONS: Record<RoleName, string[]> = {
  'Key Vault Administrator': [`${KV}/*`],
  'Key Vault Reader': [`${KV}/*/read`, `${KV}/secrets/readMetadata/action`],
  'Key Vault Secrets User': [`${KV}/secrets/getSecret/action`, `${KV}/secrets/readMetadata/action`],
  'Key Vault Secrets Officer': [`${KV}/secrets/*`],
  'Key Vault Certificates Officer': [
    `${KV}/certificatecas/*`,
    `${KV}/certificates/*`,
    `${KV}/certificatecontacts/write`,
  ],
  'Key Vault Certificate User': [
    `${KV}/certificates/read`,
    `${KV}/secrets/getSecret/action`,
    `${KV}/secrets/readMetadata/action`,
    `${KV}/keys/read`,
  ],
  'Key Vault Crypto Officer': [`${KV}/keys/*`, `${KV}/keyrotationpolicies/*`],
  'Key Vault Crypto User': [
    `${KV}/keys/read`,
    `${KV}/keys/update/action`,
    `${KV}/keys/backup/action`,
    `${KV}/keys/encrypt/action`,
    `${KV}/keys/decrypt/action`,
  ],
};

/** ARM (control-plane) actions of the same roles, as the permissions API reports them. */
export const ROLE_ACTIONS: Record<RoleName, string[]> = {
  'Key Vault Administrator': [
    'Microsoft.Authorization/*/read',
    'Microsoft.KeyVault/checkNameAvailability/read',
    'Microsoft.KeyVault/deletedVaults/read',
    'Microsoft.KeyVault/locations/*/read',
    'Microsoft.KeyVault/vaults/*/read',
    'Microsoft.KeyVault/operations/read',
  ],
  'Key Vault Reader': [
    'Microsoft.Authorization/*/read',
    'Microsoft.KeyVault/vaults/*/read',
    'Microsoft.KeyVault/operations/read',
  ],
  'Key Vault Secrets User': [],
  'Key Vault Secrets Officer': ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/vaults/*/read'],
  'Key Vault Certificates Officer': ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/vaults/*/read'],
  'Key Vault Certificate User': [],
  'Key Vault Crypto Officer': ['Microsoft.Authorization/*/read', 'Microsoft.KeyVault/vaults/*/read'],
  'Key Vault Crypto User': [],
};

/** A data action in RBAC terms and the access-policy permission that grants the same call. */
export interface Operation {
  dataAction: string;
  policy: { kind: 'secrets' | 'keys' | 'certificates'; permission: string };
}

export const op = (kind: Operation['policy']['kind'], action: string, permission: string): Operation => ({
  dataAction: `${KV}/${kind}/${action}`,
  policy: { kind, permission },
});

const matches = (pattern: string, action: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('[^]*')}$`,
    'i',
  ).test(action);

export function dataActionsOf(vault: VaultState, principalId: string): string[] {
  return (vault.spec.roleAssignments ?? [])
    .filter((a) => a.principalId === principalId)
    .flatMap((a) => ROLE_DATA_ACTIONS[a.role]);
}

export function actionsOf(vault: VaultState, principalId: string): string[] {
  return (vault.spec.roleAssignments ?? [])
    .filter((a) => a.principalId === principalId)
    .flatMap((a) => ROLE_ACTIONS[a.role]);
}

export const allowedByRbac = (vault: VaultState, principalId: string, dataAction: string): boolean =>
  dataActionsOf(vault, principalId).some((p) => matches(p, dataAction));

export function allowedByPolicy(policies: AccessPolicy[] | undefined, objectId: string, o: Operation): boolean {
  return (policies ?? []).some(
    (p) =>
      p.objectId === objectId &&
      (p.permissions[o.policy.kind] ?? []).some(
        (perm) => perm.toLowerCase() === 'all' || perm.toLowerCase() === o.policy.permission.toLowerCase(),
      ),
  );
}

/** Lets a data-plane call through, or throws the 403 Key Vault answers: RBAC's or the access policies' wording. */
export function authorize(vault: VaultState, objectId: string, o: Operation): void {
  const s = vault.spec;
  const resource = `/subscriptions/${s.subscriptionId}/resourcegroups/${s.resourceGroup}/providers/microsoft.keyvault/vaults/${s.name}`;
  if (s.enableRbacAuthorization) {
    if (allowedByRbac(vault, objectId, o.dataAction)) return;
    throw new HttpError(
      403,
      kvError(
        'Forbidden',
        `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: oid=${objectId}\r\nAction: '${o.dataAction}'\r\nResource: '${resource}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${s.name};location=${s.location}\r\n`,
        'ForbiddenByRbac',
      ),
    );
  }
  if (allowedByPolicy(s.accessPolicies, objectId, o)) return;
  throw new HttpError(
    403,
    kvError(
      'Forbidden',
      `The user, group or application 'oid=${objectId};' does not have ${o.policy.kind} ${o.policy.permission} permission on key vault '${s.name};location=${s.location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      'AccessDenied',
    ),
  );
}
