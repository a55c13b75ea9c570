import { fail, epoch } from '../http-util.ts';
import { keyOf, recoveryLevel, type Attributes, type Collection, type Item, type VaultState } from '../model.ts';
import { NAME_PATTERN, type VaultContext } from './context.ts';

export type Kind = 'secret' | 'key' | 'certificate';
const NOT_FOUND_CODE: Record<Kind, string> = {
  secret: 'SecretNotFound',
  key: 'KeyNotFound',
  certificate: 'CertificateNotFound',
};
const TITLE: Record<Kind, string> = { secret: 'Secret', key: 'Key', certificate: 'Certificate' };

/**
 * How long Key Vault takes to finish a delete, a recover and a purge, on the emulator's clock. In the recordings a
 * `GET deleted…/x` answers 404 for a few seconds after the DELETE and `GET x` 404 for a few seconds after the recover;
 * writes to the name meanwhile are refused with 409 "…is currently being deleted/recovered" (and, after a purge, the
 * name stays taken for a few seconds: Azure/azure-sdk-for-net#26027).
 */
export interface Windows {
  deleteMs: number;
  recoverMs: number;
  purgeMs: number;
}
export const NO_WINDOWS: Windows = { deleteMs: 0, recoverMs: 0, purgeMs: 0 };

type Phase = 'deleting' | 'recovering' | 'purging';
interface Timing {
  now(): number;
  windows(): Windows;
}
interface Transition {
  phase: Phase;
  until: number;
  now(): number;
}
const timings = new WeakMap<VaultState, Timing>();
const transitions = new WeakMap<Collection<unknown>, Map<string, Transition>>();

/** The clock and windows of a vault (the server registers every vault it adds); unregistered vaults have none. */
export function setTiming(vault: VaultState, timing: Timing): void {
  timings.set(vault, timing);
}

/** Starts a delete, recover or purge of a name: until its window ends on the vault's clock, the name is in it. */
export function begin(ctx: VaultContext, c: Collection<unknown>, name: string, phase: Phase): void {
  const timing = timings.get(ctx.vault);
  const w = timing?.windows() ?? NO_WINDOWS;
  const ms = phase === 'deleting' ? w.deleteMs : phase === 'recovering' ? w.recoverMs : w.purgeMs;
  const map = transitions.get(c) ?? new Map<string, Transition>();
  transitions.set(c, map);
  if (!timing || !(ms > 0)) map.delete(keyOf(name));
  else map.set(keyOf(name), { phase, until: timing.now() + ms, now: timing.now });
}

/** What a name is still in the middle of, if anything: read on the vault's clock, so an advance ends it. */
export function transitionOf(c: Collection<unknown>, name: string): Phase | undefined {
  const map = transitions.get(c);
  const t = map?.get(keyOf(name));
  if (!t) return undefined;
  if (t.now() < t.until) return t.phase;
  map!.delete(keyOf(name));
  return undefined;
}

/** A live item as reads see it: one still being recovered is not readable yet. */
export function liveItem<T>(c: Collection<T>, name: string): T | undefined {
  return transitionOf(c as Collection<unknown>, name) === 'recovering' ? undefined : c.live.get(keyOf(name));
}

/** The live items a listing shows. */
export const listedLive = <T extends { name: string }>(c: Collection<T>): T[] =>
  [...c.live.values()].filter((i) => transitionOf(c as Collection<unknown>, i.name) !== 'recovering');

/** The deleted items a listing shows: a deletion still under way is not listed yet. */
export const listedDeleted = <T>(c: Collection<T>) =>
  [...c.deleted.values()].filter(
    (e) => transitionOf(c as Collection<unknown>, (e.item as { name: string }).name) !== 'deleting',
  );

function refuseInTransition(kind: Kind, c: Collection<unknown>, name: string): void {
  const phase = transitionOf(c, name);
  if (!phase) return;
  const doing = phase === 'recovering' ? 'recovered' : 'deleted';
  fail(
    409,
    'Conflict',
    `${TITLE[kind]} ${name} is currently being ${doing} and cannot be re-created; retry later.`,
    phase === 'recovering' ? 'ObjectIsBeingRecovered' : 'ObjectIsBeingDeleted',
  );
}

export function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) fail(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
}

