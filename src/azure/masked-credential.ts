import type { TokenCredential } from '@azure/core-auth';
import { hideInLogs, redactLogs } from './log-redaction.ts';

/**
 * Registers a bearer credential with the runner or agent (`register`) and hides it in this process's stderr; returns
 * it.
 */
export function maskSecret(secret: string, register: (secret: string) => void): string {
  if (hideInLogs(secret)) register(secret);
  return secret;
}

/**
 * The credential, with every access token it hands out registered before any request can carry it: a token is as good
 * as the identity for its lifetime, and the runner only masks what it was told about. The CLI has no runner to tell
 * (`register` is then a no-op) but still needs its stderr redacted. Installs the log redaction before the first
 * request.
 */
export function maskedCredential(
  credential: TokenCredential,
  register: (secret: string) => void = () => undefined,
): TokenCredential {
  redactLogs();
  return {
    getToken: async (scopes, options) => {
      const token = await credential.getToken(scopes, options);
      if (token) maskSecret(token.token, register);
      return token;
    },
  };
}
