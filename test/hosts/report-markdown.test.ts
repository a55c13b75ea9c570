import { fittedMarkdown, notRunMarkdown } from '../../src/hosts/shared/report-markdown.ts';
import type { RunReport } from '../../src/engine/report.ts';

const report = (rows: number, reason: string): RunReport => ({
  tool: 'keyvault-replicate',
  mode: 'plan',
  correlationId: 'c0ffee00-0000-4000-8000-000000000000',
  startedAt: '',
  finishedAt: '',
  exitCode: 0,
  errors: [],
  warnings: [],
  totals: { create: rows },
  pairs: [
    {
      replication: 'big',
      source: 'kv-a',
      target: 'kv-b',
      counts: { create: rows },
      records: Array.from({ length: rows }, (_, i) => ({
        type: 'secret',
        name: `item-${i}`,
        status: 'create' as const,
        reason,
      })),
    },
  ],
});

test('a summary over the size limit drops record rows, keeps the counts, and says how many are left out', () => {
  const md = fittedMarkdown(report(900, 'x'.repeat(2000)), 1024 * 1024 - 16 * 1024, 'the JSON report');
  expect(Buffer.byteLength(md)).toBeLessThanOrEqual(1024 * 1024 - 16 * 1024);
  expect(md).toContain('| 900 |');
  const shown = md.match(/\| <code>item-\d+<\/code> \|/g)!.length;
  expect(shown).toBeGreaterThan(0);
  expect(md).toContain(`_${900 - shown} more records not shown`);
});

test('a summary under the limit is the whole table', () => {
  const md = fittedMarkdown(report(10, 'short'), 1024 * 1024, 'the JSON report');
  expect(md.match(/\| <code>item-\d+<\/code> \|/g)).toHaveLength(10);
  expect(md).not.toContain('more records not shown');
});

test('a summary too big even without record rows is cut, and says where the whole report is', () => {
  const md = fittedMarkdown(report(3, 'short'), 250, 'the JSON report (output report-path)');
  expect(md.endsWith('_The report was cut to fit; the JSON report (output report-path) has it all._\n')).toBe(true);
});

test('a run that stopped before it had a report says why, as markdown text', () => {
  expect(notRunMarkdown('KVR001: <b>x</b>')).toMatch(/^## Key Vault replication: not run\n\n> KVR001: /);
  expect(notRunMarkdown('')).toContain('> stopped');
  // A message's own lines (a list of what was looked for) stay lines, each escaped.
  expect(notRunMarkdown('KVR024: looked for:\n  - a_b\n  - c')).toContain(
    '> KVR024: looked for:<br>  - a\\_b<br>  - c',
  );
});
