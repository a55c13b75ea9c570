import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { fail, newVersion } from '../http-util.ts';
import { keyOf, latest, type Item, type KeyVersion } from '../model.ts';
import { op } from '../rbac.ts';
import { page, sortedByName, type Route, type VaultContext } from './context.ts';
import { deletedItemRoutes } from './deleted-routes.ts';
import { rsaKeyPair } from './rsa-key-pool.ts';
import {
  attributesFrom,
  attributesJson,
  checkName,
  ensureNotDeleted,
  findLive,
  liveItem,
  listedLive,
  restoreInto,
  softDelete,
  tagsJson,
} from './shared.ts';

const K = 'key' as const;
const PUBLIC_FIELDS: Record<string, string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'] };
const CURVES: Record<string, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  'P-256K': 'secp256k1',
};
const DEFAULT_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];

const family = (kty: string): 'RSA' | 'EC' | undefined =>
  kty.startsWith('RSA') ? 'RSA' : kty.startsWith('EC') ? 'EC' : undefined;

function publicJwk(ctx: VaultContext, item: Item<KeyVersion>, v: KeyVersion, kty: string) {
  const fields = PUBLIC_FIELDS[family(kty) ?? 'RSA'] ?? [];
  return {
    kid: `${ctx.base}/keys/${item.name}/${v.version}`,
    kty,
    key_ops: v.keyOps,
    ...Object.fromEntries(fields.map((f) => [f, v.jwk[f]])),
  };
}

/**
 * A key's attributes carry `hsmPlatform` (read-only in the REST spec); the recordings show `"0"` for a vault's
 * software-protected keys, on bundles and list items alike.
 */
const keyAttributes = (ctx: VaultContext, v: KeyVersion) => ({
  ...attributesJson(ctx.vault, v.attributes),
  hsmPlatform: '0',
});

function bundle(ctx: VaultContext, item: Item<KeyVersion>, v: KeyVersion) {
  return {
    key: publicJwk(ctx, item, v, String(v.jwk.kty_kv ?? v.jwk.kty)),
    attributes: keyAttributes(ctx, v),
    ...tagsJson(v.tags),
    ...(item.managed ? { managed: true } : {}),
  };
}

function properties(ctx: VaultContext, item: Item<KeyVersion>, v: KeyVersion, withVersion: boolean) {
  return {
    kid: `${ctx.base}/keys/${item.name}${withVersion ? `/${v.version}` : ''}`,
    attributes: keyAttributes(ctx, v),
    ...tagsJson(v.tags),
    ...(item.managed ? { managed: true } : {}),
  };
}

function generate(kty: string, size?: number, crv?: string): Record<string, unknown> {
  const f = family(kty);
  if (f === 'RSA') {
    const bits = size ?? 2048;
    if (![2048, 3072, 4096].includes(bits))
      fail(400, 'BadParameter', `Invalid key size ${bits} for RSA key. Supported sizes are 2048, 3072 and 4096.`);
    return rsaKeyPair(bits).privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  }
  if (f === 'EC') {
    const curve = CURVES[crv ?? 'P-256'];
    if (!curve) fail(400, 'BadParameter', `Invalid curve name ${crv}.`);
    return {
      ...(generateKeyPairSync('ec', { namedCurve: curve! }).privateKey.export({ format: 'jwk' }) as Record<
        string,
        unknown
      >),
      crv: crv ?? 'P-256',
    };
  }
  return fail(400, 'BadParameter', `Invalid key type ${kty}.`);
}

function addVersion(
  ctx: VaultContext,
  name: string,
  jwk: Record<string, unknown>,
  kty: string,
  body: {
    key_ops?: string[];
    attributes?: { enabled?: boolean; exportable?: boolean; nbf?: number; exp?: number };
    tags?: Record<string, string>;
  },
) {
  checkName(name);
  ensureNotDeleted(K, ctx.vault.keys, name);
  const existing = ctx.vault.keys.live.get(keyOf(name));
  if (existing?.managed)
    fail(
      403,
      'Forbidden',
      `Key ${name} is managed by Key Vault as the backing key of a certificate; it can only be changed through the certificate.`,
      'KeyManagedByKeyVault',
    );
  const v: KeyVersion = {
    version: newVersion(),
    jwk: { ...jwk, kty_kv: kty },
    keyOps: body.key_ops ?? DEFAULT_OPS,
    attributes: { ...attributesFrom(body, ctx.now), exportable: body.attributes?.exportable ?? false },
    tags: body.tags,
  };
  const item = existing ?? { name, versions: [] };
  item.versions.push(v);
  ctx.vault.keys.live.set(keyOf(name), item);
  ctx.vault.counters.writes++;
  return bundle(ctx, item, v);
}

