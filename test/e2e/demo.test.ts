import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

test('npm run demo shows every planning status a newcomer should meet', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['demo/demo.ts'], {
    env: process.env,
    maxBuffer: 8 * 1024 * 1024,
  });
  for (const status of [
    'create',
    'update',
    'in_sync',
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
  expect(stdout).toContain('(exit code 0)');
  // Read on a terminal: config words and globs stay legible (a backslash escape at most), never a numeric entity.
  expect(stdout).toContain('set overwrite\\_on\\_conflict');
  expect(stdout).toContain("excluded by '\\*-tmp'");
  expect(stdout).not.toMatch(/&#\d+;/);
  expect(stdout).not.toContain('correct horse battery staple');
});
