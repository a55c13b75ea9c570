import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handleArm } from './arm.ts';
import { NO_FAULTS, seededRandom, ThrottleWindow, type FaultSettings } from './faults.ts';
import { geographyOf } from './geography.ts';
import { HttpError, kvError, readBody, send, type Exchange } from './http-util.ts';
import { IdentityProvider, type Principal } from './identity.ts';
import { verifyJwt } from './jwt.ts';
import { newCounters, newVaultState, type VaultSpec, type VaultState } from './model.ts';
import { allowedByPolicy, allowedByRbac } from './rbac.ts';
import { certificateRoutes } from './keyvault/certificates.ts';
import type { Route, VaultContext } from './keyvault/context.ts';
import { keyRoutes } from './keyvault/keys.ts';
import { secretRoutes } from './keyvault/secrets.ts';
import { applySeed, type SeedDocument } from './seed.ts';

export const CERT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', '.certs');
const VAULT_SUFFIX = '.vault.azure.net';
const FIXED_HOSTS = new Set(['management.azure.com', 'login.microsoftonline.com', 'dev.azure.com', 'localhost']);
const ROUTES: Route[] = [...secretRoutes, ...keyRoutes, ...certificateRoutes];
const SUPPORTED_API_VERSIONS = new Set(['7.4', '7.5', '7.6', '2025-07-01']);

export interface EmulatorOptions {
  vaults?: VaultSpec[];
  principals?: Principal[];
  /** Faults for every vault that has none of its own. */
  faults?: Partial<FaultSettings>;
  /** Seed of the fault dice, for repeatable fault tests. */
  seed?: number;
}

/** Who asked what of which vault: what the test hooks see of a data-plane request. */
export interface VaultRequestInfo { method: string; vault: string; path: string; clientRequestId?: string }

const requestInfo = (ex: Exchange): VaultRequestInfo => ({
  method: ex.method, vault: ex.host.slice(0, -VAULT_SUFFIX.length), path: ex.url.pathname,
  clientRequestId: typeof ex.headers['x-ms-client-request-id'] === 'string' ? ex.headers['x-ms-client-request-id'] : undefined,
});

function matchRoute(method: string, segments: string[]): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    const optionalLast = pattern[pattern.length - 1]?.endsWith('?');
    if (segments.length !== pattern.length && !(optionalLast && segments.length === pattern.length - 1)) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const s = segments[i];
      if (p.startsWith(':')) {
        if (s !== undefined) params[p.slice(1).replace('?', '')] = decodeURIComponent(s);
        return s !== undefined ? s !== '' || p.endsWith('?') : p.endsWith('?');
      }
      return s !== undefined && s.toLowerCase() === p;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

/**
 * Key Vault, ARM, Entra ID and the CI OIDC issuers on one HTTPS server, reached under their real host names
 * through a loopback CONNECT proxy.
 */
export class KeyVaultEmulator {
  readonly identity = new IdentityProvider();
  readonly vaults = new Map<string, VaultState>();
  readonly #faults = new Map<string, FaultSettings>();
  readonly #windows = new Map<string, ThrottleWindow>();
  #defaultFaults: FaultSettings;
  #random: () => number;
  readonly #backupKey = randomBytes(32);
  #tls!: HttpsServer;
  #proxy!: HttpServer;
  readonly #sockets = new Set<Socket>();
  tlsPort = 0;
  proxyPort = 0;
  /** Called with every data-plane answer; conformance tests use it to check shapes against the spec. */
  onVaultResponse?: (method: string, path: string, status: number, body: unknown, request: VaultRequestInfo) => void;
  /** Holds a data-plane request back, before the service acts on it, until the promise given settles: orders two clients' requests exactly. */
  hold?: (request: VaultRequestInfo) => Promise<void> | undefined;

  private constructor(options: EmulatorOptions) {
    this.#defaultFaults = { ...NO_FAULTS, ...options.faults };
    this.#random = seededRandom(options.seed ?? 1);
    for (const v of options.vaults ?? []) this.addVault(v);
    for (const p of options.principals ?? []) this.identity.addPrincipal(p);
  }

