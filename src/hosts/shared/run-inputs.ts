import type { ReplicationConfig } from '../../engine/config/types.ts';
import { KvrError } from '../../engine/errors.ts';
import type { OnlyItem } from '../../engine/plan.ts';
import type { RunMode } from '../../engine/run.ts';
import { assertStateBranch } from '../../state/state-branch.ts';
import { checkStateKey, type StateSigning } from '../../state/state-codec.ts';
import { DEFAULT_CONFIG_PATH, parseMode } from './defaults.ts';
import { parseFailOn, type FailOn } from './fail-on.ts';
import { guardedBranches } from './guarded-branches.ts';
import { parseAcknowledge, parseConcurrency } from './host-inputs.ts';
import { parseOnly, splitList } from './only-items.ts';
import { singlePairConfig } from './single-pair.ts';

/** How a host reads one input by its own name. */
export interface InputReader {
  /** The text, trimmed; undefined when empty or not given. */
  text(name: string): string | undefined;
  /** Yes or no; undefined when not given. */
  flag(name: string): boolean | undefined;
}

/** How a host names an input in a message: `input 'fail-on'`, `input 'failOn'`, `--fail-on`. */
export const inputLabel = (name: string): string => `input '${name}'`;

/** What every host asks of a run, whatever it calls its inputs. */
export interface RunRequest {
  readonly mode: RunMode;
  /** A config file to read, or the config the single-pair inputs describe. */
  readonly config: { readonly file: string } | { readonly inline: ReplicationConfig };
  readonly only?: OnlyItem[];
  readonly acknowledge: string[];
  readonly revoke: string[];
  readonly replications: string[];
  readonly approveDeletes: boolean;
  readonly maxConcurrency?: number;
  readonly failOn: FailOn;
  /** Subscriptions the host names (an input, the service connection, flags); the config may add more. */
  readonly subscriptions: string[];
}

/** The host's names of the options every host has. */
export interface RunOptionNames {
  readonly only: string;
  readonly acknowledge: string;
  readonly revoke: string;
  readonly replications: string;
  readonly approveDeletes: string;
  readonly maxConcurrency: string;
  readonly failOn: string;
}

/** The host's names of every input the Action and the task share. */
export interface CiInputNames extends RunOptionNames {
  readonly mode: string;
  readonly config: string;
  readonly source: string;
  readonly targets: string;
  readonly types: string;
  readonly rule: string;
  readonly overwriteOnConflict: string;
  readonly propagateDeletes: string;
  readonly stateBranch: string;
  readonly stateKey: string;
  readonly adoptState: string;
}

/** A CI run also keeps its state on a branch of the repository (none when the branch input is empty). */
export interface CiRequest extends RunRequest {
  readonly stateBranch?: string;
  readonly signing: StateSigning;
}

/** A yes/no input as the Action takes it: true, yes, 1, false, no, 0 (any case); anything else is KVR008. */
export function parseBoolean(text: string | undefined, inputName: string): boolean | undefined {
  const v = text?.trim().toLowerCase();
  if (!v) return undefined;
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw new KvrError('KVR008', `${inputName} must be true or false, not '${v}'`);
}

/** The options every host has, read and checked, each message naming the host's input. */
export function readRunOptions(n: RunOptionNames, read: InputReader, label = inputLabel) {
  return {
    maxConcurrency: parseConcurrency(read.text(n.maxConcurrency), label(n.maxConcurrency)),
    only: parseOnly(read.text(n.only)),
    acknowledge: parseAcknowledge(splitList(read.text(n.acknowledge)), label(n.acknowledge)),
    revoke: parseAcknowledge(splitList(read.text(n.revoke)), label(n.revoke)),
    replications: splitList(read.text(n.replications)),
    approveDeletes: read.flag(n.approveDeletes) ?? false,
    failOn: parseFailOn(read.text(n.failOn), label(n.failOn)),
  };
}

/** What the CI says about the run: its default mode, and the branches it names that must not hold the state. */
export interface CiContext {
  /** Plan for pull requests, apply otherwise. */
  defaultMode: RunMode;
  /** The branches the CI names (a ref or a bare name; unset ones skipped), each with where it came from. */
  guarded: readonly [ref: string | undefined, why: string][];
  /** The checkout, whose own branches are refused too. */
  repository: string;
}

/**
 * Every input the Action and the task share, read once at the edge; the state branch is refused (KVR011) before any
 * vault is touched. `stateKey` is the state key as the host read it, already registered as a secret.
 */
export async function readCiRequest(
  n: CiInputNames,
  read: InputReader,
  ci: CiContext,
  stateKey: string | undefined,
): Promise<CiRequest> {
  const mode = parseMode(read.text(n.mode), ci.defaultMode, inputLabel(n.mode));
  const options = readRunOptions(n, read);
  const source = read.text(n.source);
  if (!source && read.text(n.targets)) {
    throw new KvrError(
      'KVR008',
      `${inputLabel(n.targets)} is set but '${n.source}' is not: give both, or use a config file`,
    );
  }
  const config = source
    ? {
        inline: singlePairConfig(
          {
            source,
            targets: read.text(n.targets),
            types: read.text(n.types),
            rule: read.text(n.rule),
            overwriteOnConflict: read.flag(n.overwriteOnConflict),
            propagateDeletes: read.flag(n.propagateDeletes),
          },
          n,
        ),
      }
    : { file: read.text(n.config) ?? DEFAULT_CONFIG_PATH };
  const signing = { key: checkStateKey(stateKey, inputLabel(n.stateKey)), adopt: read.flag(n.adoptState) ?? false };
  const stateBranch = read.text(n.stateBranch);
  if (stateBranch)
    assertStateBranch(stateBranch, await guardedBranches(ci.guarded, ci.repository), inputLabel(n.stateBranch));
  return { mode, config, ...options, subscriptions: [], stateBranch, signing };
}
