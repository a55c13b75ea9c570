import type { TokenCredential } from '@azure/core-auth';
import { CertificateClient, type CertificateProperties } from '@azure/keyvault-certificates';
import { KeyClient, type KeyProperties } from '@azure/keyvault-keys';
import { SecretClient, type SecretProperties } from '@azure/keyvault-secrets';
import { isKvrError, KvrError } from '../engine/errors.ts';
import type { ItemSnapshot, ItemType, SecretVersionsPage, VaultInfo } from '../engine/model.ts';
import { THROTTLE_BACKOFF_MS, vaultPacer, type VaultPacer } from './pacing.ts';
import type { Clock, ExportedCertificate, VaultPort } from '../engine/ports.ts';
import { clientOptions } from './client-options.ts';
import { exactDates } from './exact-dates.ts';
import { readingPage, type PageSeen } from './page-links.ts';
import { isNameInTransition, toVaultFailure } from './rest-error.ts';
import { VaultFailure } from '../engine/vault-failure.ts';

const ms = (d?: Date) => d?.getTime();
/** How often a delete is polled until Key Vault has finished it, and a name in transition is tried again. */
const POLL_MS = 1000;
/** How long a name Key Vault is still deleting, purging or recovering is waited for before the write gives up. */
const TRANSITION_WAIT_MS = 60_000;
const PEM = 'application/x-pem-file';
/** What a listing's iterator is started with: a page's nextLink to go on from. */
type PageSettings = { continuationToken?: string };
/** A listing that could not be read to its end (KVR033: the next run lists again). */
const incomplete = (pages: number) =>
  new VaultFailure('transient', `listing incomplete after ${pages} page(s)`, 'a listing could not be read to its end');

/** Key Vault's largest page. */
const MAX_PAGE = 25;

function snapshotOfSecret(p: SecretProperties): ItemSnapshot {
  return {
    type: 'secret',
    name: p.name,
    enabled: p.enabled ?? true,
    updatedOn: ms(p.updatedOn),
    contentType: p.contentType,
    tags: p.tags ?? {},
    expiresOn: ms(p.expiresOn),
    notBefore: ms(p.notBefore),
    managed: p.managed === true,
    version: p.version,
  };
}

/**
 * A version still being issued carries no X.509 certificate, hence no thumbprint, and Key Vault shows it disabled
 * (recorded); an issued version always has one. The missing thumbprint is the signal lists and reads both give.
 */
function snapshotOfCertificate(p: CertificateProperties): ItemSnapshot {
  return {
    type: 'certificate',
    name: p.name!,
    enabled: p.enabled ?? true,
    updatedOn: ms(p.updatedOn),
    tags: p.tags ?? {},
    managed: false,
    thumbprint: p.x509Thumbprint ? Buffer.from(p.x509Thumbprint).toString('base64url') : undefined,
    version: p.version,
    ...(p.x509Thumbprint ? {} : { pending: true }),
  };
}

function snapshotOfKey(p: KeyProperties): ItemSnapshot {
  return {
    type: 'key',
    name: p.name,
    enabled: p.enabled ?? true,
    updatedOn: ms(p.updatedOn),
    tags: p.tags ?? {},
    expiresOn: ms(p.expiresOn),
    notBefore: ms(p.notBefore),
    managed: p.managed === true,
    version: p.version,
  };
}

/**
 * VaultPort over the official Key Vault SDK clients. Each call is paced under the run's share of the vault's published
 * limits and of its subscription's (pacing.ts), and a 429 the SDK did not retry (no Retry-After) is backed off 1, 2, 4,
 * 8, 16 s.
 */
export class AzureVaultPort implements VaultPort {
  readonly info: VaultInfo;
  readonly #secrets: SecretClient;
  readonly #certificates: CertificateClient;
  readonly #keys: KeyClient;
  readonly #pacer: VaultPacer;
  readonly #clock: Clock;

  constructor(
    info: VaultInfo,
    credential: TokenCredential,
    correlationId: string,
    clock: Clock,
    pacer: VaultPacer = vaultPacer(clock),
  ) {
    this.info = info;
    const options = clientOptions(correlationId);
    this.#secrets = new SecretClient(info.uri, credential, options);
    this.#certificates = new CertificateClient(info.uri, credential, options);
    this.#keys = new KeyClient(info.uri, credential, options);
    this.#pacer = pacer;
    this.#clock = clock;
  }

