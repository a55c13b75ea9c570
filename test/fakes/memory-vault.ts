import { VaultFailure, type VaultFailureKind } from '../../src/engine/vault-failure.ts';
import {
  type ExportedCertificate,
  type VaultDirectory,
  type VaultPermissions,
  type VaultPort,
} from '../../src/engine/ports.ts';
import type { ItemSnapshot, ItemType, SecretVersionsPage, VaultInfo } from '../../src/engine/model.ts';
import { vaultInfo } from './builders.ts';

/** Fails as the Azure adapter does for the same answer of Key Vault (service code and status in the detail). */
const fail = (kind: VaultFailureKind, status: number, code: string, message: string) =>
  new VaultFailure(kind, `${code} (HTTP ${status})`, message);

interface Stored {
  item: ItemSnapshot;
  value?: string;
  versions: string[];
  /** Secrets: every version's metadata, in the order created (the current one is `item`, which tests may edit). */
  history?: ItemSnapshot[];
  /** A certificate with no issued version yet: Key Vault lists it only when asked for pending ones. */
  unlisted?: true;
}

/** An in-memory vault with Key Vault's observable rules, for fast engine tests (kept honest by the contract suite). */
export class MemoryVault implements VaultPort {
  readonly info: VaultInfo;
  readonly live = new Map<ItemType, Map<string, Stored>>([
    ['secret', new Map()],
    ['certificate', new Map()],
    ['key', new Map()],
  ]);
  readonly deleted = new Map<ItemType, Map<string, Stored>>([
    ['secret', new Map()],
    ['certificate', new Map()],
    ['key', new Map()],
  ]);
  readonly exportable = new Map<string, boolean>();
  valueReads = 0;
  writes = 0;
  /** Called after every write lands: lets a test change the world between a tool's write and its next call. */
  afterWrite?: (type: ItemType, name: string) => void;
  #tick: number;

  constructor(info: Partial<VaultInfo> & { name: string }, startTime = 1_700_000_000_000) {
    this.info = vaultInfo(info.name, info);
    this.#tick = startTime;
  }

