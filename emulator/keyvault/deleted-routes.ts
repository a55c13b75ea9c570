import { latest, type Collection, type Item } from '../model.ts';
import { op } from '../rbac.ts';
import { page, sortedByName, type Route, type VaultContext } from './context.ts';
import { deletedFieldsOf, findDeleted, listedDeleted, purge, recover, type Kind } from './shared.ts';

/** An item's version type. */
type VersionOf<T> = T extends Item<infer V> ? V : never;

/** What differs between the deleted-item routes of secrets, keys and certificates. */
export interface DeletedItems<T extends Item<unknown>> {
  kind: Kind;
  /** The path and RBAC family: `secrets`, `keys`, `certificates`. */
  family: 'secrets' | 'keys' | 'certificates';
  /** The data action that reads a deleted item (secrets read metadata only). */
  readAction: string;
  /** The data action that purges (certificates name it without `/action`). */
  purgeAction: string;
  collection(ctx: VaultContext): Collection<T>;
  /** A list entry's item fields. */
  listed(ctx: VaultContext, item: T, v: VersionOf<T>): Record<string, unknown>;
  /** A single item's fields. */
  bundle(ctx: VaultContext, item: T, v: VersionOf<T>): Record<string, unknown>;
  /** What else a purge or recover moves (a certificate's backing secret and key). */
  also?(ctx: VaultContext, name: string, action: 'recover' | 'purge'): void;
}

/** The soft-delete routes every item type has: list and get deleted items, purge one, recover one. */
export function deletedItemRoutes<T extends Item<unknown>>(d: DeletedItems<T>): Route[] {
  const newest = (item: T) => latest(item) as VersionOf<T>;
  const fields = (ctx: VaultContext, e: { item: T; deletedDate: number; scheduledPurgeDate: number }) =>
    deletedFieldsOf(d.kind, ctx, e.item.name, e.deletedDate, e.scheduledPurgeDate);
  const path = `deleted${d.family}`;
  return [
    {
      method: 'GET',
      path,
      op: op(d.family, d.readAction, 'list'),
      handle: (ctx) =>
        page(ctx, sortedByName(listedDeleted(d.collection(ctx)).map((e) => ({ ...e, name: e.item.name }))), (e) => ({
          ...fields(ctx, e),
          ...d.listed(ctx, e.item, newest(e.item)),
        })),
    },
    {
      method: 'GET',
      path: `${path}/:name`,
      op: op(d.family, d.readAction, 'get'),
      handle: (ctx, p) => {
        const e = findDeleted(d.kind, d.collection(ctx), p.name!);
        return { ...fields(ctx, e), ...d.bundle(ctx, e.item, newest(e.item)) };
      },
    },
    {
      method: 'DELETE',
      path: `${path}/:name`,
      op: op(d.family, d.purgeAction, 'purge'),
      handle: (ctx, p) => {
        purge(d.kind, ctx, d.collection(ctx), p.name!);
        d.also?.(ctx, p.name!, 'purge');
        return null;
      },
    },
    {
      method: 'POST',
      path: `${path}/:name/recover`,
      op: op(d.family, 'recover/action', 'recover'),
      handle: (ctx, p) => {
        const item = recover(d.kind, ctx, d.collection(ctx), p.name!);
        d.also?.(ctx, item.name, 'recover');
        return d.bundle(ctx, item, newest(item));
      },
    },
  ];
}
