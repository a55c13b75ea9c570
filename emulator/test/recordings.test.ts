import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../model.ts';
import { ADMIN, startWorld, vaultSpec, emulatorPerFile } from '../../test/support/world.ts';

/**
 * Replays the recorded real-service sessions (shared/reference/keyvault-recordings) against the emulator and compares
 * status codes, error codes and the top-level shape of each body.
 */
const ROOT = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'shared',
  'reference',
  'keyvault-recordings',
);
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) =>
    statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.json') ? [join(dir, f)] : [],
  );

interface Entry {
  RequestUri: string;
  RequestMethod: string;
  RequestHeaders: Record<string, string>;
  RequestBody: unknown;
  StatusCode: number;
  ResponseBody: unknown;
}

/** Fields the real service sends that the emulator deliberately leaves out, each with the reason. */
const KNOWN_OMISSIONS = new Set([
  // These recordings read the certificate while the real CA was still working; the emulator's self-signed creation
  // completes at once, so its certificate has no `pending` link any more (and has x5t/cer the recording lacks).
  'pending',
]);

// The recorded ARM caller read the (empty) resource group it listed: a role at the subscription's scope.
const emulator = emulatorPerFile(() =>
  startWorld({
    vaults: [],
    subscriptionRoleAssignments: [
      { subscriptionId: 'azure_subscription_id', principalId: ADMIN.objectId, role: 'Reader' },
    ],
  }),
);

function send(
  e: Entry,
  host: string,
  token: string,
): Promise<{ status: number; body: unknown; headers: Record<string, unknown> }> {
  const recorded = new URL(e.RequestUri.replace(/^https:\/\/[^/]+/, `https://${host}`));
  // Vault requests keep the api-version they were recorded with (7.5, 7.5-preview.1, 2025-07-01): Azure served them.
  if (host === 'management.azure.com' && recorded.searchParams.has('api-version'))
    recorded.searchParams.set('api-version', '2026-02-01');
  let body =
    e.RequestBody === null || e.RequestBody === undefined || e.RequestBody === ''
      ? ''
      : typeof e.RequestBody === 'string'
        ? e.RequestBody
        : JSON.stringify(e.RequestBody);
  body = body.replace(/"issuer":\s*\{"name":\s*"Sanitized"\}/g, '"issuer":{"name":"Self"}'); // the recorder hid the issuer name
  const withAuth = Object.keys(e.RequestHeaders).some((h) => h.toLowerCase() === 'authorization');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: emulator.tlsPort,
        servername: host,
        method: e.RequestMethod,
        path: recorded.pathname + recorded.search,
        headers: {
          host,
          'content-type': 'application/json',
          ...(withAuth ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: res.headers }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Fields whose values, not only presence, must match: they follow from the request, not from the recorded account. */
const VALUES = new Set([
  'attributes.hsmPlatform',
  'value[].attributes.hsmPlatform',
  'policy.x509_props.subject',
  'policy.x509_props.validity_months',
  'value[].subject',
]);

/** Objects whose fields must match the recording both ways: a field the service does not send is a difference too. */
const EXACT = ['attributes', 'policy', 'key_props', 'secret_props', 'x509_props', 'issuer', 'error'];

function shapeDiff(recorded: unknown, ours: unknown, at = ''): string[] {
  if (!recorded || typeof recorded !== 'object') return [];
  if (Array.isArray(recorded)) {
    // A list page: each recorded item against ours at its place (or our last, when the pages split differently).
    if (!Array.isArray(ours)) return [`${at}: expected an array`];
    // An empty page of ours compares nothing: the recorded account held items of other sessions.
    if (!ours.length) return [];
    return recorded.flatMap((r, i) => shapeDiff(r, ours[Math.min(i, ours.length - 1)], `${at}[]`));
  }
  if (!ours || typeof ours !== 'object') return [`${at || 'body'}: expected an object`];
  const out: string[] = [];
  const leaf = at.split('.').pop() ?? '';
  if (EXACT.includes(leaf.replace(/\[\]$/, '')) || leaf === 'value[]')
    for (const k of Object.keys(ours))
      if (!(k in recorded) && !KNOWN_OMISSIONS.has(at ? `${at}.${k}` : k)) out.push(`extra ${at}.${k}`);
  for (const [k, v] of Object.entries(recorded)) {
    const path = at ? `${at}.${k}` : k;
    if (KNOWN_OMISSIONS.has(path)) continue;
    if (!(k in (ours as object))) {
      out.push(`missing ${path}`);
      continue;
    }
    const mine = (ours as Record<string, unknown>)[k];
    if (VALUES.has(path) && mine !== v) out.push(`${path}: ${JSON.stringify(mine)}, recorded ${JSON.stringify(v)}`);
    if ([...EXACT, 'value'].includes(k)) out.push(...shapeDiff(v, mine, path));
  }
  return out;
}

const cases = files(ROOT)
  .filter((f) => !f.endsWith('vaults_create_test.json'))
  .map((f) => [relative(ROOT, f), f] as const);

test.each(cases)('%s', async (_name, file) => {
  const isArm = file.includes('arm-keyvault');
  const vault = `rec-${Math.random().toString(36).slice(2, 8)}`;
  emulator.addVault(vaultSpec(vault, 'westeurope'));
  const host = isArm ? 'management.azure.com' : `${vault}.vault.azure.net`;
  const token = emulator.identity.accessToken(
    ADMIN,
    isArm ? 'https://management.azure.com' : 'https://vault.azure.net',
  );
  const entries = (JSON.parse(readFileSync(file, 'utf8')) as { Entries: Entry[] }).Entries;
  const problems: string[] = [];
  for (const [i, e] of entries.entries()) {
    const next = entries[i + 1];
    // Polls repeat one request until the service settles; the emulator settles at once, so compare the last poll.
    // A certificate's creation is the exception: it is pending on the emulator's clock too, so every poll compares,
    // and the issuance time passes where the recorded service had completed it.
    const isPendingPoll = /\/certificates\/[^/]+\/pending$/.test(new URL(e.RequestUri).pathname);
    const isIntermediatePoll =
      next && next.RequestMethod === e.RequestMethod && next.RequestUri === e.RequestUri && e.RequestMethod === 'GET';
    if ((isIntermediatePoll && !isPendingPoll) || e.RequestUri.includes('$skiptoken=')) continue;
    if (isPendingPoll && (e.ResponseBody as { status?: string } | null)?.status === 'completed')
      emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
    const got = await send(e, host, token);
    const where = `${e.RequestMethod} ${new URL(e.RequestUri).pathname}`;
    if (got.status !== e.StatusCode) {
      problems.push(`${where}: status ${got.status}, recorded ${e.StatusCode}`);
      continue;
    }
    const recordedCode = (e.ResponseBody as { error?: { code?: string } } | null)?.error?.code;
    const ourCode = (got.body as { error?: { code?: string } } | null)?.error?.code;
    if (recordedCode !== ourCode) problems.push(`${where}: error code ${ourCode}, recorded ${recordedCode}`);
    if (
      e.StatusCode === 401 &&
      !String(got.headers['www-authenticate'] ?? '').startsWith(
        'Bearer authorization="https://login.microsoftonline.com/',
      )
    )
      problems.push(`${where}: 401 without the bearer challenge`);
    problems.push(...shapeDiff(e.ResponseBody, got.body).map((d) => `${where}: ${d}`));
  }
  expect(problems).toEqual([]);
});
