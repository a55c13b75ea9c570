import type { ItemSnapshot, ItemType, SecretVersionsPage, VaultInfo } from './model.ts';
import type { ExportedCertificate, VaultPort } from './ports.ts';

/**
 * A vault port whose every returned value is masked the moment it is read (hosts hide it in their logs). run.ts wraps
 * every port it opens, so no read site in the engine has to remember to. Only readSecret and exportCertificate return
 * values; metadata lookups return none, and a key backup is a blob sealed by the vault, not a value a log could show.
 */
export class MaskingVaultPort implements VaultPort {
  readonly #port: VaultPort;
  readonly #mask: (value: string) => void;

  constructor(port: VaultPort, mask: (value: string) => void) {
    this.#port = port;
    this.#mask = mask;
  }

  get info(): VaultInfo {
    return this.#port.info;
  }

  async readSecret(name: string): Promise<{ value: string; item: ItemSnapshot }> {
    const read = await this.#port.readSecret(name);
    this.#mask(read.value);
    return read;
  }

  async exportCertificate(name: string): Promise<ExportedCertificate> {
    const exported = await this.#port.exportCertificate(name);
    this.#mask(exported.value);
    return exported;
  }

  list(type: ItemType): Promise<ItemSnapshot[]> {
    return this.#port.list(type);
  }
  listDeletedNames(type: ItemType): Promise<Set<string>> {
    return this.#port.listDeletedNames(type);
  }
  get(type: ItemType, name: string): Promise<ItemSnapshot | undefined> {
    return this.#port.get(type, name);
  }
  secretVersions(name: string): Promise<SecretVersionsPage> {
    return this.#port.secretVersions(name);
  }
  writeSecret(name: string, value: string, from: ItemSnapshot): Promise<ItemSnapshot> {
    return this.#port.writeSecret(name, value, from);
  }
  setEnabled(type: ItemType, name: string, enabled: boolean): Promise<ItemSnapshot> {
    return this.#port.setEnabled(type, name, enabled);
  }
  certificateExportable(name: string): Promise<boolean> {
    return this.#port.certificateExportable(name);
  }
  importCertificate(name: string, c: ExportedCertificate, from: ItemSnapshot): Promise<ItemSnapshot> {
    return this.#port.importCertificate(name, c, from);
  }
  keyVersion(name: string): Promise<string | undefined> {
    return this.#port.keyVersion(name);
  }
  backupKey(name: string): Promise<Uint8Array> {
    return this.#port.backupKey(name);
  }
  restoreKey(backup: Uint8Array): Promise<ItemSnapshot> {
    return this.#port.restoreKey(backup);
  }
  deleteItem(type: ItemType, name: string): Promise<void> {
    return this.#port.deleteItem(type, name);
  }
  purgeDeletedItem(type: ItemType, name: string): Promise<void> {
    return this.#port.purgeDeletedItem(type, name);
  }
  getDeleted(type: ItemType, name: string): Promise<ItemSnapshot | undefined> {
    return this.#port.getDeleted(type, name);
  }
  recoverDeletedItem(type: ItemType, name: string): Promise<void> {
    return this.#port.recoverDeletedItem(type, name);
  }
}
