import type { Replication } from './config/types.ts';
import { MAX_PAIRS_AT_ONCE } from './defaults.ts';
import { isKvrError, KvrError } from './errors.ts';
import { NEEDS_ATTENTION, RUN_EVENTS, type RunEvent, type RunListener } from './events.ts';
import { Listings } from './listings.ts';
import { MaskingVaultPort } from './masking-vault-port.ts';
import type { VaultInfo } from './model.ts';
import { isVaultName } from './config/vault-ref.ts';
import { assertPermitted, missingPermissions } from './permissions.ts';
import { pairKeyOf } from './plan-file.ts';
import { identityOf, notStarted, runPair, type Pair, type PairOutcome } from './run-pair.ts';
import type { RunOptions } from './run-options.ts';
import { SourceValueCache } from './source-values.ts';
import { matchesAnyGlob } from './rules.ts';
import { stateKeyOf, type VaultPermissions, type VaultPort } from './ports.ts';
import { countStatuses, pairReport, type PairReport, type RunReport } from './report.ts';
import { emptyPairState, type PairState } from './state.ts';
import { pairGate } from './validate-report.ts';

export type { RunMode, RunOptions } from './run-options.ts';

/**
 * One run: resolve and validate every vault, then plan each pair, and (mode apply) write and save state. Bad input
 * and failed validation end the run before any write (exit 2); a record's failure never stops the others (exit 1).
 */
