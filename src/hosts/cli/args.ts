import { parseArgs } from 'node:util';
import { DEFAULT_MAX_CONCURRENCY } from '../../engine/defaults.ts';
import { KvrError } from '../../engine/errors.ts';
import type { RunMode } from '../../engine/run.ts';
import { checkStateKey } from '../../state/state-codec.ts';
import { DEFAULT_CONFIG_PATH, RUN_MODES } from '../shared/defaults.ts';
import { DEFAULT_FAIL_ON, FAIL_ON } from '../shared/fail-on.ts';
import { splitList } from '../shared/only-items.ts';
import { readRunOptions, type RunRequest } from '../shared/run-inputs.ts';

export const DEFAULT_STATE = '.keyvault-replication-state.json';
export const STATE_KEY_ENV = 'KEYVAULT_REPLICATE_STATE_KEY';

export interface CliOptions extends RunRequest {
  readonly state: string;
  /** Signs and verifies the state file (KEYVAULT_REPLICATE_STATE_KEY), never a flag: flags show in process lists. */
  readonly stateKey?: string;
  readonly adoptState: boolean;
  readonly json: boolean;
  readonly reportPath?: string;
  readonly quiet: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: keyvault-replicate <${RUN_MODES.join('|')}> [options]

  --config <file>          replication config (default ${DEFAULT_CONFIG_PATH})
  --state <file>           state file kept between runs (default ${DEFAULT_STATE})
  --only <type/name,...>   replicate just these items (secret/db-password,certificate/web)
  --acknowledge <names>    overwrite these conflicting target items (names or globs); remembered in state for the
                           target version acknowledged, so a later edit of that target item blocks again
  --revoke <names>         withdraw remembered acknowledgements of these items (names or globs)
  --adopt-state            use the state file as it is this once, whatever its signature, and save it as this run
                           signs (turning KEYVAULT_REPLICATE_STATE_KEY on, rotating it or turning it off)
  --replications <names>   run only these named replications
  --subscription <id>      subscription(s) to find vaults in (default AZURE_SUBSCRIPTION_ID)
  --max-concurrency <n>    parallel writes (default ${DEFAULT_MAX_CONCURRENCY})
  --approve-deletes        let this run pass the mass-delete guard once
  --fail-on <what>         ${FAIL_ON.join(' | ')}: what makes the exit code 1 (default ${DEFAULT_FAIL_ON})
  --json                   print the JSON report instead of the table
  --report <file>          also write the JSON report to a file
  --quiet                  no progress lines on stderr (warnings, problems and failures still print)

Environment:
  KEYVAULT_REPLICATE_STATE_KEY   sign the state file (HMAC-SHA256) and use only state that verifies; 32+ characters

Exit codes:
  0  done; blocked or held-back records, and state not trusted (KVR052-KVR054), are warned on stderr and do not
     change it unless --fail-on blocked
  1  --fail-on failed (default): a record failed or the run hit an error (the other records were applied)
     --fail-on blocked: that, or a record is blocked or held back, or the state was not trusted (KVR043)
     --fail-on never: never
  2  bad input or failed validation: nothing was written (whatever --fail-on says)`;

/**
 * A command line of the wrong shape (an unknown option, a missing value, no command): the CLI prints the usage text
 * after the error. The usage is ours, so it prints as it is, lines and all; the message goes through the log-safe line.
 */
export class UsageError extends KvrError {
  constructor(message: string) {
    super('KVR008', message);
  }
}

const OPTIONS = {
  config: { type: 'string' },
  state: { type: 'string' },
  only: { type: 'string' },
  acknowledge: { type: 'string', multiple: true },
  revoke: { type: 'string', multiple: true },
  'adopt-state': { type: 'boolean' },
  replications: { type: 'string' },
  subscription: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  report: { type: 'string' },
  'max-concurrency': { type: 'string' },
  'approve-deletes': { type: 'boolean' },
  'fail-on': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options every host has, by their flag names. */
const NAMES = {
  only: 'only',
  acknowledge: 'acknowledge',
  revoke: 'revoke',
  replications: 'replications',
  approveDeletes: 'approve-deletes',
  maxConcurrency: 'max-concurrency',
  failOn: 'fail-on',
} as const;

const MODES = `${RUN_MODES.slice(0, -1).join(', ')} or ${RUN_MODES.at(-1)}`;

/** Parses the command line into typed options; throws KVR008 on anything it does not understand. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  const mode = positionals[0] as RunMode | undefined;
  if (!v.help && (positionals.length !== 1 || !(RUN_MODES as readonly string[]).includes(mode ?? ''))) {
    throw new UsageError(
      `expected one command, ${MODES}${positionals.length ? `, not '${positionals.join(' ')}'` : ''}`,
    );
  }
  const value = (name: string) => v[name as keyof typeof v];
  // A repeated option (--acknowledge a --acknowledge b) reads as a list, one per line.
  const text = (name: string) => [value(name) ?? []].flat().join('\n') || undefined;
  return {
    ...readRunOptions(NAMES, { text, flag: (name) => value(name) === true }, (name) => `--${name}`),
    mode: mode ?? 'plan',
    help: v.help === true,
    config: { file: v.config ?? DEFAULT_CONFIG_PATH },
    state: v.state ?? DEFAULT_STATE,
    stateKey: checkStateKey(env[STATE_KEY_ENV] || undefined, STATE_KEY_ENV),
    adoptState: v['adopt-state'] === true,
    subscriptions: [...(v.subscription ?? []).flatMap(splitList), ...splitList(env.AZURE_SUBSCRIPTION_ID)],
    json: v.json === true,
    reportPath: v.report,
    quiet: v.quiet === true,
  };
}
