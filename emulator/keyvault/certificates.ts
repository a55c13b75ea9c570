import { fail, newVersion, epoch } from '../http-util.ts';
import {
  keyOf,
  latest,
  type CertificateItem,
  type CertificatePolicy,
  type CertificateVersion,
  type Item,
  type KeyVersion,
  type SecretVersion,
} from '../model.ts';
import { op } from '../rbac.ts';
import { page, sortedByName, type Route, type VaultContext } from './context.ts';
import { deletedItemRoutes } from './deleted-routes.ts';
import {
  attributesFrom,
  attributesJson,
  checkName,
  ensureNotDeleted,
  findLive,
  restoreInto,
  softDelete,
  tagsJson,
} from './shared.ts';
import {
  jwkOfPrivateKey,
  parseImport,
  secretValueOf,
  selfSigned,
  thumbprint,
  validityOf,
  type CertificateMaterial,
} from './certificate-material.ts';

const C = 'certificate' as const;
type PolicyJson = {
  key_props?: { exportable?: boolean; kty?: string; key_size?: number; reuse_key?: boolean };
  secret_props?: { contentType?: string };
  x509_props?: { subject?: string; validity_months?: number };
  issuer?: { name?: string };
};

function policyFrom(json: PolicyJson | undefined, prior?: CertificatePolicy, issuer = 'Unknown'): CertificatePolicy {
  return {
    exportable: json?.key_props?.exportable ?? prior?.exportable ?? true,
    kty: json?.key_props?.kty ?? prior?.kty ?? 'RSA',
    keySize: json?.key_props?.key_size ?? prior?.keySize ?? 2048,
    reuseKey: json?.key_props?.reuse_key ?? prior?.reuseKey ?? false,
    contentType: json?.secret_props?.contentType ?? prior?.contentType ?? 'application/x-pkcs12',
    subject: json?.x509_props?.subject ?? prior?.subject ?? 'CN=default',
    validityMonths: json?.x509_props?.validity_months ?? prior?.validityMonths ?? 12,
    issuer: json?.issuer?.name ?? prior?.issuer ?? issuer,
  };
}

function policyJson(ctx: VaultContext, item: CertificateItem) {
  const p = item.policy;
  return {
    id: `${ctx.base}/certificates/${item.name}/policy`,
    key_props: { exportable: p.exportable, kty: p.kty, key_size: p.keySize, reuse_key: p.reuseKey },
    secret_props: { contentType: p.contentType },
    x509_props: {
      subject: p.subject,
      sans: {},
      ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      key_usage: ['digitalSignature', 'keyEncipherment'],
      validity_months: p.validityMonths,
      basic_constraints: { ca: false },
    },
    lifetime_actions: [
      {
        trigger: { lifetime_percentage: 80 },
        action: { action_type: p.issuer === 'Self' ? 'AutoRenew' : 'EmailContacts' },
      },
    ],
    issuer: { name: p.issuer },
    attributes: { enabled: true, created: item.policyUpdated, updated: item.policyUpdated },
  };
}

function properties(ctx: VaultContext, item: CertificateItem, v: CertificateVersion, withVersion: boolean) {
  return {
    id: `${ctx.base}/certificates/${item.name}${withVersion ? `/${v.version}` : ''}`,
    x5t: v.x5t,
    attributes: attributesJson(ctx.vault, v.attributes),
    ...tagsJson(v.tags),
  };
}

function bundle(ctx: VaultContext, item: CertificateItem, v: CertificateVersion) {
  return {
    ...properties(ctx, item, v, true),
    kid: `${ctx.base}/keys/${item.name}/${v.version}`,
    sid: `${ctx.base}/secrets/${item.name}/${v.version}`,
    cer: v.certDerBase64,
    policy: policyJson(ctx, item),
  };
}