  #now(): number {
    this.#tick += 1000;
    return this.#tick;
  }
  /** Lets time pass on this vault's clock (each write otherwise stamps one second after the last). */
  passTime(ms: number): void {
    this.#tick += ms;
  }
  #version(): string {
    return Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32);
  }
  #find(type: ItemType, name: string): Stored {
    const s = this.live.get(type)!.get(name.toLowerCase());
    if (!s) throw fail('gone', 404, `${type[0]!.toUpperCase()}${type.slice(1)}NotFound`, `${type} ${name} not found`);
    return s;
  }
  #put(
    type: ItemType,
    name: string,
    item: Omit<ItemSnapshot, 'type' | 'name' | 'updatedOn' | 'version'>,
    value?: string,
    keepVersions?: string[],
  ): ItemSnapshot {
    if (this.deleted.get(type)!.has(name.toLowerCase()))
      throw fail('soft_deleted_conflict', 409, 'Conflict', `${name} is deleted but recoverable`);
    const prior = this.live.get(type)!.get(name.toLowerCase());
    if (prior?.item.managed && !item.managed)
      throw fail('denied', 403, 'Forbidden', `${name} is managed by a certificate`);
    const version = this.#version();
    const snapshot: ItemSnapshot = { ...item, type, name: prior?.item.name ?? name, updatedOn: this.#now(), version };
    const history =
      type === 'secret' ? [...(prior?.history ?? []), { ...snapshot, createdOn: snapshot.updatedOn }] : [];
    this.live.get(type)!.set(name.toLowerCase(), {
      item: snapshot,
      value,
      versions: keepVersions ?? [...(prior?.versions ?? []), version],
      ...(type === 'secret' ? { history } : {}),
    });
    this.writes++;
    this.afterWrite?.(type, name);
    return { ...snapshot };
  }

  /** Seeding helpers (not part of the port). */
  seedSecret(name: string, value: string, attrs: Partial<ItemSnapshot> = {}): ItemSnapshot {
    return this.#put('secret', name, { enabled: true, tags: {}, managed: false, ...attrs }, value);
  }
  seedCertificate(
    name: string,
    thumbprint: string,
    exportable = true,
    attrs: Partial<ItemSnapshot> = {},
  ): ItemSnapshot {
    this.exportable.set(name.toLowerCase(), exportable);
    this.#put(
      'secret',
      name,
      { enabled: true, tags: {}, managed: true, contentType: 'application/x-pkcs12' },
      `pfx:${thumbprint}`,
    );
    return this.#put('certificate', name, { enabled: true, tags: {}, managed: false, thumbprint, ...attrs });
  }
  /**
   * A certificate version still being issued, as Key Vault shows one: disabled, without a thumbprint. A new
   * certificate is not listed yet; a new version of an issued one lists as pending, its backing secret unchanged.
   */
  seedPendingCertificate(name: string): ItemSnapshot {
    const prior = this.live.get('certificate')!.get(name.toLowerCase());
    const item = this.#put('certificate', name, {
      enabled: false,
      tags: prior?.item.tags ?? {},
      managed: false,
      pending: true,
    });
    if (!prior) this.live.get('certificate')!.get(name.toLowerCase())!.unlisted = true;
    return item;
  }
  seedKey(name: string, attrs: Partial<ItemSnapshot> = {}): ItemSnapshot {
    return this.#put('key', name, { enabled: true, tags: {}, managed: false, ...attrs });
  }

  async list(type: ItemType): Promise<ItemSnapshot[]> {
    return [...this.live.get(type)!.values()]
      .filter((s) => !s.unlisted)
      .map((s) => ({ ...s.item, version: undefined }));
  }
  async listDeletedNames(type: ItemType): Promise<Set<string>> {
    return new Set(this.deleted.get(type)!.keys());
  }
  async get(type: ItemType, name: string) {
    const s = this.live.get(type)!.get(name.toLowerCase());
    return s ? { ...s.item } : undefined;
  }
  async readSecret(name: string) {
    const s = this.#find('secret', name);
    if (!s.item.enabled)
      throw fail('secret_disabled', 403, 'Forbidden', 'Operation get is not allowed on a disabled secret.');
    this.valueReads++;
    return { value: s.value!, item: { ...s.item } };
  }
  /** Key Vault's first page of versions: 25 at most, by version id (as Azure lists them), the current one as it is. */
  async secretVersions(name: string): Promise<SecretVersionsPage> {
    const s = this.live.get('secret')!.get(name.toLowerCase());
    const all = (s?.history ?? [])
      .map((h) => (h.version === s!.item.version ? { ...s!.item, createdOn: h.createdOn } : { ...h }))
      .sort((a, b) => (a.version! < b.version! ? -1 : a.version! > b.version! ? 1 : 0));
    return { versions: all.slice(0, 25), more: all.length > 25 };
  }
  async writeSecret(name: string, value: string, from: ItemSnapshot) {
    return this.#put(
      'secret',
      name,
      {
        enabled: from.enabled,
        tags: { ...from.tags },
        contentType: from.contentType,
        expiresOn: from.expiresOn,
        notBefore: from.notBefore,
        managed: false,
      },
      value,
    );
  }
  async setEnabled(type: ItemType, name: string, enabled: boolean) {
    const s = this.#find(type, name);
    s.item = { ...s.item, enabled, updatedOn: this.#now() };
    return { ...s.item };
  }
  async certificateExportable(name: string) {
    this.#find('certificate', name);
    return this.exportable.get(name.toLowerCase()) ?? true;
  }
  async exportCertificate(name: string): Promise<ExportedCertificate> {
    const s = this.#find('secret', name);
    this.valueReads++;
    return {
      value: s.value!,
      contentType: s.item.contentType ?? 'application/x-pkcs12',
      version: this.live.get('certificate')!.get(name.toLowerCase())?.item.version,
    };
  }
  async importCertificate(name: string, c: ExportedCertificate, from: ItemSnapshot) {
    const other = this.live.get('secret')!.get(name.toLowerCase());
    if (other && !other.item.managed) throw fail('conflict', 409, 'Conflict', `a secret named ${name} exists`);
    const thumbprint = c.value.replace(/^pfx:/, '');
    this.#put('secret', name, { enabled: from.enabled, tags: {}, managed: true, contentType: c.contentType }, c.value);
    return this.#put('certificate', name, {
      enabled: from.enabled,
      tags: { ...from.tags },
      managed: false,
      thumbprint,
    });
  }
  async keyVersion(name: string) {
    const s = this.#find('key', name);
    return s.versions[s.versions.length - 1];
  }
  async backupKey(name: string) {
    const s = this.#find('key', name);
    return new TextEncoder().encode(
      JSON.stringify({ s, geo: this.info.geography ?? this.info.location, sub: this.info.subscriptionId }),
    );
  }
  async restoreKey(backup: Uint8Array) {
    const { s } = JSON.parse(new TextDecoder().decode(backup)) as { s: Stored };
    if (this.live.get('key')!.has(s.item.name.toLowerCase())) throw fail('conflict', 409, 'Conflict', 'key exists');
    this.live.get('key')!.set(s.item.name.toLowerCase(), { ...s, item: { ...s.item } });
    this.writes++;
    return { ...s.item };
  }
  async deleteItem(type: ItemType, name: string) {
    const s = this.#find(type, name);
    this.live.get(type)!.delete(name.toLowerCase());
    this.deleted.get(type)!.set(name.toLowerCase(), s);
  }
  async purgeDeletedItem(type: ItemType, name: string) {
    if (!this.deleted.get(type)!.delete(name.toLowerCase())) throw fail('gone', 404, 'NotFound', 'not deleted');
  }
  async getDeleted(type: ItemType, name: string) {
    const s = this.deleted.get(type)!.get(name.toLowerCase());
    return s ? { ...s.item } : undefined;
  }
  async recoverDeletedItem(type: ItemType, name: string) {
    const s = this.deleted.get(type)!.get(name.toLowerCase());
    if (!s && this.live.get(type)!.has(name.toLowerCase())) return;
    if (!s) throw fail('gone', 404, 'NotFound', 'not deleted');
    this.deleted.get(type)!.delete(name.toLowerCase());
    this.live.get(type)!.set(name.toLowerCase(), s);
  }
}

/** A directory of memory vaults where the caller holds the given permissions everywhere. */
export class MemoryDirectory implements VaultDirectory {
  readonly vaults = new Map<string, MemoryVault>();
  permissionsOf: VaultPermissions = { model: 'rbac', dataActions: ['Microsoft.KeyVault/vaults/*'], notDataActions: [] };
  add(v: MemoryVault): MemoryVault {
    this.vaults.set(v.info.name, v);
    return v;
  }
  async resolve(name: string) {
    const v = this.vaults.get(name);
    if (!v) throw new Error(`no vault ${name}`);
    return v.info;
  }
  async geography(vault: VaultInfo) {
    return this.vaults.get(vault.name)?.info.geography;
  }
  async permissions() {
    return this.permissionsOf;
  }
  open(vault: VaultInfo) {
    return this.vaults.get(vault.name)!;
  }
}