  /**
   * One call, paced; a 429 is backed off, and a 409 for a name Key Vault is still deleting, purging or recovering
   * ("retry later") is tried again every second for up to a minute, on this port's clock.
   */
  async #call<T>(budget: 'create' | 'other', fn: () => Promise<T>): Promise<T> {
    let waited = 0;
    for (let attempt = 0; ;) {
      const release = await this.#pacer.take(budget);
      try {
        return await fn();
      } catch (e) {
        release();
        if (isNameInTransition(e) && waited < TRANSITION_WAIT_MS) {
          await this.#clock.sleep(POLL_MS);
          waited += POLL_MS;
          continue;
        }
        // A refused sign-in (KVR024, with Entra's reason) is no vault's answer: it stays what it is.
        if (isKvrError(e)) throw e;
        const err = toVaultFailure(e);
        if (err.kind !== 'throttled' || attempt >= THROTTLE_BACKOFF_MS.length) throw err;
        await this.#clock.sleep(THROTTLE_BACKOFF_MS[attempt++]!);
      } finally {
        // The call counts from its start until a window after its answer (pacing.ts); a second release does nothing.
        release();
      }
    }
  }

  /** Polls a long-running operation until done, waiting on this port's clock (never the SDK's own timer). */
  async #until(poller: { isDone(): boolean; poll(): Promise<void> }): Promise<void> {
    while (!poller.isDone()) {
      await this.#clock.sleep(POLL_MS);
      await this.#call('other', () => poller.poll());
    }
  }

  /**
   * Pages one at a time, each page paced and retried like any other call. The SDK's page iterator is finished by the
   * error of a page, so a retried page is read by a new iterator from the last page's nextLink (page-links.ts). A
   * listing that cannot go on from where it stopped, or whose iterator ends without the page it was expected to
   * give, fails: a part of a vault must never be taken for the whole of it. Each page is mapped as it comes (`keep`):
   * the SDK's objects of a page are let go at once, not held until the listing's end (50,000 of them at scale).
   */
  async #pages<T, U>(list: (settings: PageSettings) => AsyncIterableIterator<T[]>, keep: (t: T) => U): Promise<U[]> {
    const out: U[] = [];
    let pages: AsyncIterableIterator<T[]> | undefined;
    /** Where the next page is read from: the start (no token), or the last page's nextLink; null when unknown. */
    let from: string | undefined | null;
    let read = 0;
    for (;;) {
      const seen: PageSeen = {};
      let fresh = false;
      const page = await this.#call('other', async () => {
        fresh = pages === undefined;
        if (fresh) {
          if (from === null) throw incomplete(read);
          pages = list(from === undefined ? {} : { continuationToken: from });
        }
        try {
          return await readingPage(seen, () => pages!.next());
        } catch (e) {
          pages = undefined;
          throw e;
        }
      });
      if (page.done) {
        // An iterator gives at least one page; after a page with a nextLink, the next one is there too.
        if (fresh || typeof from === 'string') throw incomplete(read);
        return out;
      }
      for (const t of page.value) out.push(keep(t));
      read++;
      if (seen.nextLink === null) return out;
      from = seen.nextLink ?? null;
    }
  }

  async list(type: ItemType): Promise<ItemSnapshot[]> {
    if (type === 'secret')
      return this.#pages((settings) => this.#secrets.listPropertiesOfSecrets().byPage(settings), snapshotOfSecret);
    if (type === 'certificate')
      return this.#pages(
        (settings) => this.#certificates.listPropertiesOfCertificates().byPage(settings),
        snapshotOfCertificate,
      );
    return this.#pages((settings) => this.#keys.listPropertiesOfKeys().byPage(settings), snapshotOfKey);
  }

  async listDeletedNames(type: ItemType): Promise<Set<string>> {
    const nameOf = (i: object) =>
      ('properties' in i && i.properties
        ? (i.properties as { name: string }).name
        : (i as { name: string }).name
      ).toLowerCase();
    const names =
      type === 'secret'
        ? await this.#pages((settings) => this.#secrets.listDeletedSecrets().byPage(settings), nameOf)
        : type === 'certificate'
          ? await this.#pages((settings) => this.#certificates.listDeletedCertificates().byPage(settings), nameOf)
          : await this.#pages((settings) => this.#keys.listDeletedKeys().byPage(settings), nameOf);
    return new Set(names);
  }

  async get(type: ItemType, name: string): Promise<ItemSnapshot | undefined> {
    try {
      // Key Vault has no metadata-only read of a secret's current version: its value arrives too, and stops here.
      if (type === 'secret')
        return snapshotOfSecret((await this.#call('other', () => this.#secrets.getSecret(name))).properties);
      if (type === 'certificate')
        return snapshotOfCertificate(
          (await this.#call('other', () => this.#certificates.getCertificate(name))).properties,
        );
      return snapshotOfKey((await this.#call('other', () => this.#keys.getKey(name))).properties);
    } catch (e) {
      if (isKvrError(e)) throw e;
      const err = toVaultFailure(e);
      if (err.kind === 'gone') return undefined;
      if (err.kind === 'secret_disabled') {
        const versions = await this.#pages(
          (settings) => this.#secrets.listPropertiesOfSecretVersions(name).byPage(settings),
          (p) => ({ item: snapshotOfSecret(p), createdOn: ms(p.createdOn) ?? 0 }),
        );
        return versions.sort((a, b) => b.createdOn - a.createdOn)[0]?.item;
      }
      throw err;
    }
  }

  async readSecret(name: string): Promise<{ value: string; item: ItemSnapshot }> {
    const s = await this.#call('other', () => this.#secrets.getSecret(name));
    return { value: s.value ?? '', item: snapshotOfSecret(s.properties) };
  }

  /**
   * One paced `GET /secrets/{name}/versions?maxresults=25`. The SDK's pages drop the response's nextLink, so it is
   * taken as every listing takes it (page-links.ts): a further page is never fetched, only reported.
   */
  async secretVersions(name: string): Promise<SecretVersionsPage> {
    let seen: PageSeen = {};
    const page = await this.#call('other', async () => {
      seen = {};
      const pages = this.#secrets.listPropertiesOfSecretVersions(name).byPage({ maxPageSize: MAX_PAGE });
      const first = await readingPage(seen, () => pages.next());
      return first.done ? [] : first.value;
    });
    const more = typeof seen.nextLink === 'string';
    return { versions: page.map((p) => ({ ...snapshotOfSecret(p), createdOn: ms(p.createdOn) })), more };
  }

  async writeSecret(name: string, value: string, from: ItemSnapshot): Promise<ItemSnapshot> {
    const s = await this.#call('create', () =>
      this.#secrets.setSecret(name, value, {
        contentType: from.contentType,
        enabled: from.enabled,
        tags: from.tags,
        expiresOn: from.expiresOn !== undefined ? new Date(from.expiresOn) : undefined,
        notBefore: from.notBefore !== undefined ? new Date(from.notBefore) : undefined,
        // The SDK wraps dates after 2038 (exact-dates.ts): the exact seconds go with the request.
        ...exactDates(from.expiresOn, from.notBefore),
      }),
    );
    return snapshotOfSecret(s.properties);
  }

  async setEnabled(type: ItemType, name: string, enabled: boolean): Promise<ItemSnapshot> {
    if (type === 'secret')
      return snapshotOfSecret(
        await this.#call('other', () => this.#secrets.updateSecretProperties(name, '', { enabled })),
      );
    if (type === 'certificate')
      return snapshotOfCertificate(
        (await this.#call('other', () => this.#certificates.updateCertificateProperties(name, '', { enabled })))
          .properties,
      );
    return snapshotOfKey(
      (await this.#call('other', () => this.#keys.updateKeyProperties(name, { enabled }))).properties,
    );
  }

  async certificateExportable(name: string): Promise<boolean> {
    return (await this.#call('other', () => this.#certificates.getCertificatePolicy(name))).exportable !== false;
  }

  async exportCertificate(name: string): Promise<ExportedCertificate> {
    const s = await this.#call('other', () => this.#secrets.getSecret(name));
    return {
      value: s.value ?? '',
      contentType: s.properties.contentType ?? 'application/x-pkcs12',
      version: s.properties.version,
    };
  }

  async importCertificate(name: string, c: ExportedCertificate, from: ItemSnapshot): Promise<ItemSnapshot> {
    const pem = c.contentType === PEM;
    const imported = await this.#call('create', () =>
      this.#certificates.importCertificate(name, pem ? Buffer.from(c.value, 'utf8') : Buffer.from(c.value, 'base64'), {
        enabled: from.enabled,
        tags: from.tags,
        ...(pem ? { policy: { contentType: PEM, issuerName: 'Unknown' as const, subject: '' } } : {}),
      }),
    );
    return snapshotOfCertificate(imported.properties);
  }

  async keyVersion(name: string): Promise<string | undefined> {
    return (await this.#call('other', () => this.#keys.getKey(name))).properties.version;
  }

  async backupKey(name: string): Promise<Uint8Array> {
    const blob = await this.#call('other', () => this.#keys.backupKey(name));
    if (!blob) throw toVaultFailure({ message: `empty backup of key ${name}` });
    return blob;
  }

  async restoreKey(backup: Uint8Array): Promise<ItemSnapshot> {
    return snapshotOfKey((await this.#call('create', () => this.#keys.restoreKeyBackup(backup))).properties);
  }

  /**
   * Deletes, then polls `GET deleted…/name` until it answers (Key Vault answers 404 for a few seconds after the
   * DELETE): once this returns, the name is deleted but recoverable, and listed so.
   */
  async deleteItem(type: ItemType, name: string): Promise<void> {
    if (type === 'secret') await this.#until(await this.#call('other', () => this.#secrets.beginDeleteSecret(name)));
    else if (type === 'certificate')
      await this.#until(await this.#call('other', () => this.#certificates.beginDeleteCertificate(name)));
    else await this.#until(await this.#call('other', () => this.#keys.beginDeleteKey(name)));
  }

  /**
   * Purges. Key Vault keeps the name taken for a few seconds after (a write answers 409 "being deleted" with nothing
   * to poll for it), so the wait for the name to be free is the next write's: #call tries it again until it is.
   */
  async purgeDeletedItem(type: ItemType, name: string): Promise<void> {
    if (type === 'secret') await this.#call('other', () => this.#secrets.purgeDeletedSecret(name));
    else if (type === 'certificate') await this.#call('other', () => this.#certificates.purgeDeletedCertificate(name));
    else await this.#call('other', () => this.#keys.purgeDeletedKey(name));
  }

  async getDeleted(type: ItemType, name: string): Promise<ItemSnapshot | undefined> {
    try {
      if (type === 'secret')
        return snapshotOfSecret((await this.#call('other', () => this.#secrets.getDeletedSecret(name))).properties);
      if (type === 'certificate')
        return snapshotOfCertificate(
          (await this.#call('other', () => this.#certificates.getDeletedCertificate(name))).properties,
        );
      return snapshotOfKey((await this.#call('other', () => this.#keys.getDeletedKey(name))).properties);
    } catch (e) {
      if (!isKvrError(e) && toVaultFailure(e).kind === 'gone') return undefined;
      throw isKvrError(e) ? e : toVaultFailure(e);
    }
  }

  /**
   * Recovers, then polls `GET name` until it answers (Key Vault answers 404 for a few seconds after the recover), on
   * this port's clock, for at most a minute.
   */
  async recoverDeletedItem(type: ItemType, name: string): Promise<void> {
    const poller =
      type === 'secret'
        ? await this.#call('other', () => this.#secrets.beginRecoverDeletedSecret(name))
        : type === 'certificate'
          ? await this.#call('other', () => this.#certificates.beginRecoverDeletedCertificate(name))
          : await this.#call('other', () => this.#keys.beginRecoverDeletedKey(name));
    for (let waited = 0; !poller.isDone(); waited += POLL_MS) {
      if (waited >= TRANSITION_WAIT_MS)
        throw new KvrError(
          'KVR065',
          `${type} ${name} was recovered but is still not readable after ${TRANSITION_WAIT_MS / 1000} s; the next run writes it`,
        );
      await this.#clock.sleep(POLL_MS);
      await this.#call('other', () => poller.poll());
    }
  }
}
