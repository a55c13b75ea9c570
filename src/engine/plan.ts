import type { Replication } from './config/types.ts';
import { failedRecord } from './apply.ts';
import { acknowledgementChanges, decide, type Decided } from './decide.ts';
import type { DecideOptions, FactName, ItemFacts } from './facts.ts';
import { byName, type Listings } from './listings.ts';
import { selectedByRule } from './rules.ts';
import {
  recordKey,
  TYPE_OF_CONFIG,
  type ItemSnapshot,
  type ItemType,
  type OnlyItem,
  type ReplicationRecord,
} from './model.ts';
import type { VaultPort } from './ports.ts';
import { readSecretIfEnabled, type SourceValues } from './source-values.ts';
import type { PairState } from './state.ts';
import { isVaultFailure, type VaultFailure, type VaultFailureKind } from './vault-failure.ts';
import { mapWithWorkers } from './workers.ts';

export interface PlanInput {
  replication: Replication;
  source: VaultPort;
  target: VaultPort;
  previous: PairState;
  acknowledge: readonly string[];
  /** Names or globs whose remembered acknowledgements are withdrawn. */
  revoke: readonly string[];
  /** Targeted sync: just these items, fetched one by one, nothing else read or listed. */
  only?: readonly OnlyItem[];
  listings: Listings;
  /** The source's values, read once for all its pairs (planning's reads are kept for apply). */
  values: SourceValues;
  /** The previous state verified against a key: only then may a record's word allow a purge (recreate_keys). */
  signedState: boolean;
  /** Items whose facts are read at once (the pacer keeps each vault within its share whatever this is). */
  concurrency: number;
}

export interface PairPlan {
  readonly records: readonly ReplicationRecord[];
  /** Per record key, the acknowledgement to remember from now on: a target version, or undefined when withdrawn. */
  readonly acknowledgements: ReadonlyMap<string, string | undefined>;
}

/**
 * Expands one source → target pair into one record per item: gathers what the listings say, then asks `decide` about
 * each item, reading the facts it asks for (in parallel, and for `concurrency` items at once) until it has decided.
 * Values never reach the decision.
 */
export async function planPair(input: PlanInput): Promise<PairPlan> {
  const { replication, source, target, listings } = input;
  const options: DecideOptions = {
    replication,
    source: source.info,
    target: target.info,
    acknowledge: input.acknowledge,
    revoke: input.revoke,
    targeted: !!input.only,
    signedState: input.signedState,
  };
  const types = replication.types.map((t) => TYPE_OF_CONFIG[t]);

  // Every listing of the pair starts at once, the source's deleted items too (listedItems reads them last): a no-op
  // run costs the longest listing, not the sum of all of them.
  if (!input.only)
    for (const type of types) {
      for (const v of [source, target]) listings.live(v, type).catch(() => undefined);
      listings.deleted(source, type).catch(() => undefined);
    }

  const all: Decided[] = [];
  for (const type of types) {
    const wanted = input.only?.filter((o) => o.type === type);
    if (input.only && !wanted?.length) continue;
    const items = wanted ? await lookedUpItems(input, type, wanted) : await listedItems(input, type);
    // Items that need reads (a comparison, a version to confirm) are settled side by side, not one after another.
    // Not spread into push: a pair of 125,000 items would overflow the call's arguments.
    for (const d of await mapWithWorkers(items, input.concurrency, (item) => settle(input, options, item))) all.push(d);
  }
  return {
    records: all.map((d) => d.record),
    acknowledgements: acknowledgementChanges(all, input.previous, input.revoke),
  };
}

