import { markdownCode, markdownLines, markdownText as cell } from './markdown-text.ts';
import { RECORD_STATUSES, type RecordStatus, type ReplicationRecord } from './model.ts';
import { gateMarkdown, type PairGate } from './validate-report.ts';

export const MAX_REPORT_ROWS = 1000;

export interface PairReport {
  replication: string;
  source: string;
  target: string;
  counts: Partial<Record<RecordStatus, number>>;
  records: { type: string; name: string; status: RecordStatus; reason: string; errorCode?: string }[];
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
  retired: '💤',
  source_disabled: '⏸️',
  source_pending: '⌛',
  source_soft_deleted: '♻️',
  excluded_by_rule: '➖',
  managed_by_certificate: '🔗',
};

/** Rows that need a person first (failures, blocks), then changes, then the quiet ones. */
const ATTENTION: RecordStatus[] = [
  'failed',
  'blocked_target_conflict',
  'blocked_target_soft_deleted',
  'blocked_key_restore_conflict',
  'blocked_non_exportable_certificate',
  'blocked_cross_geography_key',
  'blocked_cross_subscription_key',
  'held_back',
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
  return [
    `| Replication → target | ${present.map((s) => `${ICON[s] ?? ''} ${s}`).join(' | ')} |`,
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

/** The preview table of DESIGN §8: counts per status first, then one row per record (up to a limit, then a note). */
export function renderMarkdown(report: RunReport, maxRows = MAX_REPORT_ROWS): string {
  const verb =
    report.exitCode === 2
      ? `${report.mode} stopped before any write`
      : report.mode === 'apply'
        ? 'applied'
        : report.mode === 'plan'
          ? 'plan (nothing written)'
          : 'validation';
  const out: string[] = [`## Key Vault replication: ${verb}`, '', `Correlation id: \`${report.correlationId}\``, ''];
  for (const e of report.errors) out.push(codeQuote(e), '');
  for (const w of report.warnings ?? []) out.push(codeQuote(w, '⚠️ '), '');
  out.push(...overview(report));
  let rows = 0;
  for (const p of report.pairs) {
    out.push(`### ${cell(p.replication)}: ${cell(p.source)} → ${cell(p.target)}`, '');
    if (p.error) out.push(codeQuote(p.error), '');
    const present = RECORD_STATUSES.filter((s) => p.counts[s]);
    if (present.length) {
      out.push(
        `| ${present.map((s) => `${ICON[s] ?? ''} ${s}`).join(' | ')} |`,
        `| ${present.map(() => '---:').join(' | ')} |`,
        `| ${present.map((s) => p.counts[s]).join(' | ')} |`,
        '',
      );
    }
    if (!p.records.length) {
      out.push(...(p.gate ? gateMarkdown(p.gate) : ['_No items._']), '');
      continue;
    }
    out.push('| Item | Type | Status | Reason |', '| --- | --- | --- | --- |');
    let shown = 0;
    const ordered = [...p.records].sort(
      (a, b) => rank(a.status) - rank(b.status) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
    );
    for (const r of ordered) {
      if (rows >= maxRows) break;
      out.push(
        `| ${markdownCode(r.name)} | ${cell(r.type)} | ${ICON[r.status] ?? ''} ${r.status}${r.errorCode ? ` (${cell(r.errorCode)})` : ''} | ${cell(r.reason)} |`,
      );
      rows++;
      shown++;
    }
    if (shown < p.records.length)
      out.push(
        '',
        `_${p.records.length - shown} more records not shown (the table stops at ${maxRows} rows); the JSON report has them all._`,
      );
    out.push('');
  }
  return out.join('\n');
}
