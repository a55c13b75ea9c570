import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { TokenCredential } from '@azure/core-auth';
import { KeyVaultManagementClient, type Vault } from '@azure/arm-keyvault';
import { createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
import { PUBLIC_CLOUD, type AzureCloud } from '../engine/clouds.ts';
import { isKvrError, KvrError } from '../engine/errors.ts';
import type { VaultInfo } from '../engine/model.ts';
import type { Clock, VaultDirectory, VaultPermissions, VaultPort } from '../engine/ports.ts';
import { clientOptions } from './client-options.ts';
import { AzureVaultPort } from './key-vault-port.ts';
import { RunPacing, type BudgetShares, type VaultLimits } from './pacing.ts';
import { describeRestError } from './rest-error.ts';

/** Microsoft.Resources' Subscriptions API (List Locations); what `@azure/arm-resources-subscriptions` calls. */
const LOCATIONS_API_VERSION = '2022-12-01';

interface ArmLocation {
  name?: string;
  metadata?: { geography?: string };
}

/** What the ARM token says of the caller: who, which tenant, and its groups when Entra lists them. */
interface CallerClaims {
  oid?: string;
  tid?: string;
  /** Group object ids, when the app registration emits them and there are not too many (Entra's overage). */
  groups?: string[];
}

function claimsOf(token: string): CallerClaims {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as CallerClaims;
  } catch {
    return {};
  }
}

const infoOf = (v: Vault, cloud: AzureCloud): VaultInfo => {
  const [, , subscriptionId, , resourceGroup] = (v.id ?? '').split('/');
  return {
    name: v.name!.toLowerCase(),
    uri: (v.properties.vaultUri ?? `https://${v.name}${cloud.vaultSuffix}/`).replace(/\/$/, ''),
    location: v.location ?? '',
    subscriptionId: subscriptionId ?? '',
    resourceGroup: resourceGroup ?? '',
    tenantId: v.properties.tenantId,
    tags: v.tags ?? {},
    rbac: v.properties.enableRbacAuthorization === true,
    purgeProtection: v.properties.enablePurgeProtection === true,
  };
};

/** Finds vaults through ARM in the given subscriptions, reads the caller's permissions, and opens data planes. */
export class ArmVaultDirectory implements VaultDirectory {
  readonly #credential: TokenCredential;
  readonly #subscriptions: string[];
  readonly #correlationId: string;
  readonly #clock: Clock;
  readonly #cloud: AzureCloud;
  /** The cloud's Resource Manager, for every management client: its endpoint, and the scope of its tokens. */
  readonly #arm: { endpoint: string; $host: string; credentialScopes: string };
  #vaults?: Promise<Map<string, Vault>>;
  #caller?: Promise<CallerClaims>;
  /** Region → ARM's geography, per subscription: read once per run, when a key replication first needs it. */
  readonly #geographies = new Map<string, Promise<Map<string, string>>>();
  /** One pacer per vault and one per subscription and region, for every port this run opens. */
  readonly #pacing: RunPacing;
  /** Tenant → the Key Vault token asked for during discovery (see permissions). */
  readonly #vaultTokens = new Map<string, Promise<void>>();

  constructor(
    credential: TokenCredential,
    subscriptions: string[],
    correlationId: string,
    clock: Clock,
    cloud: AzureCloud = PUBLIC_CLOUD,
    /** The run's shares of Key Vault's budgets; `limits` stand for the published ones (tests scale them down). */
    pacing: { shares?: BudgetShares; limits?: VaultLimits } = {},
  ) {
    if (!subscriptions.length)
      throw new KvrError(
        'KVR025',
        'no subscription to look vaults up in: set subscription-id (AZURE_SUBSCRIPTION_ID) or `subscriptions` in the configuration',
      );
    this.#credential = credential;
    this.#subscriptions = subscriptions;
    this.#correlationId = correlationId;
    this.#clock = clock;
    this.#cloud = cloud;
    this.#pacing = new RunPacing(clock, pacing.shares, pacing.limits);
    const endpoint = cloud.armEndpoint;
    this.#arm = { endpoint, $host: endpoint, credentialScopes: `${endpoint}/.default` };
  }

