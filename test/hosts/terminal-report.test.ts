import { stripVTControlCharacters } from 'node:util';
import type { RecordStatus } from '../../src/engine/model.ts';
import type { PairReport, RunReport } from '../../src/engine/report.ts';
import { renderTerminal, useColor } from '../../src/hosts/cli/terminal-report.ts';

const rec = (name: string, status: RecordStatus, reason = 'why', type = 'secret') => ({ type, name, status, reason });

const pair = (records: PairReport['records'], target = 'kv-b'): PairReport => {
  const counts: PairReport['counts'] = {};
  for (const r of records) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return { replication: 'prod-dr', source: 'kv-a', target, counts, records };
};

const report = (pairs: PairReport[], more: Partial<RunReport> = {}): RunReport => {
  const totals: RunReport['totals'] = {};
  for (const p of pairs) for (const r of p.records) totals[r.status] = (totals[r.status] ?? 0) + 1;
  return {
    tool: 'keyvault-replicate',
    mode: 'plan',
    correlationId: 'c0ffee00-0000-4000-8000-000000000000',
    startedAt: '',
    finishedAt: '',
    exitCode: 0,
    errors: [],
    warnings: [],
    totals,
    pairs,
    ...more,
  };
};

const LONG_REASON =
  'target item differs (value, tags) and was not written by this tool (or was changed since) (this run has no record ' +
  'of the item: a first run, or state that was not trusted); acknowledge it or set overwrite_on_conflict';

const mixed = () =>
  report([
    pair([
      rec('quiet-1', 'in_sync', 'equal'),
      rec('new-one', 'create', 'missing in the target'),
      rec('a-changed', 'update', 'source changed (value)'),
      rec('conflicted', 'blocked_target_conflict', LONG_REASON),
      rec('broken', 'failed', 'Forbidden'),
      rec('www', 'managed_by_certificate', 'backs a certificate', 'key'),
      rec('tmp-x', 'excluded_by_rule', 'excluded'),
      rec('later', 'held_back', 'mass-delete guard'),
      rec(`very-long-name-${'x'.repeat(100)}`, 'create', 'missing in the target'),
    ]),
  ]);

const rowsOf = (text: string) => text.split('\n').filter((l) => /^ {2}[!+~\- ] \w/.test(l) && !l.includes('STATUS'));
const statusesOf = (text: string) => rowsOf(text).map((r) => r.slice(4).split(' ')[0]);

test('every line fits 120 columns, long reasons wrap under their column and long names are cut in the middle', () => {
  const text = renderTerminal(mixed(), { columns: 120, color: false });
  for (const line of text.split('\n')) expect([line.length, line]).toEqual([Math.min(line.length, 120), line]);
  const lines = text.split('\n');
  const header = lines.find((l) => l.includes('STATUS'))!;
  const reasonAt = header.indexOf('REASON');
  const conflict = lines.findIndex((l) => l.includes('conflicted'));
  expect(lines[conflict]!.indexOf('target item differs')).toBe(reasonAt);
  // The reason's next lines start in the reason column, nothing before it.
  expect(lines[conflict + 1]!.slice(0, reasonAt).trim()).toBe('');
  expect(lines[conflict + 1]!.length).toBeGreaterThan(reasonAt);
  expect(text).toMatch(/very-long-name-x+…x+ /);
  // Columns align: every row's type, item and reason start where the header's do.
  for (const row of rowsOf(text)) {
    expect(row.indexOf(' secret ') + 1 || row.indexOf(' key ') + 1).toBe(header.indexOf('TYPE'));
  }
});

test('attention rows come first (failed, blocked, held back), then changes; quiet rows are counted, not shown', () => {
  expect(statusesOf(renderTerminal(mixed(), { columns: 120, color: false }))).toEqual([
    'failed',
    'blocked_target_conflict',
    'held_back',
    'create',
    'create',
    'update',
  ]);
  const text = renderTerminal(mixed(), { columns: 120, color: false });
  expect(text).not.toContain('quiet-1');
  expect(text).toContain('3 unchanged rows not shown (--all shows them)');
  expect(text).toContain('1\u00a0in_sync');
});