export const keyRoutes: Route[] = [
  {
    method: 'GET',
    path: 'keys',
    op: op('keys', 'read', 'list'),
    handle: (ctx) => page(ctx, sortedByName(listedLive(ctx.vault.keys)), (i) => properties(ctx, i, latest(i), false)),
  },
  {
    method: 'GET',
    path: 'keys/:name/versions',
    op: op('keys', 'read', 'list'),
    handle: (ctx, p) => {
      // The service lists no versions, rather than 404, for a name it does not hold.
      const item = liveItem(ctx.vault.keys, p.name!);
      return page(ctx, item?.versions ?? [], (v) => properties(ctx, item!, v, true));
    },
  },
  {
    method: 'POST',
    path: 'keys/:name/create',
    op: op('keys', 'create/action', 'create'),
    create: true,
    handle: (ctx, p) => {
      const body = ctx.ex.json<{
        kty?: string;
        key_size?: number;
        crv?: string;
        key_ops?: string[];
        attributes?: { enabled?: boolean; exportable?: boolean };
        tags?: Record<string, string>;
      }>();
      if (!body.kty) fail(400, 'BadParameter', 'Property kty is required.');
      return addVersion(ctx, p.name!, generate(body.kty!, body.key_size, body.crv), body.kty!, body);
    },
  },
  {
    method: 'PUT',
    path: 'keys/:name',
    op: op('keys', 'import/action', 'import'),
    create: true,
    handle: (ctx, p) => {
      const body = ctx.ex.json<{
        key?: Record<string, unknown> & { kty?: string; key_ops?: string[] };
        Hsm?: boolean;
        attributes?: { enabled?: boolean; exportable?: boolean };
        tags?: Record<string, string>;
      }>();
      const jwk = body.key;
      if (!jwk?.kty || !family(jwk.kty))
        fail(400, 'BadParameter', 'Property key.kty is required and must be RSA or EC.');
      try {
        const { kid: _kid, key_ops: _ops, ...material } = jwk!;
        createPrivateKey({ key: { ...material, kty: family(jwk!.kty!)! } as never, format: 'jwk' });
      } catch {
        fail(400, 'BadParameter', 'The specified key material is invalid: a private key is required.');
      }
      return addVersion(
        ctx,
        p.name!,
        { ...jwk, kty: family(jwk!.kty!) },
        body.Hsm ? `${family(jwk!.kty!)}-HSM` : jwk!.kty!,
        { ...body, key_ops: jwk!.key_ops },
      );
    },
  },
  {
    method: 'GET',
    path: 'keys/:name/:version?',
    op: op('keys', 'read', 'get'),
    handle: (ctx, p) => {
      const { item, v } = findLive(K, ctx.vault.keys, p.name!, p.version || undefined);
      return bundle(ctx, item, v);
    },
  },
  {
    method: 'PATCH',
    path: 'keys/:name/:version?',
    op: op('keys', 'update/action', 'update'),
    handle: (ctx, p) => {
      const { item, v } = findLive(K, ctx.vault.keys, p.name!, p.version || undefined);
      const body = ctx.ex.json<{
        key_ops?: string[];
        attributes?: { enabled?: boolean; nbf?: number; exp?: number };
        tags?: Record<string, string>;
      }>();
      v.attributes = { ...attributesFrom(body, ctx.now, v.attributes), exportable: v.attributes.exportable };
      if (body.key_ops) v.keyOps = body.key_ops;
      if ('tags' in body) v.tags = body.tags;
      return bundle(ctx, item, v);
    },
  },
  {
    method: 'DELETE',
    path: 'keys/:name',
    op: op('keys', 'delete', 'delete'),
    handle: (ctx, p) => {
      if (ctx.vault.keys.live.get(keyOf(p.name!))?.managed)
        fail(
          403,
          'Forbidden',
          `Key ${p.name} is managed by Key Vault as the backing key of a certificate; delete the certificate instead.`,
          'KeyManagedByKeyVault',
        );
      const { item, deletedFields } = softDelete(K, ctx, ctx.vault.keys, p.name!);
      return { ...deletedFields, ...bundle(ctx, item, latest(item)) };
    },
  },
  {
    method: 'POST',
    path: 'keys/:name/backup',
    op: op('keys', 'backup/action', 'backup'),
    handle: (ctx, p) => {
      const { item } = findLive(K, ctx.vault.keys, p.name!);
      if (item.versions.length > 500)
        fail(400, 'BadParameter', `Key ${item.name} has more than 500 versions and cannot be backed up.`);
      return { value: ctx.sealBackup({ kind: K, item }) };
    },
  },
  {
    method: 'POST',
    path: 'keys/restore',
    op: op('keys', 'restore/action', 'restore'),
    create: true,
    handle: (ctx) => {
      const item = restoreInto(K, ctx, ctx.vault.keys, ctx.ex.json<{ value?: string }>().value);
      ctx.vault.counters.writes++;
      return bundle(ctx, item, latest(item));
    },
  },
  ...deletedItemRoutes({
    kind: K,
    family: 'keys',
    readAction: 'read',
    purgeAction: 'purge/action',
    collection: (ctx) => ctx.vault.keys,
    listed: (ctx, item, v) => properties(ctx, item, v, false),
    bundle: (ctx, item, v) => bundle(ctx, item, v),
  }),
];
