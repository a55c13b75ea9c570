/**
 * Fails when the Azure DevOps task changed since the last release tag (`vX.Y.Z`) but its task.json version did not go
 * up: agents cache a task by its version, so a task republished under the same version never reaches them.
 * "The task" is what its bundle is built from: the task folder, and every source folder but the other hosts'.
 * No release tag yet: passes. `node scripts/check-task-version.ts [repo]` (CI: .ci/run).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TASK_JSON = 'ado-task/KeyVaultReplicateV1/task.json';
/** Paths whose change changes the task (git pathspecs; `:!` excludes). */
export const TASK_PATHS = ['ado-task/KeyVaultReplicateV1', 'src', ':!src/hosts/github', ':!src/hosts/cli'];

interface TaskVersion {
  Major: number;
  Minor: number;
  Patch: number;
}
export interface TaskVersionCheck {
  ok: boolean;
  message: string;
}

const RELEASE_TAG = /^v\d+\.\d+\.\d+$/;
const shown = (v: TaskVersion) => `${v.Major}.${v.Minor}.${v.Patch}`;
const compare = (a: TaskVersion, b: TaskVersion) => a.Major - b.Major || a.Minor - b.Minor || a.Patch - b.Patch;
const versionIn = (text: string) => (JSON.parse(text) as { version: TaskVersion }).version;

export function checkTaskVersion(repo: string): TaskVersionCheck {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // The newest release before HEAD: a tag on HEAD itself is the release being made (the release workflow runs on it),
  // compared with the one before. Moving major tags such as v1 are not releases.
  const tag = git('tag', '--list', 'v*', '--merged', 'HEAD', '--no-contains', 'HEAD', '--sort=-version:refname')
    .split('\n')
    .find((t) => RELEASE_TAG.test(t));
  if (!tag) return { ok: true, message: 'no release tag (vX.Y.Z) yet: nothing to compare the task with' };
  const changed = git('diff', '--name-only', tag, '--', ...TASK_PATHS)
    .split('\n')
    .filter((f) => f && f !== TASK_JSON);
  const current = versionIn(readFileSync(join(repo, TASK_JSON), 'utf8'));
  let released: TaskVersion;
  try {
    released = versionIn(git('show', `${tag}:${TASK_JSON}`));
  } catch {
    return { ok: true, message: `${tag} has no ${TASK_JSON}: the task is new` };
  }
  if (compare(current, released) < 0)
    return { ok: false, message: `task.json's version ${shown(current)} is lower than ${tag}'s ${shown(released)}` };
  if (changed.length === 0)
    return { ok: true, message: `the task has not changed since ${tag} (task version ${shown(current)})` };
  if (compare(current, released) > 0)
    return {
      ok: true,
      message: `the task changed since ${tag}; its version went ${shown(released)} → ${shown(current)}`,
    };
  const files = changed.slice(0, 10).join(', ') + (changed.length > 10 ? `, … (${changed.length} files)` : '');
  return {
    ok: false,
    message:
      `the task changed since ${tag} (${files}) but ${TASK_JSON} still says version ${shown(current)}: ` +
      `raise it (Patch for a fix, Minor for a feature), or agents keep running the cached ${shown(released)}`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = checkTaskVersion(process.argv[2] ?? process.cwd());
  console[result.ok ? 'log' : 'error'](`task version: ${result.message}`);
  process.exitCode = result.ok ? 0 : 1;
}
