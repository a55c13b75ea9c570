import { KvrError } from '../engine/errors.ts';

/** A branch the state must never be written to, and why, for the message that refuses it. */
export interface GuardedBranch {
  name: string;
  why: string;
}

/**
 * Refused whatever the run knows: the default branch cannot always be known (a scheduled workflow's payload has no
 * repository, an Azure DevOps checkout has no origin/HEAD), and a rule that held on push but not on schedule would
 * let the same workflow write onto its default branch some nights.
 */
export const USUAL_DEFAULT_BRANCHES: readonly GuardedBranch[] = [
  { name: 'main', why: 'a usual default branch name' },
  { name: 'master', why: 'a usual default branch name' },
];

// What `git check-ref-format` refuses in any part of a ref: control characters, space, ~ ^ : ? * [ \, and DEL.
const FORBIDDEN_CHARACTERS = /[\x00-\x20~^:?*[\\\x7f]/;

/**
 * Why `name` is not a branch name the state may be kept on, or undefined. `git check-ref-format --branch` semantics
 * (HEAD and a leading dash included), reimplemented so the answer does not depend on a repository (`@{-1}`) or a git
 * on PATH; plus `refs/...`, which git would accept and turn into `refs/heads/refs/...`.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === 'HEAD') return 'HEAD is the checked-out commit, not a branch of its own';
  if (name.startsWith('-')) return 'a name starting with a dash reads as an option to git';
  if (name.startsWith('refs/'))
    return 'give the branch name alone: refs/heads/x would make a branch refs/heads/refs/heads/x';
  if (name === '@') return "'@' is git's shorthand for HEAD";
  if (FORBIDDEN_CHARACTERS.test(name))
    return 'git refuses spaces, control characters and ~ ^ : ? * [ \\ in a branch name';
  if (name.includes('..')) return "git refuses '..' in a branch name";
  if (name.includes('@{')) return "git refuses '@{' in a branch name";
  if (name.endsWith('.')) return 'git refuses a branch name ending with a dot';
  for (const part of name.split('/')) {
    if (!part) return 'git refuses a leading, trailing or double slash in a branch name';
    if (part.startsWith('.')) return 'git refuses a path part starting with a dot';
    if (part.endsWith('.lock')) return "git refuses a path part ending with '.lock'";
  }
  return undefined;
}

/** `refs/heads/x` and `x` are the branch x; any other ref (a pull request merge, a tag) is no branch. */
export function branchOfRef(ref: string | undefined): string | undefined {
  const r = ref?.trim();
  if (!r) return undefined;
  if (r.startsWith('refs/heads/')) return r.slice('refs/heads/'.length) || undefined;
  return r.startsWith('refs/') ? undefined : r;
}

/**
 * Throws KVR011 unless `name` is a valid branch name that is none of the guarded branches (nor main or master). Names
 * compare case-insensitively: Windows and macOS checkouts, and people reading a branch list, do not tell Main from
 * main.
 */
export function assertStateBranch(name: string, guarded: readonly GuardedBranch[], inputName: string): void {
  const shown = JSON.stringify(name);
  const problem = branchNameProblem(name);
  if (problem)
    throw new KvrError(
      'KVR011',
      `${inputName}: ${shown} is not allowed as the state branch: ${problem}. Use a branch of its own, such as the default keyvault-replication-state`,
    );
  const hit = [...guarded, ...USUAL_DEFAULT_BRANCHES].find((g) => g.name.toLowerCase() === name.toLowerCase());
  if (hit)
    throw new KvrError(
      'KVR011',
      `${inputName}: ${shown} is not allowed as the state branch: it is ${hit.why}, and the state files must never land on a branch people build from. Use a branch of its own, such as the default keyvault-replication-state`,
    );
}
