import { X509Certificate } from 'node:crypto';
import { fail, newVersion, epoch } from '../http-util.ts';
import {
  keyOf,
  latest,
  type CertificateItem,
  type CertificateOperation,
  type CertificatePolicy,
  type CertificateVersion,
  type Collection,
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
  begin,
  checkName,
  ensureNotDeleted,
  findLive,
  listedLive,
  restoreInto,
  softDelete,
  tagsJson,
} from './shared.ts';
import {
  certifiesKey,
  jwkOfPrivateKey,
  keyAndCsr,
  parseImport,
  secretValueOf,
  selfSigned,
  subjectOf,
  thumbprint,
  validityOf,
  type CertificateMaterial,
} from './certificate-material.ts';

const C = 'certificate' as const;
type PolicyJson = {
  key_props?: { exportable?: boolean; kty?: string; key_size?: number; reuse_key?: boolean };
  secret_props?: { contentType?: string };
  x509_props?: { subject?: string; validity_months?: number; sans?: Sans };
  issuer?: { name?: string };
};

/** `x509_props.sans` as the service shows it: what a policy gave (even `{}`), or an imported certificate's own. */
type Sans = { emails?: string[]; dns_names?: string[]; upns?: string[] };
type Policy = CertificatePolicy & { sans?: Sans };
const sansOf = (p: CertificatePolicy): Sans | undefined => (p as Policy).sans;

