import type { KeyObject } from 'node:crypto';
import { send, type Exchange } from './http-util.ts';
import type { IdentityProvider } from './identity.ts';
import { verifyJwt } from './jwt.ts';

/** Who a valid bearer token speaks for. */
export interface Caller {
  tenantId: string;
  objectId: string;
}

/** login.microsoftonline.com: a tenant's token endpoint and its OpenID configuration. */
export function handleEntraRequest(ex: Exchange, identity: IdentityProvider): void {
  const m = ex.url.pathname.match(/^\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration)$/);
  if (!m) {
    return send(ex, 404, {
      error: 'invalid_request',
      error_description: 'AADSTS900561: The endpoint only accepts POST requests.',
    });
  }
  const tenant = m[1]!;
  if (m[2]!.startsWith('v2.0')) {
    const base = `https://login.microsoftonline.com/${tenant}`;
    return send(ex, 200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
    });
  }
  identity.handleToken(ex, tenant);
}

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
  if (!jwt || aud !== audience) return 'invalid';
  return { tenantId: String(jwt.claims.tid), objectId: String(jwt.claims.oid) };
}
