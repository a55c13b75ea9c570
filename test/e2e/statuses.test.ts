import { CertificateClient } from '@azure/keyvault-certificates';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../../emulator/model.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { ADMIN, SUB_B, credentialFor, vaultUrl, emulatorPerFile } from '../support/world.ts';
import {
  addVault,
  replication,
  startReplicationWorld,
  statusOf,
  uniqueVault,
  Workspace,
  vaultPair,
} from '../support/replication-world.ts';

const emulator = emulatorPerFile(() => startReplicationWorld());

const put = (vault: string, name: string, body: Record<string, unknown>) => putSecret(emulator, vault, name, body);
/** Starts a certificate's issuance (Key Vault's create is pending until the issuer completes it). */
const pendingCert = (vault: string, name: string, exportable = true, tags?: Record<string, string>) =>
  emulator.invoke(vault, 'POST', `certificates/${name}/create`, {
    policy: {
      key_props: { exportable, kty: 'RSA', key_size: 2048 },
      x509_props: { subject: `CN=${name}` },
      issuer: { name: 'Self' },
    },
    tags,
  });
/** A certificate issued before the run: created, and its issuance time passed on the service's clock. */
const cert = (vault: string, name: string, exportable = true, tags?: Record<string, string>) => {
  pendingCert(vault, name, exportable, tags);
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
};
const key = (vault: string, name: string, tags?: Record<string, string>) =>
  emulator.invoke(vault, 'POST', `keys/${name}/create`, { kty: 'RSA', tags });

test('certificates travel as PKCS#12 with chain, private key, tags and enabled; re-run is in_sync by thumbprint', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'eastus');
  cert(src, 'web-tls', true, { app: 'web' });
  cert(src, 'locked', false);
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['certificates', 'secrets'] }));
  const r = await ws.json(['apply']);
  expect(r.code).toBe(0);
  expect(statusOf(r.report, 'web-tls', dst, 'certificate')).toBe('create');
  expect(statusOf(r.report, 'web-tls', dst, 'secret')).toBe('managed_by_certificate');
  expect(statusOf(r.report, 'locked', dst, 'certificate')).toBe('blocked_non_exportable_certificate');
  const certs = (v: string) => new CertificateClient(vaultUrl(v), credentialFor(ADMIN));
  const [s, t] = await Promise.all([certs(src).getCertificate('web-tls'), certs(dst).getCertificate('web-tls')]);
  expect(Buffer.from(t.properties.x509Thumbprint!)).toEqual(Buffer.from(s.properties.x509Thumbprint!));
  expect(t.properties.tags).toEqual({ app: 'web' });
  expect(t.properties.enabled).toBe(true);
  expect(t.policy?.issuerName).toBe('Unknown');
  expect(t.cer).toEqual(s.cer);
  const pfx = (await new SecretClient(vaultUrl(dst), credentialFor(ADMIN)).getSecret('web-tls')).value!;
  expect(pfx.length).toBeGreaterThan(1000);
  emulator.resetCounters();
  const again = await ws.json(['apply']);
  expect(statusOf(again.report, 'web-tls', dst, 'certificate')).toBe('in_sync');
  expect(emulator.vault(src).counters.valueReads).toBe(0);
});

test('a renewed certificate (new thumbprint) is re-imported on the next run', async () => {
  const { src, dst } = vaultPair(emulator);
  cert(src, 'renewing');
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['certificates'] }));
  await ws.json(['apply']);
  emulator.clock.advance(1000); // the renewal lands in a later second (`updated` has whole seconds)
  cert(src, 'renewing');
  const r = await ws.json(['apply']);
  expect(statusOf(r.report, 'renewing')).toBe('update');
  const certs = (v: string) => new CertificateClient(vaultUrl(v), credentialFor(ADMIN));
  expect(Buffer.from((await certs(dst).getCertificate('renewing')).properties.x509Thumbprint!)).toEqual(
    Buffer.from((await certs(src).getCertificate('renewing')).properties.x509Thumbprint!),
  );
});

