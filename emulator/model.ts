import type { CloudName } from './clouds.ts';
/** The emulator's in-memory picture of vaults and their items, shaped after Key Vault's own objects. */

export type RoleName =
  | 'Reader'
  | 'Contributor'
  | 'Key Vault Administrator'
  | 'Key Vault Reader'
  | 'Key Vault Secrets User'
  | 'Key Vault Secrets Officer'
  | 'Key Vault Certificates Officer'
  | 'Key Vault Certificate User'
  | 'Key Vault Crypto Officer'
  | 'Key Vault Crypto User';

/**
 * A custom role definition, carried by the assignment that uses it (Azure keeps it apart, at an assignable scope):
 * what is granted is the actions minus the notActions, per role, as Azure computes it.
 */
export interface RoleDefinition {
  name: string;
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

/** A role assigned at a subscription's scope: it holds for the subscription itself and every vault in it. */
export interface SubscriptionRoleAssignment {
  subscriptionId: string;
  principalId: string;
  role: RoleName | RoleDefinition;
}

/** An access policy entry: `objectId` is a service principal's, a user's or a group's (its members hold it). */
export interface AccessPolicy {
  objectId: string;
  permissions: { secrets?: string[]; keys?: string[]; certificates?: string[] };
}

export interface VaultSpec {
  name: string;
  /** The Azure cloud the vault is in, served under its host names only; AzureCloud unless given. */
  cloud?: CloudName;
  location: string;
  subscriptionId: string;
  resourceGroup: string;
  tenantId: string;
  /**
   * The tenant of the subscription that holds the vault, when not `tenantId`: a subscription moved to another tenant
   * keeps its vaults' tenant.
   */
  subscriptionTenantId?: string;
  tags?: Record<string, string>;
  /**
   * Emulator only: emulator-clock milliseconds a `Self`-issued certificate stays pending after its create (default
   * DEFAULT_CERTIFICATE_ISSUANCE_MS; 0 issues it at once).
   */
  certificateIssuanceMs?: number;
  /** true: Azure RBAC decides data-plane access; false: access policies do. */
  enableRbacAuthorization?: boolean;
  enableSoftDelete?: boolean;
  enablePurgeProtection?: boolean;
  softDeleteRetentionInDays?: number;
  /**
   * Role assignments at the vault's scope (subscription scope: the emulator's `subscriptionRoleAssignments`; none at
   * resource group scope): the principal is a service principal or a group, whose members hold the role.
   */
  roleAssignments?: { principalId: string; role: RoleName | RoleDefinition }[];
  accessPolicies?: AccessPolicy[];
  enabledForDeployment?: boolean;
  enabledForDiskEncryption?: boolean;
  enabledForTemplateDeployment?: boolean;
  /** Who created and last changed the vault through ARM, and when (ARM's `systemData`); seeded vaults have none. */
  systemData?: {
    createdBy: string;
    createdByType: string;
    createdAt: string;
    lastModifiedBy: string;
    lastModifiedByType: string;
    lastModifiedAt: string;
  };
}

export interface Attributes {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

export interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  attributes: Attributes;
  tags?: Record<string, string>;
}

export interface KeyVersion {
  version: string;
  /** Public and private JWK as Key Vault keeps it; only the public part ever leaves a GET. */
  jwk: Record<string, unknown>;
  keyOps: string[];
  attributes: Attributes & { exportable?: boolean };
  tags?: Record<string, string>;
}

export interface CertificatePolicy {
  exportable: boolean;
  kty: string;
  keySize?: number;
  reuseKey: boolean;
  contentType: string;
  subject: string;
  validityMonths: number;
  issuer: string;
}

export interface CertificateVersion {
  version: string;
  /** Empty while the version is pending: no certificate has been issued yet. */
  certDerBase64: string;
  x5t: string;
  /** PEM of the private key, absent for an imported public-only certificate. */
  privateKeyPem?: string;
  attributes: Attributes;
  tags?: Record<string, string>;
  /**
   * Set while the version is being issued (created, not yet completed or merged): Key Vault shows it disabled, without
   * x5t, cer, kid or sid. `enabled` is what the create asked for, given to the version when it completes.
   */
  pending?: { enabled: boolean };
}

/** A certificate's creation operation (GET certificates/{name}/pending), kept once it completes. */
export interface CertificateOperation {
  requestId: string;
  issuer: string;
  /** base64 DER of the PKCS#10 request for the pending version's key. */
  csr: string;
  /** The version being issued. */
  version: string;
  status: 'inProgress' | 'completed';
  /** Emulator ms at which a `Self` issuer completes; undefined: it waits for a merge (issuer `Unknown`). */
  completeAt?: number;
}

export interface Item<V> {
  name: string;
  versions: V[];
  /** Set on the secret and key that back a certificate. */
  managed?: boolean;
}

export interface CertificateItem extends Item<CertificateVersion> {
  policy: CertificatePolicy;
  policyUpdated: number;
  /** The last creation operation (POST create); imports have none. */
  operation?: CertificateOperation;
}

export interface Deleted<T> {
  item: T;
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface Collection<T> {
  live: Map<string, T>;
  deleted: Map<string, Deleted<T>>;
}

export interface VaultCounters {
  requests: number;
  /** GETs that returned a secret value (including a certificate's PFX through its secret). */
  valueReads: number;
  /** Calls that created a new version or restored/imported an item. */
  writes: number;
  throttled: number;
  byOperation: Record<string, number>;
  clientRequestIds: Set<string>;
}

export interface VaultState {
  spec: Required<
    Pick<
      VaultSpec,
      | 'enableRbacAuthorization'
      | 'enableSoftDelete'
      | 'enablePurgeProtection'
      | 'softDeleteRetentionInDays'
      | 'certificateIssuanceMs'
    >
  > &
    VaultSpec;
  secrets: Collection<Item<SecretVersion>>;
  keys: Collection<Item<KeyVersion>>;
  certificates: Collection<CertificateItem>;
  counters: VaultCounters;
}

/** How long a self-signed certificate takes to issue, on the emulator's clock (Azure's take seconds too). */
export const DEFAULT_CERTIFICATE_ISSUANCE_MS = 5_000;

const collection = <T>(): Collection<T> => ({ live: new Map(), deleted: new Map() });

export const newCounters = (): VaultCounters => ({
  requests: 0,
  valueReads: 0,
  writes: 0,
  throttled: 0,
  byOperation: {},
  clientRequestIds: new Set(),
});

export function newVaultState(spec: VaultSpec): VaultState {
  return {
    spec: {
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      enablePurgeProtection: false,
      softDeleteRetentionInDays: 90,
      ...spec,
      certificateIssuanceMs: spec.certificateIssuanceMs ?? DEFAULT_CERTIFICATE_ISSUANCE_MS,
    },
    secrets: collection(),
    keys: collection(),
    certificates: collection(),
    counters: newCounters(),
  };
}

/** Key Vault item names are case-insensitive; the map key is the folded name. */
export const keyOf = (name: string): string => name.toLowerCase();

export const latest = <V>(item: Item<V>): V => item.versions[item.versions.length - 1] as V;

export const recoveryLevel = (v: VaultState): string =>
  !v.spec.enableSoftDelete
    ? 'Purgeable'
    : v.spec.enablePurgeProtection
      ? v.spec.softDeleteRetentionInDays < 90
        ? 'CustomizedRecoverable+ProtectedSubscription'
        : 'Recoverable+ProtectedSubscription'
      : v.spec.softDeleteRetentionInDays < 90
        ? 'CustomizedRecoverable+Purgeable'
        : 'Recoverable+Purgeable';
