import { vaultHost } from './keyvault/router.ts';
import type { Caller } from './entra.ts';
import { locationsJson } from './geography.ts';
import { send, type Exchange } from './http-util.ts';
import type { VaultSpec, VaultState } from './model.ts';
import { putVault } from './arm-vault-write.ts';
import { armAllows, granted, rolesAtSubscription, rolesOn } from './rbac.ts';
import type { SubscriptionRoleAssignment } from './model.ts';

const armError = (code: string, message: string) => ({ error: { code, message } });

export function vaultJson(v: VaultState) {
  const s = v.spec;
  return {
    id: `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.KeyVault/vaults/${s.name}`,
    name: s.name,
    type: 'Microsoft.KeyVault/vaults',
    location: s.location,
    tags: s.tags ?? {},
    ...(s.systemData ? { systemData: s.systemData } : {}),
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId: s.tenantId,
      accessPolicies: (s.accessPolicies ?? []).map((p) => ({
        tenantId: s.tenantId,
        objectId: p.objectId,
        permissions: {
          keys: p.permissions.keys ?? [],
          secrets: p.permissions.secrets ?? [],
          certificates: p.permissions.certificates ?? [],
        },
      })),
      enabledForDeployment: s.enabledForDeployment ?? false,
      enabledForDiskEncryption: s.enabledForDiskEncryption ?? false,
      enabledForTemplateDeployment: s.enabledForTemplateDeployment ?? false,
      enableSoftDelete: s.enableSoftDelete,
      softDeleteRetentionInDays: s.softDeleteRetentionInDays,
      enableRbacAuthorization: s.enableRbacAuthorization,
      ...(s.enablePurgeProtection ? { enablePurgeProtection: true } : {}),
      vaultUri: `https://${vaultHost(s)}/`,
      provisioningState: 'Succeeded',
      publicNetworkAccess: 'Enabled',
    },
  };
}

/**
 * The subscriptions a caller sees (Microsoft.Resources `Subscription` shape): those holding a vault of the caller's
 * tenant, as for the other reads. The emulator keeps no subscription names: the display name is made from the id.
 */
