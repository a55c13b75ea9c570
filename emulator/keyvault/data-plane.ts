import { BackupSealer } from '../backup-seal.ts';
import type { EmulatorClock } from '../clock.ts';
import { bearerCaller } from '../entra.ts';
import type { FaultControl } from '../fault-control.ts';
import type { FaultSettings } from '../faults.ts';
import { geographyOf } from '../geography.ts';
import { kvError, send, type Exchange } from '../http-util.ts';
import type { IdentityProvider } from '../identity.ts';
import type { VaultState, SubscriptionRoleAssignment } from '../model.ts';
import { authorize } from '../rbac.ts';
import type { VaultContext } from './context.ts';
import { settleCertificates } from './certificates.ts';
import { cloudNamed } from '../clouds.ts';
import { matchRoute, vaultHost, vaultNameOf } from './router.ts';

/**
 * Every api-version Key Vault's data plane serves: the stable and preview folders of Azure/azure-rest-api-specs
 * (specification/keyvault/data-plane/Microsoft.KeyVault), named by each folder's `info.version` (preview/7.0 is
 * `7.0-preview`, preview/7.1 is `7.1-preview`). Any other value Azure refuses with 400 BadParameter.
 */
const SUPPORTED_API_VERSIONS: ReadonlySet<string> = new Set([
  '2015-06-01',
  '2016-10-01',
  '7.0',
  '7.1',
  '7.2',
  '7.3',
  '7.4',
  '7.5',
  '7.6',
  '2025-06-01',
  '2025-07-01',
  '7.0-preview',
  '7.1-preview',
  '7.2-preview',
  '7.3-preview',
  '7.4-preview.1',
  '7.5-preview.1',
  '7.6-preview.1',
  '7.6-preview.2',
  '2025-06-01-preview',
  '2025-07-01-preview',
  '2026-01-01-preview',
]);

/** Who asked what of which vault: what the test hooks see of a data-plane request. */
export interface VaultRequestInfo {
  method: string;
  vault: string;
  path: string;
  clientRequestId?: string;
}

/** What tests hook into: every answer, and holding a request back. */
export interface DataPlaneHooks {
  onVaultResponse?: (method: string, path: string, status: number, body: unknown, request: VaultRequestInfo) => void;
  hold?: (request: VaultRequestInfo) => Promise<void> | undefined;
}

export interface DataPlaneParts {
  vaults: Map<string, VaultState>;
  faults: FaultControl;
  identity: IdentityProvider;
  /** Role assignments at subscription scope: they hold on every vault of their subscription. */
  subscriptionRoleAssignments: SubscriptionRoleAssignment[];
  hooks: DataPlaneHooks;
  clock: EmulatorClock;
}

const requestInfo = (ex: Exchange): VaultRequestInfo => ({
  method: ex.method,
  vault: vaultNameOf(ex.host) ?? '',
  path: ex.url.pathname,
  clientRequestId:
    typeof ex.headers['x-ms-client-request-id'] === 'string' ? ex.headers['x-ms-client-request-id'] : undefined,
});

/** Key Vault's data plane over the emulator's vaults: api versions, the bearer challenge, faults, access and routes. */
export class DataPlane {
  readonly #parts: DataPlaneParts;
  readonly #backups = new BackupSealer();

  constructor(parts: DataPlaneParts) {
    this.#parts = parts;
  }

  /**
   * A data-plane request. The configured latency is the service's whole response time: the answer leaves that long
   * after the request arrived, whatever the emulator spent computing it (a throttled or failed answer too).
   */
  async serve(ex: Exchange, vaultName: string): Promise<void> {
    const { hooks } = this.#parts;
    const listener = hooks.onVaultResponse;
    if (listener) ex.observe = (status, body) => listener(ex.method, ex.url.pathname, status, body, requestInfo(ex));
    await hooks.hold?.(requestInfo(ex));
    const arrived = performance.now();
    const faults = this.#parts.faults.of(vaultName);
    const answer = (() => {
      try {
        return this.#answer(ex, vaultName, faults);
      } catch (e) {
        return () => {
          throw e;
        };
      }
    })();
    const wait = faults.latencyMs - (performance.now() - arrived);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    answer();
  }