test('--all shows the quiet rows too, after the others', () => {
  const text = renderTerminal(mixed(), { columns: 120, color: false, all: true });
  expect(statusesOf(text).slice(-3)).toEqual(['in_sync', 'excluded_by_rule', 'managed_by_certificate']);
  expect(text).not.toContain('unchanged rows not shown');
});

test('colour only when asked: no escape code without it, styled statuses with it', () => {
  const plain = renderTerminal(mixed(), { columns: 120, color: false });
  expect(plain).not.toContain('\x1b[');
  const coloured = renderTerminal(mixed(), { columns: 120, color: true });
  expect(coloured).toContain('\x1b[');
  expect(stripVTControlCharacters(coloured)).toBe(plain);
});

test('colour follows the terminal, NO_COLOR and FORCE_COLOR', () => {
  expect(useColor({}, true)).toBe(true);
  expect(useColor({}, false)).toBe(false);
  expect(useColor({}, undefined)).toBe(false);
  expect(useColor({ NO_COLOR: '1' }, true)).toBe(false);
  expect(useColor({ TERM: 'dumb' }, true)).toBe(false);
  expect(useColor({ FORCE_COLOR: '1' }, false)).toBe(true);
  expect(useColor({ FORCE_COLOR: '0' }, true)).toBe(true);
  expect(useColor({ FORCE_COLOR: '0', NO_COLOR: '1' }, true)).toBe(false);
});

test('run errors and warnings print once with their code; a pair without items says so; totals close', () => {
  const r = report([pair([], 'kv-c')], {
    errors: [{ code: 'KVR040', message: 'KVR040: held back 12 deletes' }],
    warnings: [{ code: 'KVR045', message: 'KVR045: secret/nope is not in kv-a' }],
  });
  const text = renderTerminal(r, { columns: 120, color: false });
  expect(text).toContain('KVR040 held back 12 deletes');
  expect(text).not.toContain('KVR040 KVR040');
  expect(text).toContain('KVR045 secret/nope is not in kv-a');
  expect(text).toContain('  no items');
  expect(text).toContain('Total: no items');
});

test('control characters from a config are shown escaped, never sent to the terminal', () => {
  const r = report([{ ...pair([rec('x', 'create')]), replication: 'evil\x1b[2Jname' }]);
  expect(renderTerminal(r, { columns: 120, color: false })).not.toContain('\x1b');
});

test('rows beyond the budget are cut, attention rows never (they take the budget first, as in the preview)', () => {
  const many = Array.from({ length: 30 }, (_, i) => rec(`new-${String(i).padStart(2, '0')}`, 'create'));
  const text = renderTerminal(report([pair([...many, rec('stuck', 'failed')])]), {
    columns: 120,
    color: false,
    maxRows: 10,
  });
  expect(text).toContain('stuck');
  expect(rowsOf(text)).toHaveLength(10);
  expect(text).toContain('21 more rows not shown');
});

test('after an apply a written row says what was done, as the preview does', () => {
  const r = { ...report([pair([{ ...rec('fresh', 'create'), action: 'write' as const }])]), mode: 'apply' as const };
  const text = renderTerminal(r, { columns: 120, color: false });
  expect(rowsOf(text)[0]).toMatch(/^ {2}\+ created +secret +fresh/);
});

test('after an apply the counts and the total say what was done ("1 created")', () => {
  const r = { ...report([pair([{ ...rec('fresh', 'create'), action: 'write' as const }])]), mode: 'apply' as const };
  const text = renderTerminal({ ...r, totals: { create: 1 } }, { columns: 120, color: false });
  expect(text).toMatch(/^ {2}1\u00a0created$/m);
  expect(text).toMatch(/^Total: 1\u00a0created$/m);
});