export async function runReplication(o: RunOptions): Promise<RunReport> {
  // Every listing starts after this instant, so it is a safe lower bound of when any item was seen.
  const started = o.clock.now();
  const startedAt = new Date(started).toISOString();
  const emit: RunListener = o.listener ?? (() => undefined);
  const mask = o.mask ?? (() => undefined);
  const warnings: RunReport['warnings'] = [];
  const warn = (w: { code: string; message: string }) => {
    warnings.push(w);
    emit({ kind: RUN_EVENTS.warning, message: w.message });
  };
  const report = (exitCode: RunReport['exitCode'], pairs: PairReport[], errors: RunReport['errors']): RunReport => ({
    tool: 'keyvault-replicate',
    mode: o.mode,
    correlationId: o.correlationId,
    startedAt,
    finishedAt: new Date(o.clock.now()).toISOString(),
    exitCode,
    errors,
    warnings,
    pairs,
    totals: countStatuses(pairs.flatMap((p) => p.records)),
  });

  /**
   * Validate's report: each pair with its gate (locations, geographies, keys, rights, blocking names, next steps); a
   * missing right fails it as before (KVR022, exit 2), now with every pair's gate beside it.
   */
  const validated = async (
    pairs: Pair[],
    refused: RunReport['errors'],
    granted: Map<string, VaultPermissions>,
    problems: string[],
  ): Promise<RunReport> => {
    const missing: RunReport['errors'] = [];
    try {
      assertPermitted(problems);
    } catch (e) {
      if (!isKvrError(e)) throw e;
      emit({ kind: RUN_EVENTS.problem, message: e.message });
      missing.push({ code: e.code, message: e.message });
    }
    const gated = await Promise.all(
      pairs.map(async (p) => ({
        ...pairReport(p.replication.name, p.source.name, p.target.name, []),
        gate: await pairGate({
          ...p,
          permissions: { source: granted.get(p.source.name)!, target: granted.get(p.target.name)! },
          ports: { source: port(p.source), target: port(p.target) },
        }),
      })),
    );
    return report(missing.length ? 2 : refused.length ? 1 : 0, gated, [...missing, ...refused]);
  };

  let pairs: Pair[];
  let refused: RunReport['errors'];
  let granted: Map<string, VaultPermissions>;
  let problems: string[];
  try {
    ({ pairs, refused, granted, problems } = await resolveAndValidate(o, warn));
  } catch (e) {
    if (!isKvrError(e)) throw e;
    emit({ kind: RUN_EVENTS.problem, message: e.message });
    return report(2, [], [{ code: e.code, message: e.message }]);
  }
  for (const e of refused) emit({ kind: RUN_EVENTS.problem, message: e.message });
  const reviewed = o.reviewed && new Map(o.reviewed.map((p) => [pairKeyOf(p), p]));
  if (reviewed && o.mode === 'apply') {
    const now = new Set(pairs.map((p) => pairKeyOf(identityOf(p))));
    const differ = [...now].filter((k) => !reviewed.has(k)).concat([...reviewed.keys()].filter((k) => !now.has(k)));
    if (differ.length) {
      const message = `KVR061: the plan file is not for these pairs (replication/source/target): ${differ.join(', ')}; nothing was written. Plan again with this config and these inputs, review, and apply that plan`;
      emit({ kind: RUN_EVENTS.problem, message });
      return report(2, [], [{ code: 'KVR061', message }]);
    }
  }
  const ports = new Map<string, VaultPort>();
  // Every value any port returns is masked the moment it is read, whichever code reads it.
  const port = (v: VaultInfo) =>
    ports.get(v.name) ?? ports.set(v.name, new MaskingVaultPort(o.directory.open(v), mask)).get(v.name)!;
  if (o.mode === 'validate') return validated(pairs, refused, granted, problems);

  const listings = new Listings();
  let previous: Map<string, PairState>;
  try {
    const loaded = await o.state.load(pairs.map((p) => identityOf(p)));
    previous = loaded.states;
    loaded.problems.forEach(warn);
  } catch (e) {
    const err = isKvrError(e) ? e : new KvrError('KVR050', `state cannot be read: ${(e as Error).message}`);
    return report(2, [], [{ code: err.code, message: err.message }]);
  }

  const values = new SourceValueCache();
  const events = inPairOrder(emit, pairs.length);
  // A warning two pairs share (an item missing from their one source) is shown once.
  const shown = new Set<string>();
  const warnOf = (i: number) => (w: { code: string; message: string }) => {
    if (shown.has(w.message)) return;
    shown.add(w.message);
    events.of(i)({ kind: RUN_EVENTS.warning, message: w.message });
  };
  // Every pair joins its source's values before any pair reads, so that none is dropped while a pair may need it.
  const views = pairs.map((p) => values.join(port(p.source)));
  // A plan writes nothing: all its pairs run at once.
  const after = o.mode === 'apply' ? dependencies(pairs) : pairs.map(() => []);
  let crashed = false;
  // Pairs at once, at most: each holds its target's listing and records, and its own max-concurrency of writes.
  const pairSlots = slots(MAX_PAIRS_AT_ONCE);
  const outcomes: Promise<{ outcome: PairOutcome } | { crash: unknown }>[] = [];
  for (const [i, p] of pairs.entries()) {
    const start = async (): Promise<PairOutcome> => {
      await Promise.all(after[i]!.map((j) => outcomes[j]));
      const release = await pairSlots.take();
      try {
        if (o.signal?.aborted || crashed) return notStarted(p, o.mode);
        return await runPair(p, {
          o,
          port,
          listings,
          values: views[i]!,
          wrote: (target) => {
            listings.forget(target);
            values.forget(target);
          },
          previous: previous.get(stateKeyOf(identityOf(p))) ?? emptyPairState(identityOf(p)),
          reviewed,
          started,
          emit: events.of(i),
          warn: warnOf(i),
        });
      } finally {
        release();
      }
    };
    // Never rejects: a pair that throws (a bug) stops the pairs not started yet, and the run throws once all settled.
    outcomes.push(
      start()
        .then(
          (outcome) => ({ outcome }),
          (crash: unknown) => {
            crashed = true;
            return { crash };
          },
        )
        .finally(() => {
          views[i]!.end();
          events.finish(i);
        }),
    );
  }
  const settled = await Promise.all(outcomes);
  values.clear();
  // Joined in config order, whichever pair finished first.
  const results: PairReport[] = [];
  const nextStates: PairState[] = [];
  const errors: RunReport['errors'] = [...refused];
  for (const s of settled) {
    if ('crash' in s) throw s.crash;
    const { outcome } = s;
    results.push(outcome.report);
    errors.push(...outcome.errors);
    for (const w of outcome.warnings) if (!warnings.some((x) => x.message === w.message)) warnings.push(w);
    if (outcome.planned) o.planned?.(outcome.planned);
    if (outcome.nextState) nextStates.push(outcome.nextState);
  }

  if (o.signal?.aborted) {
    const message = `KVR041: the run was cancelled; writes under way finished${o.mode === 'apply' ? ', the rest are marked failed (KVR041), and the state of what was written is saved' : ''}`;
    emit({ kind: RUN_EVENTS.problem, message });
    errors.push({ code: 'KVR041', message });
  }
  if (o.mode === 'apply' && nextStates.length) {
    try {
      const wrote = await o.state.save(nextStates, o.correlationId);
      const message = wrote
        ? `state saved for ${nextStates.length} pair(s)`
        : `state unchanged for ${nextStates.length} pair(s): nothing to save`;
      emit({ kind: RUN_EVENTS.stateSaved, message });
    } catch (e) {
      const err = isKvrError(e) ? e : new KvrError('KVR051', `state cannot be saved: ${(e as Error).message}`);
      errors.push({ code: err.code, message: err.message });
    }
  }
  const anyFailed = errors.length > 0 || results.some((r) => r.records.some((x) => x.status === 'failed'));
  return report(anyFailed ? 1 : 0, results, errors);
}

