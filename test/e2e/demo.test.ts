import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

test('npm run demo: plan → apply → a change → plan → apply with a conflict acknowledged → a delete, changes only', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['demo/demo.ts'], {
    env: process.env,
    maxBuffer: 8 * 1024 * 1024,
  });
  const steps = stdout.split('$ keyvault-replicate ').slice(1);
  expect(steps.map((s) => s.split('\x1b[0m')[0])).toEqual([
    'plan',
    'apply',
    'plan',
    'apply --acknowledge shared-api-key',
    'apply',
  ]);
  // Every planning status a newcomer should meet is counted, even where its rows are left out.
  for (const status of [
    'create',
    'update',
    'in_sync',
    'delete',
    'excluded_by_rule',
    'source_disabled',
    'source_pending',
    'source_soft_deleted',
    'missing_once',
    'blocked_target_conflict',
    'blocked_target_soft_deleted',
    'blocked_cross_geography_key',
    'blocked_cross_subscription_key',
    'blocked_key_restore_conflict',
    'blocked_non_exportable_certificate',
    'managed_by_certificate',
  ]) {
    expect(stdout).toContain(status);
  }
  const rows = (step: string) => step.split('\n').filter((l) => l.startsWith('| <code>'));
  // Only rows that change something or need a person, and the delete a missing item announces: never an in-sync,
  // excluded or otherwise waiting one.
  for (const step of steps) expect(rows(step).filter((l) => /✅|➖|🔗|♻️|⌛|⏸️/.test(l))).toEqual([]);
  expect(rows(steps[3]!)).toContainEqual(
    expect.stringContaining('<code>to-be-removed</code> | secret | ⏳ missing_once'),
  );
  expect(rows(steps[2]!).filter((l) => l.includes('✏️ update'))).toHaveLength(3);
  expect(rows(steps[3]!)).toContainEqual(
    expect.stringMatching(/<code>shared-api-key<\/code> \| secret \| ✏️ updated \| .*conflict acknowledged/),
  );
  expect(rows(steps[4]!).filter((l) => l.includes('<code>to-be-removed</code> | secret | 🗑️ deleted'))).toHaveLength(3);
  expect(rows(steps[1]!)).toContainEqual(expect.stringContaining('<code>db-password</code> | secret | 🆕 created'));
  for (const step of steps) expect(step).toMatch(/\(\d+ rows in sync, excluded or waiting not shown; exit code 0\)/);
  // Read on a terminal: config words stay legible (a backslash escape at most), never a numeric entity.
  expect(stdout).toContain('set overwrite\\_on\\_conflict');
  expect(stdout).not.toMatch(/&#\d+;/);
  expect(stdout).not.toContain('correct horse battery staple');
});
