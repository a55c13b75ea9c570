import { markdownCode, markdownLines, markdownText as cell } from './markdown-text.ts';
import { RECORD_STATUSES, type RecordAction, type RecordStatus, type ReplicationRecord } from './model.ts';
import { gateMarkdown, type PairGate } from './validate-report.ts';

export const MAX_REPORT_ROWS = 1000;

/** One record as the report shows it. `action`: what applying it writes (absent when nothing). */
export interface ReportRecord {
  type: string;
  name: string;
  status: RecordStatus;
  reason: string;
  errorCode?: string;
  action?: Exclude<RecordAction, 'none'>;
  /** held_back: what would have been done. */
  held?: 'delete' | 'disable';
}

export interface PairReport {
  replication: string;
  source: string;
  target: string;
  counts: Partial<Record<RecordStatus, number>>;
  records: ReportRecord[];
  error?: { code: string; message: string };
  /** Validate's findings for the pair (validate-report.ts). */
  gate?: PairGate;
}

export interface RunReport {
  tool: 'keyvault-replicate';
  mode: 'validate' | 'plan' | 'apply';
  correlationId: string;
  startedAt: string;
  finishedAt: string;
  exitCode: 0 | 1 | 2;
  totals: Partial<Record<RecordStatus, number>>;
  errors: { code: string; message: string }[];
  /** What the run worked around without failing (state it did not trust, guard holds in a plan). */
  warnings: { code: string; message: string }[];
  pairs: PairReport[];
}

/** Only names, types, statuses and reasons leave the engine: the report is built field by field, never spread. */
export function pairReport(
  replication: string,
  source: string,
  target: string,
  records: readonly ReplicationRecord[],
  error?: { code: string; message: string },
): PairReport {
  return {
    replication,
    source,
    target,
    counts: countStatuses(records),
    records: records.map((r) => ({
      type: r.type,
      name: r.name,
      status: r.status,
      reason: r.reason,
      ...(r.errorCode ? { errorCode: r.errorCode } : {}),
      ...(r.action !== 'none' ? { action: r.action } : {}),
      ...(r.held ? { held: r.held } : {}),
    })),
    ...(error ? { error } : {}),
  };
}