  #options() {
    return { ...clientOptions(this.#correlationId), ...this.#arm };
  }

  #caller_(): Promise<CallerClaims> {
    // Asked as the management clients ask (CAE-capable): @azure/identity caches CAE tokens apart from the others, so
    // a plain request here cost a second sign-in round trip before the first ARM call.
    this.#caller ??= this.#credential.getToken(this.#arm.credentialScopes, { enableCae: true }).then(
      (t) => claimsOf(t?.token ?? ''),
      (e: Error) => {
        // The credential's KVR024 already says why (sign-in-failure.ts).
        throw isKvrError(e) ? e : new KvrError('KVR024', `authentication failed: ${e.message.split('\n')[0]}`);
      },
    );
    return this.#caller;
  }

  #all(): Promise<Map<string, Vault>> {
    this.#vaults ??= (async () => {
      await this.#caller_();
      const found = new Map<string, Vault>();
      for (const sub of this.#subscriptions) {
        const arm = new KeyVaultManagementClient(this.#credential, sub, this.#options());
        try {
          for await (const v of arm.vaults.listBySubscription()) found.set(v.name!.toLowerCase(), v);
        } catch (e) {
          const err = describeRestError(e);
          // 403 AuthorizationFailed: the caller may read no vault there (a data role such as Secrets User gives none).
          if (err.status === 403)
            throw new KvrError(
              'KVR020',
              `cannot list vaults in subscription ${sub}: ${err.serviceCode ?? err.message}; the caller may read no vault there: give it at least Reader on each vault it replicates`,
            );
          throw new KvrError(
            err.status === 401 ? 'KVR024' : 'KVR020',
            `cannot list vaults in subscription ${sub}: ${err.serviceCode ?? err.message}`,
          );
        }
      }
      return found;
    })();
    return this.#vaults;
  }

  /**
   * The subscription's regions and their geographies, from ARM's `GET /subscriptions/{id}/locations` sent through the
   * Key Vault management client's pipeline (its token, retries, proxy and correlation id). When ARM does not answer,
   * the map is empty and the engine falls back to its own region table: geography only decides whether a key may be
   * replicated, and the table errs towards blocking, so a run is not failed for it.
   */
  #geographiesOf(subscriptionId: string): Promise<Map<string, string>> {
    const key = subscriptionId.toLowerCase();
    let found = this.#geographies.get(key);
    if (!found) {
      found = (async () => {
        const arm = new KeyVaultManagementClient(this.#credential, subscriptionId, this.#options());
        const url = `${this.#arm.endpoint}/subscriptions/${encodeURIComponent(subscriptionId)}/locations?api-version=${LOCATIONS_API_VERSION}`;
        const byRegion = new Map<string, string>();
        try {
          const res = await arm.pipeline.sendRequest(createDefaultHttpClient(), createPipelineRequest({ url }));
          if (res.status !== 200 || !res.bodyAsText) return byRegion;
          const { value } = JSON.parse(res.bodyAsText) as { value?: ArmLocation[] };
          for (const l of value ?? [])
            if (l.name && l.metadata?.geography) byRegion.set(l.name.toLowerCase(), l.metadata.geography);
        } catch {
          // A network failure or a body that is not JSON: the fallback table answers, as above.
        }
        return byRegion;
      })();
      this.#geographies.set(key, found);
    }
    return found;
  }

  async resolve(name: string): Promise<VaultInfo> {
    const v = (await this.#all()).get(name.toLowerCase());
    if (!v)
      throw new KvrError(
        'KVR020',
        `vault ${name} was not found in subscription(s) ${this.#subscriptions.join(', ')}; check the name, and that the caller has at least Reader on it`,
      );
    const info = infoOf(v, this.#cloud);
    const caller = await this.#caller_();
    if (caller.tid && info.tenantId && caller.tid.toLowerCase() !== info.tenantId.toLowerCase()) {
      throw new KvrError(
        'KVR021',
        `vault ${name} belongs to tenant ${info.tenantId}, the caller to ${caller.tid}; replication stays within one tenant`,
      );
    }
    return info;
  }

  async geography(vault: VaultInfo): Promise<string | undefined> {
    const region = vault.location.toLowerCase().replace(/\s+/g, '');
    return (await this.#geographiesOf(vault.subscriptionId)).get(region);
  }

  async permissions(vault: VaultInfo): Promise<VaultPermissions> {
    // The vault's token is asked for meanwhile, as its clients ask after Key Vault's challenge (CAE-capable, the
    // vault's tenant): their first calls find it cached instead of each waiting for a sign-in round trip of its own.
    const [permissions] = await Promise.all([this.#permissionsOf(vault), this.#vaultToken(vault.tenantId)]);
    return permissions;
  }

  /** Asks once per tenant; never fails (a refused sign-in is the data plane's to report, on its first call). */
  #vaultToken(tenantId: string): Promise<void> {
    const key = tenantId.toLowerCase();
    let asked = this.#vaultTokens.get(key);
    if (!asked) {
      const scope = `${this.#cloud.vaultResource}/.default`;
      asked = this.#credential.getToken(scope, { enableCae: true, ...(tenantId ? { tenantId } : {}) }).then(
        () => undefined,
        () => undefined,
      );
      this.#vaultTokens.set(key, asked);
    }
    return asked;
  }

  async #permissionsOf(vault: VaultInfo): Promise<VaultPermissions> {
    if (!vault.rbac) {
      const v = (await this.#all()).get(vault.name)!;
      const caller = await this.#caller_();
      // The caller's own entries and its groups' (a group's access policy applies to its members).
      const ids = new Set([caller.oid, ...(caller.groups ?? [])].filter(Boolean).map((x) => x!.toLowerCase()));
      const mine = (v.properties.accessPolicies ?? []).filter((p) => ids.has(p.objectId.toLowerCase()));
      const perms = (k: 'secrets' | 'keys' | 'certificates') =>
        mine.flatMap((p) => (p.permissions[k] ?? []).map(String));
      return {
        model: 'access-policy',
        secrets: perms('secrets'),
        keys: perms('keys'),
        certificates: perms('certificates'),
        // Without a `groups` claim (none emitted, or Entra's overage) a policy granted to a group cannot be seen: with
        // no entry of its own, the caller's rights are unknown rather than none.
        ...(!caller.groups && !mine.length ? { groupsUnknown: true } : {}),
      };
    }
    const auth = new AuthorizationManagementClient(this.#credential, vault.subscriptionId, this.#options());
    const dataActions: string[] = [];
    const notDataActions: string[] = [];
    try {
      for await (const p of auth.permissions.listForResource(
        vault.resourceGroup,
        'Microsoft.KeyVault',
        '',
        'vaults',
        vault.name,
      )) {
        dataActions.push(...(p.dataActions ?? []));
        notDataActions.push(...(p.notDataActions ?? []));
      }
    } catch (e) {
      const err = describeRestError(e);
      throw new KvrError(
        'KVR022',
        `cannot read the caller's permissions on ${vault.name}: ${err.serviceCode ?? err.message}; the caller needs Microsoft.Authorization/*/read (any Key Vault role but the data-only ones grants it)`,
      );
    }
    return { model: 'rbac', dataActions, notDataActions };
  }

  open(vault: VaultInfo): VaultPort {
    return new AzureVaultPort(vault, this.#credential, this.#correlationId, this.#clock, this.#pacing.forVault(vault));
  }
}