  static async start(options: EmulatorOptions = {}): Promise<KeyVaultEmulator> {
    const emulator = new KeyVaultEmulator(options);
    await emulator.#listen();
    return emulator;
  }

  get proxyUrl(): string { return `http://127.0.0.1:${this.proxyPort}`; }
  get githubOidcRequestUrl(): string { return `https://localhost:${this.tlsPort}/gh-oidc?api-version=2.0`; }
  /** The Azure DevOps OIDC request URI, on the real host name, as SYSTEM_OIDCREQUESTURI carries it. */
  devopsOidcRequestUri(org = 'contoso', projectId = '00000000-0000-0000-0000-0000000000aa'): string {
    return `https://dev.azure.com/${org}/${projectId}/_apis/distributedtask/hubs/build/plans/${crypto.randomUUID()}/jobs/${crypto.randomUUID()}/oidctoken`;
  }

  /** Environment a child process needs to reach the emulator as if it were Azure. */
  env(): Record<string, string> {
    return { HTTPS_PROXY: this.proxyUrl, https_proxy: this.proxyUrl, NO_PROXY: '', no_proxy: '', NODE_EXTRA_CA_CERTS: join(CERT_DIR, 'ca.pem') };
  }

  addVault(spec: VaultSpec): VaultState {
    const state = newVaultState(spec);
    this.vaults.set(spec.name.toLowerCase(), state);
    return state;
  }

  vault(name: string): VaultState {
    const v = this.vaults.get(name.toLowerCase());
    if (!v) throw new Error(`emulator has no vault ${name}`);
    return v;
  }

