import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * An RS256 signer, standing in for an identity provider's signing key. The key is made when first needed: an emulator
 * has three issuers and most sessions sign with Entra's only (an RSA key costs ~0.1 s of CPU).
 */
export class JwtIssuer {
  readonly kid = crypto.randomUUID();
  #pair?: { privateKey: KeyObject; publicKey: KeyObject };

  get #keys(): { privateKey: KeyObject; publicKey: KeyObject } {
    this.#pair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    return this.#pair;
  }

  get publicKey(): KeyObject {
    return this.#keys.publicKey;
  }

  /** A token this issuer signed, checked as verifyJwt does; undefined for any other (before it signed any: all). */
  verify(token: string, nowSeconds: number): VerifiedJwt | undefined {
    return this.#pair && verifyJwt(token, this.#pair.publicKey, nowSeconds);
  }

  sign(claims: Record<string, unknown>): string {
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${enc(header)}.${enc(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.#keys.privateKey).toString('base64url')}`;
  }

  jwks(): unknown {
    return {
      keys: [{ ...createPublicKey(this.publicKey).export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' }],
    };
  }
}

export interface VerifiedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** Verifies signature and lifetime; returns undefined when either fails. */
export function verifyJwt(token: string, publicKey: KeyObject, nowSeconds: number): VerifiedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts as [string, string, string];
  if (!verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'))) return undefined;
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
  if (typeof claims.exp === 'number' && claims.exp < nowSeconds) return undefined;
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>, claims };
}

export function decodeJwt(token: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