test('a certificate still being issued is source_pending: its copy is neither written nor disabled until issued', async () => {
  const { src, dst } = vaultPair(emulator);
  cert(src, 'issuing');
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['certificates'] }));
  expect(statusOf((await ws.json(['apply'])).report, 'issuing')).toBe('create');
  const certs = (v: string) => new CertificateClient(vaultUrl(v), credentialFor(ADMIN));
  const copied = await certs(dst).getCertificate('issuing');
  // A new version is being issued: Key Vault shows the certificate disabled, without a thumbprint.
  emulator.clock.advance(1000); // the new version lands in a later second (`updated` has whole seconds)
  pendingCert(src, 'issuing');
  expect((await certs(src).getCertificate('issuing')).properties.enabled).toBe(false);
  const plan = await ws.json(['plan']);
  expect(statusOf(plan.report, 'issuing')).toBe('source_pending');
  emulator.resetCounters();
  const r = await ws.json(['apply']);
  expect(r.code).toBe(0);
  expect(statusOf(r.report, 'issuing')).toBe('source_pending');
  expect(emulator.vault(dst).counters.writes).toBe(0);
  const kept = await certs(dst).getCertificate('issuing');
  expect(kept.properties.enabled).toBe(true);
  expect(kept.properties.version).toBe(copied.properties.version);

  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS); // issued
  const after = await ws.json(['apply']);
  expect(statusOf(after.report, 'issuing')).toBe('update');
  const [s, t] = await Promise.all([certs(src).getCertificate('issuing'), certs(dst).getCertificate('issuing')]);
  expect(Buffer.from(t.properties.x509Thumbprint!)).toEqual(Buffer.from(s.properties.x509Thumbprint!));
  expect(t.properties.enabled).toBe(true);
});

test("a standalone target secret with a certificate's name is reported before any write", async () => {
  const { src, dst } = vaultPair(emulator);
  cert(src, 'taken');
  put(dst, 'taken', { value: 'standalone' });
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['certificates'] }));
  const r = await ws.json(['plan']);
  expect(statusOf(r.report, 'taken')).toBe('blocked_target_conflict');
  expect(r.report.pairs[0]!.records[0]!.reason).toContain('standalone');
});

test('keys: restored with every version in the same geography and subscription; blocked across either', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const near = addVault(emulator, uniqueVault('near'), 'northeurope');
  const far = addVault(emulator, uniqueVault('far'), 'eastus');
  const otherSub = addVault(emulator, uniqueVault('osub'), 'westeurope', { subscriptionId: SUB_B });
  key(src, 'signing');
  key(src, 'signing', { use: 'jwt' });
  const ws = new Workspace().writeConfig({
    version: 1,
    subscriptions: ['11111111-1111-1111-1111-111111111111', SUB_B],
    replications: [{ name: 'keys', source: src, targets: [near, far, otherSub], types: ['keys'], rule: { all: true } }],
  });
  const r = await ws.json(['apply']);
  expect(r.code).toBe(0);
  expect(statusOf(r.report, 'signing', near)).toBe('create');
  expect(statusOf(r.report, 'signing', far)).toBe('blocked_cross_geography_key');
  expect(statusOf(r.report, 'signing', otherSub)).toBe('blocked_cross_subscription_key');
  const keys = (v: string) => new KeyClient(vaultUrl(v), credentialFor(ADMIN));
  const [srcKey, nearKey] = await Promise.all([keys(src).getKey('signing'), keys(near).getKey('signing')]);
  expect(nearKey.properties.version).toBe(srcKey.properties.version);
  expect(nearKey.key?.n).toEqual(srcKey.key?.n);
  expect(nearKey.properties.enabled).toBe(true);
  expect(nearKey.properties.tags).toEqual({ use: 'jwt' });
  const versions = [];
  for await (const v of keys(near).listPropertiesOfKeyVersions('signing')) versions.push(v);
  expect(versions).toHaveLength(2);

  expect(statusOf((await ws.json(['apply'])).report, 'signing', near)).toBe('in_sync');
  emulator.clock.advance(1000); // the new version lands in a later second (`updated` has whole seconds)
  key(src, 'signing');
  expect(statusOf((await ws.json(['plan'])).report, 'signing', near)).toBe('blocked_key_restore_conflict');
});