function policyFrom(json: PolicyJson | undefined, prior?: CertificatePolicy, issuer = 'Unknown'): Policy {
  const sans = json?.x509_props && 'sans' in json.x509_props ? json.x509_props.sans : prior && sansOf(prior);
  return {
    ...(sans ? { sans } : {}),
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
      ...(sansOf(p) ? { sans: sansOf(p) } : {}),
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

/**
 * What an imported certificate's policy takes from the certificate itself (recordings: its subject, its SANs only when
 * it has any, and its validity in months). Azure's month count, from two recorded imports: a certificate valid 365
 * days and 10 minutes shows 12, one valid 366 days and 10 minutes shows 13 — whole days × 12 / 365, rounded up.
 */
function ownX509(certDerBase64: string): { subject: string; validity_months: number; sans?: Sans } {
  const x = new X509Certificate(Buffer.from(certDerBase64, 'base64'));
  const days = Math.floor((Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86_400_000);
  const names = (x.subjectAltName ?? '').split(', ').filter(Boolean);
  const of = (prefix: string) => names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
  const sans: Sans = {
    ...(of('email:').length ? { emails: of('email:') } : {}),
    ...(of('DNS:').length ? { dns_names: of('DNS:') } : {}),
  };
  return {
    subject: subjectOf(certDerBase64),
    validity_months: Math.ceil((days * 12) / 365),
    ...(Object.keys(sans).length ? { sans } : {}),
  };
}

/** A certificate list item as Azure's: attributes without the recovery fields, and an empty `subject` (recordings). */
function listItem(ctx: VaultContext, item: CertificateItem, v: CertificateVersion, withVersion: boolean) {
  const { attributes, ...rest } = properties(ctx, item, v, withVersion);
  const { recoveryLevel: _level, recoverableDays: _days, ...kept } = attributes;
  return { ...rest, attributes: kept, subject: '' };
}

function properties(ctx: VaultContext, item: CertificateItem, v: CertificateVersion, withVersion: boolean) {
  return {
    id: `${ctx.base}/certificates/${item.name}${withVersion ? `/${v.version}` : ''}`,
    ...(v.pending ? {} : { x5t: v.x5t }),
    attributes: attributesJson(ctx.vault, v.attributes),
    ...tagsJson(v.tags),
  };
}

/** A pending version has no certificate yet: no x5t, cer, kid or sid, and a link to its operation (recordings). */
function bundle(ctx: VaultContext, item: CertificateItem, v: CertificateVersion) {
  if (v.pending)
    return {
      ...properties(ctx, item, v, true),
      policy: policyJson(ctx, item),
      pending: { id: `${ctx.base}/certificates/${item.name}/pending` },
    };
  return {
    ...properties(ctx, item, v, true),
    kid: `${ctx.base}/keys/${item.name}/${v.version}`,
    sid: `${ctx.base}/secrets/${item.name}/${v.version}`,
    cer: v.certDerBase64,
    policy: policyJson(ctx, item),
  };
}

/** A certificate cannot take a name a secret or key not managed by a certificate holds. */
function guardBacking(ctx: VaultContext, name: string): void {
  for (const [c, what] of [
    [ctx.vault.secrets, 'secret'],
    [ctx.vault.keys, 'key'],
  ] as const) {
    const other = c.live.get(keyOf(name)) as Item<unknown> | undefined;
    if (other && !other.managed)
      fail(
        409,
        'Conflict',
        `Certificate ${name} cannot be created because a ${what} with the same name exists in this vault and is not managed by a certificate.`,
      );
  }
}

function pushVersion(ctx: VaultContext, name: string, policy: CertificatePolicy, cv: CertificateVersion) {
  const { certificates } = ctx.vault;
  const prior = certificates.live.get(keyOf(name));
  const item: CertificateItem = prior ?? { name, versions: [], policy, policyUpdated: epoch(ctx.now) };
  item.policy = policy;
  item.versions.push(cv);
  certificates.live.set(keyOf(name), item);
  ctx.vault.counters.writes++;
  return item;
}

/** Gives an issued version its managed secret and key, which share its version id. */
function addBacking(ctx: VaultContext, name: string, policy: CertificatePolicy, cv: CertificateVersion): void {
  const { secrets, keys } = ctx.vault;
  const material: CertificateMaterial = { certDerBase64: cv.certDerBase64, privateKeyPem: cv.privateKeyPem };
  const sv: SecretVersion = {
    version: cv.version,
    value: secretValueOf(material, policy.contentType, policy.exportable),
    contentType: policy.contentType,
    attributes: { ...cv.attributes },
  };
  const secret = secrets.live.get(keyOf(name)) ?? { name, versions: [], managed: true };
  secret.versions.push(sv);
  secrets.live.set(keyOf(name), secret);
  if (cv.privateKeyPem) {
    const kv: KeyVersion = {
      version: cv.version,
      jwk: jwkOfPrivateKey(cv.privateKeyPem),
      keyOps: ['sign', 'verify', 'wrapKey', 'unwrapKey', 'encrypt', 'decrypt'],
      attributes: { ...cv.attributes, exportable: policy.exportable },
    };
    const key = keys.live.get(keyOf(name)) ?? { name, versions: [], managed: true };
    key.versions.push(kv);
    keys.live.set(keyOf(name), key);
  }
}

/** Adds an issued certificate version (an import) together with its managed key and secret. */
function addVersion(
  ctx: VaultContext,
  name: string,
  material: CertificateMaterial,
  policy: CertificatePolicy,
  body: { attributes?: { enabled?: boolean }; tags?: Record<string, string> },
): CertificateItem {
  guardBacking(ctx, name);
  const validity = validityOf(material.certDerBase64);
  const cv: CertificateVersion = {
    version: newVersion(),
    certDerBase64: material.certDerBase64,
    x5t: thumbprint(material.certDerBase64),
    privateKeyPem: material.privateKeyPem,
    attributes: { ...attributesFrom(body, ctx.now), nbf: validity.nbf, exp: validity.exp },
    tags: body.tags,
  };
  const item = pushVersion(ctx, name, policy, cv);
  addBacking(ctx, name, policy, cv);
  return item;
}

/** Issues a pending version with the certificate given (self-signed, or merged): it is enabled as its create asked. */
function issue(ctx: VaultContext, item: CertificateItem, cv: CertificateVersion, certDerBase64: string, at: number) {
  const validity = validityOf(certDerBase64);
  cv.certDerBase64 = certDerBase64;
  cv.x5t = thumbprint(certDerBase64);
  cv.attributes = {
    ...cv.attributes,
    enabled: cv.pending!.enabled,
    nbf: validity.nbf,
    exp: validity.exp,
    updated: epoch(at),
  };
  delete cv.pending;
  addBacking(ctx, item.name, item.policy, cv);
  item.operation!.status = 'completed';
}

/** Completes every `Self` issuance whose time has come on the emulator's clock; runs before each data-plane call. */
export function settleCertificates(ctx: VaultContext): void {
  for (const item of ctx.vault.certificates.live.values()) {
    const op = item.operation;
    if (op?.status !== 'inProgress' || op.completeAt === undefined || op.completeAt > ctx.now) continue;
    const cv = item.versions.find((v) => v.version === op.version);
    if (!cv?.pending) continue;
    const p = item.policy;
    issue(
      ctx,
      item,
      cv,
      selfSigned(p.subject, p.validityMonths, op.completeAt, p.keySize, cv.privateKeyPem).certDerBase64,
      op.completeAt,
    );
  }
}

const PENDING_DETAILS =
  'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer ' +
  'provider. Please check again later.';

function guardNew(ctx: VaultContext, name: string): void {
  checkName(name);
  ensureNotDeleted(C, ctx.vault.certificates, name);
}

/** The recordings' shapes: in progress with status_details and no target; completed with a target and no details. */
function operationJson(
  ctx: VaultContext,
  item: CertificateItem,
  op: CertificateOperation | undefined = item.operation,
) {
  const done = !op || op.status === 'completed';
  return {
    id: `${ctx.base}/certificates/${item.name}/pending`,
    issuer: { name: op?.issuer ?? item.policy.issuer },
    csr: op?.csr ?? '',
    cancellation_requested: false,
    status: done ? 'completed' : 'inProgress',
    ...(done ? { target: `${ctx.base}/certificates/${item.name}` } : { status_details: PENDING_DETAILS }),
    request_id: op?.requestId ?? newVersion(),
  };
}

/** The creation operation still in progress, or Key Vault's 404 for a certificate that has none. */
function pendingOperation(ctx: VaultContext, name: string): { item: CertificateItem; op: CertificateOperation } {
  const { item } = findLive(C, ctx.vault.certificates, name);
  const op = item.operation;
  if (op?.status !== 'inProgress') fail(404, 'PendingCertificateNotFound', `Pending certificate not found: ${name}`);
  return { item, op: op! };
}

/**
 * Deleting, recovering or purging a certificate takes its managed key and secret along, in the same window: they are
 * deleted with the certificate's retention and are readable as deleted (or live again) when the certificate is.
 */
function alsoBacking(ctx: VaultContext, name: string, action: 'delete' | 'recover' | 'purge'): void {
  for (const c of [ctx.vault.secrets, ctx.vault.keys] as Collection<Item<unknown>>[]) {
    const k = keyOf(name);
    if (action === 'delete') {
      const live = c.live.get(k);
      if (!live?.managed) continue;
      c.live.delete(k);
      if (!ctx.vault.spec.enableSoftDelete) continue;
      const deletedDate = epoch(ctx.now);
      c.deleted.set(k, {
        item: live,
        deletedDate,
        scheduledPurgeDate: deletedDate + ctx.vault.spec.softDeleteRetentionInDays * 86400,
      });
      begin(ctx, c, name, 'deleting');
    } else {
      const d = c.deleted.get(k);
      if (!d?.item.managed) continue;
      c.deleted.delete(k);
      if (action === 'recover') c.live.set(k, d.item);
      begin(ctx, c, name, action === 'recover' ? 'recovering' : 'purging');
    }
  }
}

export const certificateRoutes: Route[] = [
  {
    method: 'GET',
    path: 'certificates',
    op: op('certificates', 'read', 'list'),
    handle: (ctx) => {
      // A certificate with no issued version yet is listed only on includePending=true (the spec's "not completely
      // provisioned"); one with an issued version lists its latest, pending or not (an assumption: no recording shows
      // a pending new version in a listing).
      const all = ctx.ex.url.searchParams.get('includePending') === 'true';
      // A certificate still being recovered is not listed yet, as secrets and keys are not (listedLive).
      const items = listedLive(ctx.vault.certificates).filter((i) => all || i.versions.some((v) => !v.pending));
      return page(ctx, sortedByName(items), (i) => listItem(ctx, i, latest(i), false));
    },
  },
  {
    method: 'GET',
    path: 'certificates/:name/versions',
    op: op('certificates', 'read', 'list'),
    handle: (ctx, p) => {
      // The service lists no versions, rather than 404, for a name it does not hold.
      const item = ctx.vault.certificates.live.get(keyOf(p.name!));
      return page(ctx, item?.versions ?? [], (v) => listItem(ctx, item!, v, true));
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
    method: 'DELETE',
    path: 'certificates/:name/pending',
    op: op('certificates', 'update/action', 'update'),
    handle: (ctx, p) => {
      // The certificate is no longer created: its pending version goes, and with it a certificate that had no other
      // (an assumption: no recording shows what remains).
      const { item, op: pending } = pendingOperation(ctx, p.name!);
      item.versions = item.versions.filter((v) => v.version !== pending.version);
      const answer = operationJson(ctx, item, pending);
      delete item.operation;
      if (!item.versions.length) ctx.vault.certificates.live.delete(keyOf(item.name));
      return answer;
    },
  },
  {
    method: 'POST',
    path: 'certificates/:name/pending/merge',
    op: op('certificates', 'create/action', 'create'),
    create: true,
    handle: (ctx, p) => {
      const { item, op: pending } = pendingOperation(ctx, p.name!);
      const body = ctx.ex.json<{ x5c?: string[]; attributes?: { enabled?: boolean }; tags?: Record<string, string> }>();
      if (pending.issuer !== 'Unknown')
        fail(403, 'Forbidden', `Merge is not allowed for a certificate whose issuer is ${pending.issuer}.`);
      const leaf = body.x5c?.[0];
      if (typeof leaf !== 'string') fail(400, 'BadParameter', 'Property x5c is required.');
      const cv = item.versions.find((v) => v.version === pending.version)!;
      let matches = false;
      try {
        matches = certifiesKey(leaf!, cv.privateKeyPem!);
      } catch {
        fail(400, 'BadParameter', 'Property x5c has an invalid certificate.');
      }
      if (!matches) fail(400, 'BadParameter', "Public key from x5c doesn't match the pending certificate's key.");
      if (body.attributes?.enabled !== undefined) cv.pending = { enabled: body.attributes.enabled };
      if ('tags' in body) cv.tags = body.tags;
      issue(ctx, item, cv, leaf!, ctx.now);
      ctx.ex.res.statusCode = 201;
      return bundle(ctx, item, cv);
    },
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
      const prior = ctx.vault.certificates.live.get(keyOf(p.name!));
      const policy = policyFrom(body.policy, prior?.policy, 'Self');
      if (policy.issuer !== 'Self' && policy.issuer !== 'Unknown')
        fail(
          400,
          'BadParameter',
          `The emulator issues self-signed certificates (issuer 'Self') or waits for a merge (issuer 'Unknown'), not '${policy.issuer}'.`,
        );
      if (policy.kty !== 'RSA' && policy.kty !== 'RSA-HSM')
        fail(400, 'BadParameter', `Key type ${policy.kty} is not supported for certificates by the emulator.`);
      if (prior?.operation?.status === 'inProgress')
        fail(409, 'Conflict', `There is a pending certificate operation for certificate ${p.name}.`);
      guardBacking(ctx, p.name!);
      // Pending until issued: disabled, no certificate, valid (nbf, exp) as the policy will issue it (recording).
      const { privateKeyPem, csr } = keyAndCsr(policy.subject, policy.keySize);
      const nbf = epoch(ctx.now) - 600;
      const cv: CertificateVersion = {
        version: newVersion(),
        certDerBase64: '',
        x5t: '',
        privateKeyPem,
        attributes: {
          ...attributesFrom({ attributes: { enabled: false } }, ctx.now),
          nbf,
          exp: nbf + Math.round((policy.validityMonths * 365.25 * 86400) / 12),
        },
        tags: body.tags,
        pending: { enabled: body.attributes?.enabled ?? true },
      };
      const item = pushVersion(ctx, p.name!, policy, cv);
      const issuanceMs = ctx.vault.spec.certificateIssuanceMs;
      item.operation = {
        requestId: newVersion(),
        issuer: policy.issuer,
        csr,
        version: cv.version,
        status: 'inProgress',
        completeAt: policy.issuer === 'Self' ? ctx.now + issuanceMs : undefined,
      };
      if (policy.issuer === 'Self' && issuanceMs <= 0) settleCertificates(ctx);
      ctx.ex.res.setHeader(
        'Location',
        `${ctx.base}/certificates/${item.name}/pending?api-version=2025-07-01&request_id=${item.operation.requestId}`,
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
      const contentType = body.policy?.secret_props?.contentType ?? sniffed;
      const material = parseImport(body.value!, body.pwd, contentType);
      // The policy describes the certificate imported: its own subject, validity and SANs, unless the request's
      // policy says otherwise.
      const own = ownX509(material.certDerBase64);
      const policy = policyFrom(
        {
          ...body.policy,
          secret_props: { contentType },
          x509_props: { ...own, ...body.policy?.x509_props },
        },
        prior,
        'Unknown',
      );
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
