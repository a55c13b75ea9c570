import { renderMarkdown, MAX_REPORT_ROWS, type RunReport } from '../../engine/report.ts';

/**
 * The preview table cut to fit a size limit: fewer record rows (the table says how many are left out) until it fits.
 * Counts always stay, since they come first.
 */
export function fittedMarkdown(
  report: RunReport,
  limit: number,
  measure: (s: string) => number = (s) => Buffer.byteLength(s),
): string {
  let rows = MAX_REPORT_ROWS;
  let md = renderMarkdown(report, rows);
  while (measure(md) > limit && rows > 0) {
    rows = Math.floor(rows / 2);
    md = renderMarkdown(report, rows);
  }
  return measure(md) > limit
    ? md.slice(0, limit - 200) + '\n\n_The report was cut to fit; the JSON report (output report-path) has it all._\n'
    : md;
}