/** Asks `decide` until it answers with a record, reading the facts it needs in between. */
async function settle(input: PlanInput, options: DecideOptions, first: ItemFacts): Promise<Decided> {
  const prev = input.previous.records[recordKey(first.type, first.name)];
  let facts = first;
  for (;;) {
    const d = decide(facts, prev, options);
    if ('record' in d) return d;
    let read: Partial<ItemFacts>[];
    try {
      read = await Promise.all(d.needs.map((need) => READ[need](input, facts)));
    } catch (e) {
      // One item's read failing for that item's own reason (gone meanwhile, denied on that item) fails that item
      // alone, as a failed write does. A vault throttling or failing past the retries fails the pair, as a listing
      // does: each of thousands of items would otherwise wait out the whole back-off in turn.
      if (!isVaultFailure(e) || !ITEM_FAILURES.has(e.kind) || !d.needs.every((n) => ITEM_READS.has(n))) throw e;
      return { record: failedRead(input, facts, e) };
    }
    // A fact once known never changes, so that asking again walks the same path further (a read that learns a
    // version on the side does not replace one already read).
    const more: Record<string, unknown> = {};
    for (const [k, v] of read.flatMap((r) => Object.entries(r))) {
      if (facts[k as FactName] === undefined && more[k] === undefined) more[k] = v;
    }
    facts = { ...facts, ...more };
    const unread = d.needs.filter((n) => facts[n] === undefined);
    if (unread.length) throw new Error(`${first.type}/${first.name}: ${unread.join(', ')} could not be read`);
  }
}

/** The facts read item by item, never from a listing (`standaloneInTarget` and the soft-deleted ones may be listed). */
const ITEM_READS: ReadonlySet<FactName> = new Set<FactName>([
  'targetVersion',
  'targetSecretVersions',
  'sourceKeyVersion',
  'values',
  'exportable',
  'absentFromSource',
  'deletedTarget',
]);

/** The failures of a read that concern its item alone. */
const ITEM_FAILURES: ReadonlySet<VaultFailureKind> = new Set<VaultFailureKind>(['gone', 'denied']);

/** An item whose facts could not be read: failed with the read's code, nothing done, its previous record kept. */
const failedRead = (input: PlanInput, f: ItemFacts, e: VaultFailure): ReplicationRecord =>
  failedRecord(
    { type: f.type, name: f.name, source: f.source, target: f.target, status: 'failed', action: 'none', reason: '' },
    e,
    `${input.source.info.name}→${input.target.info.name}`,
  );

/** A full run: every source item as listed, and every item the previous run knew that the source listing lacks. */
async function listedItems(input: PlanInput, type: ItemType): Promise<ItemFacts[]> {
  const sourceItems = await input.listings.live(input.source, type);
  const targets = byName(await input.listings.live(input.target, type));
  const items: ItemFacts[] = sourceItems.map((s) =>
    withTarget({ type, name: s.name, source: s }, targets.get(s.name.toLowerCase())),
  );
  const seen = new Set(sourceItems.map((s) => recordKey(type, s.name)));
  for (const [key, r] of Object.entries(input.previous.records)) {
    if (r.type === type && !seen.has(key)) {
      seen.add(key);
      items.push({ type, name: r.name, target: targets.get(r.name.toLowerCase()) });
    }
  }
  // Soft-deleted source items appear with their reason on every pair, fresh or not: one listing per type and source
  // (shared by the source's pairs), never a read per item. The listing has names only, lower-cased.
  // A deleted certificate's own secret and key are listed deleted too: they belong to the certificate's record.
  const certificates = type !== 'certificate' && input.replication.types.includes('certificates');
  const ofCertificates = certificates ? await input.listings.deleted(input.source, 'certificate') : new Set();
  for (const name of await input.listings.deleted(input.source, type)) {
    if (seen.has(recordKey(type, name)) || ofCertificates.has(name) || !mayBeSelected(input.replication, name))
      continue;
    items.push({ type, name, target: targets.get(name), deletedInSource: true });
  }
  return items;
}

/**
 * Whether the rule selects a soft-deleted item of this name. A tag rule cannot tell (a deleted item's tags are not
 * read), so under one only the items the state knows appear: a deleted item of the vault that was never selected would
 * crowd every pair's preview otherwise.
 */
const mayBeSelected = (r: Replication, name: string): boolean =>
  !('tagged' in r.rule) && selectedByRule(r, name, {}).selected;

