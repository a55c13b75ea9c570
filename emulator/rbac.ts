import { HttpError, kvError } from './http-util.ts';
import type { AccessPolicy, RoleDefinition, RoleName, SubscriptionRoleAssignment, VaultState } from './model.ts';

const KV = 'Microsoft.KeyVault/vaults';

/** Data actions of the built-in Key Vault roles (Azure built-in role definitions). */
export const ROLE_DATA_ACTIONS: Record<RoleName, string[]> = {
  Contributor: [],
  Reader: [],
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
  Reader: ['*/read'],
  Contributor: ['*'],
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

/** What a built-in role's actions leave out: Contributor manages everything but access itself. */
const ROLE_NOT_ACTIONS: Partial<Record<RoleName, string[]>> = {
  Contributor: [
    'Microsoft.Authorization/*/Delete',
    'Microsoft.Authorization/*/Write',
    'Microsoft.Authorization/elevateAccess/Action',
  ],
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

// Whether an RBAC action pattern covers an action. A star matches any characters, and a whole-segment star may be
// empty, as in Azure: the built-in Key Vault roles grant `Microsoft.KeyVault/vaults/read` (reading the vault itself)
// only through their pattern `Microsoft.KeyVault/vaults/{star}/read`.
export const matches = (pattern: string, action: string): boolean =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('[^]*')
      .replaceAll('\\/[^]*\\/', '(?:\\/[^]*)?\\/')}$`,
    'i',
  ).test(action);

/** A role's definition: a built-in one by name, or the custom definition an assignment carries. */
export function definitionOf(role: RoleName | RoleDefinition): Required<RoleDefinition> {
  if (typeof role !== 'string') return { actions: [], notActions: [], dataActions: [], notDataActions: [], ...role };
  return {
    name: role,
    actions: ROLE_ACTIONS[role],
    notActions: ROLE_NOT_ACTIONS[role] ?? [],
    dataActions: ROLE_DATA_ACTIONS[role],
    notDataActions: [],
  };
}

/**
 * A custom role definition as Azure's JSON writes it (`az role definition create`, the portal's JSON view): the
 * capitalised `Name`, `Actions`, `NotActions`, `DataActions`, `NotDataActions`.
 */
export function customRole(json: Record<string, unknown>): RoleDefinition {
  const list = (k: string) => (json[k] as string[] | undefined) ?? [];
  return {
    name: String(json.Name),
    actions: list('Actions'),
    notActions: list('NotActions'),
    dataActions: list('DataActions'),
    notDataActions: list('NotDataActions'),
  };
}

const holds = (principalIds: readonly string[], principalId: string) =>
  principalIds.some((id) => id.toLowerCase() === principalId.toLowerCase());

/** The definitions of the roles assigned at a subscription's scope to any of `principalIds`. */
export const rolesAtSubscription = (
  subscriptionId: string,
  principalIds: readonly string[],
  atSubscription: readonly SubscriptionRoleAssignment[],
): Required<RoleDefinition>[] =>
  atSubscription
    .filter(
      (a) => a.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() && holds(principalIds, a.principalId),
    )
    .map((a) => definitionOf(a.role));

/**
 * The definitions of the roles that hold on the vault for any of `principalIds` (a caller and its groups): assigned on
 * the vault, or on its subscription.
 */
export const rolesOn = (
  vault: VaultState,
  principalIds: readonly string[],
  atSubscription: readonly SubscriptionRoleAssignment[] = [],
): Required<RoleDefinition>[] => [
  ...(vault.spec.roleAssignments ?? [])
    .filter((a) => holds(principalIds, a.principalId))
    .map((a) => definitionOf(a.role)),
  ...rolesAtSubscription(vault.spec.subscriptionId, principalIds, atSubscription),
];

/** Azure's rule: an action is granted when some assigned role has it in its actions and not in its notActions. */
export const granted = (allowed: string[], denied: string[], action: string): boolean =>
  allowed.some((p) => matches(p, action)) && !denied.some((p) => matches(p, action));

export const allowedByRbac = (
  vault: VaultState,
  principalIds: readonly string[],
  dataAction: string,
  atSubscription: readonly SubscriptionRoleAssignment[] = [],
): boolean =>
  rolesOn(vault, principalIds, atSubscription).some((r) => granted(r.dataActions, r.notDataActions, dataAction));

/** Whether ARM lets the caller perform a control-plane action on the vault. */
export const armAllows = (
  vault: VaultState,
  principalIds: readonly string[],
  action: string,
  atSubscription: readonly SubscriptionRoleAssignment[] = [],
): boolean => rolesOn(vault, principalIds, atSubscription).some((r) => granted(r.actions, r.notActions, action));

export function allowedByPolicy(
  policies: AccessPolicy[] | undefined,
  principalIds: readonly string[],
  o: Operation,
): boolean {
  return (policies ?? []).some(
    (p) =>
      principalIds.some((id) => id.toLowerCase() === p.objectId.toLowerCase()) &&
      (p.permissions[o.policy.kind] ?? []).some(
        (perm) => perm.toLowerCase() === 'all' || perm.toLowerCase() === o.policy.permission.toLowerCase(),
      ),
  );
}

/** Lets a data-plane call through, or throws the 403 Key Vault answers: RBAC's or the access policies' wording. */
export function authorize(
  vault: VaultState,
  principalIds: readonly string[],
  o: Operation,
  atSubscription: readonly SubscriptionRoleAssignment[] = [],
): void {
  const s = vault.spec;
  const objectId = principalIds[0];
  const resource = `/subscriptions/${s.subscriptionId}/resourcegroups/${s.resourceGroup}/providers/microsoft.keyvault/vaults/${s.name}`;
  if (s.enableRbacAuthorization) {
    if (allowedByRbac(vault, principalIds, o.dataAction, atSubscription)) return;
    throw new HttpError(
      403,
      kvError(
        'Forbidden',
        `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: oid=${objectId}\r\nAction: '${o.dataAction}'\r\nResource: '${resource}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${s.name};location=${s.location}\r\n`,
        'ForbiddenByRbac',
      ),
    );
  }
  if (allowedByPolicy(s.accessPolicies, principalIds, o)) return;
  throw new HttpError(
    403,
    kvError(
      'Forbidden',
      `The user, group or application 'oid=${objectId};' does not have ${o.policy.kind} ${o.policy.permission} permission on key vault '${s.name};location=${s.location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      'AccessDenied',
    ),
  );
}
