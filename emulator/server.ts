import { join } from 'node:path';
import { handleAdmin } from './admin.ts';
import { handleArm } from './arm.ts';
import { EmulatorClock } from './clock.ts';
import type { EmulatorControl } from './control.ts';
import { bearerCaller, handleEntraRequest, type Caller } from './entra.ts';
import { FaultControl } from './fault-control.ts';
import type { FaultSettings } from './faults.ts';
import { HttpError, kvError, send, type Exchange } from './http-util.ts';
import { IdentityProvider, type Principal } from './identity.ts';
import { DataPlane, type VaultRequestInfo } from './keyvault/data-plane.ts';
import { vaultNameOf } from './keyvault/router.ts';
import { cloudNamed, cloudOfArmHost, cloudOfLoginHost, CLOUD_HOSTS, vaultHostOf } from './clouds.ts';
import { setTiming, type Windows } from './keyvault/shared.ts';
import {
  newCounters,
  newVaultState,
  type SubscriptionRoleAssignment,
  type VaultSpec,
  type VaultState,
} from './model.ts';
import { CERT_DIR, TlsProxy } from './tls-proxy.ts';

export { CERT_DIR } from './tls-proxy.ts';
export type { VaultRequestInfo } from './keyvault/data-plane.ts';
export type { Windows } from './keyvault/shared.ts';

/** A few seconds, as the recordings show Azure taking; tests set their own (0 for speed) with `windows`. */
export const DEFAULT_WINDOWS: Windows = { deleteMs: 3000, recoverMs: 3000, purgeMs: 2000 };

/**
 * Host names served besides the vaults': each cloud's ARM and Entra ID, Azure DevOps (OIDC) and localhost (GitHub
 * OIDC, admin).
 */
const FIXED_HOSTS = new Set([...CLOUD_HOSTS, 'dev.azure.com', 'localhost']);

export interface EmulatorOptions {
  vaults?: VaultSpec[];
  principals?: Principal[];
  /** Faults for every vault that has none of its own. */
  faults?: Partial<FaultSettings>;
  /** Seed of the fault dice, for repeatable fault tests. */
  seed?: number;
  /** The service's time; by default the system's, which tests move with `emulator.clock.advance`. */
  clock?: EmulatorClock;
  /** How long deletes, recovers and purges take on the emulator's clock; DEFAULT_WINDOWS for what is not given. */
  windows?: Partial<Windows>;
  /** Role assignments at subscription scope (the vaults' own are in their specs). */
  subscriptionRoleAssignments?: SubscriptionRoleAssignment[];
}

/**
 * Key Vault, ARM, Entra ID and the CI OIDC issuers on one HTTPS server, reached under their real host names
 * through a loopback CONNECT proxy.
 */
export class KeyVaultEmulator implements EmulatorControl {
  readonly clock: EmulatorClock;
  readonly identity: IdentityProvider;
  readonly vaults = new Map<string, VaultState>();
  /** Every ARM request served, as `METHOD /path`: what a test may count (ARM is no vault's, so no vault counts it). */
  readonly armRequests: string[] = [];
  readonly #faults: FaultControl;
  readonly #dataPlane: DataPlane;
  #windows: Windows;
  readonly #vaultWindows = new Map<string, Windows>();
  #net!: TlsProxy;
  /** Called with every data-plane answer; conformance tests use it to check shapes against the spec. */
  onVaultResponse?: (method: string, path: string, status: number, body: unknown, request: VaultRequestInfo) => void;
  /**
   * Holds a data-plane request back, before the service acts on it, until the promise given settles: orders two
   * clients' requests exactly.
   */
  hold?: (request: VaultRequestInfo) => Promise<void> | undefined;

  /** Role assignments at subscription scope; tests may push to it. */
  readonly subscriptionRoleAssignments: SubscriptionRoleAssignment[] = [];
  /**
   * Serves dev.azure.com's REST API other than the OIDC token (a test's stand-in, e.g. pull request threads); without
   * one, those paths are 404.
   */
  devopsApi?: (ex: Exchange) => void | Promise<void>;

