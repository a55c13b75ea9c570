import { stringify } from 'yaml';
import { parseConfig } from '../../engine/config/parse-config.ts';
import type { ReplicationConfig } from '../../engine/config/types.ts';
import { vaultNameOf } from '../../engine/config/vault-ref.ts';
import { KvrError } from '../../engine/errors.ts';
import { splitList } from './only-items.ts';

/** The single-pair inputs of the Action and the task, as their users type them. */
export interface SinglePairInputs {
  source: string;
  targets: string;
  types?: string;
  rule?: string;
  overwriteOnConflict?: boolean;
  propagateDeletes?: boolean;
}

/**
 * A single pair's replication is named after its source, so its state file (`<name>/<target>.json`) belongs to one
 * source and target: two workflows writing to one target from different sources never share memory. (Before 0.2 every
 * single pair was named `inputs`; those files are no longer read.)
 */
export function singlePairName(source: string): string {
  try {
    return `single-pair-${vaultNameOf(source)}`;
  } catch {
    return 'single-pair'; // the config check reports the source itself
  }
}

/** `all`, `tagged:<name>[=<value>]`, `pattern:<glob>` or `manual:<name>,<name>`. */
function ruleOf(text: string): Record<string, unknown> {
  const [kind, ...rest] = text.trim().split(':');
  const arg = rest.join(':').trim();
  switch (kind!.trim().toLowerCase()) {
    case 'all': if (!arg) return { all: true }; break;
    case 'tagged': if (arg) return { tagged: arg }; break;
    case 'pattern': if (arg) return { pattern: arg }; break;
    case 'manual': if (arg) return { manual: splitList(arg) }; break;
  }
  throw new KvrError('KVR008', `rule '${text}' is not one of: all, tagged:<tag>[=<value>], pattern:<glob>, manual:<name>,<name>`);
}

/**
 * Turns the single-pair inputs into a config through the same schema as a config file, so both are checked alike;
 * a mistake is reported against the inputs, not a file.
 */
export function singlePairConfig(i: SinglePairInputs): ReplicationConfig {
  const raw = {
    version: 1,
    replications: [{
      name: singlePairName(i.source), source: i.source.trim(), targets: splitList(i.targets),
      types: splitList(i.types || 'secrets').map((t) => t.toLowerCase()), rule: ruleOf(i.rule || 'all'),
      ...(i.overwriteOnConflict !== undefined ? { overwrite_on_conflict: i.overwriteOnConflict } : {}),
      ...(i.propagateDeletes !== undefined ? { propagate_deletes: i.propagateDeletes } : {}),
    }],
  };
  if (!raw.replications[0]!.targets.length) throw new KvrError('KVR008', "the 'targets' input is empty: give one or more target vault names, comma-separated");
  return parseConfig(stringify(raw), 'inputs (source, targets, types, rule)');
}
