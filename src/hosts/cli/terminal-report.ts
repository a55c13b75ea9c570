import { styleText } from 'node:util';
import type { RecordStatus } from '../../engine/model.ts';
import type { PairReport, RunReport } from '../../engine/report.ts';
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

/** What a row means to the reader, first the ones that need a person, last the quiet ones. */
type Kind = 'attention' | 'change' | 'note' | 'quiet';

const KIND: Record<RecordStatus, Kind> = {
  failed: 'attention',
  blocked_target_conflict: 'attention',
  blocked_target_soft_deleted: 'attention',
  blocked_key_restore_conflict: 'attention',
  blocked_non_exportable_certificate: 'attention',
  blocked_cross_geography_key: 'attention',
  blocked_cross_subscription_key: 'attention',
  held_back: 'attention',
  delete: 'change',
  create: 'change',
  update: 'change',
  source_disabled: 'note',
  source_pending: 'note',
  missing_once: 'note',
  source_soft_deleted: 'note',
  retired: 'note',
  in_sync: 'quiet',
  excluded_by_rule: 'quiet',
  managed_by_certificate: 'quiet',
};
/** The order of rows within a pair: this list's, then type, then name. */
const ORDER = Object.keys(KIND) as RecordStatus[];
const kindOf = (s: string): Kind => KIND[s as RecordStatus] ?? 'note';

/** One sign per row, Terraform's where it has one: the rows read without colour too. */
const SIGN: Partial<Record<RecordStatus, string>> = { create: '+', update: '~', delete: '-', failed: '!' };
const signOf = (s: string): string => SIGN[s as RecordStatus] ?? (kindOf(s) === 'attention' ? '!' : ' ');

const STYLE: Partial<Record<RecordStatus, Style>> = {
  failed: ['red', 'bold'],
  create: 'green',
  update: 'cyan',
  delete: 'red',
};
const KIND_STYLE: Record<Kind, Style> = { attention: 'yellow', change: 'green', note: 'blue', quiet: 'dim' };
const styleOf = (s: string): Style => STYLE[s as RecordStatus] ?? KIND_STYLE[kindOf(s)];

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

/** Counts as `3 create, 1 update, 40 in_sync`, in row order. */
const countsLine = (counts: Partial<Record<RecordStatus, number>>): string =>
  ORDER.filter((s) => counts[s])
    .map((s) => plural(counts[s]!, s))
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
  let budget = options.maxRows ?? MAX_ROWS;
  for (const p of report.pairs) {
    out.push('');
    budget = pairLines(p, { ...options, width, budget, paint, safe, push: (l) => out.push(l), para });
  }
  const total = countsLine(report.totals);
  out.push('');
  const [first = '', ...rest] = wrap(`Total: ${total || 'no items'}`, width - 7);
  out.push(`${paint('bold', 'Total:')}${first.slice('Total:'.length)}`, ...rest.map((l) => `       ${l}`));
  return `${out.join('\n')}\n`;
}

interface PairContext extends TerminalOptions {
  width: number;
  budget: number;
  paint: (style: Style, text: string) => string;
  safe: (text: string) => string;
  push: (line: string) => void;
  para: (style: Style, text: string, indent?: string) => void;
}

/** One pair: its title and counts, its rows; returns the row budget left. */
function pairLines(p: PairReport, c: PairContext): number {
  const { paint, safe, push } = c;
  push(paint('bold', fit(safe(`${p.replication}: ${p.source} → ${p.target}`), c.width)));
  if (p.error) c.para('red', coded(p.error), '  ');
  const counts = countsLine(p.counts);
  if (counts) c.para('dim', counts, '  ');
  if (!p.records.length) {
    push(`  ${paint('dim', 'no items')}`);
    return c.budget;
  }
  const ordered = [...p.records].sort(
    (a, b) =>
      ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
  );
  const visible = c.all ? ordered : ordered.filter((r) => kindOf(r.status) !== 'quiet');
  let budget = c.budget;
  const shown = visible.filter((r) => kindOf(r.status) === 'attention' || budget-- > 0);
  budget = Math.max(0, budget);
  const statusOf = (r: PairReport['records'][number]) => `${r.status}${r.errorCode ? ` ${r.errorCode}` : ''}`;
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
      `  ${paint(style, `${signOf(r.status)} ${statusOf(r).padEnd(statusW)}`)}  ${r.type.padEnd(typeW)}  ${name.padEnd(nameW)}  ${first}`.trimEnd(),
    );
    for (const line of rest) push(`${' '.repeat(reasonAt)}${line}`);
  }
  const quiet = ordered.length - visible.length;
  const cut = visible.length - shown.length;
  if (cut) push(`  ${paint('dim', `${cut} more rows not shown (the JSON report has them all: --output json)`)}`);
  if (quiet) push(`  ${paint('dim', `${quiet} unchanged rows not shown (--all shows them)`)}`);
  else if (!shown.length) push(`  ${paint('dim', 'nothing to show')}`);
  return budget;
}
