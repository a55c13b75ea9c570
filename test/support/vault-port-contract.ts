import type { ItemSnapshot } from '../../src/engine/model.ts';
import type { VaultPort } from '../../src/engine/ports.ts';

export interface ContractHarness {
  /** A pair of empty vaults in one subscription and geography. */
  pair(): Promise<{ a: VaultPort; b: VaultPort }>;
  seedCertificate(port: VaultPort, name: string, exportable: boolean): Promise<void>;
  /** Starts issuing a certificate (a new one, or a new version of one) that stays pending until `advance`s. */
  seedPendingCertificate(port: VaultPort, name: string): Promise<void>;
  /** Seeds a key, with an exact expiry and not-before (ms) when given (never through an SDK that wraps them). */
  seedKey(port: VaultPort, name: string, dates?: Pick<ItemSnapshot, 'expiresOn' | 'notBefore'>): Promise<void>;
  /** Lets `ms` pass on the vaults' clock, where they have one to move (no test sleeps). */
  advance(ms: number): void;
}

const from = (over: Partial<ItemSnapshot> = {}): ItemSnapshot => ({
  type: 'secret',
  name: 'x',
  enabled: true,
  tags: {},
  managed: false,
  ...over,
});

/** Dates past 2038-01-19 (the SDKs' 32-bit wrap) up to the last day Key Vault takes, as nbf/exp pairs in ms. */
export const FAR_DATES = {
  '2100-01-01': { notBefore: Date.UTC(2100, 0, 1), expiresOn: Date.UTC(2100, 0, 1) },
  '9999-12-31': { notBefore: Date.UTC(9999, 11, 31), expiresOn: Date.UTC(9999, 11, 31) },
  'from 2100-01-01 to 9999-12-31': { notBefore: Date.UTC(2100, 0, 1), expiresOn: Date.UTC(9999, 11, 31) },
};

