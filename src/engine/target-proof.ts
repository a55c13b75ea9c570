import { known, type ItemFacts } from './facts.ts';
import type { ItemSnapshot } from './model.ts';
import type { StateRecord } from './state.ts';

/*
 * Live proof, for one target item, that replacing, disabling or deleting it loses nobody's work. The state only says
 * which version this tool wrote (or found equal to the source); anyone with push rights can edit that, so the proof is
 * always the target's own current version, read from the vault, compared with the recorded one. Each predicate asks
 * for that version only when the state leaves the question open: like every step of `decide`, it may answer by asking
 * for a fact (facts.ts: FactsNeeded), which only `orFactsNeeded` catches.
 */

/**
 * The target item's current version: as the value comparison read it when there was one (the latest look at the
 * target: a version read before it may have been replaced since), else read on demand (a listing carries none).
 */
export const currentVersion = (f: ItemFacts): string | undefined =>
  (f.values?.sourceReadable ? f.values.targetVersion : undefined) ?? known(f, 'targetVersion') ?? undefined;

/**
 * The target is the very version this tool wrote or found equal to the source, untouched since (attributes
 * included: an edit of tags or `enabled` keeps the version but moves `updatedOn`).
 */
export function unchanged(f: ItemFacts, prev: StateRecord | undefined, t: ItemSnapshot): boolean {
  if (!prev?.targetVersion || prev.targetUpdatedOn !== t.updatedOn) return false;
  return currentVersion(f) === prev.targetVersion;
}

/** As `unchanged`, and written by this tool: the only target items it ever deletes, disables or purges. */
export const ourUnchangedWrite = (f: ItemFacts, prev: StateRecord | undefined, t: ItemSnapshot): boolean =>
  !!prev?.replicatedByUs && unchanged(f, prev, t);

/** An acknowledgement holds for the target version it was given for, and no later one. */
export const acknowledged = (f: ItemFacts, prev: StateRecord | undefined): boolean =>
  !!prev?.acknowledgedVersion && currentVersion(f) === prev.acknowledgedVersion;
