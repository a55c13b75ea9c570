import { markdownLines } from '../../engine/markdown-text.ts';
import { MAX_REPORT_ROWS, renderMarkdown, type RunReport } from '../../engine/report.ts';

/**
 * The report's table cut to fit a size limit (a CI's summary or comment): fewer record rows (the table says how many
 * are left out) until it fits. Counts always stay, since they come first. `whole` says where the whole report is.
 */
export function fittedMarkdown(
  report: RunReport,
  limit: number,
  whole: string,
  measure: (s: string) => number = (s) => Buffer.byteLength(s),
): string {
  let rows = MAX_REPORT_ROWS;
  let md = renderMarkdown(report, rows);
  while (measure(md) > limit && rows > 0) {
    rows = Math.floor(rows / 2);
    md = renderMarkdown(report, rows);
  }
  return measure(md) > limit
    ? `${md.slice(0, limit - 200)}\n\n_The report was cut to fit; ${whole} has it all._\n`
    : md;
}

/** A summary for a run that stopped before it had a report: why. */
export const notRunMarkdown = (message: string): string =>
  `## Key Vault replication: not run\n\n> ${markdownLines(message || 'stopped')}\n`;
