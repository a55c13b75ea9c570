import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkTaskVersion, TASK_JSON } from '../../scripts/check-task-version.ts';
import { git } from '../support/git-fixture.ts';
import { tempDir } from '../support/temp-dir.ts';

// Issue 14: the release check that the Azure DevOps task's version goes up whenever the task changes.

const task = (Major: number, Minor: number, Patch: number) =>
  JSON.stringify({ name: 'KeyVaultReplicate', version: { Major, Minor, Patch } }, null, 2);

function repo(files: Record<string, string>): { dir: string; commit: (files: Record<string, string>) => void } {
  const dir = tempDir('kvr-task-version-');
  git(dir, 'init', '--quiet');
  const commit = (changes: Record<string, string>) => {
    for (const [path, text] of Object.entries(changes)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    git(dir, 'add', '.');
    git(dir, 'commit', '--quiet', '-m', 'change');
  };
  commit(files);
  return { dir, commit };
}

const released = () =>
  repo({ [TASK_JSON]: task(1, 1, 0), 'src/hosts/ado/main.ts': 'v1', 'src/engine/plan.ts': 'v1', 'README.md': 'r' });

test('no release tag yet: passes', () => {
  const { dir } = released();
  expect(checkTaskVersion(dir)).toMatchObject({ ok: true, message: expect.stringMatching(/no release tag/) });
});

test("a change in the task's source or folder since the last vX.Y.Z tag, same version: fails and names the files", () => {
  for (const path of ['src/hosts/ado/main.ts', 'src/engine/plan.ts', 'ado-task/KeyVaultReplicateV1/icon.png']) {
    const { dir, commit } = released();
    git(dir, 'tag', 'v1.2.0');
    commit({ [path]: 'v2' });
    const result = checkTaskVersion(dir);
    expect(result.ok).toBe(false);
    expect(result.message).toContain(path);
    expect(result.message).toMatch(/still says version 1\.1\.0/);
  }
});

test('an uncommitted change counts too (the check runs before the commit)', () => {
  const { dir, commit } = released();
  git(dir, 'tag', 'v1.2.0');
  commit({ 'README.md': 'after the release' });
  writeFileSync(join(dir, 'src/hosts/ado/main.ts'), 'edited');
  expect(checkTaskVersion(dir).ok).toBe(false);
});

test('the same change with task.json bumped passes; a lower version fails', () => {
  const { dir, commit } = released();
  git(dir, 'tag', 'v1.2.0');
  commit({ 'src/hosts/ado/main.ts': 'v2', [TASK_JSON]: task(1, 1, 1) });
  expect(checkTaskVersion(dir)).toMatchObject({ ok: true, message: expect.stringMatching(/1\.1\.0 → 1\.1\.1/) });
  commit({ [TASK_JSON]: task(1, 0, 9) });
  expect(checkTaskVersion(dir)).toMatchObject({ ok: false, message: expect.stringMatching(/lower than v1\.2\.0/) });
});

test('changes outside the task (the other hosts, docs) need no bump; a moving major tag is not a release', () => {
  const { dir, commit } = released();
  git(dir, 'tag', 'v1.2.0');
  commit({ 'src/hosts/github/main.ts': 'x', 'src/hosts/cli/main.ts': 'x', 'README.md': 'changed' });
  git(dir, 'tag', 'v1');
  expect(checkTaskVersion(dir)).toMatchObject({
    ok: true,
    message: expect.stringMatching(/not changed since v1\.2\.0/),
  });
});

test('the newest release tag is the one compared with', () => {
  const { dir, commit } = released();
  git(dir, 'tag', 'v1.2.0');
  commit({ 'src/hosts/ado/main.ts': 'v2', [TASK_JSON]: task(1, 1, 1) });
  git(dir, 'tag', 'v1.10.0');
  commit({ 'src/hosts/ado/main.ts': 'v3' });
  expect(checkTaskVersion(dir)).toMatchObject({ ok: false, message: expect.stringMatching(/since v1\.10\.0/) });
});

test('run on the tagged release itself (the release workflow), it compares with the release before', () => {
  const { dir, commit } = released();
  git(dir, 'tag', 'v1.2.0');
  commit({ 'src/hosts/ado/main.ts': 'v2' });
  git(dir, 'tag', 'v1.3.0');
  expect(checkTaskVersion(dir)).toMatchObject({ ok: false, message: expect.stringMatching(/since v1\.2\.0/) });
});
