import type { ItemSnapshot, ItemType, SecretVersionsPage, VaultInfo } from './model.ts';
import type { PairIdentity, PairState, StateProblem } from './state.ts';

/** Time, given to the engine so that it stays deterministic under test. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** A certificate as it travels: the backing secret's content (PKCS#12 base64 or PEM) and its content type. */
export interface ExportedCertificate {
  value: string;
  contentType: string;
  /** The certificate version exported (its backing secret shares the version id). */
  version?: string;
}

/**
 * The operations the engine needs from one vault's data plane, and nothing more. A failed call throws a VaultFailure
 * (vault-failure.ts): adapters translate their transport's errors, the engine sees kinds only.
 */
export interface VaultPort {
  readonly info: VaultInfo;
  list(type: ItemType): Promise<ItemSnapshot[]>;
  /** Lower-cased names of soft-deleted items of a type. */
  listDeletedNames(type: ItemType): Promise<Set<string>>;
  /** One item's metadata (its current version included, never a value), or undefined when it does not exist. */
  get(type: ItemType, name: string): Promise<ItemSnapshot | undefined>;
  /** A secret's value with the metadata of the version read; a disabled secret fails (secret_disabled). */
  readSecret(name: string): Promise<{ value: string; item: ItemSnapshot }>;
  /**
   * The first page (at most 25) of a secret's versions, metadata only: no value is read. A name not held lists none.
   */
  secretVersions(name: string): Promise<SecretVersionsPage>;
  /** Writes a new version with the source's content type, enabled, expiry, not-before and tags. */
  writeSecret(name: string, value: string, from: ItemSnapshot): Promise<ItemSnapshot>;
  setEnabled(type: ItemType, name: string, enabled: boolean): Promise<ItemSnapshot>;
  certificateExportable(name: string): Promise<boolean>;
  exportCertificate(name: string): Promise<ExportedCertificate>;
  importCertificate(name: string, certificate: ExportedCertificate, from: ItemSnapshot): Promise<ItemSnapshot>;
  keyVersion(name: string): Promise<string | undefined>;
  backupKey(name: string): Promise<Uint8Array>;
  restoreKey(backup: Uint8Array): Promise<ItemSnapshot>;
  /** Soft-deletes (where soft delete is on) and waits until the deletion has completed. */
  deleteItem(type: ItemType, name: string): Promise<void>;
  /**
   * Purges a soft-deleted item. Azure frees the name a moment later and offers nothing to poll: a write to the name
   * (a restore, say) waits that moment out itself (writes retry while the service says the name is in transition).
   */
  purgeDeletedItem(type: ItemType, name: string): Promise<void>;
  /** A soft-deleted item's metadata (the version it was deleted at, never a value), or undefined when there is none. */
  getDeleted(type: ItemType, name: string): Promise<ItemSnapshot | undefined>;
  /**
   * Recovers a soft-deleted item and waits until it reads as live again (a write meanwhile is refused with 409
   * "being recovered"); a recovery still under way after a minute fails with KVR065. An item already live (recovered
   * meanwhile by someone else) is no failure, as the SDK's recover finds it first; a name neither live nor deleted is.
   */
  recoverDeletedItem(type: ItemType, name: string): Promise<void>;
}

/** What the caller may do on a vault: RBAC data actions, or the access policy's permissions. */
export type VaultPermissions =
  | { model: 'rbac'; dataActions: string[]; notDataActions: string[] }
  | {
      model: 'access-policy';
      secrets: string[];
      keys: string[];
      certificates: string[];
      /**
       * The caller has no policy entry of its own and its groups are not known (its token has no `groups` claim, or
       * Entra's overage replaced it): a policy granted to a group cannot be ruled out, so what seems missing is only a
       * warning and the data plane answers.
       */
      groupsUnknown?: boolean;
    };

/** Finds vaults (ARM) and opens their data planes. */
export interface VaultDirectory {
  resolve(name: string): Promise<VaultInfo>;
  /**
   * The geography the cloud gives the vault's region (key backups cannot leave one), or undefined when it gives none:
   * asked only for the vaults of replications that copy keys.
   */
  geography(vault: VaultInfo): Promise<string | undefined>;
  permissions(vault: VaultInfo): Promise<VaultPermissions>;
  open(vault: VaultInfo): VaultPort;
}

/** A pair's state is stored under its replication and target, and is memory only for its recorded source too. */
export type StateKey = PairIdentity;

/** What a store found: the trusted states by `stateKeyOf`, and what it refused or dropped (warnings). */
export interface LoadedStates {
  states: Map<string, PairState>;
  problems: StateProblem[];
}

/** Where records live between runs: a git branch (CI) or a local file (CLI). */
export interface StateStore {
  /** True when every state it hands out verified against a key (state-key): only such state may allow a purge. */
  readonly signs: boolean;
  load(keys: StateKey[]): Promise<LoadedStates>;
  /**
   * Saves the given pair states; a store shared by concurrent runs merges rather than overwrites. Resolves to whether
   * anything was written (false: every state was as saved, no commit or write).
   */
  save(states: PairState[], correlationId: string): Promise<boolean>;
}

export const stateKeyOf = (k: Pick<StateKey, 'replication' | 'target'>): string => `${k.replication}/${k.target}`;
