import { HttpsProxyAgent } from 'https-proxy-agent';

const REDACTED = '***';
const secrets = new Set<string>();

/** Remembers a credential this process holds, so nothing written to stderr shows it; true the first time. */
export function hideInLogs(secret: string): boolean {
  if (!secret || secrets.has(secret)) return false;
  secrets.add(secret);
  return true;
}

/**
 * Credentials by their shape, for those never handed to us: the CI's request tokens, the OIDC token the SDK fetches.
 * No word boundaries: in a JSON-escaped raw header the name follows the letter of a `\r\n`.
 */
const SHAPES: [RegExp, string][] = [
  // A header's value: raw (`Authorization: Bearer …\r\n`), as Node's debug prints options (`Authorization: 'Bearer
  // …'`), or JSON.
  [/(authorization["']?\s*:\s*["']?)[^"'\r\n\\]+/gi, `$1${REDACTED}`],
  // A credential after its scheme, in any text (RFC 6750 b64token).
  [/(Bearer|PoP|Basic)(\s+)[\w\-.~+/]{16,}=*/gi, `$1$2${REDACTED}`],
  // Any JWT: access tokens, OIDC ID tokens, client assertions.
  [/eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, REDACTED],
  // A password in a URL: a corporate proxy's `http://user:password@host`.
  [/(\b[a-z][a-z\d+.-]*:\/\/[^\s/@"':]+:)[^\s/@"']+@/gi, `$1${REDACTED}@`],
];

/** The text with every remembered credential, and everything shaped like one, replaced. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, REDACTED);
  for (const [shape, by] of SHAPES) out = out.replace(shape, by);
  return out;
}

let installed = false;

/**
 * Keeps credentials out of everything the SDK and Node print, once per process, before the first request.
 * - The SDK's request log (AZURE_LOG_LEVEL=info and up) JSON-serialises `request.agent`; behind a proxy that is a
 *   shared HttpsProxyAgent whose sockets hold other requests' raw headers, `Authorization: Bearer …` included, and
 *   the proxy's URL with its password. Every proxy agent, ours and the SDK's own (one https-proxy-agent serves both),
 *   serialises as a placeholder.
 * - What the SDK logs goes to stderr through two copies of @azure/logger (ESM, and CommonJS for arm-authorization,
 *   which is CommonJS only), and NODE_DEBUG=http prints each new connection's options, headers included, to stderr
 *   too: stderr is the one place they all meet, so that is where text is redacted. Stdout is left alone: the runner's
 *   and agent's commands, `::add-mask::` and `##vso[task.setsecret]`, travel there and must stay whole.
 */
export function redactLogs(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(HttpsProxyAgent.prototype, 'toJSON', {
    value: () => '[proxy agent]',
    configurable: true,
    writable: true,
  });
  const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const isText = (chunk: unknown, encoding: unknown): chunk is string =>
    typeof chunk === 'string' && (typeof encoding !== 'string' || /^utf-?8$/i.test(encoding));
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    write(isText(chunk, rest[0]) ? redact(chunk) : chunk, ...rest)) as typeof process.stderr.write;
}
