import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { GuardedBranch } from './state-branch.ts';

const git = promisify(execFile);

async function symbolicRef(dir: string, ref: string): Promise<string | undefined> {
  try {
    const { stdout } = await git('git', ['-C', dir, 'symbolic-ref', '--quiet', ref], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a local checkout says about its branches, read without any network: the origin's default branch (clones record
 * it as refs/remotes/origin/HEAD; CI checkouts usually do not) and the checked-out branch (none when detached). Not a
 * repository, or neither known: nothing.
 */
export async function checkoutBranches(dir: string): Promise<GuardedBranch[]> {
  const [originHead, head] = await Promise.all([
    symbolicRef(dir, 'refs/remotes/origin/HEAD'),
    symbolicRef(dir, 'HEAD'),
  ]);
  const found: GuardedBranch[] = [];
  if (originHead?.startsWith('refs/remotes/origin/'))
    found.push({
      name: originHead.slice('refs/remotes/origin/'.length),
      why: "the repository's default branch (the checkout's origin/HEAD)",
    });
  if (head?.startsWith('refs/heads/'))
    found.push({ name: head.slice('refs/heads/'.length), why: 'the checked-out branch' });
  return found;
}
