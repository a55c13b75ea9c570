import type { Caller } from './entra.ts';
import { send, type Exchange } from './http-util.ts';
import type { AccessPolicy, SubscriptionRoleAssignment, VaultSpec, VaultState } from './model.ts';
import { armAllows, granted, rolesAtSubscription } from './rbac.ts';

export const VAULT_WRITE = 'Microsoft.KeyVault/vaults/write';

/** ARM's rule for a vault's name (Vaults_CreateOrUpdate): 3–24 letters, digits and single hyphens, from a letter. */
const VAULT_NAME = /^(?=.{3,24}$)[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/;

interface VaultBody {
  location?: string;
  tags?: Record<string, string>;
  properties?: {
    tenantId?: string;
    sku?: { family?: string; name?: string };
    accessPolicies?: { objectId: string; permissions: AccessPolicy['permissions'] }[];
    enabledForDeployment?: boolean;
    enabledForDiskEncryption?: boolean;
    enabledForTemplateDeployment?: boolean;
    enableSoftDelete?: boolean;
    softDeleteRetentionInDays?: number;
    enablePurgeProtection?: boolean;
    enableRbacAuthorization?: boolean;
  };
}

export interface VaultWriteContext {
  caller: Caller;
  ids: readonly string[];
  atSubscription: readonly SubscriptionRoleAssignment[];
  all: VaultState[];
  create: (spec: VaultSpec) => VaultState;
  now: () => number;
  refuse: (action: string, scope: string) => void;
}

const armError = (code: string, message: string) => ({ error: { code, message } });

/**
 * `PUT …/vaults/{name}` (Vaults_CreateOrUpdate): creates the vault, or replaces the settings of the caller's own, as
 * ARM answers it (200 with the vault, provisioned at once: the recorded service answered so). Names are global: one
 * held by another subscription or resource group is refused.
 */
export function putVault(
  ex: Exchange,
  w: VaultWriteContext,
  sub: string,
  rg: string,
  name: string,
  shape: (v: VaultState) => unknown,
): void {
  const scope = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/${name}`;
  const taken = w.all.find((v) => v.spec.name.toLowerCase() === name.toLowerCase());
  const existing =
    taken && taken.spec.subscriptionId === sub && taken.spec.resourceGroup.toLowerCase() === rg.toLowerCase()
      ? taken
      : undefined;
  // ARM authorises the request's own scope: the vault there, or (for a new one) the subscription.
  const mayWrite = existing
    ? armAllows(existing, w.ids, VAULT_WRITE, w.atSubscription)
    : rolesAtSubscription(sub, w.ids, w.atSubscription).some((r) => granted(r.actions, r.notActions, VAULT_WRITE));
  if (!mayWrite) return w.refuse(VAULT_WRITE, scope);
  if (!VAULT_NAME.test(name))
    return send(
      ex,
      400,
      armError(
        'VaultNameNotValid',
        `The vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.`,
      ),
    );
  if (taken && !existing)
    return send(
      ex,
      409,
      armError(
        'VaultAlreadyExists',
        `The vault name '${name}' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state.`,
      ),
    );
  const body = ex.json<VaultBody>();
  const p = body.properties;
  if (!body.location)
    return send(ex, 400, armError('LocationRequired', 'The location property is required for this definition.'));
  if (!p?.tenantId || !p.sku?.name)
    return send(ex, 400, armError('BadRequest', 'The properties tenantId and sku are required to create a vault.'));
  const at = new Date(w.now()).toISOString();
  const who = { by: w.caller.clientId ?? w.caller.objectId, type: 'Application' };
  const spec: VaultSpec = {
    ...(existing?.spec ?? {}),
    name,
    location: body.location.toLowerCase().replace(/\s+/g, ''),
    subscriptionId: sub,
    resourceGroup: rg,
    tenantId: p.tenantId,
    subscriptionTenantId: existing?.spec.subscriptionTenantId ?? w.caller.tenantId,
    tags: body.tags ?? {},
    accessPolicies: (p.accessPolicies ?? []).map((a) => ({ objectId: a.objectId, permissions: a.permissions })),
    enabledForDeployment: p.enabledForDeployment ?? false,
    enabledForDiskEncryption: p.enabledForDiskEncryption ?? false,
    enabledForTemplateDeployment: p.enabledForTemplateDeployment ?? false,
    // Soft delete is on for every vault since 2020; an older request's `false` no longer turns it off.
    enableSoftDelete: true,
    softDeleteRetentionInDays: p.softDeleteRetentionInDays ?? existing?.spec.softDeleteRetentionInDays ?? 90,
    enablePurgeProtection: p.enablePurgeProtection ?? existing?.spec.enablePurgeProtection ?? false,
    enableRbacAuthorization: p.enableRbacAuthorization ?? existing?.spec.enableRbacAuthorization ?? false,
    systemData: {
      createdBy: existing?.spec.systemData?.createdBy ?? who.by,
      createdByType: existing?.spec.systemData?.createdByType ?? who.type,
      createdAt: existing?.spec.systemData?.createdAt ?? at,
      lastModifiedBy: who.by,
      lastModifiedByType: who.type,
      lastModifiedAt: at,
    },
  };
  if (existing) {
    // The vault keeps its items: only its settings change.
    existing.spec = { ...existing.spec, ...spec };
    return send(ex, 200, shape(existing));
  }
  send(ex, 200, shape(w.create(spec)));
}
