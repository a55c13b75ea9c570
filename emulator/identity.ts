import type { EmulatorClock } from './clock.ts';
import { cloudNamed, PUBLIC, type CloudName, type EmulatedCloud } from './clouds.ts';
import { JwtIssuer } from './jwt.ts';
import { send, type Exchange } from './http-util.ts';

export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface FederatedCredential {
  issuer: string;
  subject: string;
  audience?: string;
}

/**
 * Whether a cloud's Entra ID issues tokens for a resource (the services the emulator stands in for, and Graph, which
 * clients ask about the signed-in principal), by application ID URI; a trailing slash, as azure-cli writes ARM's
 * (`https://management.core.windows.net//.default`), names the same resource. Anything else Entra refuses with
 * AADSTS500011: another cloud's vault (`https://vault.azure.cn` asked of the public cloud) too.
 */
const isKnownResource = (resource: string, cloud: EmulatedCloud): boolean =>
  cloud.resources.includes(resource.toLowerCase().replace(/\/+$/, ''));

/** An app registration (service principal) known to the emulated tenant. */
export interface Principal {
  /** The cloud whose Entra ID holds the app registration (AzureCloud unless given): no other cloud's knows it. */
  cloud?: CloudName;
  clientId: string;
  objectId: string;
  tenantId: string;
  clientSecret?: string;
  federatedCredentials?: FederatedCredential[];
  /**
   * Object ids of the security groups the principal belongs to. Role assignments and access policies granted to a
   * group apply to its members; tokens list them in the `groups` claim (an app registration set to emit group claims).
   */
  groups?: string[];
  /**
   * The group overage: Entra lists at most 200 groups in a JWT; beyond that (or with this set) the token carries
   * `_claim_names`/`_claim_sources` pointing at Graph instead of `groups`. Membership still applies in Azure.
   */
  groupOverage?: boolean;
}

/** Entra ID's token endpoint plus the GitHub Actions and Azure DevOps OIDC issuers. */
export class IdentityProvider {
  readonly entra = new JwtIssuer();
  readonly github = new JwtIssuer();
  readonly devops = new JwtIssuer();
  readonly principals = new Map<string, Principal>();
  /** GitHub request token → claims of the ID token it may obtain (repo, ref, environment...). */
  readonly githubRequests = new Map<string, Record<string, unknown>>();
  /** Azure DevOps System.AccessToken → { organizationId, subject per service connection id }. */
  readonly devopsRequests = new Map<string, { organizationId: string; subjects: Record<string, string> }>();
  tokensIssued = 0;
  /** Every access token handed out, so a test can look for each one in what a run printed. */
  readonly issuedAccessTokens = new Set<string>();
  /** Every GitHub and Azure DevOps OIDC ID token signed, for the same reason: they are bearer credentials too. */
  readonly issuedIdTokens = new Set<string>();
  readonly #clock: EmulatorClock;

  constructor(clock: EmulatorClock) {
    this.#clock = clock;
  }

  devopsIssuer(organizationId: string): string {
    return `https://vstoken.dev.azure.com/${organizationId}`;
  }

  /** A tenant Entra knows here: the home tenant of some principal. */
  knowsTenant(tenant: string, cloud: EmulatedCloud = PUBLIC): boolean {
    return [...this.principals.values()].some(
      (p) => p.tenantId.toLowerCase() === tenant.toLowerCase() && cloudNamed(p.cloud) === cloud,
    );
  }

  addPrincipal(p: Principal): void {
    this.principals.set(p.clientId, p);
  }

  /**
   * The object ids a caller acts as: its own first, then its groups'. Azure resolves membership in the directory, not
   * from the token, so a group overage does not take grants away.
   */
  memberIdsOf(objectId: string): string[] {
    const p = [...this.principals.values()].find((x) => x.objectId.toLowerCase() === objectId.toLowerCase());
    return [objectId, ...(p?.groups ?? [])];
  }

