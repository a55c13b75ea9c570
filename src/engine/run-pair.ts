import { applyRecords } from './apply.ts';
import { classifyFailure } from './classify.ts';
import type { Replication } from './config/types.ts';
import { DEFAULT_MAX_CONCURRENCY } from './defaults.ts';
import { RUN_EVENTS, type RunListener } from './events.ts';
import type { Listings } from './listings.ts';
import { guardMassDeletes } from './mass-delete-guard.ts';
import { recordKey, TYPE_OF_CONFIG, type ItemSnapshot, type VaultInfo } from './model.ts';
import { nextPairState } from './next-state.ts';
import { planPair, type PairPlan } from './plan.ts';
import { bindVersions, holdBackUnreviewed, pairKeyOf, plannedRecords, type PlannedPair } from './plan-file.ts';
import type { VaultPort } from './ports.ts';
import { pairReport, type PairReport, type RunReport } from './report.ts';
import type { RunOptions } from './run-options.ts';
import type { SourceValues } from './source-values.ts';
import type { PairIdentity, PairState } from './state.ts';

export interface Pair {
  replication: Replication;
  source: VaultInfo;
  target: VaultInfo;
}

export const identityOf = (p: Pair): PairIdentity => ({
  replication: p.replication.name,
  source: p.source.name,
  target: p.target.name,
});

type Problem = RunReport['errors'][number];

/** What the run shares with each pair. */
export interface PairContext {
  o: RunOptions;
  port: (v: VaultInfo) => VaultPort;
  listings: Listings;
  /** The pair's view of its source's values, shared with the source's other pairs. */
  values: SourceValues;
  /** The pair wrote to its target (or tried): what the run knows of that vault is read again. */
  wrote: (target: VaultPort) => void;
  previous: PairState;
  reviewed?: ReadonlyMap<string, PlannedPair>;
  /** When the run started: every listing starts after it. */
  started: number;
  /** The pair's events (each names its replication and target). */
  emit: RunListener;
  /** A warning of this pair's, shown at once; the run's list takes it when it joins the pairs in order. */
  warn: (w: Problem) => void;
}

/** What one pair ends with; the run joins the pairs' outcomes in config order, whichever finished first. */
export interface PairOutcome {
  report: PairReport;
  errors: Problem[];
  warnings: Problem[];
  /** Plan: the pair's acting records, for the plan file. */
  planned?: PlannedPair;
  /** Apply: the pair's state to save. */
  nextState?: PairState;
}

/** A pair the run did not start: cancelled before its turn. */
export function notStarted(p: Pair, mode: RunOptions['mode']): PairOutcome {
  return {
    report: pairReport(p.replication.name, p.source.name, p.target.name, [], {
      code: 'KVR041',
      message: 'KVR041: not started: the run was cancelled',
    }),
    errors: [],
    warnings: [],
    ...(mode === 'plan' ? { planned: { ...identityOf(p), records: [] } } : {}),
  };
}

/**
 * One pair: plan it, hold what the mass-delete guard holds, bind and check a reviewed plan, and (mode apply) write.
 * Its source values are released as soon as the pair needs them no more (planned not to write, or written).
 */
