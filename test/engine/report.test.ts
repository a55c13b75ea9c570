import { RECORD_STATUSES, type RecordStatus } from '../../src/engine/model.ts';
import type { ReplicationRecord } from '../../src/engine/model.ts';
import {
  countStatuses,
  hasChanges,
  pairReport,
  previewRows,
  renderMarkdown,
  type PairReport,
  type RunReport,
} from '../../src/engine/report.ts';

// The status table of DESIGN §8, rendered in-process (the CLI, Action and task print exactly this text).
type Row = PairReport['records'][number];
const row = (status: RecordStatus, name = 'item', extra: Partial<Row> = {}): Row => ({
  type: 'secret',
  name,
  status,
  reason: 'why',
  ...extra,
});
const pair = (records: Row[], extra: Partial<PairReport> = {}): PairReport => ({
  replication: 'dr',
  source: 'src-kv',
  target: 'dst-kv',
  counts: countStatuses(records),
  records,
  ...extra,
});
const report = (pairs: PairReport[], extra: Partial<RunReport> = {}): RunReport => ({
  tool: 'keyvault-replicate',
  mode: 'apply',
  correlationId: 'corr-1',
  startedAt: '',
  finishedAt: '',
  exitCode: 0,
  totals: {},
  errors: [],
  warnings: [],
  pairs,
  ...extra,
});
const lines = (md: string) => md.split('\n');
/** The record rows of the item tables: what follows each `| Item | Type | Status | Reason |` header. */
const recordRows = (md: string) => lines(md).filter((l) => l.startsWith('| <code>'));

test.each(RECORD_STATUSES.map((s) => [s]))('status %s: one row with its icon, and one count column', (status) => {
  const md = renderMarkdown(report([pair([row(status)])], { mode: 'plan' }));
  const icon = String.raw`\S+`; // every status has an icon: a status added without one shows here
  expect(recordRows(md)).toEqual([
    expect.stringMatching(new RegExp(`^\\| <code>item</code> \\| secret \\| ${icon} ${status} \\| why \\|$`)),
  ]);
  const [header, rule, counts] = lines(md).slice(lines(md).indexOf('### dr: src-kv → dst-kv') + 2);
  expect([header, rule, counts]).toEqual([
    expect.stringMatching(new RegExp(`^\\| ${icon} ${status} \\|$`)),
    '| ---: |',
    '| 1 |',
  ]);
});

test('rows that need a person come first: failures, blocks, holds, then changes, then the quiet ones', () => {
  const md = renderMarkdown(report([pair([...RECORD_STATUSES].reverse().map((s) => row(s, s.replace(/_/g, '-'))))]));
  expect(recordRows(md).map((l) => l.split(' | ')[2]!.split(' ')[1])).toEqual([
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
  ]);
});

test('within a status, rows go by type, then name; a failure shows its error code', () => {
  const md = renderMarkdown(
    report([
      pair([
        row('failed', 'b', { type: 'secret', errorCode: 'KVR033' }),
        row('failed', 'a', { type: 'secret' }),
        row('failed', 'z', { type: 'key' }),
      ]),
    ]),
  );
  expect(recordRows(md).map((l) => l.split(' | ').slice(0, 3).join(' | '))).toEqual([
    '| <code>z</code> | key | ❌ failed',
    '| <code>a</code> | secret | ❌ failed',
    '| <code>b</code> | secret | ❌ failed (KVR033)',
  ]);
});

test.each([
  ['apply', 0, 'applied'],
  ['plan', 0, 'plan (nothing written)'],
  ['validate', 0, 'validation'],
  ['apply', 1, 'applied'],
  ['apply', 2, 'apply stopped before any write'],
  ['plan', 2, 'plan stopped before any write'],
] as const)('mode %s, exit code %s: headed "%s"', (mode, exitCode, verb) => {
  expect(lines(renderMarkdown(report([], { mode, exitCode })))[0]).toBe(`## Key Vault replication: ${verb}`);
});

test('run errors, warnings and a pair error are quotes that show their code once; a pair with no items says so', () => {
  const md = renderMarkdown(
    report([pair([], { error: { code: 'KVR020', message: 'KVR020: vault dst-kv was not found' } })], {
      errors: [{ code: 'KVR022', message: 'KVR022: missing permissions\nassign a role' }],
      warnings: [{ code: 'KVR054', message: 'a record was dropped' }],
    }),
  );
  expect(md).toContain('Correlation id: `corr-1`');
  expect(lines(md)).toEqual(
    expect.arrayContaining([
      '> **KVR022** missing permissions<br>assign a role',
      '> ⚠️ **KVR054** a record was dropped',
      '> **KVR020** vault dst-kv was not found',
      '_No items._',
    ]),
  );
  expect(recordRows(md)).toEqual([]);
});

