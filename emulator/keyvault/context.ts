import { fail, type Exchange } from '../http-util.ts';
import type { VaultState } from '../model.ts';
import type { Operation } from '../rbac.ts';

/** What a data-plane route gets: the vault, its base URL as the client sees it, and the request. */
export interface VaultContext {
  vault: VaultState;
  base: string;
  ex: Exchange;
  now: number;
  /** Whether this list page should come back empty with a nextLink (fault injection). */
  emptyPage(): boolean;
  /** Backup blobs are bound to subscription + geography, as Key Vault's security worlds are. */
  geography: string;
  sealBackup(payload: unknown): string;
  openBackup(blob: string): { payload: unknown; subscriptionId: string; geography: string } | undefined;
}

export interface Route {
  method: string;
  /** Matched against the path's segments; `:name` captures one segment, `:version?` an optional last one. */
  path: string;
  op: Operation;
  /** Counts against the 300-per-10-s CREATE/IMPORT budget. */
  create?: boolean;
  handle(ctx: VaultContext, params: Record<string, string>): unknown;
}

export const MAX_RESULTS = 25;

/** The offset a `$skiptoken` of ours encodes; anything else is the client's error (400), never the server's. */
function skipOffset(token: string): number {
  let marker: unknown;
  try {
    marker = (JSON.parse(Buffer.from(token, 'base64url').toString()) as { NextMarker?: unknown }).NextMarker;
  } catch {
    marker = undefined;
  }
  const offset = typeof marker === 'string' && /^\d+$/.test(marker) ? Number(marker) : NaN;
  if (!Number.isSafeInteger(offset)) fail(400, 'BadParameter', `The skip token '${token}' is not valid.`);
  return offset;
}

/**
 * One page of a listing, with Key Vault's absolute nextLink (port 443 included, as the service sends it). Only the
 * page's own items go through `shape`, so that a page of a large vault costs what the service's would.
 */
export function page<T, U = T>(
  ctx: VaultContext,
  items: T[],
  shape: (item: T) => U = (i) => i as unknown as U,
): { value: U[]; nextLink: string | null } {
  const q = ctx.ex.url.searchParams;
  const size = Math.min(MAX_RESULTS, Math.max(1, Number(q.get('maxresults') ?? MAX_RESULTS) || MAX_RESULTS));
  const token = q.get('$skiptoken');
  const offset = token === null ? 0 : skipOffset(token);
  const link = (next: number) => {
    const u = new URL(ctx.ex.url.pathname, `${ctx.base}:443`);
    u.searchParams.set('api-version', q.get('api-version') ?? '2025-07-01');
    u.searchParams.set('$skiptoken', Buffer.from(JSON.stringify({ NextMarker: String(next) })).toString('base64url'));
    if (q.get('maxresults')) u.searchParams.set('maxresults', String(size));
    return `${ctx.base}:443${u.pathname}${u.search}`;
  };
  if (offset < items.length && ctx.emptyPage()) return { value: [], nextLink: link(offset) };
  const slice = items.slice(offset, offset + size).map(shape);
  return { value: slice, nextLink: offset + size < items.length ? link(offset + size) : null };
}

/** By folded name, in code-unit order (names are [0-9a-zA-Z-], so no locale rules apply). */
export const sortedByName = <T extends { name: string }>(items: Iterable<T>): T[] =>
  [...items]
    .map((i) => [i.name.toLowerCase(), i] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, i]) => i);

export const NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