function subscriptionsOf(visible: VaultState[]) {
  const bySub = new Map<string, string>();
  for (const v of visible) bySub.set(v.spec.subscriptionId, v.spec.subscriptionTenantId ?? v.spec.tenantId);
  return [...bySub].map(([subscriptionId, tenantId]) => ({
    id: `/subscriptions/${subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId,
    tenantId,
    displayName: `Emulated subscription ${subscriptionId.slice(0, 8)}`,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  }));
}

/** A tenant as `GET /tenants` lists it (Microsoft.Resources `TenantIdDescription`). */
function tenantJson(tenantId: string) {
  const domain = `tenant-${tenantId.slice(0, 8)}.onmicrosoft.com`;
  return {
    id: `/tenants/${tenantId}`,
    tenantId,
    countryCode: 'US',
    displayName: `Emulated tenant ${tenantId.slice(0, 8)}`,
    domains: [domain],
    tenantCategory: 'Home',
    defaultDomain: domain,
    tenantType: 'AAD',
  };
}

const VAULT_READ = 'Microsoft.KeyVault/vaults/read';
const PERMISSIONS_READ = 'Microsoft.Authorization/permissions/read';

/** ARM's refusal of an action the caller's roles do not grant at the scope. */
function authorizationFailed(ex: Exchange, caller: Caller, action: string, scope: string): void {
  send(
    ex,
    403,
    armError(
      'AuthorizationFailed',
      `The client '${caller.clientId ?? caller.objectId}' with object id '${caller.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ),
  );
}

/**
 * The ARM calls the tool makes: list/get vaults and the caller's permissions on a vault. Each is authorised against
 * the caller's role assignments (its own and its groups', `memberIds`) at vault or subscription scope: a list shows
 * the vaults the caller may read (`Microsoft.KeyVault/vaults/read`; all of them, even none, with a role at the
 * subscription), and is refused (403 AuthorizationFailed over the list's scope) when it may read none there, as ARM
 * refuses a caller with no grant in the scope. A principal with data roles alone (Key Vault Secrets User) does not
 * see the vault.
 */
export function handleArm(
  ex: Exchange,
  vaults: Iterable<VaultState>,
  caller: Caller | 'missing' | 'invalid',
  access: {
    memberIds: (objectId: string) => string[];
    atSubscription: readonly SubscriptionRoleAssignment[];
    /** Adds a vault created through ARM (`PUT …/vaults/{name}`) on the emulator clock; without it, none is created. */
    create?: { vault: (spec: VaultSpec) => VaultState; now: () => number };
  } = { memberIds: (oid) => [oid], atSubscription: [] },
): void {
  if (caller === 'missing')
    return send(
      ex,
      401,
      armError('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."),
    );
  if (caller === 'invalid')
    return send(ex, 401, armError('InvalidAuthenticationToken', 'The access token is invalid.'));
  const path = ex.url.pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  // Every vault of every tenant: a vault's name is global.
  const all = [...vaults];
  const visible = all.filter((v) => (v.spec.subscriptionTenantId ?? v.spec.tenantId) === caller.tenantId);
  const ids = access.memberIds(caller.objectId);
  const readable = (v: VaultState) => armAllows(v, ids, VAULT_READ, access.atSubscription);
  /**
   * A list's answer: every vault of its scope for a caller that may read vaults at its subscription (an empty list
   * too), else the readable vaults of the scope, or ARM's refusal when there are none.
   */
  const list = (scope: string, inScope: VaultState[], shape: (v: VaultState) => unknown) => {
    const sub = scope.split('/')[2]!;
    const everywhere = rolesAtSubscription(sub, ids, access.atSubscription).some((r) =>
      granted(r.actions, r.notActions, VAULT_READ),
    );
    const mine = everywhere ? inScope : inScope.filter(readable);
    if (!mine.length && !everywhere) return authorizationFailed(ex, caller, VAULT_READ, scope);
    send(ex, 200, { value: mine.map(shape) });
  };
  if (!ex.url.searchParams.get('api-version'))
    return send(
      ex,
      400,
      armError(
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      ),
    );
  if (path.toLowerCase() === '/subscriptions' && ex.method === 'GET') {
    const value = subscriptionsOf(visible);
    return send(ex, 200, { value, count: { type: 'Total', value: value.length } });
  }
  if (path.toLowerCase() === '/tenants' && ex.method === 'GET') {
    // A service principal's tenants are its home tenant: the one that issued its token.
    const value = [tenantJson(caller.tenantId)];
    return send(ex, 200, { value, count: { type: 'Total', value: value.length } });
  }
  let m = path.match(/^\/subscriptions\/([^/]+)$/i);
  if (m && ex.method === 'GET') {
    const sub = subscriptionsOf(visible).find((s) => s.subscriptionId.toLowerCase() === m![1]!.toLowerCase());
    if (!sub) return send(ex, 404, armError('SubscriptionNotFound', `The subscription '${m[1]}' could not be found.`));
    return send(ex, 200, sub);
  }
  m = path.match(/^\/subscriptions\/([^/]+)\/locations$/i);
  if (m && ex.method === 'GET') {
    // A subscription is known to a caller when it holds a vault of the caller's tenant, as for the other reads.
    const sub = m[1]!;
    if (!visible.some((v) => v.spec.subscriptionId.toLowerCase() === sub.toLowerCase()))
      return send(ex, 404, armError('SubscriptionNotFound', `The subscription '${sub}' could not be found.`));
    return send(ex, 200, locationsJson(sub));
  }
  m = path.match(/^\/subscriptions\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults$/i);
  if (m && ex.method === 'GET') {
    return list(
      `/subscriptions/${m[1]}`,
      visible.filter((v) => v.spec.subscriptionId === m![1]),
      vaultJson,
    );
  }
  m = path.match(/^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults$/i);
  if (m && ex.method === 'GET') {
    return list(
      `/subscriptions/${m[1]}/resourceGroups/${m[2]}`,
      visible.filter(
        (v) => v.spec.subscriptionId === m![1] && v.spec.resourceGroup.toLowerCase() === m![2]!.toLowerCase(),
      ),
      vaultJson,
    );
  }
  m = path.match(/^\/subscriptions\/([^/]+)\/resources$/i);
  if (m && ex.method === 'GET') {
    return list(
      `/subscriptions/${m[1]}`,
      visible.filter((v) => v.spec.subscriptionId === m![1]),
      (v) => {
        const j = vaultJson(v);
        return { id: j.id, name: j.name, type: j.type, location: j.location, tags: j.tags };
      },
    );
  }
  m = path.match(
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)(\/providers\/Microsoft\.Authorization\/permissions)?$/i,
  );
  if (m && ex.method === 'PUT' && !m[4] && access.create) {
    return putVault(
      ex,
      {
        caller,
        ids,
        atSubscription: access.atSubscription,
        all,
        create: access.create.vault,
        now: access.create.now,
        refuse: (action, scope) => authorizationFailed(ex, caller, action, scope),
      },
      m[1]!,
      m[2]!,
      m[3]!,
      vaultJson,
    );
  }
  if (m && ex.method === 'GET') {
    const [, sub, rg, name, permissions] = m;
    const v = visible.find(
      (x) =>
        x.spec.subscriptionId === sub &&
        x.spec.resourceGroup.toLowerCase() === rg!.toLowerCase() &&
        x.spec.name.toLowerCase() === name!.toLowerCase(),
    );
    if (!v)
      return send(
        ex,
        404,
        armError(
          'ResourceNotFound',
          `The Resource 'Microsoft.KeyVault/vaults/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        ),
      );
    const scope = vaultJson(v).id;
    if (permissions) {
      if (!armAllows(v, ids, PERMISSIONS_READ, access.atSubscription))
        return authorizationFailed(ex, caller, PERMISSIONS_READ, scope);
      // One entry per assigned role, as Azure lists them: a role's notDataActions subtract from its own dataActions.
      return send(ex, 200, {
        value: rolesOn(v, ids, access.atSubscription).map((r) => ({
          actions: r.actions,
          notActions: r.notActions,
          dataActions: r.dataActions,
          notDataActions: r.notDataActions,
        })),
      });
    }
    if (!readable(v)) return authorizationFailed(ex, caller, VAULT_READ, scope);
    return send(ex, 200, vaultJson(v));
  }
  send(ex, 404, armError('InvalidResourceType', `The emulator does not serve ${ex.method} ${path}.`));
}
