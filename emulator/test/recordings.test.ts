import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../model.ts';
import { DEFAULT_WINDOWS } from '../server.ts';
import { ADMIN, startWorld, vaultSpec, emulatorPerFile } from '../../test/support/world.ts';

/**
 * Replays the recorded real-service sessions (reference/keyvault-recordings, beside this file) against the emulator and
 * compares status codes, error codes and the top-level shape of each body.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), 'reference', 'keyvault-recordings');
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

// The recorded ARM caller listed an (empty) resource group and created a vault: Contributor at the subscription.
const emulator = emulatorPerFile(() =>
  startWorld({
    vaults: [],
    subscriptionRoleAssignments: [
      { subscriptionId: 'azure_subscription_id', principalId: ADMIN.objectId, role: 'Contributor' },
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

/**
 * The item a recorded nextLink continues from. Key Vault's skip token is base64url JSON whose `NextMarker` holds,
 * after two counters, base64 of `<len>!<kind>/<NAME>!…`: the next entry of the vault's store, listed or not.
 */
function markerName(nextLink: string): string | undefined {
  const token = new URL(nextLink).searchParams.get('$skiptoken') ?? '';
  try {
    const marker = (JSON.parse(Buffer.from(token, 'base64url').toString()) as { NextMarker?: string }).NextMarker;
    const inner = Buffer.from(marker?.split('!')[2] ?? '', 'base64').toString();
    return inner.match(/!\w+\/([^!]+)!/)?.[1];
  } catch {
    return undefined; // a sanitized token ("Sanitized") names nothing
  }
}

/**
 * Whether a name is one this recording's requests touched; unknown names count as ours. The recorder removed the
 * random digits from the names in URIs but not from the tokens, so both are compared without digits and case.
 */
const ownItem = (entries: Entry[], name: string | undefined): boolean => {
  const plain = (s: string) => s.toLowerCase().replace(/[0-9]/g, '');
  return !name || entries.some((e) => plain(new URL(e.RequestUri).pathname).includes(`/${plain(name)}`));
};

const cases = files(ROOT).map((f) => [relative(ROOT, f), f] as const);

/** What a poll waits for to change: the status code, and a pending operation's own status. */
const stateOf = (status: number, body: unknown) => `${status} ${(body as { status?: string } | null)?.status ?? ''}`;

/** Enough emulator time for any window (delete, recover, purge) or a certificate's issuance to pass. */
const SETTLE_MS = Math.max(...Object.values(DEFAULT_WINDOWS), DEFAULT_CERTIFICATE_ISSUANCE_MS) + 1;

test.each(cases)('%s', async (_name, file) => {
  const isArm = file.includes('arm-keyvault');
  const vault = `rec-${Math.random().toString(36).slice(2, 8)}`;
  // Azure's own windows: a deleted item is not readable as deleted at once, a recovered one not readable at once.
  emulator.addVault(vaultSpec(vault, 'westeurope'));
  emulator.setWindows(vault, DEFAULT_WINDOWS);
  const host = isArm ? 'management.azure.com' : `${vault}.vault.azure.net`;
  const token = emulator.identity.accessToken(
    ADMIN,
    isArm ? 'https://management.azure.com' : 'https://vault.azure.net',
  );
  const entries = (JSON.parse(readFileSync(file, 'utf8')) as { Entries: Entry[] }).Entries;
  const problems: string[] = [];
  let ourNextLink: string | undefined;
  for (const [i, e] of entries.entries()) {
    const prev = entries[i - 1];
    const where = `${e.RequestMethod} ${new URL(e.RequestUri).pathname}`;
    // A poll repeats one request until the service settles. Every poll is compared: while the recorded answer stays,
    // the emulator's must too; where the recorded answer changed, the emulator's clock moves past its windows first.
    const isPoll =
      prev && e.RequestMethod === 'GET' && prev.RequestMethod === 'GET' && prev.RequestUri === e.RequestUri;
    if (isPoll && stateOf(prev.StatusCode, prev.ResponseBody) !== stateOf(e.StatusCode, e.ResponseBody))
      emulator.clock.advance(SETTLE_MS);
    let uri = e.RequestUri;
    if (e.RequestUri.includes('$skiptoken=')) {
      // A recorded next page carries the recorded service's token: follow the emulator's own nextLink instead. Where
      // the emulator's pages have ended, the recorded account held items of other sessions (its pages list names this
      // test never created), so there is nothing of ours to compare.
      if (!ourNextLink) {
        const names = ((e.ResponseBody as { value?: { id?: string }[] }).value ?? []).map((v) => v.id ?? '');
        const ours = entries.some((x) => x.RequestMethod !== 'GET' && names.some((n) => n && x.RequestUri.includes(n)));
        if (ours) problems.push(`${where}: the emulator's pages ended before a recorded page of this test's items`);
        continue;
      }
      uri = ourNextLink;
    }
    const got = await send({ ...e, RequestUri: uri }, host, token);
    ourNextLink = (got.body as { nextLink?: string | null } | null)?.nextLink ?? undefined;
    if (got.status !== e.StatusCode) {
      problems.push(`${where}: status ${got.status}, recorded ${e.StatusCode}`);
      continue;
    }
    const errorOf = (b: unknown) => (b as { error?: { code?: string; innererror?: { code?: string } } } | null)?.error;
    const [recordedError, ourError] = [errorOf(e.ResponseBody), errorOf(got.body)];
    if (recordedError?.code !== ourError?.code)
      problems.push(`${where}: error code ${ourError?.code}, recorded ${recordedError?.code}`);
    if (recordedError?.innererror?.code !== ourError?.innererror?.code)
      problems.push(`${where}: inner code ${ourError?.innererror?.code}, recorded ${recordedError?.innererror?.code}`);
    const recordedNext = (e.ResponseBody as { nextLink?: string | null } | null)?.nextLink;
    const recordedCount = ((e.ResponseBody as { value?: unknown[] } | null)?.value ?? []).length;
    const ourCount = ((got.body as { value?: unknown[] } | null)?.value ?? []).length;
    // Only a page of the same items can be held to the same nextLink, and only when the recorded one leads to an item
    // of this test: the recorded vault held other tests' items, and a marker naming one of those is theirs.
    const foreign = recordedNext && !ownItem(entries, markerName(recordedNext));
    if (recordedCount === ourCount && !foreign && !recordedNext !== !ourNextLink)
      problems.push(
        `${where}: nextLink ${ourNextLink ? 'present' : 'absent'}, recorded ${recordedNext ? 'present' : 'absent'}`,
      );
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
