/** Stable error codes (docs/errors.md has cause and fix for each). Messages name the vault and item, never a value. */
export const ERROR_CODES = {
  KVR001: 'configuration file cannot be read',
  KVR002: 'configuration is not valid YAML',
  KVR003: 'configuration does not match the schema',
  KVR004: 'two replications share a name',
  KVR005: 'a target is the source itself',
  KVR006: 'not a Key Vault name or URL of the chosen cloud',
  KVR007: 'malformed glob pattern',
  KVR008: 'invalid input',
  KVR009: 'configuration file too large',
  KVR010: 'malformed --only item',
  KVR011: 'state branch not allowed',
  KVR020: 'vault not found',
  KVR021: 'vault belongs to another tenant',
  KVR022: 'missing permission on a vault',
  KVR023: 'targets_from_tag names no vault',
  KVR024: 'authentication failed',
  KVR025: 'no subscription to look vaults up in',
  KVR030: 'write refused: forbidden',
  KVR031: 'throttled after all retries',
  KVR032: 'name is soft-deleted in the target',
  KVR033: 'transient service or network failure',
  KVR034: 'conflict reported by Key Vault',
  KVR035: 'item vanished while replicating',
  KVR036: 'key backup cannot be restored in the target',
  KVR037: 'the target vault is read-only (regional failover)',
  KVR038: 'the source item kept changing while it was copied',
  KVR039: 'unexpected failure',
  KVR040: 'mass-delete guard held back deletes and disables',
  KVR041: 'the run was cancelled',
  KVR042: 'a targets tag names a vault outside allowed_targets',
  KVR043: 'records are blocked, or state was not trusted (fail-on: blocked)',
  KVR044: 'a Key Vault event was ignored',
  KVR045: 'a targeted item is not in the source',
  KVR050: 'state cannot be read',
  KVR051: 'state cannot be saved',
  KVR052: 'state file belongs to another pair',
  KVR053: 'state file signature missing or wrong',
  KVR054: 'invalid state dropped',
  KVR060: 'the plan file is refused (edited, unsigned or not a plan file)',
  KVR061: 'the plan file is for another configuration or other pairs',
  KVR062: 'the plan file is too old',
  KVR063: 'a plan file needs the state key',
  KVR064: 'the plan file cannot be written',
  KVR065: 'a recovered target item did not become readable in time',
  KVR070: 'unknown Azure environment',
  KVR071: 'a vault URL of another Azure cloud',
  KVR072: 'the environment input disagrees with the service connection',
  KVR075: 'no token for the pull request thread',
  KVR076: 'the pull request thread could not be posted',
  KVR080: 'init would overwrite a file',
  KVR081: 'init input refused',
  KVR082: 'init needs an answer it cannot ask for',
  KVR085: 'invalid alert input',
  KVR086: 'the alert webhook did not take a message',
  KVR087: 'the alert issue could not be opened, updated or closed',
  KVR088: 'a vault_budget_shares entry names no vault of the run',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class KvrError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'KvrError';
    this.code = code;
  }
}

export const isKvrError = (e: unknown): e is KvrError => e instanceof KvrError;