export function notFound(kind: Kind, nameOrId: string): never {
  return fail(
    404,
    NOT_FOUND_CODE[kind],
    `A ${kind} with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this ${kind} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function findLive<T extends Item<any>>(
  kind: Kind,
  c: Collection<T>,
  name: string,
  version?: string,
): { item: T; v: T['versions'][number] } {
  const item = liveItem(c, name);
  if (!item) return notFound(kind, version ? `${name}/${version}` : name);
  const v = version
    ? item.versions.find((x: { version: string }) => x.version === version)
    : item.versions[item.versions.length - 1];
  if (!v) return notFound(kind, `${name}/${version}`);
  return { item, v };
}

export function attributesJson(vault: VaultState, a: Attributes & { exportable?: boolean }): Record<string, unknown> {
  return {
    enabled: a.enabled,
    ...(a.nbf !== undefined ? { nbf: a.nbf } : {}),
    ...(a.exp !== undefined ? { exp: a.exp } : {}),
    created: a.created,
    updated: a.updated,
    recoveryLevel: recoveryLevel(vault),
    ...(vault.spec.enableSoftDelete ? { recoverableDays: vault.spec.softDeleteRetentionInDays } : {}),
    ...(a.exportable !== undefined ? { exportable: a.exportable } : {}),
  };
}

/** Attributes from a request body (`{enabled, nbf, exp}`), over the ones an item already has. */
export function attributesFrom(
  body: { attributes?: { enabled?: boolean; nbf?: number; exp?: number } } | undefined,
  now: number,
  prior?: Attributes,
): Attributes {
  const a = body?.attributes ?? {};
  const t = epoch(now);
  return {
    enabled: a.enabled ?? prior?.enabled ?? true,
    nbf: 'nbf' in a ? (a.nbf ?? undefined) : prior?.nbf,
    exp: 'exp' in a ? (a.exp ?? undefined) : prior?.exp,
    created: prior?.created ?? t,
    updated: t,
  };
}

export function ensureNotDeleted(kind: Kind, c: Collection<unknown>, name: string): void {
  refuseInTransition(kind, c, name);
  if (c.deleted.has(keyOf(name))) {
    fail(
      409,
      'Conflict',
      `${TITLE[kind]} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the ${kind} can only be recovered or purged.`,
      'ObjectIsDeletedButRecoverable',
    );
  }
}

/** Soft-deletes (or, with soft delete off, removes) an item; returns the deleted-bundle fields to merge. */
export function softDelete<T extends Item<unknown>>(
  kind: Kind,
  ctx: VaultContext,
  c: Collection<T>,
  name: string,
): { item: T; deletedFields: Record<string, unknown> } {
  const item = liveItem(c, name);
  if (!item) return notFound(kind, name);
  c.live.delete(keyOf(name));
  if (!ctx.vault.spec.enableSoftDelete) return { item, deletedFields: {} };
  const deletedDate = epoch(ctx.now);
  const scheduledPurgeDate = deletedDate + ctx.vault.spec.softDeleteRetentionInDays * 86400;
  c.deleted.set(keyOf(name), { item, deletedDate, scheduledPurgeDate });
  begin(ctx, c as Collection<unknown>, name, 'deleting');
  return { item, deletedFields: deletedFieldsOf(kind, ctx, item.name, deletedDate, scheduledPurgeDate) };
}

export function deletedFieldsOf(
  kind: Kind,
  ctx: VaultContext,
  name: string,
  deletedDate: number,
  scheduledPurgeDate: number,
): Record<string, unknown> {
  return { recoveryId: `${ctx.base}/deleted${kind}s/${name}`, deletedDate, scheduledPurgeDate };
}

export function findDeleted<T>(kind: Kind, c: Collection<T>, name: string) {
  const d = transitionOf(c as Collection<unknown>, name) === 'deleting' ? undefined : c.deleted.get(keyOf(name));
  if (!d) fail(404, NOT_FOUND_CODE[kind], `Deleted ${TITLE[kind]} not found: ${name}`);
  return d!;
}

export function purge(kind: Kind, ctx: VaultContext, c: Collection<unknown>, name: string): void {
  // terraform-provider-azurerm#10454: a purge too soon after the delete is refused, 409 "…is currently being deleted".
  if (transitionOf(c, name) === 'deleting') refuseInTransition(kind, c, name);
  findDeleted(kind, c, name);
  if (ctx.vault.spec.enablePurgeProtection) {
    fail(
      403,
      'Forbidden',
      `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.\nVault: ${ctx.vault.spec.name};location=${ctx.vault.spec.location}`,
    );
  }
  c.deleted.delete(keyOf(name));
  begin(ctx, c, name, 'purging');
}

export function recover<T>(kind: Kind, ctx: VaultContext, c: Collection<T>, name: string): T {
  const d = findDeleted(kind, c, name);
  c.deleted.delete(keyOf(name));
  c.live.set(keyOf(name), d.item);
  begin(ctx, c as Collection<unknown>, name, 'recovering');
  return d.item;
}

export function restoreInto<T extends Item<unknown>>(
  kind: Kind,
  ctx: VaultContext,
  c: Collection<T>,
  blob: unknown,
): T {
  if (typeof blob !== 'string' || !blob) fail(400, 'BadParameter', 'Property value is required.');
  const opened = ctx.openBackup(blob as string);
  if (!opened || (opened.payload as { kind?: string }).kind !== kind)
    fail(400, 'Malformed backup blob', 'Backup blob contains invalid or corrupt version.');
  if (opened!.subscriptionId !== ctx.vault.spec.subscriptionId || opened!.geography !== ctx.geography) {
    fail(400, 'BadParameter', 'Cannot decrypt backup blob.');
  }
  const item = (opened!.payload as { item: T }).item;
  refuseInTransition(kind, c as Collection<unknown>, item.name);
  if (c.live.has(keyOf(item.name))) {
    fail(
      409,
      'Conflict',
      `There is a ${kind} with the same name '${item.name}' already existing in the vault. Backup restore cannot be performed on a ${kind} that already exists.`,
    );
  }
  ensureNotDeleted(kind, c as Collection<unknown>, item.name);
  c.live.set(keyOf(item.name), item);
  return item;
}

export const tagsJson = (tags?: Record<string, string>) => (tags && Object.keys(tags).length ? { tags } : {});