export async function runPair(p: Pair, c: PairContext): Promise<PairOutcome> {
  const { o, emit, values } = c;
  const where = { replication: p.replication.name, target: p.target.name };
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const warn = (w: Problem) => {
    warnings.push(w);
    c.warn(w);
  };
  const wantsFile = o.mode === 'plan' && !!o.planned;
  const planned = (records: () => PlannedPair['records']) =>
    wantsFile ? { planned: { ...identityOf(p), records: records() } } : {};
  emit({
    kind: RUN_EVENTS.pairStarted,
    message: `${p.replication.name}: ${p.source.name} → ${p.target.name}`,
    ...where,
  });
  const prev = c.previous;
  const source = c.port(p.source);
  const target = c.port(p.target);
  const concurrency = o.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  let plan: PairPlan;
  try {
    plan = await planPair({
      replication: p.replication,
      source,
      target,
      previous: prev,
      acknowledge: o.acknowledge ?? [],
      revoke: o.revoke ?? [],
      only: o.only,
      listings: c.listings,
      values,
      signedState: o.state.signs,
      concurrency,
    });
  } catch (e) {
    const { code, message } = classifyFailure(e, `${p.source.name}→${p.target.name}`, 'listing');
    emit({ kind: RUN_EVENTS.problem, message, ...where });
    // A plan file has the pair, with nothing to apply: its apply holds back whatever it finds then.
    return {
      report: pairReport(p.replication.name, p.source.name, p.target.name, [], { code, message }),
      errors: [{ code, message }],
      warnings,
      ...planned(() => []),
    };
  }
  // A targeted run's item that neither the source nor the state knows gets no record: it is named, nothing is saved.
  const unknown = o.only
    ? plan.records.filter((r) => !r.source && r.status === 'missing_once' && !prev.records[recordKey(r.type, r.name)])
    : [];
  for (const r of unknown) {
    const message = `KVR045: ${r.type}/${r.name} is not in ${p.source.name} (a targeted run: --only, an event); nothing was done or saved for it`;
    if (!warnings.some((w) => w.message === message)) warn({ code: 'KVR045', message });
  }
  if (unknown.length) plan = { ...plan, records: plan.records.filter((r) => !unknown.includes(r)) };
  // The guard holds in plan mode too, so that the preview shows what apply will do.
  const guarded = guardMassDeletes(
    { records: plan.records, previous: prev, replication: p.replication, targetName: p.target.name },
    o.approveMassDelete === true,
  );
  emit({
    kind: RUN_EVENTS.planned,
    message: `${plan.records.filter((r) => r.action !== 'none').length} of ${plan.records.length} records to write`,
    ...where,
    count: guarded.records.filter((r) => r.action !== 'none').length,
  });
  let records = guarded.records;
  if (guarded.message && o.mode === 'apply') {
    emit({ kind: RUN_EVENTS.problem, message: guarded.message, ...where });
    errors.push({ code: 'KVR040', message: guarded.message });
  } else if (guarded.message) warn({ code: 'KVR040', message: guarded.message });
  let deleted: ReadonlyMap<string, ItemSnapshot | null> = new Map();
  if (wantsFile || (o.mode === 'apply' && c.reviewed))
    ({ records, deleted } = await bindVersions(records, source, target, values));
  const file = planned(() => plannedRecords(records, values, deleted));
  if (c.reviewed && o.mode === 'apply')
    records = holdBackUnreviewed(records, c.reviewed.get(pairKeyOf(identityOf(p)))?.records ?? [], values, deleted);
  // What this pair will not write (in sync, excluded, outside its rule or types), the source's other pairs may still
  // need: it lets go of every other value now, not when it ends.
  values.retainOnly(new Set(records.filter((r) => r.action !== 'none').map((r) => recordKey(r.type, r.name))));
  let nextState: PairState | undefined;
  if (o.mode === 'apply') {
    const wrote = records.some((r) => r.action !== 'none');
    records = await applyRecords(
      records,
      { source, target, values },
      { concurrency, signal: o.signal, pinned: !!c.reviewed },
      {
        written: (r) =>
          emit({ kind: RUN_EVENTS.written, message: `${r.status} ${r.type} ${r.name} → ${p.target.name}`, ...where }),
        failed: (r, message) => emit({ kind: RUN_EVENTS.failed, message: `${r.errorCode} ${message}`, ...where }),
      },
    );
    if (wrote || records.some((r) => r.status === 'failed')) c.wrote(target);
    const outcome = {
      identity: identityOf(p),
      types: p.replication.types.map((t) => TYPE_OF_CONFIG[t]),
      previous: prev,
      records,
      acknowledgements: plan.acknowledgements,
    };
    // A targeted run that found none of its items has nothing to remember.
    if (!o.only || records.length)
      nextState = nextPairState(outcome, {
        correlationId: o.correlationId,
        nowIso: new Date(o.clock.now()).toISOString(),
        targeted: !!o.only,
        listedAt: c.started,
      });
  }
  emit({ kind: RUN_EVENTS.pairFinished, message: `${p.replication.name} → ${p.target.name} done`, ...where });
  return {
    report: pairReport(p.replication.name, p.source.name, p.target.name, records),
    errors,
    warnings,
    ...file,
    ...(nextState ? { nextState } : {}),
  };
}
