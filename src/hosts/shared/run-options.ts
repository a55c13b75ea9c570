import { CLOUD_NAMES, cloudNamed } from '../../engine/clouds.ts';
import type { ReplicationConfig } from '../../engine/config/types.ts';
import { DEFAULT_BUDGET_SHARE, DEFAULT_MAX_CONCURRENCY, MAX_BUDGET_SHARE } from '../../engine/defaults.ts';
import { DEFAULT_CONFIG_PATH, DEFAULT_RULE, DEFAULT_STATE_BRANCH, DEFAULT_TYPES } from './defaults.ts';
import { DEFAULT_FAIL_ON, FAIL_ON, parseFailOn } from './fail-on.ts';
import { parseAcknowledge, parseBudgetShare, parseConcurrency } from './host-inputs.ts';
import { parseOnly, splitList } from './only-items.ts';

/** How a host reads one input by its own name. */
export interface InputReader {
  /** The text, trimmed; undefined when empty or not given. */
  text(name: string): string | undefined;
  /** Yes or no; undefined when not given. */
  flag(name: string): boolean | undefined;
}

/** How a host names an input in a message: `input 'fail-on'`, `input 'failOn'`, `--fail-on`. */
export const inputLabel = (name: string): string => `input '${name}'`;

/** One option of a run, whatever a host calls it: how it shows in --help, its default, and how it is read. */
export interface RunOption<T> {
  /** What its value looks like (`<file>`); none for a yes/no flag. */
  readonly value?: string;
  /** May be given more than once on a command line; the values read as one list. */
  readonly multiple?: boolean;
  /** The default as action.yml, task.json and --help show it (a test keeps them equal). */
  readonly default?: string;
  /** In the words of --help (action.yml and task.json describe their inputs in their own). */
  readonly description: string;
  /** Reads and checks it, a message naming it by `label`. */
  read(input: InputReader, name: string, label: string): T;
}

type Parse<T> = (text: string | undefined, label: string) => T;

/** An option that takes a value. */
export function valued<T>(value: string, description: string, parse: Parse<T>, more: Partial<RunOption<T>> = {}) {
  const read = (input: InputReader, name: string, label: string) => parse(input.text(name), label);
  return { value, description, ...more, read } satisfies RunOption<T>;
}

/** A yes/no option, off unless given. */
export const flag = (description: string): RunOption<boolean> => ({
  description,
  default: 'false',
  read: (input, name) => input.flag(name) ?? false,
});

/** A config file to read, or the config the single-pair inputs describe. */
export type ConfigSource = { readonly file: string } | { readonly inline: ReplicationConfig };

/**
 * The options every host has, in the order --help lists them: the Action's and the task's input tables, the CLI's
 * flags and its --help text are made from this one list.
 */
export const RUN_OPTIONS = {
  config: valued('<file>', 'replication config', (text): ConfigSource => ({ file: text ?? DEFAULT_CONFIG_PATH }), {
    default: DEFAULT_CONFIG_PATH,
  }),
  only: valued('<type/name,...>', 'replicate just these items (secret/db-password,certificate/web)', parseOnly),
  acknowledge: valued(
    '<names>',
    'overwrite these conflicting target items (names or globs); remembered in state for the target version acknowledged, so a later edit of that target item blocks again',
    (text, label) => parseAcknowledge(splitList(text), label),
    { multiple: true },
  ),
  revoke: valued(
    '<names>',
    'withdraw remembered acknowledgements of these items (names or globs)',
    (text, label) => parseAcknowledge(splitList(text), label),
    { multiple: true },
  ),
  adoptState: flag(
    'use the state file as it is this once, whatever its signature, and save it as this run signs (turning KEYVAULT_REPLICATE_STATE_KEY on, rotating it or turning it off)',
  ),
  replications: valued('<names>', 'run only these named replications', splitList),
  maxConcurrency: valued('<n>', 'items read or written at once per target pair', parseConcurrency, {
    default: String(DEFAULT_MAX_CONCURRENCY),
  }),
  approveDeletes: flag('let this run pass the mass-delete guard once'),
  failOn: valued('<what>', `${FAIL_ON.join(' | ')}: what makes the exit code 1`, parseFailOn, {
    default: DEFAULT_FAIL_ON,
  }),
  planFile: valued(
    '<file>',
    'plan: write the plan to this file, signed with the state key; apply: apply only what that file says, holding back (held_back_plan_changed) any record whose source or target changed since',
    (text) => text,
  ),
  environment: valued(
    '<cloud>',
    `the Azure cloud of the vaults: ${CLOUD_NAMES.join(', ')} (default AzureCloud; the task's: its service connection's)`,
    (text, label) => (text ? cloudNamed(text, label) : undefined),
  ),
  budgetShare: valued(
    '<share>',
    `the share of each vault's Key Vault budget (calls per 10 s) this run takes, more than 0 and at most ${MAX_BUDGET_SHARE}; overrides the config's budget_share (default ${DEFAULT_BUDGET_SHARE})`,
    parseBudgetShare,
  ),
};