  private constructor(options: EmulatorOptions) {
    this.clock = options.clock ?? new EmulatorClock();
    this.identity = new IdentityProvider(this.clock);
    this.subscriptionRoleAssignments.push(...(options.subscriptionRoleAssignments ?? []));
    this.#faults = new FaultControl(options.faults, options.seed ?? 1);
    this.#windows = { ...DEFAULT_WINDOWS, ...options.windows };
    this.#dataPlane = new DataPlane({
      vaults: this.vaults,
      faults: this.#faults,
      identity: this.identity,
      subscriptionRoleAssignments: this.subscriptionRoleAssignments,
      hooks: this,
      clock: this.clock,
    });
    for (const v of options.vaults ?? []) this.addVault(v);
    for (const p of options.principals ?? []) this.identity.addPrincipal(p);
  }

  static async start(options: EmulatorOptions = {}): Promise<KeyVaultEmulator> {
    const emulator = new KeyVaultEmulator(options);
    emulator.#net = await TlsProxy.listen(
      (ex) => emulator.#dispatch(ex),
      (host) => emulator.#serves(host),
    );
    return emulator;
  }

  get tlsPort(): number {
    return this.#net.tlsPort;
  }
  get proxyPort(): number {
    return this.#net.proxyPort;
  }
  get proxyUrl(): string {
    return this.#net.proxyUrl;
  }
  get githubOidcRequestUrl(): string {
    return `https://localhost:${this.tlsPort}/gh-oidc?api-version=2.0`;
  }
  /** The Azure DevOps OIDC request URI, on the real host name, as SYSTEM_OIDCREQUESTURI carries it. */
  devopsOidcRequestUri(org = 'contoso', projectId = '00000000-0000-0000-0000-0000000000aa'): string {
    return `https://dev.azure.com/${org}/${projectId}/_apis/distributedtask/hubs/build/plans/${crypto.randomUUID()}/jobs/${crypto.randomUUID()}/oidctoken`;
  }

  /** Environment a child process needs to reach the emulator as if it were Azure. */
  env(): Record<string, string> {
    return {
      HTTPS_PROXY: this.proxyUrl,
      https_proxy: this.proxyUrl,
      NO_PROXY: '',
      no_proxy: '',
      NODE_EXTRA_CA_CERTS: join(CERT_DIR, 'ca.pem'),
    };
  }

  addVault(spec: VaultSpec): VaultState {
    const state = newVaultState(spec);
    this.vaults.set(spec.name.toLowerCase(), state);
    setTiming(state, { now: () => this.clock.now(), windows: () => this.windowsOf(spec.name) });
    return state;
  }

  /**
   * Sets how long deletes, recovers and purges take (emulator time) for one vault, or for all vaults with '*' (a
   * vault's own setting wins); missing fields keep their current value.
   */
  setWindows(vault: string, windows: Partial<Windows>): void {
    if (vault === '*') this.#windows = { ...this.#windows, ...windows };
    else this.#vaultWindows.set(vault.toLowerCase(), { ...this.windowsOf(vault), ...windows });
  }

  windowsOf(vault: string): Windows {
    return this.#vaultWindows.get(vault.toLowerCase()) ?? this.#windows;
  }

  vault(name: string): VaultState {
    const v = this.vaults.get(name.toLowerCase());
    if (!v) throw new Error(`emulator has no vault ${name}`);
    return v;
  }

  /** Sets faults for one vault, or for all vaults with '*'; missing fields keep their current value. */
  setFaults(vault: string, faults: Partial<FaultSettings>): void {
    this.#faults.set(vault, faults);
  }

  faultsOf(vault: string): FaultSettings {
    return this.#faults.of(vault);
  }

  resetCounters(): void {
    for (const v of this.vaults.values()) v.counters = newCounters();
  }

  /** Forgets every vault and every vault's own faults. */
  reset(): void {
    this.vaults.clear();
    this.#faults.clear();
    this.#vaultWindows.clear();
  }

  /** Calls a data-plane route directly, with no HTTP, auth or faults: for seeding and inspection. */
  invoke(vaultName: string, method: string, path: string, body?: unknown, query: Record<string, string> = {}): unknown {
    return this.#dataPlane.invoke(this.vault(vaultName), method, path, body, query);
  }

  async close(): Promise<void> {
    await this.#net.close();
  }

  /** Only the emulated Azure host names are tunnelled; an unknown vault name fails like a DNS miss. */
  #serves(host: string): boolean {
    const vault = vaultHostOf(host);
    const spec = vault && this.vaults.get(vault.name)?.spec;
    // A vault is found under its own cloud's suffix only, as DNS finds it.
    return FIXED_HOSTS.has(host) || (!!spec && cloudNamed(spec.cloud) === vault.cloud);
  }

  async #dispatch(ex: Exchange): Promise<void> {
    try {
      const vault = vaultNameOf(ex.host);
      if (vault !== undefined) return await this.#dataPlane.serve(ex, vault);
      const arm = cloudOfArmHost(ex.host);
      if (arm) {
        this.armRequests.push(`${ex.method} ${ex.url.pathname}`);
        // Each cloud's Resource Manager knows its own vaults, and takes tokens for itself only.
        const vaults = [...this.vaults.values()].filter((v) => cloudNamed(v.spec.cloud) === arm);
        return handleArm(ex, vaults, this.#caller(ex, arm.armResources[0]!), {
          memberIds: (oid) => this.identity.memberIdsOf(oid),
          atSubscription: this.subscriptionRoleAssignments,
          create: { vault: (spec) => this.addVault({ ...spec, cloud: arm.name }), now: () => this.clock.now() },
        });
      }
      const login = cloudOfLoginHost(ex.host);
      if (login) return handleEntraRequest(ex, this.identity, login);
      if (ex.host === 'dev.azure.com' && ex.method === 'POST' && ex.url.pathname.endsWith('/oidctoken'))
        return this.identity.handleDevopsOidc(ex);
      if (ex.host === 'dev.azure.com' && this.devopsApi) return await this.devopsApi(ex);
      if (ex.host === 'localhost' && ex.url.pathname === '/gh-oidc') return this.identity.handleGithubOidc(ex);
      if (ex.host === 'localhost' && ex.url.pathname.startsWith('/__admin/')) return handleAdmin(ex, this);
      send(ex, 404, { error: 'not served by the emulator' });
    } catch (e) {
      if (e instanceof HttpError) return send(ex, e.status, e.body, e.headers);
      send(ex, 500, kvError('InternalServerError', `emulator error: ${(e as Error).message}`));
    }
  }

  #caller(ex: Exchange, audience: string): Caller | 'missing' | 'invalid' {
    return bearerCaller(ex, audience, this.identity.entra.publicKey, this.clock.nowSeconds());
  }
}