  /** Sets faults for one vault, or for all vaults with '*'; missing fields keep their current value. */
  setFaults(vault: string, faults: Partial<FaultSettings>): void {
    if (vault === '*') {
      this.#defaultFaults = { ...this.#defaultFaults, ...faults };
      for (const [k, f] of this.#faults) this.#faults.set(k, { ...f, ...faults });
    } else {
      this.#faults.set(vault.toLowerCase(), { ...this.faultsOf(vault), ...faults });
    }
  }

  faultsOf(vault: string): FaultSettings {
    return this.#faults.get(vault.toLowerCase()) ?? this.#defaultFaults;
  }

  resetCounters(): void {
    for (const v of this.vaults.values()) v.counters = newCounters();
  }

  /** Calls a data-plane route directly, with no HTTP, auth or faults: for seeding and inspection. */
  invoke(vaultName: string, method: string, path: string, body?: unknown, query: Record<string, string> = {}): unknown {
    const vault = this.vault(vaultName);
    const url = new URL(`https://${vault.spec.name}${VAULT_SUFFIX}/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => { headers[k] = v; }, statusCode: 200, headersSent: false } as unknown as Exchange['res'];
    const ex: Exchange = { method, host: url.host, url, headers: {}, rawBody: JSON.stringify(body ?? {}), res, json: () => (body ?? {}) as never };
    const match = matchRoute(method, path.split('/'));
    if (!match) throw new Error(`no route ${method} ${path}`);
    const counters = { ...vault.counters };
    try {
      return match.route.handle(this.#context(vault, ex), match.params);
    } finally {
      vault.counters = { ...counters, byOperation: vault.counters.byOperation, clientRequestIds: vault.counters.clientRequestIds };
    }
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all([new Promise((r) => this.#tls.close(r)), new Promise((r) => this.#proxy.close(r))]);
  }

  async #listen(): Promise<void> {
    this.#tls = createHttpsServer({
      cert: readFileSync(join(CERT_DIR, 'server.pem')), key: readFileSync(join(CERT_DIR, 'server-key.pem')),
    }, (req, res) => {
      void readBody(req).then((rawBody) => {
        const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
        const url = new URL(req.url ?? '/', `https://${req.headers.host ?? 'localhost'}`);
        let parsed: unknown;
        const ex: Exchange = {
          method: req.method ?? 'GET', host, url, headers: req.headers, rawBody, res,
          json: <T>() => (parsed ??= rawBody ? JSON.parse(rawBody) : {}) as T,
        };
        return this.#dispatch(ex);
      }).catch((e: unknown) => {
        if (!res.headersSent) { res.writeHead(500); res.end(String(e)); }
      });
    });
    this.#tls.on('connection', (s: Socket) => { this.#sockets.add(s); s.on('close', () => this.#sockets.delete(s)); });
    this.#proxy = createHttpServer((_req, res) => { res.writeHead(403); res.end('only CONNECT is served'); });
    this.#proxy.on('connect', (req, client: Socket, head: Buffer) => this.#tunnel(req.url ?? '', client, head));
    this.#proxy.on('connection', (s: Socket) => { this.#sockets.add(s); s.on('close', () => this.#sockets.delete(s)); });
    await new Promise<void>((r) => this.#tls.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => this.#proxy.listen(0, '127.0.0.1', r));
    this.tlsPort = (this.#tls.address() as AddressInfo).port;
    this.proxyPort = (this.#proxy.address() as AddressInfo).port;
  }

  /** Only the emulated Azure host names are tunnelled; an unknown vault name fails like a DNS miss. */
  #tunnel(target: string, client: Socket, head: Buffer): void {
    const host = target.replace(/:\d+$/, '').toLowerCase();
    const known = FIXED_HOSTS.has(host) || (host.endsWith(VAULT_SUFFIX) && this.vaults.has(host.slice(0, -VAULT_SUFFIX.length)));
    if (!known) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(this.tlsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.#sockets.add(upstream);
    upstream.on('close', () => this.#sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }

  async #dispatch(ex: Exchange): Promise<void> {
    try {
      if (ex.host.endsWith(VAULT_SUFFIX)) {
      const listener = this.onVaultResponse;
      if (listener) ex.observe = (status, body) => listener(ex.method, ex.url.pathname, status, body, requestInfo(ex));
      return await this.#vaultRequest(ex, ex.host.slice(0, -VAULT_SUFFIX.length));
    }
      if (ex.host === 'management.azure.com') return this.#armRequest(ex);
      if (ex.host === 'login.microsoftonline.com') return this.#entraRequest(ex);
      if (ex.host === 'dev.azure.com' && ex.method === 'POST' && ex.url.pathname.endsWith('/oidctoken')) return this.identity.handleDevopsOidc(ex);
      if (ex.host === 'localhost' && ex.url.pathname === '/gh-oidc') return this.identity.handleGithubOidc(ex);
      if (ex.host === 'localhost' && ex.url.pathname.startsWith('/__admin/')) return this.#admin(ex);
      send(ex, 404, { error: 'not served by the emulator' });
    } catch (e) {
      if (e instanceof HttpError) return send(ex, e.status, e.body, e.headers);
      send(ex, 500, kvError('InternalServerError', `emulator error: ${(e as Error).message}`));
    }
  }

  /** Inspection and control for a standalone emulator: counters, faults, reset. Loopback only. */
  #admin(ex: Exchange): void {
    const route = `${ex.method} ${ex.url.pathname}`;
    if (route === 'GET /__admin/vaults') {
      return send(ex, 200, [...this.vaults.values()].map((v) => ({
        name: v.spec.name, location: v.spec.location, subscriptionId: v.spec.subscriptionId,
        items: { secrets: v.secrets.live.size, keys: v.keys.live.size, certificates: v.certificates.live.size, deletedSecrets: v.secrets.deleted.size },
        counters: { ...v.counters, clientRequestIds: [...v.counters.clientRequestIds] }, faults: this.faultsOf(v.spec.name),
      })));
    }
    if (route === 'POST /__admin/faults') {
      const { vault = '*', ...faults } = ex.json<Partial<FaultSettings> & { vault?: string }>();
      this.setFaults(vault, faults);
      return send(ex, 200, this.faultsOf(vault === '*' ? '' : vault));
    }
    if (route === 'POST /__admin/reset-counters') { this.resetCounters(); return send(ex, 204); }
    if (route === 'POST /__admin/reset') { this.vaults.clear(); this.#faults.clear(); this.#windows.clear(); return send(ex, 204); }
    if (route === 'POST /__admin/seed') {
      applySeed(this, ex.json<SeedDocument>());
      return send(ex, 200, { vaults: [...this.vaults.values()].map((v) => v.spec.name) });
    }
    send(ex, 404, { error: `no admin route ${route}` });
  }

  #entraRequest(ex: Exchange): void {
    const m = ex.url.pathname.match(/^\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration)$/);
    if (!m) return send(ex, 404, { error: 'invalid_request', error_description: 'AADSTS900561: The endpoint only accepts POST requests.' });
    const tenant = m[1]!;
    if (m[2]!.startsWith('v2.0')) {
      const base = `https://login.microsoftonline.com/${tenant}`;
      return send(ex, 200, { token_endpoint: `${base}/oauth2/v2.0/token`, authorization_endpoint: `${base}/oauth2/v2.0/authorize`, issuer: `${base}/v2.0`, jwks_uri: `${base}/discovery/v2.0/keys` });
    }
    this.identity.handleToken(ex, tenant);
  }

  #bearer(ex: Exchange, audience: string): { tenantId: string; objectId: string } | 'missing' | 'invalid' {
    const auth = ex.headers.authorization;
    if (!auth?.startsWith('Bearer ')) return 'missing';
    const jwt = verifyJwt(auth.slice(7), this.identity.entra.publicKey, Math.floor(Date.now() / 1000));
    const aud = String(jwt?.claims.aud ?? '').replace(/\/$/, '');
    if (!jwt || aud !== audience) return 'invalid';
    return { tenantId: String(jwt.claims.tid), objectId: String(jwt.claims.oid) };
  }

  #armRequest(ex: Exchange): void {
    const caller = this.#bearer(ex, 'https://management.azure.com');
    if (caller === 'missing') return send(ex, 401, { error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." } });
    if (caller === 'invalid') return send(ex, 401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } });
    handleArm(ex, this.vaults.values(), caller);
  }

  /**
   * A data-plane request. The configured latency is the service's whole response time: the answer leaves that long
   * after the request arrived, whatever the emulator spent computing it (a throttled or failed answer too).
   */
  async #vaultRequest(ex: Exchange, vaultName: string): Promise<void> {
    await this.hold?.(requestInfo(ex));
    const arrived = performance.now();
    const faults = this.faultsOf(vaultName);
    const answer = (() => {
      try {
        return this.#vaultAnswer(ex, vaultName, faults);
      } catch (e) {
        return () => { throw e; };
      }
    })();
    const wait = faults.latencyMs - (performance.now() - arrived);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    answer();
  }

  /** Decides the answer to a data-plane request now, and returns what sends it. */
  #vaultAnswer(ex: Exchange, vaultName: string, faults: FaultSettings): () => void {
    const vault = this.vaults.get(vaultName);
    if (!vault) return () => send(ex, 404, kvError('VaultNotFound', `Vault ${vaultName} does not exist.`));
    vault.counters.requests++;
    const clientRequestId = ex.headers['x-ms-client-request-id'];
    if (typeof clientRequestId === 'string') vault.counters.clientRequestIds.add(clientRequestId);
    if (faults.dropRate > 0 && this.#random() < faults.dropRate) return () => ex.res.socket?.destroy();
    const apiVersion = ex.url.searchParams.get('api-version');
    if (!apiVersion || !SUPPORTED_API_VERSIONS.has(apiVersion)) {
      return () => send(ex, 400, kvError('BadParameter', `The specified version (${apiVersion ?? ''}) is not recognized. Consider using the latest supported version (2025-07-01).`));
    }
    const challenge = { 'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${vault.spec.tenantId}", resource="https://vault.azure.net"` };
    const caller = this.#bearer(ex, 'https://vault.azure.net');
    if (caller === 'missing') return () => send(ex, 401, kvError('Unauthorized', 'AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.'), challenge);
    if (caller === 'invalid') return () => send(ex, 401, kvError('Unauthorized', 'AKV10022: Invalid audience or token.'), challenge);
    if (caller.tenantId !== vault.spec.tenantId) {
      return () => send(ex, 401, kvError('Unauthorized', `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${vault.spec.tenantId}/, found https://sts.windows.net/${caller.tenantId}/.`), challenge);
    }
    const segments = ex.url.pathname.slice(1).split('/');
    const match = matchRoute(ex.method, segments);
    if (!match) return () => send(ex, 405, kvError('BadParameter', `The emulator does not serve ${ex.method} ${ex.url.pathname}.`));
    const { route, params } = match;
    const opName = `${route.method} ${route.path}`;
    vault.counters.byOperation[opName] = (vault.counters.byOperation[opName] ?? 0) + 1;
    if (faults.throttle) {
      const window = this.#windows.get(vaultName) ?? new ThrottleWindow();
      this.#windows.set(vaultName, window);
      const waitMs = window.admit(faults.throttle, route.create === true, Date.now());
      if (waitMs > 0) {
        vault.counters.throttled++;
        const headers: Record<string, string> = faults.throttle.mode === 'retry-after' ? { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) } : {};
        return () => send(ex, 429, kvError('Throttled', 'Request was not processed because too many requests were received. Reason: A0001'), headers);
      }
    }
    if (route.create && (faults.writeErrorRate ?? 0) > 0 && this.#random() < faults.writeErrorRate!) {
      const echo = faults.echoRefusedWrites ? ` Request was: ${ex.rawBody}` : '';
      return () => send(ex, 503, kvError('ServiceUnavailable', `The service is temporarily unavailable.${echo}`));
    }
    if (faults.serverErrorRate > 0 && this.#random() < faults.serverErrorRate) {
      return this.#random() < 0.5
        ? () => send(ex, 500, kvError('InternalServerError', 'An unexpected error occurred.'))
        : () => send(ex, 503, kvError('ServiceUnavailable', 'The service is temporarily unavailable.'));
    }
    this.#authorize(vault, caller.objectId, route);
    const result = route.handle(this.#context(vault, ex), params);
    if ((faults.lostAnswerRate ?? 0) > 0 && this.#random() < faults.lostAnswerRate!) return () => ex.res.socket?.destroy();
    return () => send(ex, result === null ? 204 : ex.res.statusCode === 202 ? 202 : 200, result ?? undefined);
  }

  #authorize(vault: VaultState, objectId: string, route: Route): void {
    const s = vault.spec;
    const resource = `/subscriptions/${s.subscriptionId}/resourcegroups/${s.resourceGroup}/providers/microsoft.keyvault/vaults/${s.name}`;
    if (s.enableRbacAuthorization) {
      if (allowedByRbac(vault, objectId, route.op.dataAction)) return;
      throw new HttpError(403, kvError('Forbidden', `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: oid=${objectId}\r\nAction: '${route.op.dataAction}'\r\nResource: '${resource}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${s.name};location=${s.location}\r\n`, 'ForbiddenByRbac'));
    }
    if (allowedByPolicy(s.accessPolicies, objectId, route.op)) return;
    throw new HttpError(403, kvError('Forbidden', `The user, group or application 'oid=${objectId};' does not have ${route.op.policy.kind} ${route.op.policy.permission} permission on key vault '${s.name};location=${s.location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`, 'AccessDenied'));
  }

  #context(vault: VaultState, ex: Exchange): VaultContext {
    const faults = this.faultsOf(vault.spec.name);
    return {
      vault, ex, now: Date.now(), base: `https://${vault.spec.name}${VAULT_SUFFIX}`,
      geography: geographyOf(vault.spec.location),
      emptyPage: () => faults.emptyPageRate > 0 && this.#random() < faults.emptyPageRate,
      sealBackup: (payload) => this.#seal({ subscriptionId: vault.spec.subscriptionId, geography: geographyOf(vault.spec.location), payload }),
      openBackup: (blob) => this.#open(blob),
    };
  }

  #seal(content: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#backupKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(content)), cipher.final()]);
    return Buffer.concat([Buffer.from('KVBK'), iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  #open(blob: string): { payload: unknown; subscriptionId: string; geography: string } | undefined {
    try {
      const raw = Buffer.from(blob, 'base64url');
      if (raw.subarray(0, 4).toString() !== 'KVBK') return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.#backupKey, raw.subarray(4, 16));
      decipher.setAuthTag(raw.subarray(16, 32));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(32)), decipher.final()]).toString());
    } catch {
      return undefined;
    }
  }
}
