import { DEFAULT_MAX_DELETES, globProblem } from '../../engine/config/parse-config.ts';
import { ITEM_NAME_PATTERN } from '../../engine/config/schema.ts';
import type { ConfigType, ReplicationConfig, Rule } from '../../engine/config/types.ts';
import type { AzureCloud } from '../../engine/clouds.ts';
import { vaultNameOf } from '../../engine/config/vault-ref.ts';
import { isKvrError, KvrError } from '../../engine/errors.ts';
import { DEFAULT_RULE, DEFAULT_TYPES } from './defaults.ts';
import { splitList } from './only-items.ts';

/** The single-pair inputs of the Action and the task, as their users type them. */
export interface SinglePairInputs {
  source: string;
  targets?: string;
  types?: string;
  rule?: string;
  overwriteOnConflict?: boolean;
  propagateDeletes?: boolean;
  recoverSoftDeleted?: boolean;
}

/** The host's own names of those inputs, so that a message names the input the user wrote. */
export interface SinglePairNames {
  readonly source: string;
  readonly targets: string;
  readonly types: string;
  readonly rule: string;
}

const TYPES: readonly ConfigType[] = ['secrets', 'certificates', 'keys'];
const RULES = 'all, tagged:<tag>[=<value>], pattern:<glob>, manual:<name>,<name>';
const ITEM_NAME = new RegExp(ITEM_NAME_PATTERN);
/** As the config schema bounds them. */
const MAX_TARGETS = 50;
const MAX_PATTERN = 256;

/**
 * A single pair's replication is named after its source, so its state file (`<name>/<target>.json`) belongs to one
 * source and target: two workflows writing to one target from different sources never share memory. (Before 0.2 every
 * single pair was named `inputs`; those files are no longer read.)
 */
export const singlePairName = (sourceVault: string): string => `single-pair-${sourceVault}`;

/** A vault name from an input, the KVR006 message naming that input. */
function vaultOf(input: string, ref: string, cloud?: AzureCloud): string {
  try {
    return vaultNameOf(ref, cloud);
  } catch (e) {
    throw isKvrError(e) ? new KvrError(e.code, `input '${input}': ${e.message.replace(/^KVR\d+: /, '')}`) : e;
  }
}

/** `all`, `tagged:<name>[=<value>]`, `pattern:<glob>` or `manual:<name>,<name>`. */
function ruleOf(input: string, text: string): Rule {
  const [kind, ...rest] = text.split(':');
  const arg = rest.join(':').trim();
  const bad = (why: string, code: 'KVR007' | 'KVR008' = 'KVR008') => new KvrError(code, `input '${input}': ${why}`);
  switch (kind!.trim().toLowerCase()) {
    case 'all':
      if (!arg) return { all: true };
      break;
    case 'tagged':
      if (/^[^=]+(=.*)?$/.test(arg)) return { tagged: arg };
      break;
    case 'pattern': {
      if (!arg) break;
      const problem = arg.length > MAX_PATTERN ? `at most ${MAX_PATTERN} characters` : globProblem(arg);
      if (problem) throw bad(`'${arg}' is not a usable glob: ${problem}`, 'KVR007');
      return { pattern: arg };
    }
    case 'manual': {
      const names = [...new Set(splitList(arg))];
      const wrong = names.find((n) => !ITEM_NAME.test(n));
      if (wrong) throw bad(`'${wrong}' is not a Key Vault item name (letters, digits and dashes)`);
      if (names.length) return { manual: names };
      break;
    }
  }
  throw bad(`'${text}' is not one of ${RULES}`);
}

/**
 * Turns the single-pair inputs into a config, checking each input as what it is: every mistake names the input the
 * user wrote (`input 'types': 'secretz' is not one of secrets, certificates, keys`), with the code a config file's
 * mistake of the same kind has.
 */
export function singlePairConfig(i: SinglePairInputs, names: SinglePairNames, cloud?: AzureCloud): ReplicationConfig {
  const source = vaultOf(names.source, i.source, cloud);
  const targetRefs = splitList(i.targets);
  if (!targetRefs.length)
    throw new KvrError(
      'KVR008',
      `input '${names.targets}' is empty: give one or more target vault names, comma-separated`,
    );
  if (targetRefs.length > MAX_TARGETS)
    throw new KvrError('KVR008', `input '${names.targets}': at most ${MAX_TARGETS} targets`);
  const targets: string[] = [];
  for (const ref of targetRefs) {
    const target = vaultOf(names.targets, ref, cloud);
    if (target === source)
      throw new KvrError('KVR005', `input '${names.targets}': target '${ref}' is the source vault itself`);
    if (targets.includes(target))
      throw new KvrError('KVR008', `input '${names.targets}': target '${ref}' is given twice`);
    targets.push(target);
  }
  const types = splitList(i.types || DEFAULT_TYPES).map((t) => t.toLowerCase());
  for (const [n, t] of types.entries()) {
    if (!(TYPES as readonly string[]).includes(t))
      throw new KvrError('KVR008', `input '${names.types}': '${t}' is not one of ${TYPES.join(', ')}`);
    if (types.indexOf(t) !== n) throw new KvrError('KVR008', `input '${names.types}': '${t}' is given twice`);
  }
  return {
    subscriptions: [],
    replications: [
      {
        name: singlePairName(source),
        source,
        targets,
        allowedTargets: [],
        types: types as ConfigType[],
        rule: ruleOf(names.rule, i.rule || DEFAULT_RULE),
        exclude: [],
        overwriteOnConflict: i.overwriteOnConflict ?? false,
        propagateDeletes: i.propagateDeletes ?? false,
        recreateKeys: false,
        maxDeletes: DEFAULT_MAX_DELETES,
        recoverSoftDeleted: i.recoverSoftDeleted ?? false,
      },
    ],
  };
}
