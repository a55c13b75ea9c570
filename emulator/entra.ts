import type { KeyObject } from 'node:crypto';
import { CLOUDS, PUBLIC, type EmulatedCloud } from './clouds.ts';
import { send, type Exchange } from './http-util.ts';
import type { IdentityProvider } from './identity.ts';
import { verifyJwt } from './jwt.ts';

/** Who a valid bearer token speaks for. */
export interface Caller {
  tenantId: string;
  objectId: string;
  /** The application (client) id, ARM's name for a service principal in its refusals. */
  clientId?: string;
}

/** The tenant names Entra serves for any tenant; `{tenantid}` stands in their issuer. */
const MULTI_TENANT = new Set(['common', 'organizations']);

/** OpenID configuration of a tenant: v2 (`/{tenant}/v2.0/.well-known/…`) or v1 (`/{tenant}/.well-known/…`). */
function openIdConfiguration(tenant: string, v2: boolean, cloud: EmulatedCloud) {
  const HOST = cloud.loginHost;
  const base = `https://${HOST}/${tenant}`;
  const tid = MULTI_TENANT.has(tenant) ? '{tenantid}' : tenant;
  const common = {
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    request_uri_parameter_supported: false,
    tenant_region_scope: MULTI_TENANT.has(tenant) ? null : 'WW',
    cloud_instance_name: cloud.cloudInstanceName,
    cloud_graph_host_name: cloud.graphHost,
    msgraph_host: cloud.msgraphHost,
    rbac_url: 'https://pas.windows.net',
  };
  if (v2)
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      issuer: `https://${HOST}/${tid}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      kerberos_endpoint: `${base}/kerberos`,
      userinfo_endpoint: `https://${cloud.msgraphHost}/oidc/userinfo`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      ...common,
    };
  return {
    token_endpoint: `${base}/oauth2/token`,
    jwks_uri: `https://${HOST}/common/discovery/keys`,
    issuer: `https://${cloud.stsHost}/${tid}/`,
    authorization_endpoint: `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    end_session_endpoint: `${base}/oauth2/logout`,
    check_session_iframe: `${base}/oauth2/checksession`,
    kerberos_endpoint: `${base}/kerberos`,
    userinfo_endpoint: `https://${HOST}/${tenant}/openid/userinfo`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    microsoft_multi_refresh_token: true,
    ...common,
  };
}

/**
 * login.microsoftonline.com: MSAL's instance discovery, a tenant's OpenID configuration (v1 and v2) and signing keys,
 * and the v1 (`resource=`) and v2 (`scope=`) token endpoints.
 */
export function handleEntraRequest(ex: Exchange, identity: IdentityProvider, cloud: EmulatedCloud = PUBLIC): void {
  const path = ex.url.pathname;
  if (path === '/common/discovery/instance' && ex.method === 'GET') return instanceDiscovery(ex, identity, cloud);
  const m = path.match(
    /^\/([^/]+)\/(oauth2\/v2\.0\/token|oauth2\/token|v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys)$/,
  );
  if (!m) {
    return send(ex, 404, {
      error: 'invalid_request',
      error_description: 'AADSTS900561: The endpoint only accepts POST requests.',
    });
  }
  const [, tenant, route] = m as unknown as [string, string, string];
  if (route === 'oauth2/v2.0/token') return identity.handleToken(ex, tenant, 2, cloud);
  if (route === 'oauth2/token') return identity.handleToken(ex, tenant, 1, cloud);
  if (!MULTI_TENANT.has(tenant) && !identity.knowsTenant(tenant, cloud)) {
    const r = identity.aadError(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    );
    return send(ex, r.status, r.body);
  }
  if (route.startsWith('discovery/')) return send(ex, 200, identity.entra.jwks());
  send(ex, 200, openIdConfiguration(tenant, route.startsWith('v2.0'), cloud));
}

/**
 * GET /common/discovery/instance?api-version=1.1&authorization_endpoint=…: the cloud's aliases and where the
 * authority's OpenID configuration is. An authority on a host outside the public cloud is refused (AADSTS50049).
 */
function instanceDiscovery(ex: Exchange, identity: IdentityProvider, cloud: EmulatedCloud): void {
  const fail = (error: string, code: number, description: string) => {
    const r = identity.aadError(400, error, code, description);
    send(ex, r.status, r.body);
  };
  const endpoint = ex.url.searchParams.get('authorization_endpoint');
  if (!endpoint)
    return fail(
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'authorization_endpoint'.",
    );
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return fail('invalid_instance', 50049, 'Unknown or invalid instance.');
  }
  if (url.protocol !== 'https:' || !cloud.discovery.aliases.includes(url.host.toLowerCase()))
    return fail('invalid_instance', 50049, 'Unknown or invalid instance.');
  const [, tenant = 'common', ...rest] = url.pathname.split('/');
  const v2 = rest.join('/') !== 'oauth2/authorize';
  send(ex, 200, {
    tenant_discovery_endpoint: `https://${url.host}/${tenant}/${v2 ? 'v2.0/' : ''}.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [cloud.discovery],
  });
}

/** The audiences a service accepts as its own: each cloud's ARM answers to both of its identifier URIs, as in Azure. */
const AUDIENCE_ALIASES: Record<string, readonly string[]> = Object.fromEntries(
  Object.values(CLOUDS).map((c) => [c.armResources[0], c.armResources]),
);

/** The caller of a request to `audience` (ARM or Key Vault), by its Entra access token: missing, invalid or who. */
export function bearerCaller(
  ex: Exchange,
  audience: string,
  entraKey: KeyObject,
  nowSeconds: number,
): Caller | 'missing' | 'invalid' {
  const auth = ex.headers.authorization;
  if (!auth?.startsWith('Bearer ')) return 'missing';
  const jwt = verifyJwt(auth.slice(7), entraKey, nowSeconds);
  const aud = String(jwt?.claims.aud ?? '').replace(/\/$/, '');
  if (!jwt || !(AUDIENCE_ALIASES[audience] ?? [audience]).includes(aud)) return 'invalid';
  const clientId = jwt.claims.appid === undefined ? undefined : String(jwt.claims.appid);
  return { tenantId: String(jwt.claims.tid), objectId: String(jwt.claims.oid), ...(clientId ? { clientId } : {}) };
}