test('recreate_keys deletes, purges and restores a key whose source has moved on (on a signed state)', async () => {
  const { src, dst } = vaultPair(emulator);
  key(src, 'rolling');
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['keys'], recreate_keys: true }));
  process.env.KEYVAULT_REPLICATE_STATE_KEY = `state-key-${crypto.randomUUID()}`;
  let r;
  try {
    await ws.json(['apply']);
    emulator.clock.advance(1000); // the new version lands in a later second (`updated` has whole seconds)
    key(src, 'rolling');
    r = await ws.json(['apply']);
  } finally {
    delete process.env.KEYVAULT_REPLICATE_STATE_KEY;
  }
  expect(statusOf(r.report, 'rolling')).toBe('update');
  const keys = (v: string) => new KeyClient(vaultUrl(v), credentialFor(ADMIN));
  expect((await keys(dst).getKey('rolling')).properties.version).toBe(
    (await keys(src).getKey('rolling')).properties.version,
  );
});

test('disabled, soft-deleted, excluded and rule statuses, each with its reason', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'app-one', { value: '1', tags: { replicate: 'true' } });
  put(src, 'app-tmp', { value: '2', tags: { replicate: 'true' } });
  put(src, 'untagged', { value: '3' });
  put(src, 'app-off', { value: '4', tags: { replicate: 'true' }, attributes: { enabled: false } });
  put(src, 'app-deleted-in-target', { value: '5', tags: { replicate: 'true' } });
  put(dst, 'app-deleted-in-target', { value: 'old' });
  emulator.invoke(dst, 'DELETE', 'secrets/app-deleted-in-target');
  const ws = new Workspace().writeConfig(
    replication(src, [dst], { rule: { tagged: 'replicate=true' }, exclude: ['*-TMP'] }),
  );
  const r = await ws.json(['apply']);
  expect(statusOf(r.report, 'app-one')).toBe('create');
  expect(statusOf(r.report, 'app-tmp')).toBe('excluded_by_rule');
  expect(statusOf(r.report, 'untagged')).toBe('excluded_by_rule');
  expect(statusOf(r.report, 'app-off')).toBe('source_disabled');
  expect(statusOf(r.report, 'app-deleted-in-target')).toBe('blocked_target_soft_deleted');
  expect(r.report.pairs[0]!.records.every((x) => x.reason.length > 5)).toBe(true);
});

test('pattern and manual rules match case-insensitively', async () => {
  const { src, dst } = vaultPair(emulator);
  for (const n of ['Prod-Db', 'prod-cache', 'dev-db']) put(src, n, { value: n });
  const ws = new Workspace().writeConfig(replication(src, [dst], { rule: { pattern: 'prod-*' } }));
  const r = await ws.json(['plan']);
  expect(statusOf(r.report, 'Prod-Db')).toBe('create');
  expect(statusOf(r.report, 'prod-cache')).toBe('create');
  expect(statusOf(r.report, 'dev-db')).toBe('excluded_by_rule');
  ws.writeConfig(replication(src, [dst], { rule: { manual: ['DEV-DB'] } }));
  const m = await ws.json(['plan']);
  expect(statusOf(m.report, 'dev-db')).toBe('create');
  expect(statusOf(m.report, 'Prod-Db')).toBe('excluded_by_rule');
});

test('a secret disabled on the source disables the copy this tool wrote, nothing else', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'fading', { value: 'v' });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  await ws.json(['apply']);
  const client = new SecretClient(vaultUrl(src), credentialFor(ADMIN));
  await client.updateSecretProperties('fading', '', { enabled: false });
  const r = await ws.json(['apply']);
  expect(statusOf(r.report, 'fading')).toBe('source_disabled');
  const copy = await new SecretClient(vaultUrl(dst), credentialFor(ADMIN)).listPropertiesOfSecrets().next();
  expect(copy.value.enabled).toBe(false);
});
