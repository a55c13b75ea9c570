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
  const item = c.live.get(keyOf(name));
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
  const item = c.live.get(keyOf(name));
  if (!item) return notFound(kind, name);
  c.live.delete(keyOf(name));
  if (!ctx.vault.spec.enableSoftDelete) return { item, deletedFields: {} };
  const deletedDate = epoch(ctx.now);
  const scheduledPurgeDate = deletedDate + ctx.vault.spec.softDeleteRetentionInDays * 86400;
  c.deleted.set(keyOf(name), { item, deletedDate, scheduledPurgeDate });
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
  const d = c.deleted.get(keyOf(name));
  if (!d) fail(404, NOT_FOUND_CODE[kind], `Deleted ${TITLE[kind]} not found: ${name}`);
  return d!;
}

export function purge(kind: Kind, ctx: VaultContext, c: Collection<unknown>, name: string): void {
  findDeleted(kind, c, name);
  if (ctx.vault.spec.enablePurgeProtection) {
    fail(
      403,
      'Forbidden',
      `Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.\nVault: ${ctx.vault.spec.name};location=${ctx.vault.spec.location}`,
    );
  }
  c.deleted.delete(keyOf(name));
}

export function recover<T>(kind: Kind, c: Collection<T>, name: string): T {
  const d = findDeleted(kind, c, name);
  c.deleted.delete(keyOf(name));
  c.live.set(keyOf(name), d.item);
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