  /** Calls a data-plane route directly, with no HTTP, auth or faults: for seeding and inspection. */
  invoke(vault: VaultState, method: string, path: string, body?: unknown, query: Record<string, string> = {}): unknown {
    const url = new URL(`https://${vaultHost(vault.spec)}/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    const res = {
      setHeader: (k: string, v: string) => {
        headers[k] = v;
      },
      statusCode: 200,
      headersSent: false,
    } as unknown as Exchange['res'];
    const ex: Exchange = {
      method,
      host: url.host,
      url,
      headers: {},
      rawBody: JSON.stringify(body ?? {}),
      res,
      json: () => (body ?? {}) as never,
    };
    const match = matchRoute(method, path.split('/'));
    if (!match) throw new Error(`no route ${method} ${path}`);
    const counters = { ...vault.counters };
    try {
      return match.route.handle(this.#context(vault, ex), match.params);
    } finally {
      vault.counters = {
        ...counters,
        byOperation: vault.counters.byOperation,
        clientRequestIds: vault.counters.clientRequestIds,
      };
    }
  }

  /** Decides the answer to a data-plane request now, and returns what sends it. */
  #answer(ex: Exchange, vaultName: string, faults: FaultSettings): () => void {
    const { vaults, identity } = this.#parts;
    const vault = vaults.get(vaultName);
    if (!vault) return () => send(ex, 404, kvError('VaultNotFound', `Vault ${vaultName} does not exist.`));
    vault.counters.requests++;
    const clientRequestId = ex.headers['x-ms-client-request-id'];
    if (typeof clientRequestId === 'string') vault.counters.clientRequestIds.add(clientRequestId);
    if (this.#parts.faults.roll(faults.dropRate)) return () => ex.res.socket?.destroy();
    const apiVersion = ex.url.searchParams.get('api-version');
    if (!apiVersion || !SUPPORTED_API_VERSIONS.has(apiVersion)) {
      return () =>
        send(
          ex,
          400,
          kvError(
            'BadParameter',
            `The specified version (${apiVersion ?? ''}) is not recognized. Consider using the latest supported version (2025-07-01).`,
          ),
        );
    }
    // The vault's cloud: its Entra ID authority and Key Vault resource; a token for another cloud's is refused.
    const cloud = cloudNamed(vault.spec.cloud);
    const challenge = {
      'WWW-Authenticate': `Bearer authorization="https://${cloud.loginHost}/${vault.spec.tenantId}", resource="${cloud.vaultResource}"`,
    };
    const caller = bearerCaller(ex, cloud.vaultResource, identity.entra.publicKey, this.#parts.clock.nowSeconds());
    if (caller === 'missing')
      return () =>
        send(
          ex,
          401,
          kvError('Unauthorized', 'AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.'),
          challenge,
        );
    if (caller === 'invalid')
      return () => send(ex, 401, kvError('Unauthorized', 'AKV10022: Invalid audience or token.'), challenge);
    if (caller.tenantId !== vault.spec.tenantId) {
      return () =>
        send(
          ex,
          401,
          kvError(
            'Unauthorized',
            `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${vault.spec.tenantId}/, found https://sts.windows.net/${caller.tenantId}/.`,
          ),
          challenge,
        );
    }
    const match = matchRoute(ex.method, ex.url.pathname.slice(1).split('/'));
    if (!match)
      return () =>
        send(ex, 405, kvError('BadParameter', `The emulator does not serve ${ex.method} ${ex.url.pathname}.`));
    const { route, params } = match;
    const opName = `${route.method} ${route.path}`;
    vault.counters.byOperation[opName] = (vault.counters.byOperation[opName] ?? 0) + 1;
    const failure = this.#parts.faults.failureBefore({
      vault: vaultName,
      subscriptionId: vault.spec.subscriptionId,
      location: vault.spec.location,
      isCreate: route.create === true,
      now: this.#parts.clock.now(),
      requestBody: ex.rawBody,
    });
    if (failure) {
      if (failure.status === 429) vault.counters.throttled++;
      return () => send(ex, failure.status, failure.body, failure.headers);
    }
    authorize(vault, identity.memberIdsOf(caller.objectId), route.op, this.#parts.subscriptionRoleAssignments);
    const result = route.handle(this.#context(vault, ex), params);
    if (this.#parts.faults.roll(faults.lostAnswerRate)) return () => ex.res.socket?.destroy();
    const status =
      result === null ? 204 : ex.res.statusCode === 202 || ex.res.statusCode === 201 ? ex.res.statusCode : 200;
    return () => send(ex, status, result ?? undefined);
  }

  #context(vault: VaultState, ex: Exchange): VaultContext {
    const { subscriptionId, location, name } = vault.spec;
    const faults = this.#parts.faults.of(name);
    const ctx: VaultContext = {
      vault,
      ex,
      now: this.#parts.clock.now(),
      base: `https://${vaultHost(vault.spec)}`,
      geography: geographyOf(location),
      emptyPage: () => this.#parts.faults.roll(faults.emptyPageRate),
      sealBackup: (payload) => this.#backups.seal({ subscriptionId, geography: geographyOf(location), payload }),
      openBackup: (blob) => this.#backups.open(blob),
    };
    // Time passes between calls: a certificate whose issuance is due is issued before anyone looks.
    settleCertificates(ctx);
    return ctx;
  }
}