test('two pairs or more get an overview: one line per pair, a column per status present in any of them', () => {
  const md = renderMarkdown(
    report(
      [
        pair([row('create', 'a'), row('create', 'b')]),
        pair([row('failed', 'c', { errorCode: 'KVR030' })], { target: 'dr-kv' }),
      ],
      { mode: 'plan' },
    ),
  );
  const at = lines(md).findIndex((l) => l.startsWith('| Replication → target'));
  expect(lines(md).slice(at, at + 4)).toEqual([
    '| Replication → target | 🆕 create | ❌ failed |',
    '| --- | ---: | ---: |',
    '| dr → dst-kv | 2 | 0 |',
    '| dr → dr-kv | 0 | 1 |',
  ]);
  expect(renderMarkdown(report([pair([row('create')])]))).not.toContain('| Replication → target');
});

test('the row limit counts across pairs: a later pair shows what is left of it and how many it did not show', () => {
  const md = renderMarkdown(
    report([
      pair([row('create', 'a1'), row('create', 'a2')]),
      pair([row('create', 'b1'), row('create', 'b2')], { target: 'dr-kv' }),
    ]),
    3,
  );
  expect(recordRows(md).map((l) => l.split(' | ')[0])).toEqual([
    '| <code>a1</code>',
    '| <code>a2</code>',
    '| <code>b1</code>',
  ]);
  expect(md).toContain('_1 more records not shown (the table stops at 3 rows); the JSON report has them all._');
});

// Issue 13: with targets [big-dst (1,106 in_sync), app-us-eus], the conflict in the second target appeared nowhere.
test('every attention row of every pair is shown, however many quiet rows come before it', () => {
  const big = pair(
    Array.from({ length: 1106 }, (_, i) => row('in_sync', `item-${String(i).padStart(5, '0')}`)),
    { target: 'big-dst' },
  );
  const second = pair([row('in_sync', 'item-00001'), row('blocked_target_conflict', 'item-00005')], {
    target: 'app-us-eus',
  });
  const md = renderMarkdown(report([big, second], { mode: 'plan' }));
  const at = lines(md).indexOf('### dr: src-kv → app-us-eus (partial: 1 of 2 rows shown)');
  expect(at).toBeGreaterThan(0);
  expect(lines(md).slice(at)).toContainEqual(
    expect.stringMatching(/^\| <code>item-00005<\/code> \| secret \| ⛔ blocked_target_conflict \|/),
  );
  // Even with no budget at all.
  expect(renderMarkdown(report([big, second]), 0)).toContain('<code>item-00005</code>');
});

test('the budget goes to attention rows first, then the changes of every pair, then the rest, then the quiet ones', () => {
  const a = pair([
    row('in_sync', 'a-quiet'),
    row('missing_once', 'a-other'),
    row('create', 'a-new'),
    row('failed', 'a-bad'),
  ]);
  const b = pair(
    [row('in_sync', 'b-quiet'), row('update', 'b-changed'), row('held_back', 'b-held', { held: 'delete' })],
    {
      target: 'dr-kv',
    },
  );
  const names = (budget: number) =>
    previewRows(report([a, b]), budget).map((p) => [p.rows.map((r) => `${r.group}:${r.record.name}`), p.partial]);
  // Attention rows take their share of the budget first, and are shown even past it.
  expect(names(1)).toEqual([
    [['attention:a-bad'], true],
    [['attention:b-held'], true],
  ]);
  expect(names(4)).toEqual([
    [['attention:a-bad', 'changed:a-new'], true],
    [['attention:b-held', 'changed:b-changed'], true],
  ]);
  expect(names(5)).toEqual([
    [['attention:a-bad', 'changed:a-new', 'other:a-other'], true],
    [['attention:b-held', 'changed:b-changed'], true],
  ]);
  expect(names(6)).toEqual([
    [['attention:a-bad', 'changed:a-new', 'other:a-other', 'quiet:a-quiet'], false],
    [['attention:b-held', 'changed:b-changed'], true],
  ]);
  expect(previewRows(report([a, b]), 0)[0]!.omitted).toEqual({ attention: 0, changed: 1, other: 1, quiet: 1 });
});

test('quiet rows (in sync, managed by a certificate, excluded) fold into a details count; the others stay in view', () => {
  const md = renderMarkdown(
    report([
      pair([
        row('in_sync', 'same-1'),
        row('in_sync', 'same-2'),
        row('excluded_by_rule', 'skipped'),
        row('managed_by_certificate', 'backing', { type: 'key' }),
        row('create', 'new'),
      ]),
    ]),
  );
  const open = lines(md).indexOf('<details>');
  expect(lines(md)[open + 1]).toBe(
    '<summary>4 quiet rows (in_sync 2, excluded_by_rule 1, managed_by_certificate 1)</summary>',
  );
  const close = lines(md).indexOf('</details>');
  expect(
    lines(md)
      .slice(0, open)
      .filter((l) => l.startsWith('| <code>')),
  ).toEqual([expect.stringContaining('<code>new</code>')]);
  expect(
    lines(md)
      .slice(open, close)
      .filter((l) => l.startsWith('| <code>')),
  ).toHaveLength(4);
});