/** What every VaultPort must do; run against the in-memory fake and the Azure adapter over the emulator. */
export function vaultPortContract(label: string, h: ContractHarness): void {
  describe(`VaultPort contract: ${label}`, () => {
    test('a written secret lists with its attributes and reads back; names are case-insensitive', async () => {
      const { a } = await h.pair();
      const written = await a.writeSecret(
        'Db-Pass',
        'v1',
        from({
          contentType: 'text/plain',
          tags: { t: '1' },
          expiresOn: 1_900_000_000_000,
          notBefore: 1_700_000_000_000,
        }),
      );
      expect(written.updatedOn).toBeGreaterThan(0);
      const [listed] = await a.list('secret');
      expect(listed).toMatchObject({
        name: 'Db-Pass',
        enabled: true,
        contentType: 'text/plain',
        tags: { t: '1' },
        expiresOn: 1_900_000_000_000,
        notBefore: 1_700_000_000_000,
        managed: false,
      });
      expect((await a.readSecret('db-pass')).value).toBe('v1');
      expect(await a.get('secret', 'missing')).toBeUndefined();
      // A lookup by name gives the current version and attributes, never the value.
      const got = await a.get('secret', 'db-pass');
      expect(got).toMatchObject({ name: 'Db-Pass', version: written.version, contentType: 'text/plain' });
      expect(Object.values(got!)).not.toContain('v1');
    });

    test("a secret's versions list with their version, created and updated, never a value; 25 a page, and more said", async () => {
      const { a } = await h.pair();
      expect(await a.secretVersions('none')).toEqual({ versions: [], more: false });
      const first = await a.writeSecret('v', 'FIRST-VALUE', from({ tags: { n: '1' } }));
      h.advance(1000);
      const second = await a.writeSecret('v', 'SECOND-VALUE', from());
      const listed = await a.secretVersions('v');
      expect(listed.more).toBe(false);
      expect(listed.versions.map((v) => v.version).sort()).toEqual([first.version, second.version].sort());
      const [one, two] = [first, second].map((w) => listed.versions.find((v) => v.version === w.version)!);
      expect(one).toMatchObject({ name: 'v', tags: { n: '1' }, updatedOn: first.updatedOn, enabled: true });
      expect(one!.createdOn).toBeLessThan(two!.createdOn!);
      expect(JSON.stringify(listed)).not.toMatch(/FIRST-VALUE|SECOND-VALUE/);
      for (let i = 0; i < 24; i++) await a.writeSecret('v', `x${i}`, from());
      const full = await a.secretVersions('v');
      expect(full.versions).toHaveLength(25);
      expect(full.more).toBe(true);
    });

    test.each(Object.entries(FAR_DATES))('a secret dated %s keeps its exact dates', async (_, dates) => {
      const { a } = await h.pair();
      const written = await a.writeSecret('far', 'v', from(dates));
      expect(written).toMatchObject(dates);
      expect((await a.list('secret'))[0]).toMatchObject(dates);
      expect(await a.get('secret', 'far')).toMatchObject(dates);
    });

    test.each(Object.entries(FAR_DATES))('a key dated %s restores with its exact dates', async (_, dates) => {
      const { a, b } = await h.pair();
      await h.seedKey(a, 'far', dates);
      expect((await a.list('key'))[0]).toMatchObject(dates);
      expect(await b.restoreKey(await a.backupKey('far'))).toMatchObject(dates);
      expect((await b.list('key'))[0]).toMatchObject(dates);
    });

    test('a disabled secret lists, but reading its value fails (secret_disabled)', async () => {
      const { a } = await h.pair();
      await a.writeSecret('off', 'v', from({ enabled: false }));
      expect((await a.list('secret'))[0]!.enabled).toBe(false);
      expect(await a.get('secret', 'off')).toMatchObject({ name: 'off', enabled: false });
      await expect(a.readSecret('off')).rejects.toMatchObject({ kind: 'secret_disabled' });
    });

    test('setEnabled changes the attribute and moves updatedOn; delete makes the name deleted and unusable', async () => {
      const { a } = await h.pair();
      const w = await a.writeSecret('s', 'v', from());
      h.advance(1000); // updatedOn has whole seconds
      const d = await a.setEnabled('secret', 's', false);
      expect(d.enabled).toBe(false);
      expect(d.updatedOn).toBeGreaterThan(w.updatedOn!);
      await a.deleteItem('secret', 's');
      expect(await a.listDeletedNames('secret')).toEqual(new Set(['s']));
      await expect(a.writeSecret('s', 'again', from())).rejects.toMatchObject({ kind: 'soft_deleted_conflict' });
      await a.purgeDeletedItem('secret', 's');
      await a.writeSecret('s', 'again', from());
    });

    test('a certificate exports and imports with the same thumbprint; its backing secret is managed', async () => {
      const { a, b } = await h.pair();
      await h.seedCertificate(a, 'tls', true);
      const [c] = await a.list('certificate');
      expect(c!.thumbprint).toMatch(/^[A-Za-z0-9_-]{27}$/);
      expect((await a.list('secret')).find((s) => s.name === 'tls')!.managed).toBe(true);
      expect(await a.certificateExportable('tls')).toBe(true);
      const imported = await b.importCertificate('tls', await a.exportCertificate('tls'), { ...c!, tags: { k: 'v' } });
      expect(imported.thumbprint).toBe(c!.thumbprint);
      expect(imported.tags).toEqual({ k: 'v' });
      await expect(b.writeSecret('tls', 'x', from())).rejects.toMatchObject({ kind: 'denied' });
      await h.seedCertificate(a, 'locked', false);
      expect(await a.certificateExportable('locked')).toBe(false);
    });

    test('a certificate still being issued reads pending: disabled, no thumbprint; a new one is not listed', async () => {
      const { a } = await h.pair();
      await h.seedCertificate(a, 'renewing', true);
      await h.seedPendingCertificate(a, 'renewing');
      const [listed] = await a.list('certificate');
      expect(listed).toMatchObject({ name: 'renewing', enabled: false, pending: true });
      expect(listed!.thumbprint).toBeUndefined();
      expect(await a.get('certificate', 'renewing')).toMatchObject({ enabled: false, pending: true });
      await h.seedPendingCertificate(a, 'brand-new');
      expect((await a.list('certificate')).map((c) => c.name)).toEqual(['renewing']);
      expect(await a.get('certificate', 'brand-new')).toMatchObject({ enabled: false, pending: true });
      // An issued certificate is never pending.
      await h.seedCertificate(a, 'issued', true);
      expect((await a.get('certificate', 'issued'))!.pending).toBeUndefined();
    });

    test('a key backup restores with the same latest version; restore refuses an existing name', async () => {
      const { a, b } = await h.pair();
      await h.seedKey(a, 'k');
      const blob = await a.backupKey('k');
      await b.restoreKey(blob);
      expect(await b.keyVersion('k')).toBe(await a.keyVersion('k'));
      await expect(b.restoreKey(blob)).rejects.toMatchObject({ kind: 'conflict' });
    });

    test('recreate_keys: delete waits for the deletion, purge frees the name, the restore goes into it', async () => {
      const { a, b } = await h.pair();
      await h.seedKey(a, 'k');
      await b.restoreKey(await a.backupKey('k'));
      await b.deleteItem('key', 'k');
      expect(await b.listDeletedNames('key')).toEqual(new Set(['k']));
      await b.purgeDeletedItem('key', 'k');
      expect(await b.listDeletedNames('key')).toEqual(new Set());
      await b.restoreKey(await a.backupKey('k'));
      expect(await b.keyVersion('k')).toBe(await a.keyVersion('k'));
    });

    test('recover_soft_deleted: a deleted item reads with the version and updated it was deleted at; recover waits until it is live, and a write goes on top', async () => {
      const { a } = await h.pair();
      const w = await a.writeSecret('s', 'v1', from());
      expect(await a.getDeleted('secret', 's')).toBeUndefined();
      await a.deleteItem('secret', 's');
      expect(await a.getDeleted('secret', 's')).toMatchObject({
        name: 's',
        version: w.version,
        updatedOn: w.updatedOn,
      });
      await a.recoverDeletedItem('secret', 's');
      expect(await a.listDeletedNames('secret')).toEqual(new Set());
      expect(await a.get('secret', 's')).toMatchObject({ version: w.version });
      const next = await a.writeSecret('s', 'v2', from());
      expect((await a.readSecret('s')).value).toBe('v2');
      expect(next.version).not.toBe(w.version);
      // The SDK's recover finds a live item first: one recovered meanwhile (by a person) is no failure; no item is.
      await a.recoverDeletedItem('secret', 's');
      expect((await a.readSecret('s')).value).toBe('v2');
      await expect(a.recoverDeletedItem('secret', 'never')).rejects.toMatchObject({ kind: 'gone' });
    });

    test('recover_soft_deleted: a deleted certificate reads with its version and comes back whole', async () => {
      const { a } = await h.pair();
      await h.seedCertificate(a, 'tls', true);
      const live = await a.get('certificate', 'tls');
      await a.deleteItem('certificate', 'tls');
      expect(await a.getDeleted('certificate', 'tls')).toMatchObject({ name: 'tls', version: live!.version });
      await a.recoverDeletedItem('certificate', 'tls');
      expect(await a.get('certificate', 'tls')).toMatchObject({ version: live!.version, thumbprint: live!.thumbprint });
    });
  });
}