/** A targeted run: each wanted item looked up by name; the ones the source lacks first, as they are found. */
async function lookedUpItems(input: PlanInput, type: ItemType, wanted: readonly OnlyItem[]): Promise<ItemFacts[]> {
  const notFound: ItemFacts[] = [];
  const found: ItemFacts[] = [];
  for (const w of wanted) {
    const [s, t] = await Promise.all([lookUpSource(input, type, w.name), input.target.get(type, w.name)]);
    if (s) found.push(withTarget({ type, name: s.name, source: s }, t));
    else notFound.push({ type, name: w.name, target: t });
  }
  return [...notFound, ...found];
}

/** The target as found; a version that came with it (a lookup by name) is a fact already read. */
const withTarget = (f: ItemFacts, t: ItemSnapshot | undefined): ItemFacts => ({
  ...f,
  target: t,
  ...(t?.version !== undefined ? { targetVersion: t.version } : {}),
});

/** A source secret is read with its value at once (kept for apply): its comparison and copy need it anyway. */
async function lookUpSource(input: PlanInput, type: ItemType, name: string): Promise<ItemSnapshot | undefined> {
  if (type !== 'secret') return input.source.get(type, name);
  try {
    // A disabled secret has no value to read: its attributes are looked up alone.
    return (await input.values.read(name))?.item ?? (await input.source.get(type, name));
  } catch (e) {
    if (isVaultFailure(e, 'gone')) return undefined;
    throw e;
  }
}

type Reader = (input: PlanInput, f: ItemFacts) => Promise<Partial<ItemFacts>>;

/** How each fact a decision may ask for is read. */
const READ: Record<FactName, Reader> = {
  targetVersion: async ({ target }, f) => ({
    targetVersion:
      (f.type === 'key' ? await target.keyVersion(f.name) : (await target.get(f.type, f.name))?.version) ?? null,
  }),
  targetSecretVersions: async ({ target }, f) => ({ targetSecretVersions: await target.secretVersions(f.name) }),
  sourceKeyVersion: async ({ source }, f) => ({ sourceKeyVersion: (await source.keyVersion(f.name)) ?? null }),
  values: compareValues,
  exportable: async ({ source }, f) => ({ exportable: await source.certificateExportable(f.name) }),
  deletedInTarget: async ({ listings, target }, f) => ({ deletedInTarget: await softDeleted(listings, target, f) }),
  deletedInSource: async ({ listings, source }, f) => ({ deletedInSource: await softDeleted(listings, source, f) }),
  absentFromSource: async ({ source }, f) => ({ absentFromSource: (await source.get(f.type, f.name)) === undefined }),
  standaloneInTarget: async (input, f) => ({ standaloneInTarget: await standaloneInTarget(input, f.name) }),
  deletedTarget: async ({ target }, f) => ({ deletedTarget: (await target.getDeleted(f.type, f.name)) ?? null }),
};

const softDeleted = async (listings: Listings, vault: VaultPort, f: ItemFacts): Promise<boolean> =>
  (await listings.deleted(vault, f.type)).has(f.name.toLowerCase());

/** Reads the source value (unless planning read it already) and the target's, and keeps only whether they are equal. */
async function compareValues(input: PlanInput, f: ItemFacts): Promise<Partial<ItemFacts>> {
  const sourceRead = await input.values.read(f.name);
  if (!sourceRead) return { values: { sourceReadable: false } };
  const targetRead = f.target?.enabled ? await readSecretIfEnabled(input.target, f.name) : undefined;
  const equal = targetRead !== undefined && targetRead.value === sourceRead.value;
  return { values: { sourceReadable: true, equal, targetVersion: targetRead?.item.version } };
}

/**
 * A standalone (not certificate-backing) secret or key of this name in the target: by name when targeted, else listed.
 */
async function standaloneInTarget(input: PlanInput, name: string): Promise<boolean> {
  const lower = name.toLowerCase();
  if (input.only) {
    const found = await Promise.all(
      (['secret', 'key'] as const).map((t) => input.target.get(t, name).catch(() => undefined)),
    );
    return found.some((i) => i && !i.managed);
  }
  const lists = await Promise.all([
    input.listings.live(input.target, 'secret'),
    input.listings.live(input.target, 'key'),
  ]);
  return lists.flat().some((i) => !i.managed && i.name.toLowerCase() === lower);
}