test('after an apply, written rows say what was done; a plan says what it would do; a failure stays failed', () => {
  const rows = [
    row('create', 'new', { action: 'write' }),
    row('update', 'changed', { action: 'write' }),
    row('delete', 'gone', { action: 'delete' }),
    row('source_disabled', 'paused', { action: 'disable' }),
    row('failed', 'broken', { errorCode: 'KVR030' }),
  ];
  const status = (mode: RunReport['mode'], exitCode: RunReport['exitCode'] = 0) =>
    recordRows(renderMarkdown(report([pair(rows)], { mode, exitCode }))).map((l) => l.split(' | ')[2]);
  expect(status('apply', 1)).toEqual(['❌ failed (KVR030)', '🗑️ deleted', '🆕 created', '✏️ updated', '⏸️ disabled']);
  expect(status('plan')).toEqual(['❌ failed (KVR030)', '🗑️ delete', '🆕 create', '✏️ update', '⏸️ source_disabled']);
  expect(status('apply', 2)).toContain('🆕 create');
});

test('a delete the mass-delete guard held back is held_back in the counts and says what it would have done', () => {
  const held: ReplicationRecord = {
    type: 'secret',
    name: 'gone',
    status: 'held_back',
    action: 'none',
    held: 'delete',
    reason: 'deleted at the source; held back by the mass-delete guard',
  };
  const p = pairReport('dr', 'src-kv', 'dst-kv', [held]);
  expect(p.counts).toEqual({ held_back: 1 });
  expect(p.records[0]).toEqual(expect.objectContaining({ status: 'held_back', held: 'delete' }));
  expect(recordRows(renderMarkdown(report([p]))).map((l) => l.split(' | ')[2])).toEqual(['✋ held_back (delete)']);
});

test('a recovery (recover_soft_deleted) shows in the status: create (recover) in a plan, recovered, then written after', () => {
  const recovered: ReplicationRecord = {
    type: 'secret',
    name: 'back',
    status: 'create',
    action: 'recover',
    reason: 'soft-deleted in dst-kv: recover_soft_deleted recovers it, then writes the source version',
  };
  const p = pairReport('dr', 'src-kv', 'dst-kv', [recovered]);
  expect(p.records[0]).toEqual(expect.objectContaining({ status: 'create', action: 'recover' }));
  const status = (mode: RunReport['mode']) =>
    recordRows(renderMarkdown(report([p], { mode }))).map((l) => l.split(' | ')[2]);
  expect(status('plan')).toEqual(['🆕 create (recover)']);
  expect(status('apply')).toEqual(['🆕 recovered, then written']);
});

test('a pair whose rows were cut short is marked partial in its heading; a whole one is not', () => {
  const md = renderMarkdown(report([pair([row('create', 'a'), row('create', 'b'), row('in_sync', 'c')])]), 1);
  expect(lines(md)).toContain('### dr: src-kv → dst-kv (partial: 1 of 3 rows shown)');
  expect(md).toContain('_2 more records not shown (the table stops at 1 rows); the JSON report has them all._');
  expect(renderMarkdown(report([pair([row('create', 'a')])]))).toContain('### dr: src-kv → dst-kv\n');
});

test('after an apply the counts say what was done too, as the rows do; a plan counts what it would do', () => {
  const rows = [row('create', 'new', { action: 'write' }), row('update', 'changed', { action: 'write' })];
  const two = [pair(rows), pair(rows, { target: 'dst-2' })];
  const applied = renderMarkdown(report(two, { mode: 'apply' }));
  expect(applied).toContain('🆕 created | ✏️ updated');
  expect(applied).not.toContain('🆕 create |');
  expect(renderMarkdown(report(two, { mode: 'plan' }))).toContain('🆕 create | ✏️ update');
});

test('changes (the Action output `changed`, the CLI exit code 3): a disable counts, a failure or a quiet row does not', () => {
  expect(hasChanges(report([pair([row('source_disabled', 'paused', { action: 'disable' })])]))).toBe(true);
  expect(hasChanges(report([pair([row('create', 'new', { action: 'write' })])]))).toBe(true);
  expect(hasChanges(report([pair([row('failed', 'broken', { action: 'write', errorCode: 'KVR030' })])]))).toBe(false);
  expect(hasChanges(report([pair([row('in_sync'), row('source_disabled', 'already')])]))).toBe(false);
});