/** Adds a certificate version together with its managed key and secret, which share its version id. */
function addVersion(
  ctx: VaultContext,
  name: string,
  material: CertificateMaterial,
  policy: CertificatePolicy,
  body: { attributes?: { enabled?: boolean }; tags?: Record<string, string> },
): CertificateItem {
  const { secrets, keys, certificates } = ctx.vault;
  for (const [c, what] of [
    [secrets, 'secret'],
    [keys, 'key'],
  ] as const) {
    const other = c.live.get(keyOf(name)) as Item<unknown> | undefined;
    if (other && !other.managed)
      fail(
        409,
        'Conflict',
        `Certificate ${name} cannot be created because a ${what} with the same name exists in this vault and is not managed by a certificate.`,
      );
  }
  const prior = certificates.live.get(keyOf(name));
  const version = newVersion();
  const validity = validityOf(material.certDerBase64);
  const attributes = { ...attributesFrom(body, ctx.now), nbf: validity.nbf, exp: validity.exp };
  const cv: CertificateVersion = {
    version,
    certDerBase64: material.certDerBase64,
    x5t: thumbprint(material.certDerBase64),
    privateKeyPem: material.privateKeyPem,
    attributes,
    tags: body.tags,
  };
  const item: CertificateItem = prior ?? { name, versions: [], policy, policyUpdated: epoch(ctx.now) };
  item.policy = policy;
  item.versions.push(cv);
  certificates.live.set(keyOf(name), item);
  const sv: SecretVersion = {
    version,
    value: secretValueOf(material, policy.contentType, policy.exportable),
    contentType: policy.contentType,
    attributes: { ...attributes },
  };
  const secret = secrets.live.get(keyOf(name)) ?? { name, versions: [], managed: true };
  secret.versions.push(sv);
  secrets.live.set(keyOf(name), secret);
  if (material.privateKeyPem) {
    const kv: KeyVersion = {
      version,
      jwk: jwkOfPrivateKey(material.privateKeyPem),
      keyOps: ['sign', 'verify', 'wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
      attributes: { ...attributes, exportable: policy.exportable },
    };
    const key = keys.live.get(keyOf(name)) ?? { name, versions: [], managed: true };
    key.versions.push(kv);
    keys.live.set(keyOf(name), key);
  }
  ctx.vault.counters.writes++;
  return item;
}

function guardNew(ctx: VaultContext, name: string): void {
  checkName(name);
  ensureNotDeleted(C, ctx.vault.certificates, name);
}

function operationJson(ctx: VaultContext, item: CertificateItem) {
  return {
    id: `${ctx.base}/certificates/${item.name}/pending`,
    issuer: { name: item.policy.issuer },
    csr: '',
    cancellation_requested: false,
    status: 'completed',
    status_details: 'Certificate created.',
    target: `${ctx.base}/certificates/${item.name}`,
    request_id: newVersion(),
  };
}

/** Deleting, recovering or purging a certificate takes its managed key and secret along. */
function alsoBacking(ctx: VaultContext, name: string, action: 'delete' | 'recover' | 'purge'): void {
  for (const c of [ctx.vault.secrets, ctx.vault.keys] as const) {
    const k = keyOf(name);
    if (action === 'delete') {
      const live = c.live.get(k);
      if (!live?.managed) continue;
      c.live.delete(k);
      if (ctx.vault.spec.enableSoftDelete)
        c.deleted.set(k, { item: live as never, deletedDate: epoch(ctx.now), scheduledPurgeDate: epoch(ctx.now) });
    } else {
      const d = c.deleted.get(k);
      if (!d || !(d.item as Item<unknown>).managed) continue;
      c.deleted.delete(k);
      if (action === 'recover') c.live.set(k, d.item as never);
    }
  }
}

export const certificateRoutes: Route[] = [
  {
    method: 'GET',
    path: 'certificates',
    op: op('certificates', 'read', 'list'),
    handle: (ctx) =>
      page(ctx, sortedByName(ctx.vault.certificates.live.values()), (i) => properties(ctx, i, latest(i), false)),
  },
  {
    method: 'GET',
    path: 'certificates/:name/versions',
    op: op('certificates', 'read', 'list'),
    handle: (ctx, p) => {
      // The service lists no versions, rather than 404, for a name it does not hold.
      const item = ctx.vault.certificates.live.get(keyOf(p.name!));
      return page(ctx, item?.versions ?? [], (v) => properties(ctx, item!, v, true));
    },
  },
  {
    method: 'GET',
    path: 'certificates/:name/policy',
    op: op('certificates', 'read', 'get'),
    handle: (ctx, p) => policyJson(ctx, findLive(C, ctx.vault.certificates, p.name!).item),
  },
  {
    method: 'PATCH',
    path: 'certificates/:name/policy',
    op: op('certificates', 'update/action', 'update'),
    handle: (ctx, p) => {
      const { item } = findLive(C, ctx.vault.certificates, p.name!);
      item.policy = policyFrom(ctx.ex.json<PolicyJson>(), item.policy);
      item.policyUpdated = epoch(ctx.now);
      return policyJson(ctx, item);
    },
  },
  {
    method: 'GET',
    path: 'certificates/:name/pending',
    op: op('certificates', 'read', 'get'),
    handle: (ctx, p) => operationJson(ctx, findLive(C, ctx.vault.certificates, p.name!).item),
  },
  {
    method: 'POST',
    path: 'certificates/:name/create',
    op: op('certificates', 'create/action', 'create'),
    create: true,
    handle: (ctx, p) => {
      guardNew(ctx, p.name!);
      const body = ctx.ex.json<{
        policy?: PolicyJson;
        attributes?: { enabled?: boolean };
        tags?: Record<string, string>;
      }>();
      const policy = policyFrom(body.policy, undefined, 'Self');
      if (policy.issuer !== 'Self')
        fail(
          400,
          'BadParameter',
          `The emulator issues self-signed certificates only (issuer 'Self'), not '${policy.issuer}'.`,
        );
      if (policy.kty !== 'RSA' && policy.kty !== 'RSA-HSM')
        fail(400, 'BadParameter', `Key type ${policy.kty} is not supported for certificates by the emulator.`);
      const item = addVersion(
        ctx,
        p.name!,
        selfSigned(policy.subject, policy.validityMonths, ctx.now, policy.keySize),
        policy,
        body,
      );
      ctx.ex.res.setHeader(
        'Location',
        `${ctx.base}/certificates/${item.name}/pending?api-version=2025-07-01&request_id=${newVersion()}`,
      );
      ctx.ex.res.setHeader('Retry-After', '10');
      ctx.ex.res.statusCode = 202;
      return operationJson(ctx, item);
    },
  },
  {
    method: 'POST',
    path: 'certificates/:name/import',
    op: op('certificates', 'import/action', 'import'),
    create: true,
    handle: (ctx, p) => {
      guardNew(ctx, p.name!);
      const body = ctx.ex.json<{
        value?: string;
        pwd?: string;
        policy?: PolicyJson;
        attributes?: { enabled?: boolean };
        tags?: Record<string, string>;
      }>();
      if (typeof body.value !== 'string') fail(400, 'BadParameter', 'Property value is required.');
      const prior = ctx.vault.certificates.live.get(keyOf(p.name!))?.policy;
      // Without a policy, Key Vault tells PEM from PKCS#12 by the content itself.
      const sniffed = body.value!.trimStart().startsWith('-----BEGIN')
        ? 'application/x-pem-file'
        : 'application/x-pkcs12';
      const policy = policyFrom(
        { ...body.policy, secret_props: { contentType: body.policy?.secret_props?.contentType ?? sniffed } },
        prior,
        'Unknown',
      );
      const material = parseImport(body.value!, body.pwd, policy.contentType);
      return bundle(
        ctx,
        addVersion(ctx, p.name!, material, policy, body),
        latest(ctx.vault.certificates.live.get(keyOf(p.name!))!),
      );
    },
  },
  {
    method: 'GET',
    path: 'certificates/:name/:version?',
    op: op('certificates', 'read', 'get'),
    handle: (ctx, p) => {
      const { item, v } = findLive(C, ctx.vault.certificates, p.name!, p.version || undefined);
      return bundle(ctx, item, v);
    },
  },
  {
    method: 'PATCH',
    path: 'certificates/:name/:version?',
    op: op('certificates', 'update/action', 'update'),
    handle: (ctx, p) => {
      const { item, v } = findLive(C, ctx.vault.certificates, p.name!, p.version || undefined);
      const body = ctx.ex.json<{
        attributes?: { enabled?: boolean };
        tags?: Record<string, string>;
        policy?: PolicyJson;
      }>();
      v.attributes = { ...attributesFrom(body, ctx.now, v.attributes), nbf: v.attributes.nbf, exp: v.attributes.exp };
      if ('tags' in body) v.tags = body.tags;
      if (body.policy) item.policy = policyFrom(body.policy, item.policy);
      for (const c of [ctx.vault.secrets, ctx.vault.keys] as const) {
        const backing = (
          c.live.get(keyOf(item.name)) as Item<{ version: string; attributes: { enabled: boolean } }> | undefined
        )?.versions.find((x) => x.version === v.version);
        if (backing) backing.attributes.enabled = v.attributes.enabled;
      }
      return bundle(ctx, item, v);
    },
  },
  {
    method: 'DELETE',
    path: 'certificates/:name',
    op: op('certificates', 'delete', 'delete'),
    handle: (ctx, p) => {
      const { item, deletedFields } = softDelete(C, ctx, ctx.vault.certificates, p.name!);
      alsoBacking(ctx, item.name, 'delete');
      return { ...deletedFields, ...bundle(ctx, item, latest(item)) };
    },
  },
  {
    method: 'POST',
    path: 'certificates/:name/backup',
    op: op('certificates', 'backup/action', 'backup'),
    handle: (ctx, p) => {
      const { item } = findLive(C, ctx.vault.certificates, p.name!);
      return {
        value: ctx.sealBackup({
          kind: C,
          item,
          secret: ctx.vault.secrets.live.get(keyOf(item.name)),
          key: ctx.vault.keys.live.get(keyOf(item.name)),
        }),
      };
    },
  },
  {
    method: 'POST',
    path: 'certificates/restore',
    op: op('certificates', 'restore/action', 'restore'),
    create: true,
    handle: (ctx) => {
      const blob = ctx.ex.json<{ value?: string }>().value;
      const item = restoreInto(C, ctx, ctx.vault.certificates, blob);
      const payload = ctx.openBackup(blob!)!.payload as { secret?: Item<SecretVersion>; key?: Item<KeyVersion> };
      if (payload.secret) ctx.vault.secrets.live.set(keyOf(item.name), payload.secret);
      if (payload.key) ctx.vault.keys.live.set(keyOf(item.name), payload.key);
      ctx.vault.counters.writes++;
      return bundle(ctx, item, latest(item));
    },
  },
  ...deletedItemRoutes({
    kind: C,
    family: 'certificates',
    readAction: 'read',
    purgeAction: 'purge',
    collection: (ctx) => ctx.vault.certificates,
    listed: (ctx, item, v) => properties(ctx, item, v, false),
    bundle: (ctx, item, v) => bundle(ctx, item, v),
    also: alsoBacking,
  }),
];