export function countStatuses(records: readonly { status: RecordStatus }[]): Partial<Record<RecordStatus, number>> {
  const counts: Partial<Record<RecordStatus, number>> = {};
  for (const r of records) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

const ICON: Partial<Record<RecordStatus, string>> = {
  create: '🆕',
  update: '✏️',
  in_sync: '✅',
  delete: '🗑️',
  failed: '❌',
  blocked_target_conflict: '⛔',
  blocked_target_soft_deleted: '⛔',
  blocked_cross_geography_key: '⛔',
  blocked_cross_subscription_key: '⛔',
  blocked_key_restore_conflict: '⛔',
  blocked_non_exportable_certificate: '⛔',
  missing_once: '⏳',
  held_back: '✋',
  held_back_plan_changed: '✋',
  retired: '💤',
  source_disabled: '⏸️',
  source_pending: '⌛',
  source_soft_deleted: '♻️',
  excluded_by_rule: '➖',
  managed_by_certificate: '🔗',
};

/** Within a group, rows that need a person first (failures, blocks), then changes, then the quiet ones. */
const ATTENTION: RecordStatus[] = [
  'failed',
  'blocked_target_conflict',
  'blocked_target_soft_deleted',
  'blocked_key_restore_conflict',
  'blocked_non_exportable_certificate',
  'blocked_cross_geography_key',
  'blocked_cross_subscription_key',
  'held_back',
  'held_back_plan_changed',
  'delete',
  'create',
  'update',
  'source_disabled',
  'source_pending',
  'missing_once',
  'source_soft_deleted',
  'retired',
  'in_sync',
  'excluded_by_rule',
  'managed_by_certificate',
];
const rank = (s: RecordStatus) => ATTENTION.indexOf(s);

function overview(report: RunReport): string[] {
  const present = RECORD_STATUSES.filter((s) => report.pairs.some((p) => p.counts[s]));
  if (report.pairs.length < 2 || !present.length) return [];
  const applied = wasApplied(report);
  return [
    `| Replication → target | ${present.map((s) => `${ICON[s] ?? ''} ${countLabel(s, applied)}`).join(' | ')} |`,
    `| --- | ${present.map(() => '---:').join(' | ')} |`,
    ...report.pairs.map(
      (p) => `| ${cell(p.replication)} → ${cell(p.target)} | ${present.map((s) => p.counts[s] ?? 0).join(' | ')} |`,
    ),
    '',
  ];
}

/**
 * A quote line for a run or pair error (`> **KVR042** …`): the code shows once, so the message's own `KVR042: ` goes.
 */
function codeQuote(e: { code: string; message: string }, icon = ''): string {
  const prefix = `${e.code}: `;
  const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return `> ${icon}**${cell(e.code)}** ${markdownLines(message)}`;
}

/**
 * How a row matters: `attention` needs a person (failed, blocked, held back) and is always shown; `changed` is written
 * (or, in a plan, would be); `quiet` is in sync or not ours to copy (folded away); `other` is the rest (waiting,
 * missing once, retired, soft-deleted at the source).
 */
export type PreviewGroup = 'attention' | 'changed' | 'other' | 'quiet';
export const PREVIEW_GROUPS: readonly PreviewGroup[] = ['attention', 'changed', 'other', 'quiet'];

const QUIET: ReadonlySet<RecordStatus> = new Set(['in_sync', 'managed_by_certificate', 'excluded_by_rule']);
const CHANGES: ReadonlySet<RecordStatus> = new Set(['create', 'update', 'delete']);

export function previewGroup(r: Pick<ReportRecord, 'status' | 'action'>): PreviewGroup {
  if (r.status === 'failed' || r.status.startsWith('held_back') || r.status.startsWith('blocked_')) return 'attention';
  if (r.action || CHANGES.has(r.status)) return 'changed';
  return QUIET.has(r.status) ? 'quiet' : 'other';
}

export interface PreviewPair {
  pair: PairReport;
  /** The rows to show, in order: by group, then status, type and name. */
  rows: { record: ReportRecord; group: PreviewGroup }[];
  /** Rows of each group the budget left out. */
  omitted: Record<PreviewGroup, number>;
  /** The pair's listing of rows was cut short (omitted rows). */
  partial: boolean;
}

/**
 * The rows a preview shows, pair by pair. Every attention row of every pair is shown, whatever the budget; what is
 * left of the budget goes to the changed rows of all pairs (in pair order), then to the other rows, then to the quiet
 * ones. Pure: the markdown preview and the terminal both show these rows.
 */
export function previewRows(report: Pick<RunReport, 'pairs'>, budget = MAX_REPORT_ROWS): PreviewPair[] {
  const sorted = report.pairs.map((p) =>
    [...p.records]
      .map((record) => ({ record, group: previewGroup(record) }))
      .sort(
        (a, b) =>
          PREVIEW_GROUPS.indexOf(a.group) - PREVIEW_GROUPS.indexOf(b.group) ||
          rank(a.record.status) - rank(b.record.status) ||
          a.record.type.localeCompare(b.record.type) ||
          a.record.name.localeCompare(b.record.name),
      ),
  );
  let left = Math.max(0, budget);
  const shown = new Map<PreviewGroup, number[]>();
  for (const group of PREVIEW_GROUPS) {
    shown.set(
      group,
      sorted.map((rows) => {
        const n = rows.filter((r) => r.group === group).length;
        const take = group === 'attention' ? n : Math.min(n, left);
        left = Math.max(0, left - take);
        return take;
      }),
    );
  }
  return report.pairs.map((pair, i) => {
    const omitted = { attention: 0, changed: 0, other: 0, quiet: 0 };
    const rows = PREVIEW_GROUPS.flatMap((group) => {
      const all = sorted[i]!.filter((r) => r.group === group);
      const take = shown.get(group)![i]!;
      omitted[group] = all.length - take;
      return all.slice(0, take);
    });
    return { pair, rows, omitted, partial: rows.length < pair.records.length };
  });
}

/** After an apply, a written row says what was done. */
const DONE: Record<Exclude<RecordAction, 'none'>, Partial<Record<RecordStatus, string>> & { other: string }> = {
  write: { create: 'created', update: 'updated', other: 'written' },
  recover: { other: 'recovered, then written' },
  delete: { other: 'deleted' },
  disable: { other: 'disabled' },
};
/** A count's label: after an apply the written statuses say what was done ("9 created"), as their rows do. */
export const countLabel = (status: RecordStatus, applied: boolean): string =>
  (applied && DONE_COUNTS[status]) || status;
const DONE_COUNTS: Partial<Record<RecordStatus, string>> = { create: 'created', update: 'updated', delete: 'deleted' };

/** Whether a plan would write, or an apply wrote, anything: a create, update, delete or disable that did not fail. */
export const hasChanges = (report: Pick<RunReport, 'pairs'>): boolean =>
  report.pairs.some((p) => p.records.some((r) => r.action !== undefined && r.status !== 'failed'));

/** Whether the report's rows say what was done (an apply that wrote), not what would be. */
export const wasApplied = (report: Pick<RunReport, 'mode' | 'exitCode'>): boolean =>
  report.mode === 'apply' && report.exitCode !== 2;

/** A row's status for a reader: after an apply what was done ("created"), else the status (and what it held). */
export function statusWord(r: ReportRecord, applied: boolean): string {
  if (applied && r.action) return DONE[r.action][r.status] ?? DONE[r.action].other;
  if (r.action === 'recover') return `${r.status} (recover)`;
  return r.held ? `${r.status} (${r.held})` : r.status;
}

const quietCounts = (records: readonly ReportRecord[]) =>
  RECORD_STATUSES.filter((s) => QUIET.has(s))
    .map((s) => [s, records.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');

/**
 * The preview table of DESIGN §8: counts per status first, then the rows of `previewRows` (attention, changes, the
 * rest), the quiet ones folded into a `<details>`; a pair whose rows were cut short says so (partial).
 */
export function renderMarkdown(report: RunReport, maxRows = MAX_REPORT_ROWS): string {
  const verb =
    report.exitCode === 2
      ? `${report.mode} stopped before any write`
      : report.mode === 'apply'
        ? 'applied'
        : report.mode === 'plan'
          ? 'plan (nothing written)'
          : 'validation';
  const applied = wasApplied(report);
  const out: string[] = [`## Key Vault replication: ${verb}`, '', `Correlation id: \`${report.correlationId}\``, ''];
  for (const e of report.errors) out.push(codeQuote(e), '');
  for (const w of report.warnings ?? []) out.push(codeQuote(w, '⚠️ '), '');
  out.push(...overview(report));
  const tableRow = (r: ReportRecord) =>
    `| ${markdownCode(r.name)} | ${cell(r.type)} | ${ICON[r.status] ?? ''} ${statusWord(r, applied)}${r.errorCode ? ` (${cell(r.errorCode)})` : ''} | ${cell(r.reason)} |`;
  const header = ['| Item | Type | Status | Reason |', '| --- | --- | --- | --- |'];
  for (const { pair: p, rows, partial } of previewRows(report, maxRows)) {
    out.push(
      `### ${cell(p.replication)}: ${cell(p.source)} → ${cell(p.target)}${partial ? ` (partial: ${rows.length} of ${p.records.length} rows shown)` : ''}`,
      '',
    );
    if (p.error) out.push(codeQuote(p.error), '');
    const present = RECORD_STATUSES.filter((s) => p.counts[s]);
    if (present.length) {
      out.push(
        `| ${present.map((s) => `${ICON[s] ?? ''} ${countLabel(s, applied)}`).join(' | ')} |`,
        `| ${present.map(() => '---:').join(' | ')} |`,
        `| ${present.map((s) => p.counts[s]).join(' | ')} |`,
        '',
      );
    }
    if (!p.records.length) {
      out.push(...(p.gate ? gateMarkdown(p.gate) : ['_No items._']), '');
      continue;
    }
    const loud = rows.filter((r) => r.group !== 'quiet').map((r) => r.record);
    if (loud.length) out.push(...header, ...loud.map(tableRow), '');
    const quiet = p.records.filter((r) => previewGroup(r) === 'quiet');
    if (quiet.length) {
      const quietShown = rows.filter((r) => r.group === 'quiet').map((r) => r.record);
      out.push(
        '<details>',
        `<summary>${quiet.length} quiet rows (${quietCounts(quiet)})</summary>`,
        '',
        ...(quietShown.length ? [...header, ...quietShown.map(tableRow), ''] : []),
        '</details>',
        '',
      );
    }
    if (partial)
      out.push(
        `_${p.records.length - rows.length} more records not shown (the table stops at ${maxRows} rows); the JSON report has them all._`,
        '',
      );
  }
  return out.join('\n');
}
