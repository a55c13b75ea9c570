import type { ReplicationConfig } from '../../engine/config/types.ts';
import { KvrError } from '../../engine/errors.ts';
import type { OnlyItem } from '../../engine/plan.ts';
import type { RunMode } from '../../engine/run.ts';
import { parseFailOn, type FailOn } from '../shared/fail-on.ts';
import { parseAcknowledge, parseConcurrency } from '../shared/host-inputs.ts';
import { parseOnly, splitList } from '../shared/only-items.ts';
import { singlePairConfig } from '../shared/single-pair.ts';
import { checkStateKey } from '../../state/state-codec.ts';
import { DEFAULT_CONFIG, DEFAULT_STATE_BRANCH, INPUTS, PULL_REQUEST_EVENTS } from './constants.ts';

/** Everything the Action was asked to do, read once at the edge. */
export interface ActionOptions {
  readonly mode: RunMode;
  /** Either a config file to read, or the config the single-pair inputs describe. */
  readonly configFile?: string;
  readonly inlineConfig?: ReplicationConfig;
  readonly only?: OnlyItem[];
  readonly acknowledge: string[];
  readonly revoke: string[];
  readonly replications: string[];
  readonly approveDeletes: boolean;
  readonly clientId?: string;
  readonly tenantId?: string;
  readonly subscriptionId?: string;
  readonly clientSecret?: string;
  readonly stateBranch?: string;
  readonly stateKey?: string;
  readonly adoptState: boolean;
  readonly githubToken?: string;
  readonly commentOnPr: boolean;
  readonly maxConcurrency?: number;
  readonly failOn: FailOn;
}

export type InputReader = (name: string) => string;

function bool(read: InputReader, name: string, fallback: boolean): boolean;
function bool(read: InputReader, name: string): boolean | undefined;
function bool(read: InputReader, name: string, fallback?: boolean): boolean | undefined {
  const v = read(name).trim().toLowerCase();
  if (!v) return fallback;
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw new KvrError('KVR008', `input '${name}' must be true or false, not '${v}'`);
}

/** Reads and checks every input; `eventName` picks the default mode (plan on pull requests, apply otherwise). */
export function readActionInputs(read: InputReader, eventName: string, env: NodeJS.ProcessEnv): ActionOptions {
  const opt = (name: string) => read(name).trim() || undefined;
  const mode = (opt(INPUTS.mode) ?? (PULL_REQUEST_EVENTS.includes(eventName) ? 'plan' : 'apply')).toLowerCase();
  if (!['validate', 'plan', 'apply'].includes(mode)) throw new KvrError('KVR008', `input 'mode' must be plan, apply or validate, not '${mode}'`);
  const maxConcurrency = parseConcurrency(opt(INPUTS.maxConcurrency), `input '${INPUTS.maxConcurrency}'`);
  const source = opt(INPUTS.source);
  const inlineConfig = source
    ? singlePairConfig({
      source, targets: read(INPUTS.targets), types: read(INPUTS.types), rule: read(INPUTS.rule),
      overwriteOnConflict: bool(read, INPUTS.overwriteOnConflict), propagateDeletes: bool(read, INPUTS.propagateDeletes),
    })
    : undefined;
  if (!source && opt(INPUTS.targets)) throw new KvrError('KVR008', "input 'targets' is set but 'source' is not: give both, or use a config file");
  return {
    mode: mode as RunMode,
    configFile: inlineConfig ? undefined : opt(INPUTS.config) ?? DEFAULT_CONFIG,
    inlineConfig,
    only: parseOnly(opt(INPUTS.only)),
    acknowledge: parseAcknowledge(splitList(read(INPUTS.acknowledge)), `input '${INPUTS.acknowledge}'`),
    revoke: parseAcknowledge(splitList(read(INPUTS.revoke)), `input '${INPUTS.revoke}'`),
    replications: splitList(read(INPUTS.replications)),
    approveDeletes: bool(read, INPUTS.approveDeletes, false),
    clientId: opt(INPUTS.clientId) ?? (env.AZURE_CLIENT_ID || undefined),
    tenantId: opt(INPUTS.tenantId) ?? (env.AZURE_TENANT_ID || undefined),
    subscriptionId: opt(INPUTS.subscriptionId) ?? (env.AZURE_SUBSCRIPTION_ID || undefined),
    clientSecret: opt(INPUTS.clientSecret),
    // An explicitly empty state-branch means no state; the runner passes action.yml's default when it is not set.
    stateBranch: read(INPUTS.stateBranch).trim() || (env[`INPUT_${INPUTS.stateBranch.toUpperCase()}`] === undefined ? DEFAULT_STATE_BRANCH : undefined),
    stateKey: checkStateKey(opt(INPUTS.stateKey), `input '${INPUTS.stateKey}'`),
    adoptState: bool(read, INPUTS.adoptState, false),
    githubToken: opt(INPUTS.githubToken),
    commentOnPr: bool(read, INPUTS.commentOnPr, true),
    maxConcurrency,
    failOn: parseFailOn(read(INPUTS.failOn), `input '${INPUTS.failOn}'`),
  };
}
