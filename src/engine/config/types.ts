/** A replication config after validation, defaults applied. */
export type Rule = { all: true } | { tagged: string } | { pattern: string } | { manual: string[] };
export type ConfigType = 'secrets' | 'certificates' | 'keys';

export interface Replication {
  name: string;
  source: string;
  targets?: string[];
  targetsFromTag?: string;
  /** Globs over vault names that a targets_from_tag tag may name. */
  allowedTargets: string[];
  types: ConfigType[];
  rule: Rule;
  exclude: string[];
  overwriteOnConflict: boolean;
  propagateDeletes: boolean;
  recreateKeys: boolean;
  maxDeletes: number;
  /** Recover a soft-deleted target item this tool wrote (or one acknowledged), then write the source's version. */
  recoverSoftDeleted: boolean;
}

export interface ReplicationConfig {
  subscriptions: string[];
  replications: Replication[];
  /** The share of each vault's Key Vault budget the run takes (budget_share); the host's default when absent. */
  budgetShare?: number;
  /** Shares of named vaults (lower-case names) instead of budgetShare (vault_budget_shares). */
  vaultBudgetShares?: Record<string, number>;
}

/** The raw YAML shape, as the schema allows it. */
export interface RawReplication {
  name: string;
  source: string;
  targets?: string[];
  targets_from_tag?: string;
  allowed_targets?: string[];
  types: ConfigType[];
  rule: Rule;
  exclude?: string[];
  overwrite_on_conflict?: boolean;
  propagate_deletes?: boolean;
  recreate_keys?: boolean;
  max_deletes?: number;
  recover_soft_deleted?: boolean;
}
export interface RawConfig {
  version: 1;
  subscriptions?: string[];
  replications: RawReplication[];
  budget_share?: number;
  vault_budget_shares?: Record<string, number>;
}
