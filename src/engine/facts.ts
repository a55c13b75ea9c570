import type { Replication } from './config/types.ts';
import type { ItemSnapshot, ItemType, SecretVersionsPage, VaultInfo } from './model.ts';

/**
 * The outcome of comparing a source secret's value with its target copy's. The values themselves never reach the
 * decision: the gatherer reads them, compares them and keeps only this, and the version of the target value compared
 * (the latest look at the target, which target-proof's currentVersion prefers).
 */
export type ValueComparison =
  | { readonly sourceReadable: false }
  | { readonly sourceReadable: true; readonly equal: boolean; readonly targetVersion?: string };

/**
 * What is known about one item of a pair. The listing (or a targeted run's lookup) gives `source` and `target`; every
 * other fact is read only when a decision asks for it, so that a run with nothing to do reads almost nothing. A fact
 * is `undefined` until read; once read it never changes (a decision asked again sees the same facts plus new ones).
 */
export interface ItemFacts {
  readonly type: ItemType;
  readonly name: string;
  readonly source?: ItemSnapshot;
  readonly target?: ItemSnapshot;
  /**
   * The target item's version when a decision asked for it (a listing carries none); null when there is none. Read it
   * through target-proof's currentVersion, which prefers the later version of a value comparison.
   */
  readonly targetVersion?: string | null;
  /** Secrets: the target's versions, listed without values (the first page). */
  readonly targetSecretVersions?: SecretVersionsPage;
  /** Keys: the source key's latest version; null when there is none. */
  readonly sourceKeyVersion?: string | null;
  /** Secrets: the source value compared with the target's. */
  readonly values?: ValueComparison;
  /** Certificates: the source policy lets the private key be exported. */
  readonly exportable?: boolean;
  /** The name is soft-deleted in the target. */
  readonly deletedInTarget?: boolean;
  /** The name is soft-deleted in the source. */
  readonly deletedInSource?: boolean;
  /** The source vault, asked for the item by its very name, has none (not only missing from a listing). */
  readonly absentFromSource?: boolean;
  /** Certificates: a standalone secret or key of this name exists in the target (an import cannot go over it). */
  readonly standaloneInTarget?: boolean;
  /** The soft-deleted target item (the version and `updated` it was deleted at); null when there is none. */
  readonly deletedTarget?: ItemSnapshot | null;
}

/** The facts a decision may ask for, each read on demand by the gatherer (plan.ts). */
export const ON_DEMAND_FACTS = [
  'targetVersion',
  'targetSecretVersions',
  'sourceKeyVersion',
  'values',
  'exportable',
  'deletedInTarget',
  'deletedInSource',
  'absentFromSource',
  'standaloneInTarget',
  'deletedTarget',
] as const satisfies readonly (keyof ItemFacts)[];
export type FactName = (typeof ON_DEMAND_FACTS)[number];

/** What a decision needs about the pair as a whole: the replication, both vaults, and the run's options. */
export interface DecideOptions {
  readonly replication: Replication;
  readonly source: VaultInfo;
  readonly target: VaultInfo;
  /** Names or globs acknowledged as conflicts to overwrite in this run. */
  readonly acknowledge: readonly string[];
  /** Names or globs whose remembered acknowledgements are withdrawn. */
  readonly revoke: readonly string[];
  /** Just the named items (events, --only): nothing else is listed, and nothing is deleted or disabled. */
  readonly targeted: boolean;
  /** The previous state verified against a key: only then may a record's word allow a purge (recreate_keys). */
  readonly signedState: boolean;
}

/**
 * Thrown inside a decision that reached a fact not read yet; `decide` turns it into its answer. It is no error, so
 * it is no Error either (no stack to capture): it is how a pure decision says "ask the vault this, then ask me again".
 */
export class FactsNeeded {
  readonly needs: readonly FactName[];
  constructor(needs: readonly FactName[]) {
    this.needs = needs;
  }
}

/** The given facts, asking for all that are not known yet at once (so that the gatherer reads them in parallel). */
export function ask(f: ItemFacts, ...names: FactName[]): void {
  const unknown = names.filter((n) => f[n] === undefined);
  if (unknown.length) throw new FactsNeeded(unknown);
}

/**
 * Runs a decision; when it reached a fact not known yet, its answer is the facts it needs instead. The one place a
 * FactsNeeded is caught: lint forbids `try` in the decision's files, where a catch would swallow a request for facts.
 */
export function orFactsNeeded<T>(decision: () => T): T | { readonly needs: readonly FactName[] } {
  try {
    return decision();
  } catch (e) {
    if (e instanceof FactsNeeded) return { needs: e.needs };
    throw e;
  }
}

/** One fact's value, asking for it when it is not known yet. */
export function known<K extends FactName>(f: ItemFacts, name: K): Exclude<ItemFacts[K], undefined> {
  ask(f, name);
  return f[name] as Exclude<ItemFacts[K], undefined>;
}