async function resolveAndValidate(
  o: RunOptions,
  warn: (w: { code: string; message: string }) => void,
): Promise<{
  pairs: Pair[];
  refused: RunReport['errors'];
  granted: Map<string, VaultPermissions>;
  /** The missing rights that are certain (validate reports them with the pairs; the other modes stop on them). */
  problems: string[];
}> {
  const chosen = o.replications?.length
    ? o.config.replications.filter((r) => o.replications!.some((n) => n.toLowerCase() === r.name.toLowerCase()))
    : o.config.replications;
  const unknown = (o.replications ?? []).filter(
    (n) => !o.config.replications.some((r) => r.name.toLowerCase() === n.toLowerCase()),
  );
  if (unknown.length) throw new KvrError('KVR008', `no replication named ${unknown.join(', ')} in the configuration`);
  const vaults = new Map<string, Promise<VaultInfo>>();
  const resolve = (name: string) => vaults.get(name) ?? vaults.set(name, o.directory.resolve(name)).get(name)!;
  const pairs: Pair[] = [];
  const refused: RunReport['errors'] = [];
  for (const r of chosen) {
    const source = await resolve(r.source);
    if (r.targets) {
      for (const t of r.targets) {
        if (t === source.name) throw new KvrError('KVR005', `${r.name}: target ${t} is the source vault itself`);
        pairs.push({ replication: r, source, target: await resolve(t) });
      }
      continue;
    }
    // A tag is not the config: what it names is refused for its replication alone, never stopping the others.
    const fromTag = tagTargets(r, source);
    refused.push(...fromTag.refused);
    for (const t of fromTag.allowed) {
      if (t === source.name) {
        refused.push(refusedTagName(r, source, t, 'the source vault itself', 'Fix the tag'));
        continue;
      }
      try {
        pairs.push({ replication: r, source, target: await resolve(t) });
      } catch (e) {
        if (!isKvrError(e) || (e.code !== 'KVR020' && e.code !== 'KVR021')) throw e;
        refused.push(refusedTagName(r, source, t, `which cannot be used (${e.message})`, 'Fix the tag'));
      }
    }
  }
  // Each vault's permissions are read once, all vaults at once: ARM answers slowly, and these come before any listing.
  // So are the geographies, of the vaults whose keys are copied alone (only a key cannot leave its geography).
  const involved = new Map(pairs.flatMap((p) => [p.source, p.target]).map((v) => [v.name, v] as const));
  // Validate shows every vault's geography.
  const keyed = new Set(
    pairs
      .filter((p) => o.mode === 'validate' || p.replication.types.includes('keys'))
      .flatMap((p) => [p.source, p.target]),
  );
  const [granted, geographies] = await Promise.all([
    mapOf([...involved.values()], (v) => o.directory.permissions(v)),
    mapOf([...keyed], (v) => o.directory.geography(v)),
  ]);
  const located = (v: VaultInfo): VaultInfo => {
    const geography = geographies.get(v.name) ?? v.geography;
    return geography ? { ...v, geography } : v;
  };
  const problems = new Set<string>();
  const unsure = new Set<string>();
  for (const p of pairs) {
    for (const [side, v] of [
      ['source', p.source],
      ['target', p.target],
    ] as const) {
      const perms = granted.get(v.name)!;
      const missing = missingPermissions(side, v, perms, p.replication, o.mode === 'plan' ? 'plan' : 'apply');
      for (const problem of missing)
        (perms.model === 'access-policy' && perms.groupsUnknown ? unsure : problems).add(problem);
    }
  }
  // Validate shows every pair's rights beside the refusal (validated, in runReplication).
  if (o.mode !== 'validate') assertPermitted([...problems]);
  for (const problem of unsure)
    warn({
      code: 'KVR022',
      message: `${problem} (the caller has no access policy of its own; one granted to a group it belongs to cannot be seen, as its token lists no groups: Key Vault decides)`,
    });
  // A per-vault share that names no vault of the config or of this run is most likely a typo: the vault it meant is
  // paced at budget_share, not the share the user chose.
  const named = new Set(
    [
      ...o.config.replications.flatMap((r) => [r.source, ...(r.targets ?? [])]),
      ...pairs.flatMap((p) => [p.source.name, p.target.name]),
    ].map((n) => n.toLowerCase()),
  );
  // A vault a tag may name (allowed_targets) is the config's too, whether or not this run (a shard) reads the tag.
  const mayBeTagged = (name: string) =>
    o.config.replications.some((r) => r.targetsFromTag && matchesAnyGlob(r.allowedTargets, name));
  for (const name of Object.keys(o.config.vaultBudgetShares ?? {}))
    if (!named.has(name) && !mayBeTagged(name))
      warn({
        code: 'KVR088',
        message: `KVR088: vault_budget_shares names ${name}, which is no vault of the configuration or of this run; its share is not used (check the name)`,
      });
  return {
    pairs: pairs.map((p) => ({ ...p, source: located(p.source), target: located(p.target) })),
    refused,
    granted,
    problems: [...problems],
  };
}

