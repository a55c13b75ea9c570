import { styleText } from 'node:util';
import { RECORD_STATUSES, type RecordStatus } from '../../engine/model.ts';
import {
  PREVIEW_GROUPS,
  countLabel,
  previewGroup,
  previewRows,
  statusWord,
  wasApplied,
  type PairReport,
  type PreviewGroup,
  type PreviewPair,
  type ReportRecord,
  type RunReport,
} from '../../engine/report.ts';
import { logLine } from '../shared/log-text.ts';

/** How the terminal view is drawn: its width, whether it is coloured, whether quiet rows show. */
export interface TerminalOptions {
  /** The terminal's columns; no line is longer (120 when unknown). */
  columns?: number;
  color: boolean;
  /** Quiet rows too (in_sync, excluded_by_rule, managed_by_certificate); by default they are only counted. */
  all?: boolean;
  /** Rows shown at most, attention rows never cut (the JSON report has them all). */
  maxRows?: number;
}

export const DEFAULT_COLUMNS = 120;
const MAX_ROWS = 1000;
/** An item name wider than this is cut in the middle: the reason keeps room to be read. */
const MAX_NAME = 40;

type Style = Parameters<typeof styleText>[0];

/** The statuses in the order the counts list them: the preview's groups, attention first. */
const ORDER = [...RECORD_STATUSES].sort(
  (a, b) => PREVIEW_GROUPS.indexOf(previewGroup({ status: a })) - PREVIEW_GROUPS.indexOf(previewGroup({ status: b })),
);
const groupOf = (s: string): PreviewGroup => previewGroup({ status: s as RecordStatus });

/** One sign per row, Terraform's where it has one: the rows read without colour too. */
const SIGN: Partial<Record<RecordStatus, string>> = { create: '+', update: '~', delete: '-', failed: '!' };
/** A row's sign: its status's, else `~` for a copy to disable (a change in place), `!` for attention. */
const signOf = (r: Pick<ReportRecord, 'status' | 'action'>): string =>
  SIGN[r.status] ?? (r.action === 'disable' ? '~' : groupOf(r.status) === 'attention' ? '!' : ' ');

const STYLE: Partial<Record<RecordStatus, Style>> = {
  failed: ['red', 'bold'],
  create: 'green',
  update: 'cyan',
  delete: 'red',
};
const GROUP_STYLE: Record<PreviewGroup, Style> = { attention: 'yellow', changed: 'green', other: 'blue', quiet: 'dim' };
const styleOf = (s: string): Style => STYLE[s as RecordStatus] ?? GROUP_STYLE[groupOf(s)];

/** Whether to colour a stream: FORCE_COLOR (not 0) forces it, NO_COLOR (any value) stops it, else only a TTY. */
export function useColor(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.NO_COLOR) return false;
  return isTTY === true && env.TERM !== 'dumb';
}

