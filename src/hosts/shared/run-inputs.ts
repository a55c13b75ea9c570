import { parseAlertSettings, type AlertSettings } from './alerts.ts';
import { cloudNamed, type AzureCloud } from '../../engine/clouds.ts';
import { KvrError } from '../../engine/errors.ts';
import type { RunMode } from '../../engine/run.ts';
import { assertStateBranch } from '../../state/state-branch.ts';
import { checkStateKey, type StateSigning } from '../../state/state-codec.ts';
import { parseMode } from './defaults.ts';
import { guardedBranches, type NamedBranch } from './guarded-branches.ts';
import {
  inputLabel,
  readOptions,
  RUN_OPTIONS,
  type CiInput,
  type InputReader,
  type OptionValues,
} from './run-options.ts';
import { singlePairConfig } from './single-pair.ts';

/** What every host asks of a run, whatever it calls its inputs. */
export interface RunRequest extends Readonly<OptionValues<typeof RUN_OPTIONS>> {
  readonly mode: RunMode;
  /** Subscriptions the host names (an input, the service connection, flags); the config may add more. */
  readonly subscriptions: string[];
  /** The state key, checked: it signs and verifies a plan file too. */
  readonly stateKey?: string;
  /** Alerts on repeated trouble (CI only): none when off. */
  readonly alerts?: AlertSettings;
}

/** A CI run also keeps its state on a branch of the repository (none when the branch input is empty). */
export interface CiRequest extends RunRequest {
  readonly stateBranch?: string;
  readonly signing: StateSigning;
}

/** How a CI reads its inputs: a secret one is registered with the runner or agent before anything can print it. */
export interface CiInputReader extends InputReader {
  secret(name: string): string | undefined;
}

/** A yes/no input as the Action takes it: true, yes, 1, false, no, 0 (any case); anything else is KVR008. */
export function parseBoolean(text: string | undefined, inputName: string): boolean | undefined {
  const v = text?.trim().toLowerCase();
  if (!v) return undefined;
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw new KvrError('KVR008', `${inputName} must be true or false, not '${v}'`);
}

/** What the CI says about the run: whether it is for a pull request, and the branches that must not hold the state. */
export interface CiContext {
  /** A pull request's run plans; any other applies (unless the mode input says otherwise). */
  pullRequest: boolean;
  /** The branches the CI names, most telling first (the first that matches is the one the refusal names). */
  guarded: readonly NamedBranch[];
  /** The checkout, whose own branches are refused too. */
  repository: string;
  /** The cloud the CI's connection names (an Azure DevOps service connection's `environment`), if it names one. */
  environment?: string;
}

/**
 * Every input the Action and the task share, read once at the edge; the state branch is refused (KVR011) before any
 * vault is touched.
 */
export async function readCiRequest(
  n: Record<CiInput, string>,
  read: CiInputReader,
  ci: CiContext,
): Promise<CiRequest> {
  const mode = parseMode(read.text(n.mode), ci.pullRequest ? 'plan' : 'apply', inputLabel(n.mode));
  const options = readOptions(RUN_OPTIONS, n, read);
  options.environment = ciCloud(options.environment, ci.environment, inputLabel(n.environment));
  const source = read.text(n.source);
  if (!source && read.text(n.targets)) {
    throw new KvrError(
      'KVR008',
      `${inputLabel(n.targets)} is set but '${n.source}' is not: give both, or use a config file`,
    );
  }
  const pair = () => ({
    source: source!,
    targets: read.text(n.targets),
    types: read.text(n.types),
    rule: read.text(n.rule),
    overwriteOnConflict: read.flag(n.overwriteOnConflict),
    propagateDeletes: read.flag(n.propagateDeletes),
    recoverSoftDeleted: read.flag(n.recoverSoftDeleted),
  });
  const config = source ? { inline: singlePairConfig(pair(), n, options.environment) } : options.config;
  const signing = { key: checkStateKey(read.secret(n.stateKey), inputLabel(n.stateKey)), adopt: options.adoptState };
  const stateBranch = read.text(n.stateBranch);
  if (stateBranch) {
    assertStateBranch(stateBranch, await guardedBranches(ci.guarded, ci.repository), inputLabel(n.stateBranch));
  }
  const alerts = parseAlertSettings(read.text(n.alertAfterRuns), read.secret(n.alertWebhookUrl), {
    afterRuns: inputLabel(n.alertAfterRuns),
    webhookUrl: inputLabel(n.alertWebhookUrl),
  });
  return { ...options, mode, config, subscriptions: [], stateBranch, signing, stateKey: signing.key, alerts };
}

/**
 * The cloud of a CI run: the input's, else the one the CI's connection names. An input that names another cloud than
 * the connection is refused (KVR072): the connection's identity lives in its own cloud only.
 */
function ciCloud(input: AzureCloud | undefined, connection: string | undefined, label: string): AzureCloud | undefined {
  if (!connection) return input;
  const named = cloudNamed(connection, "the service connection's environment");
  if (input && input !== named)
    throw new KvrError(
      'KVR072',
      `${label} is ${input.name}, but the service connection is for ${named.name}: leave the input out, or use a connection of ${input.name}`,
    );
  return named;
}
