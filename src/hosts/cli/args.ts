import { parseArgs } from 'node:util';
import { KvrError } from '../../engine/errors.ts';
import { checkStateKey } from '../../state/state-codec.ts';
import { isRunMode, RUN_MODE_CHOICES, RUN_MODES } from '../shared/defaults.ts';
import { exitCodesHelp } from '../shared/fail-on.ts';
import { splitList } from '../shared/only-items.ts';
import type { RunRequest } from '../shared/run-inputs.ts';
import {
  flag,
  kebabCase,
  namesOf,
  optionsHelp,
  parseArgsOptions,
  readOptions,
  RUN_OPTIONS,
  valued,
} from '../shared/run-options.ts';
import type { OptionValues } from '../shared/run-options.ts';

export const DEFAULT_STATE = '.keyvault-replication-state.json';
export const STATE_KEY_ENV = 'KEYVAULT_REPLICATE_STATE_KEY';

export const OUTPUTS = ['table', 'markdown', 'json'] as const;
export type Output = (typeof OUTPUTS)[number];
/** `--detailed-exitcode`: the exit code of a run that is done (0) and has changes: 1 and 2 keep their meaning. */
export const CHANGES_EXIT_CODE = 3;

function parseOutput(text: string | undefined): Output | undefined {
  if (text === undefined) return undefined;
  const v = text.trim().toLowerCase();
  if (!(OUTPUTS as readonly string[]).includes(v))
    throw new UsageError(`--output must be ${OUTPUTS.join(', ')}, not ${JSON.stringify(text)}`);
  return v as Output;
}

/** The options every host has, and the CLI's own: its state file next to the config file, the others after. */
const { config, ...everyHost } = RUN_OPTIONS;
const OPTIONS = {
  config,
  state: valued('<file>', 'state file kept between runs', (text) => text ?? DEFAULT_STATE, { default: DEFAULT_STATE }),
  ...everyHost,
  subscription: valued('<id>', 'subscription(s) to find vaults in', splitList, {
    multiple: true,
    default: 'AZURE_SUBSCRIPTION_ID',
  }),
  output: valued('<format>', 'the report on stdout: table, markdown or json', parseOutput, {
    default: 'table on a terminal, else markdown',
  }),
  all: flag('the table shows every row, in_sync, excluded and certificate-managed ones too'),
  json: flag('the same as --output json'),
  detailedExitcode: flag(`exit ${CHANGES_EXIT_CODE} when the run is done and there are changes (see Exit codes)`),
  report: valued('<file>', 'also write the JSON report to a file', (text) => text),
  quiet: flag('no progress lines on stderr (warnings, problems and failures still print)'),
};
/** Flags are the options' names in kebab-case: --max-concurrency. */
const FLAGS = namesOf(Object.keys(OPTIONS) as (keyof typeof OPTIONS)[], kebabCase);

export interface CliOptions extends RunRequest, Readonly<OptionValues<typeof OPTIONS>> {
  /** Signs and verifies the state file (KEYVAULT_REPLICATE_STATE_KEY), never a flag: flags show in process lists. */
  readonly stateKey?: string;
  readonly help: boolean;
  /** `--version`: print the package's version and exit, like --help with no command. */
  readonly version: boolean;
}

export const USAGE = `Usage: keyvault-replicate <${RUN_MODES.join('|')}> [options]
       keyvault-replicate init [options]   writes a config and a workflow, prints the az commands (init --help)
       keyvault-replicate --version        prints the version

${optionsHelp(OPTIONS, FLAGS)}

Environment:
  ${STATE_KEY_ENV}   sign the state file (HMAC-SHA256) and use only state that verifies; 32+ characters

${exitCodesHelp(`--${FLAGS.failOn}`)}
  ${CHANGES_EXIT_CODE}  with --${FLAGS.detailedExitcode}, instead of 0: there are changes (a plan would create, update,
     delete or disable; an apply wrote); 0 then means nothing to change`;

/**
 * A command line of the wrong shape (an unknown option, a missing value, no command): the CLI prints the usage text
 * after the error. The usage is ours, so it prints as it is, lines and all; the message goes through the log-safe line.
 */
export class UsageError extends KvrError {
  constructor(message: string) {
    super('KVR008', message);
  }
}

/** Parses the command line into typed options; throws KVR008 on anything it does not understand. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let parsed;
  try {
    const options = {
      ...parseArgsOptions(OPTIONS, FLAGS),
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    } as const;
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { positionals } = parsed;
  const values: Record<string, string | boolean | (string | boolean)[] | undefined> = parsed.values;
  const [mode] = positionals;
  const help = values.help === true;
  const version = values.version === true;
  if (!help && !version && (positionals.length !== 1 || !isRunMode(mode))) {
    throw new UsageError(
      `expected one command, ${RUN_MODE_CHOICES}${positionals.length ? `, not '${positionals.join(' ')}'` : ''}`,
    );
  }
  // A repeated option (--acknowledge a --acknowledge b) reads as a list, one per line.
  const text = (name: string) => [values[name] ?? []].flat().join('\n') || undefined;
  const o = readOptions(OPTIONS, FLAGS, { text, flag: (name) => values[name] === true }, (name) => `--${name}`);
  const subscriptions = [...o.subscription, ...splitList(env.AZURE_SUBSCRIPTION_ID)];
  const stateKey = checkStateKey(env[STATE_KEY_ENV] || undefined, STATE_KEY_ENV);
  return { ...o, mode: isRunMode(mode) ? mode : 'plan', help, version, subscriptions, stateKey };
}
