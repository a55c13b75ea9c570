import type { ItemSnapshot, ItemType } from './model.ts';
import type { VaultPort } from './ports.ts';
import type { StateRecord } from './state.ts';

/**
 * Live proof, for one target item, that replacing, disabling or deleting it loses nobody's work. The state only says
 * which version this tool wrote (or found equal to the source); anyone with push rights can edit that, so the proof is
 * always the target's own current version, read from the vault, compared with the recorded one.
 */
export class TargetProof {
  readonly #target: VaultPort;
  readonly #mask: (value: string) => void;
  readonly #versions = new Map<string, Promise<string | undefined>>();

  constructor(target: VaultPort, mask: (value: string) => void) {
    this.#target = target;
    this.#mask = mask;
  }

  /** The item's current version, read once per run (a listing carries none). */
  currentVersion(type: ItemType, name: string): Promise<string | undefined> {
    const key = `${type}/${name.toLowerCase()}`;
    if (!this.#versions.has(key)) {
      this.#versions.set(key, (async () => {
        if (type === 'key') return this.#target.keyVersion(name);
        const got = await this.#target.get(type, name);
        if (got?.secretValue !== undefined) this.#mask(got.secretValue);
        return got?.item.version;
      })());
    }
    return this.#versions.get(key)!;
  }

  /** A version learnt from a read made for another reason (a value comparison), so that it is not read again. */
  learn(type: ItemType, name: string, version: string | undefined): void {
    if (version !== undefined) this.#versions.set(`${type}/${name.toLowerCase()}`, Promise.resolve(version));
  }

  /**
   * The target is the very version this tool wrote or found equal to the source, untouched since (attributes
   * included: an edit of tags or `enabled` keeps the version but moves `updatedOn`).
   */
  async unchanged(prev: StateRecord | undefined, t: ItemSnapshot): Promise<boolean> {
    if (!prev?.targetVersion || prev.targetUpdatedOn !== t.updatedOn) return false;
    return (await this.currentVersion(t.type, t.name)) === prev.targetVersion;
  }

  /** As `unchanged`, and written by this tool: the only target items it ever deletes, disables or purges. */
  async ourUnchangedWrite(prev: StateRecord | undefined, t: ItemSnapshot): Promise<boolean> {
    return !!prev?.replicatedByUs && (await this.unchanged(prev, t));
  }

  /** An acknowledgement holds for the target version it was given for, and no later one. */
  async acknowledged(prev: StateRecord | undefined, t: ItemSnapshot): Promise<boolean> {
    return !!prev?.acknowledgedVersion && (await this.currentVersion(t.type, t.name)) === prev.acknowledgedVersion;
  }
}
