/** The replication config's JSON Schema: the one description of what a config may say (DESIGN §3). */
export const VAULT_NAME_PATTERN = '^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$';
export const ITEM_NAME_PATTERN = '^[0-9a-zA-Z-]{1,127}$';

const vaultRef = {
  type: 'string',
  minLength: 3,
  maxLength: 200,
  description:
    "A vault name (3-24 letters, digits, dashes) or its URL https://<name>.vault.azure.net (the run's cloud's suffix: .vault.usgovcloudapi.net, .vault.azure.cn)",
} as const;

/** A share of a vault's Key Vault budget (calls per 10 s) a run may take; MAX_BUDGET_SHARE (defaults.ts) is 0.95. */
const budgetShare = { type: 'number', exclusiveMinimum: 0, maximum: 0.95 } as const;

const rule = {
  description: 'Which source items replicate: exactly one of all, tagged, pattern, manual.',
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    all: { const: true },
    tagged: { type: 'string', minLength: 1, pattern: '^[^=]+(=.*)?$', description: 'A tag name, or name=value' },
    pattern: { type: 'string', minLength: 1, maxLength: 256, description: 'A glob over item names' },
    manual: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: ITEM_NAME_PATTERN } },
  },
} as const;

/**
 * Where the schema is served from: schema/keyvault-replication.schema.json (written from CONFIG_SCHEMA by `npm run
 * schema`) at the tag `v1`, the major the examples' `uses: …@v1` runs, so an editor checks a config against the schema
 * of the release that reads it, not against unreleased work on main.
 */
export const CONFIG_SCHEMA_URL =
  'https://raw.githubusercontent.com/keyvault-replicate/keyvault-replicate/v1/schema/keyvault-replication.schema.json';

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: CONFIG_SCHEMA_URL,
  title: 'keyvault-replicate replication config',
  description:
    'Which Key Vault items replicate from which source vault to which targets (keyvault-replicate, version 1).',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'replications'],
  properties: {
    version: { const: 1 },
    subscriptions: {
      type: 'array',
      items: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' },
      description: 'Subscriptions to look vaults up in',
    },
    replications: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'source', 'types', 'rule'],
        properties: {
          name: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
            description: 'Unique; names the state file',
          },
          source: vaultRef,
          targets: { type: 'array', minItems: 1, maxItems: 50, items: vaultRef },
          targets_from_tag: { type: 'string', minLength: 1, maxLength: 512 },
          allowed_targets: {
            type: 'array',
            minItems: 1,
            maxItems: 100,
            items: { type: 'string', minLength: 1, maxLength: 64 },
            description:
              'Vault names or globs a targets_from_tag tag may name; any other name in the tag is reported, never written',
          },
          types: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { enum: ['secrets', 'certificates', 'keys'] },
          },
          rule,
          exclude: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 } },
          overwrite_on_conflict: { type: 'boolean' },
          propagate_deletes: { type: 'boolean' },
          recreate_keys: { type: 'boolean' },
          max_deletes: { type: 'integer', minimum: 0 },
          recover_soft_deleted: {
            type: 'boolean',
            description:
              'Recover a soft-deleted target item this tool wrote (or an acknowledged one), then write the new version; never purges; not for keys',
          },
        },
        oneOf: [{ required: ['targets'] }, { required: ['targets_from_tag'] }],
        // A tag writer must not choose where secrets go: tag-driven targets are always bounded by the config.
        dependencies: { targets_from_tag: ['allowed_targets'], allowed_targets: ['targets_from_tag'] },
      },
    },
    budget_share: {
      ...budgetShare,
      description:
        "The share of each vault's Key Vault budget (300 creates, 4,000 other calls per 10 s; 5× that per subscription and region) a run takes, more than 0 and at most 0.95; default 0.5. The budget-share input overrides it",
    },
    vault_budget_shares: {
      type: 'object',
      propertyNames: { pattern: VAULT_NAME_PATTERN },
      additionalProperties: budgetShare,
      description:
        'A share per vault name (any case) instead of budget_share: e.g. 0.95 for an idle disaster-recovery target, 0.3 for a busy production source',
    },
  },
} as const;