/** The values of a set of options, as read. */
export type OptionValues<O> = { -readonly [K in keyof O]: O[K] extends RunOption<infer T> ? T : never };

/** Reads every option of the set by the host's name for it, each message naming that. */
export function readOptions<O extends Record<string, RunOption<unknown>>>(
  options: O,
  names: Record<keyof O, string>,
  input: InputReader,
  label = inputLabel,
): OptionValues<O> {
  const read = Object.entries(options).map(([key, o]) => [key, o.read(input, names[key]!, label(names[key]!))]);
  return Object.fromEntries(read) as OptionValues<O>;
}

/**
 * The inputs the Action and the task have beyond those, with the defaults action.yml and task.json show. Read
 * together (the single pair is one config), so by readCiRequest rather than one by one.
 */
export const CI_INPUT_DEFAULTS = {
  mode: undefined,
  source: undefined,
  targets: undefined,
  types: DEFAULT_TYPES,
  rule: DEFAULT_RULE,
  overwriteOnConflict: 'false',
  propagateDeletes: 'false',
  stateBranch: DEFAULT_STATE_BRANCH,
  stateKey: undefined,
  recoverSoftDeleted: 'false',
  alertAfterRuns: '0',
  alertWebhookUrl: undefined,
};
export type CiInput = keyof typeof RUN_OPTIONS | keyof typeof CI_INPUT_DEFAULTS;
export const CI_INPUTS = [...Object.keys(RUN_OPTIONS), ...Object.keys(CI_INPUT_DEFAULTS)] as CiInput[];

/** What the Action and the task set for the steps after them. */
export const RUN_OUTPUTS = ['correlationId', 'reportPath', 'counts'] as const;
export type RunOutput = (typeof RUN_OUTPUTS)[number];

/**
 * The naming conventions: `maxConcurrency` and `inSync` in task.json, `max-concurrency` in action.yml and on the
 * command line.
 */
export const camelCase = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
export const kebabCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A host's name for each key, by its convention; `except` names those it calls otherwise. */
export function namesOf<K extends string>(
  keys: readonly K[],
  convention: (key: string) => string,
  except: Partial<Record<K, string>> = {},
): Record<K, string> {
  return Object.fromEntries(keys.map((key) => [key, except[key] ?? convention(key)])) as Record<K, string>;
}

const HELP_COLUMN = 27;
const HELP_WIDTH = 116;

/** Options as --help lists them: the name and value in a column, the description (and default) wrapped beside it. */
export function optionsHelp(options: Record<string, RunOption<unknown>>, names: Record<string, string>): string {
  return Object.entries(options)
    .map(([key, o]) => {
      const text = `${o.description}${o.value && o.default ? ` (default ${o.default})` : ''}`;
      const lines = [`  --${names[key]}${o.value ? ` ${o.value}` : ''}`.padEnd(HELP_COLUMN)];
      for (const word of text.split(' ')) {
        const line = lines.at(-1)!;
        if (line.length === HELP_COLUMN) lines[lines.length - 1] = line + word;
        else if (line.length + 1 + word.length <= HELP_WIDTH) lines[lines.length - 1] = `${line} ${word}`;
        else lines.push(' '.repeat(HELP_COLUMN) + word);
      }
      return lines.join('\n');
    })
    .join('\n');
}

/** Options as node:util's parseArgs takes them: a value or a flag, repeatable or not, by the command line's names. */
export function parseArgsOptions(options: Record<string, RunOption<unknown>>, names: Record<string, string>) {
  const config = ([key, o]: [string, RunOption<unknown>]) =>
    [names[key]!, { type: o.value ? 'string' : 'boolean', multiple: o.multiple ?? false }] as const;
  return Object.fromEntries(Object.entries(options).map(config));
}