  /** The group claims of a principal's token: the list, Entra's overage pointer, or nothing. */
  #groupClaims(principal: Principal): Record<string, unknown> {
    const groups = principal.groups ?? [];
    if (!groups.length) return {};
    if (principal.groupOverage || groups.length > 200)
      return {
        _claim_names: { groups: 'src1' },
        _claim_sources: {
          src1: {
            endpoint: `https://graph.windows.net/${principal.tenantId}/servicePrincipals/${principal.objectId}/getMemberObjects`,
          },
        },
      };
    return { groups };
  }

  /** Issues an access token straight away (for admin seeding and tests of the vault's own checks). */
  accessToken(principal: Principal, resource: string, lifetimeSeconds = 3600): string {
    const now = this.#clock.nowSeconds();
    this.tokensIssued++;
    const token = this.entra.sign({
      aud: resource,
      iss: `https://${cloudNamed(principal.cloud).stsHost}/${principal.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      appid: principal.clientId,
      oid: principal.objectId,
      sub: principal.objectId,
      tid: principal.tenantId,
      ...this.#groupClaims(principal),
      ver: '1.0',
      // Entra's unique token id: two tokens for one principal and audience in one second are still two tokens.
      uti: crypto.randomUUID().replaceAll('-', '').slice(0, 22),
    });
    this.issuedAccessTokens.add(token);
    return token;
  }

  /** Entra's error body: its AADSTS code, trace and correlation ids, and the time. */
  aadError(status: number, error: string, code: number, description: string): { status: number; body: unknown } {
    const now = this.#clock.date();
    return {
      status,
      body: {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${crypto.randomUUID()} Correlation ID: ${crypto.randomUUID()} Timestamp: ${now.toISOString()}`,
        error_codes: [code],
        timestamp: now.toISOString(),
        trace_id: crypto.randomUUID(),
        correlation_id: crypto.randomUUID(),
      },
    };
  }

  #idToken(issuer: JwtIssuer, claims: Record<string, unknown>): string {
    const token = issuer.sign(claims);
    this.issuedIdTokens.add(token);
    return token;
  }

  /** Entra's refusal of a token for a resource no service principal of the tenant stands for. */
  #unknownResource(resource: string, tenant: string) {
    return this.aadError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }

  /**
   * POST /{tenant}/oauth2/v2.0/token (version 2: `scope=…/.default`, as MSAL sends it) or /{tenant}/oauth2/token
   * (version 1: `resource=…`, numbers as strings in the answer), form-encoded, client credentials only.
   */
  handleToken(ex: Exchange, tenant: string, version: 1 | 2, cloud: EmulatedCloud = PUBLIC): void {
    const form = new URLSearchParams(ex.rawBody);
    const clientId = form.get('client_id') ?? '';
    const found = this.principals.get(clientId);
    const principal = found && cloudNamed(found.cloud) === cloud ? found : undefined;
    const reply = (r: { status: number; body: unknown }) => send(ex, r.status, r.body);
    if (form.get('grant_type') !== 'client_credentials') {
      return reply(this.aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'));
    }
    if (!principal || principal.tenantId !== tenant) {
      return reply(
        this.aadError(
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        ),
      );
    }
    const assertion = form.get('client_assertion');
    if (assertion) {
      const failure = this.#checkAssertion(principal, assertion);
      if (failure) return reply(failure);
    } else if (!principal.clientSecret || form.get('client_secret') !== principal.clientSecret) {
      return reply(
        this.aadError(
          401,
          'invalid_client',
          7000215,
          "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" +
            clientId +
            "'.",
        ),
      );
    }
    if (version === 1) {
      const resource = form.get('resource');
      if (!resource)
        return reply(
          this.aadError(
            400,
            'invalid_request',
            900144,
            "The request body must contain the following parameter: 'resource'.",
          ),
        );
      if (!isKnownResource(resource, cloud)) return reply(this.#unknownResource(resource, tenant));
      const now = this.#clock.nowSeconds();
      return send(ex, 200, {
        token_type: 'Bearer',
        expires_in: '3599',
        ext_expires_in: '3599',
        expires_on: String(now + 3599),
        not_before: String(now),
        resource,
        access_token: this.accessToken(principal, resource, 3599),
      });
    }
    const scope = (form.get('scope') ?? '').split(' ').find((s) => s.endsWith('/.default'));
    if (!scope)
      return reply(
        this.aadError(
          400,
          'invalid_scope',
          1002012,
          'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
        ),
      );
    const resource = scope.slice(0, -'/.default'.length);
    if (!isKnownResource(resource, cloud)) return reply(this.#unknownResource(resource, tenant));
    send(ex, 200, {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: this.accessToken(principal, resource),
    });
  }

  #checkAssertion(principal: Principal, assertion: string): { status: number; body: unknown } | undefined {
    const now = this.#clock.nowSeconds();
    const verified = [this.github, this.devops].map((issuer) => issuer.verify(assertion, now)).find(Boolean);
    if (!verified) return this.aadError(400, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
    const { iss, sub, aud } = verified.claims as { iss: string; sub: string; aud: string | string[] };
    const audiences = Array.isArray(aud) ? aud : [aud];
    const match = (principal.federatedCredentials ?? []).find(
      (f) =>
        f.issuer === iss &&
        f.subject === sub &&
        audiences.includes(f.audience ?? cloudNamed(principal.cloud).federationAudience),
    );
    if (!match) {
      return this.aadError(
        400,
        'invalid_client',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${sub}'. Assertion Audience: '${audiences.join(',')}'.`,
      );
    }
    return undefined;
  }

  /** GET ACTIONS_ID_TOKEN_REQUEST_URL&audience=…, Authorization: Bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  handleGithubOidc(ex: Exchange): void {
    const bearer = (ex.headers.authorization ?? '').replace(/^Bearer /i, '');
    const claims = this.githubRequests.get(bearer);
    if (!claims) return send(ex, 401, { message: 'Unauthorized' });
    const now = this.#clock.nowSeconds();
    send(ex, 200, {
      count: 1944,
      value: this.#idToken(this.github, {
        jti: crypto.randomUUID(),
        aud: ex.url.searchParams.get('audience') ?? 'https://github.com',
        iss: GITHUB_ISSUER,
        nbf: now,
        iat: now,
        exp: now + 300,
        ...claims,
      }),
    });
  }

  /** POST SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=…, Authorization: Bearer System.AccessToken. */
  handleDevopsOidc(ex: Exchange): void {
    const bearer = (ex.headers.authorization ?? '').replace(/^Bearer /i, '');
    const grant = this.devopsRequests.get(bearer);
    const connection = ex.url.searchParams.get('serviceConnectionId') ?? '';
    const subject = grant?.subjects[connection];
    if (!grant || !subject)
      return send(ex, 401, {
        $id: '1',
        message: 'TF400813: The user is not authorized to access this resource.',
        typeKey: 'UnauthorizedRequestException',
      });
    const now = this.#clock.nowSeconds();
    send(ex, 200, {
      oidcToken: this.#idToken(this.devops, {
        jti: crypto.randomUUID(),
        sub: subject,
        aud: FEDERATION_AUDIENCE,
        iss: this.devopsIssuer(grant.organizationId),
        nbf: now,
        iat: now,
        exp: now + 600,
      }),
    });
  }
}
