/** The domain: items, records and their statuses (DESIGN §4). */

export const ITEM_TYPES = ['secret', 'certificate', 'key'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

/** Config names the types in the plural, records in the singular. */
export const TYPE_OF_CONFIG = { secrets: 'secret', certificates: 'certificate', keys: 'key' } as const satisfies Record<
  string,
  ItemType
>;

/** What a listing tells about an item, without reading any value. Times are epoch milliseconds. */
export interface ItemSnapshot {
  type: ItemType;
  name: string;
  enabled: boolean;
  updatedOn?: number;
  contentType?: string;
  tags: Record<string, string>;
  expiresOn?: number;
  notBefore?: number;
  /** The secret or key behind a certificate. */
  managed: boolean;
  /** Certificates: base64url SHA-1 thumbprint. */
  thumbprint?: string;
  /** Set when a call returned it (lists do not). */
  version?: string;
  /**
   * Secrets, in a listing of versions: when the version was created (whole seconds). The current version is the one
   * created last.
   */
  createdOn?: number;
  /**
   * Certificates: the current version is still being issued (no X.509 certificate yet). Key Vault shows such a version
   * disabled; it is not a disabled certificate.
   */
  pending?: boolean;
}

export const RECORD_STATUSES = [
  'create',
  'update',
  'in_sync',
  'delete',
  'excluded_by_rule',
  'source_disabled',
  'source_pending',
  'source_soft_deleted',
  'missing_once',
  'retired',
  'blocked_target_conflict',
  'blocked_target_soft_deleted',
  'blocked_cross_geography_key',
  'blocked_cross_subscription_key',
  'blocked_key_restore_conflict',
  'blocked_non_exportable_certificate',
  'managed_by_certificate',
  'held_back',
  'failed',
  'held_back_plan_changed',
] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

/** What applying a record does to the target; `recover` recovers the soft-deleted target item, then writes. */
export type RecordAction = 'write' | 'recover' | 'delete' | 'disable' | 'none';

/** One item of a pair, decided; immutable (the guard and apply return new records). */
export interface ReplicationRecord {
  readonly type: ItemType;
  readonly name: string;
  readonly status: RecordStatus;
  readonly action: RecordAction;
  readonly reason: string;
  /** Stable error code when status is failed. */
  readonly errorCode?: string;
  /** Failed, yet a version was written: the target holds a copy of this tool's, just not the source's latest. */
  readonly wroteStale?: true;
  /** held_back: what would have been done. */
  readonly held?: 'delete' | 'disable';
  readonly source?: ItemSnapshot;
  readonly target?: ItemSnapshot;
}

/** One item named for a targeted run (--only, a Key Vault event): just it is read, nothing else is listed. */
export interface OnlyItem {
  type: ItemType;
  name: string;
}

export const recordKey = (type: ItemType, name: string): string => `${type}/${name.toLowerCase()}`;

export interface VaultInfo {
  name: string;
  uri: string;
  location: string;
  /** ARM's `metadata.geography` for the location, when the directory read it (decides cross-geography keys). */
  geography?: string;
  subscriptionId: string;
  resourceGroup: string;
  tenantId: string;
  tags: Record<string, string>;
  rbac: boolean;
  purgeProtection: boolean;
}

/** The first page of a secret's versions, listed without values, in Key Vault's order (which is not by creation). */
export interface SecretVersionsPage {
  /** Each with its version and createdOn. */
  versions: ItemSnapshot[];
  /** Key Vault has a further page (more versions than a page holds, or a page it cut short). */
  more: boolean;
}