/**
 * For each pair, the earlier pairs (config order) it must wait for: those sharing a vault either of them writes (the
 * earlier pair's target is this one's source or target, or this one's target is the earlier pair's source). So a chain
 * (dev → staging, staging → prod) and two replications into one target run as in config order, each seeing what the
 * earlier wrote; pairs that share no written vault (one source, several targets) run at once.
 */
export function dependencies(pairs: readonly Pair[]): number[][] {
  const same = (a: VaultInfo, b: VaultInfo) => a.name.toLowerCase() === b.name.toLowerCase();
  return pairs.map((later, j) =>
    pairs
      .slice(0, j)
      .flatMap((earlier, i) =>
        same(earlier.target, later.source) || same(earlier.target, later.target) || same(later.target, earlier.source)
          ? [i]
          : [],
      ),
  );
}

/**
 * The pairs' events in pair order, as if they ran one after another: the first unfinished pair's events go out at
 * once, a later pair's wait until every pair before it has finished (so a host's group or progress line per pair
 * stays whole while the pairs run at once). What needs attention (a failure, a problem, a warning: each names its
 * vault) goes out at once whichever pair it is of: an earlier pair that takes long, or never ends, must not hide it.
 */
function inPairOrder(emit: RunListener, count: number) {
  const waiting: RunEvent[][] = Array.from({ length: count }, () => []);
  const finished: boolean[] = Array.from({ length: count }, () => false);
  let head = 0;
  return {
    of:
      (i: number): RunListener =>
      (e) => {
        if (i === head || NEEDS_ATTENTION[e.kind]) emit(e);
        else waiting[i]!.push(e);
      },
    finish(i: number): void {
      finished[i] = true;
      while (head < count && finished[head]) {
        head++;
        for (const e of waiting[head] ?? []) emit(e);
        if (head < count) waiting[head] = [];
      }
    },
  };
}

/** Asks one thing of every vault at once; the answers by vault name. */
async function mapOf<T>(vaults: VaultInfo[], ask: (v: VaultInfo) => Promise<T>): Promise<Map<string, T>> {
  return new Map(await Promise.all(vaults.map(async (v) => [v.name, await ask(v)] as const)));
}

/**
 * The targets a source vault's tag names, bounded by the config's allowed_targets: whoever may write the vault's tags
 * must not be able to send its secrets anywhere else. A name given twice counts once; a name that is not a vault name
 * or not allowed is refused (reported, never resolved or written).
 */
function tagTargets(r: Replication, source: VaultInfo): { allowed: string[]; refused: RunReport['errors'] } {
  const tag = Object.entries(source.tags).find(([k]) => k.toLowerCase() === r.targetsFromTag!.toLowerCase())?.[1];
  const names = [
    ...new Set(
      (tag ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (!names.length)
    return {
      allowed: [],
      refused: [
        {
          code: 'KVR023',
          message: `KVR023: ${r.name}: the source vault ${source.name} has no tag '${r.targetsFromTag}' naming target vaults (comma-separated names); this replication did not run`,
        },
      ],
    };
  const allowed: string[] = [];
  const refused: RunReport['errors'] = [];
  for (const name of names) {
    const valid = isVaultName(name);
    if (valid && matchesAnyGlob(r.allowedTargets, name)) allowed.push(name);
    else
      refused.push(
        refusedTagName(
          r,
          source,
          name,
          valid ? 'which allowed_targets does not allow' : 'which is not a vault name',
          'Remove it from the tag, or add it to allowed_targets in the config',
        ),
      );
  }
  return { allowed, refused };
}

/** KVR042 for one name of a targets tag. The name is quoted as JSON: it is the tag writer's text, in one log line. */
const refusedTagName = (
  r: Replication,
  source: VaultInfo,
  name: string,
  why: string,
  fix: string,
): RunReport['errors'][number] => ({
  code: 'KVR042',
  message: `KVR042: ${r.name}: the tag '${r.targetsFromTag}' on ${source.name} names ${JSON.stringify(name)}, ${why}; nothing was read for it or written to it. ${fix}`,
});

/** At most `n` holders at once; the others wait in turn. Each holder releases once (run.ts: in a `finally`). */
function slots(n: number): { take(): Promise<() => void> } {
  let free = n;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else free++;
  };
  return {
    take: () =>
      new Promise((resolve) => {
        const grant = () => resolve(release);
        if (free > 0) {
          free--;
          grant();
        } else queue.push(grant);
      }),
  };
}
