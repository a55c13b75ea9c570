import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StateStore } from '../../engine/ports.ts';
import { EphemeralStateStore } from '../../state/ephemeral-state-store.ts';
import { GitStateStore } from '../../state/git-state-store.ts';
import type { StateSigning } from '../../state/state-codec.ts';
import { logSafeCore as core } from './log-safe-core.ts';

const git = promisify(execFile);

async function hasOrigin(dir: string): Promise<boolean> {
  try {
    await git('git', ['-C', dir, 'remote', 'get-url', 'origin']);
    return true;
  } catch {
    return false;
  }
}

/**
 * The state branch of this repository. With a checkout (actions/checkout keeps its credentials in the repository's
 * config) the store uses it; without one it clones nothing, but fetches and pushes the one branch with the token.
 */
export async function openStateStore(branch: string | undefined, token: string | undefined, signing: StateSigning, env: NodeJS.ProcessEnv): Promise<StateStore> {
  if (!branch) {
    core.warning('state-branch is empty: no state is kept, so flap protection, acknowledgements and incremental sync start afresh on every run.');
    return new EphemeralStateStore();
  }
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  if (await hasOrigin(workspace)) return new GitStateStore({ repository: workspace, branch, signing });
  const dir = await mkdtemp(join(tmpdir(), 'kvr-state-repo-'));
  await git('git', ['init', '--quiet', dir]);
  await git('git', ['-C', dir, 'remote', 'add', 'origin', `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}.git`]);
  const gitEnv: NodeJS.ProcessEnv = {};
  if (token) {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    core.setSecret(basic);
    Object.assign(gitEnv, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraheader', GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}` });
  }
  return new GitStateStore({ repository: dir, branch, env: gitEnv, signing });
}