/** Text cut to `width` characters, the cut shown by an ellipsis in the middle (names) or at the end. */
function fit(text: string, width: number, middle = false): string {
  if (text.length <= width) return text;
  if (!middle) return `${text.slice(0, width - 1)}…`;
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

/** Words (split at spaces, not at no-break spaces) in lines of at most `width` characters; a longer word is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/[ \t\r\n]+/).filter(Boolean)) {
    const w = fit(word, width);
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  return [...lines, line];
}

/** `3 create`, held together by a no-break space so that a wrapped line never parts the count from its status. */
const plural = (n: number, what: string) => `${n}\u00a0${what}`;

/** Counts as `3 create, 1 update, 40 in_sync` (after an apply `3 created`), in row order. */
const countsLine = (counts: Partial<Record<RecordStatus, number>>, applied: boolean): string =>
  ORDER.filter((s) => counts[s])
    .map((s) => plural(counts[s]!, countLabel(s, applied)))
    .join(', ');

/** A code and its message once (`KVR040 …`, not `KVR040 KVR040: …`). */
function coded(e: { code: string; message: string }): string {
  const prefix = `${e.code}: `;
  return `${e.code} ${e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message}`;
}

function headline(report: RunReport): string {
  if (report.exitCode === 2) return `${report.mode} stopped before any write`;
  if (report.mode === 'apply') return 'applied';
  return report.mode === 'plan' ? 'plan (nothing written)' : 'validation';
}

/**
 * The report for a person at a terminal (DESIGN §8's preview, in columns): per pair its counts, then its rows,
 * attention first (failed, blocked, held back), then changes, then notes; quiet rows only counted unless `all`. Every
 * line fits the width; every text from a vault or a config goes through the log-safe line before any colour is added.
 */
export function renderTerminal(report: RunReport, options: TerminalOptions): string {
  const width = Math.max(60, options.columns ?? DEFAULT_COLUMNS);
  const paint = (style: Style, text: string) =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  const safe = (text: string) => logLine(text);
  const out: string[] = [];
  const para = (style: Style, text: string, indent = '') => {
    for (const line of wrap(safe(text), width - indent.length)) out.push(indent + paint(style, line));
  };
  out.push(`${paint('bold', `Key Vault replication: ${headline(report)}`)}  ${paint('dim', report.correlationId)}`);
  for (const e of report.errors) para('red', coded(e));
  for (const w of report.warnings ?? []) para('yellow', coded(w));
  // The preview's rows (attention always, then changes, then the rest, within the budget); quiet rows only with --all.
  const shown = options.all
    ? report
    : { pairs: report.pairs.map((p) => ({ ...p, records: p.records.filter((r) => previewGroup(r) !== 'quiet') })) };
  const previews = previewRows(shown, options.maxRows ?? MAX_ROWS);
  const applied = wasApplied(report);
  for (const [i, p] of report.pairs.entries()) {
    out.push('');
    const quiet = p.records.length - shown.pairs[i]!.records.length;
    pairLines(p, previews[i]!, quiet, { ...options, width, applied, paint, safe, push: (l) => out.push(l), para });
  }
  const total = countsLine(report.totals, wasApplied(report));
  out.push('');
  const [first = '', ...rest] = wrap(`Total: ${total || 'no items'}`, width - 7);
  out.push(`${paint('bold', 'Total:')}${first.slice('Total:'.length)}`, ...rest.map((l) => `       ${l}`));
  return `${out.join('\n')}\n`;
}

interface PairContext extends TerminalOptions {
  width: number;
  applied: boolean;
  paint: (style: Style, text: string) => string;
  safe: (text: string) => string;
  push: (line: string) => void;
  para: (style: Style, text: string, indent?: string) => void;
}

/** One pair: its title and counts, then its preview rows, and what was left out. */
function pairLines(p: PairReport, preview: PreviewPair, quiet: number, c: PairContext): void {
  const { paint, safe, push } = c;
  push(paint('bold', fit(safe(`${p.replication}: ${p.source} → ${p.target}`), c.width)));
  if (p.error) c.para('red', coded(p.error), '  ');
  const counts = countsLine(p.counts, c.applied);
  if (counts) c.para('dim', counts, '  ');
  if (!p.records.length) {
    push(`  ${paint('dim', 'no items')}`);
    return;
  }
  const shown = preview.rows.map((r) => r.record);
  const statusOf = (r: ReportRecord) => `${statusWord(r, c.applied)}${r.errorCode ? ` ${r.errorCode}` : ''}`;
  const statusW = Math.max(6, ...shown.map((r) => statusOf(r).length));
  const typeW = Math.max(4, ...shown.map((r) => r.type.length));
  const nameW = Math.min(MAX_NAME, Math.max(4, ...shown.map((r) => safe(r.name).length)));
  // Two spaces of indent, the sign and a space, then the columns two apart; the reason wraps in what is left.
  const reasonAt = 4 + statusW + 2 + typeW + 2 + nameW + 2;
  const reasonW = Math.max(20, c.width - reasonAt);
  if (shown.length) {
    push(
      paint(
        'dim',
        `    ${'STATUS'.padEnd(statusW)}  ${'TYPE'.padEnd(typeW)}  ${'ITEM'.padEnd(nameW)}  REASON`.trimEnd(),
      ),
    );
  }
  for (const r of shown) {
    const style = styleOf(r.status);
    const [first = '', ...rest] = wrap(safe(r.reason), reasonW);
    const name = fit(safe(r.name), nameW, true);
    push(
      `  ${paint(style, `${signOf(r)} ${statusOf(r).padEnd(statusW)}`)}  ${r.type.padEnd(typeW)}  ${name.padEnd(nameW)}  ${first}`.trimEnd(),
    );
    for (const line of rest) push(`${' '.repeat(reasonAt)}${line}`);
  }
  const cut = Object.values(preview.omitted).reduce((a, b) => a + b, 0);
  if (cut) push(`  ${paint('dim', `${cut} more rows not shown (the JSON report has them all: --output json)`)}`);
  if (quiet) push(`  ${paint('dim', `${quiet} unchanged rows not shown (--all shows them)`)}`);
  else if (!shown.length) push(`  ${paint('dim', 'nothing to show')}`);
}
