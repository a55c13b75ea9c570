import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StateStore } from '../../engine/ports.ts';
import { EphemeralStateStore } from '../../state/ephemeral-state-store.ts';
import { GitStateStore } from '../../state/git-state-store.ts';
import type { StateSigning } from '../../state/state-codec.ts';

const git = promisify(execFile);

/** A state store for one run, and what to remove when the run is over (whatever its end). */
export interface OpenedState {
  store: StateStore;
  close?(): Promise<void>;
}

export interface StateBranchOptions {
  /** None: no state is kept. */
  branch?: string;
  signing: StateSigning;
  /** The checkout; actions/checkout and the agent keep the credentials for its origin in its config. */
  repository: string;
  author?: { name: string; email: string };
  /**
   * Where the branch lives when `repository` has no origin (no checkout): a repository of its own is made in
   * `tempDir` (RUNNER_TEMP, Agent.TempDirectory), fetches and pushes with the token, and is removed at close.
   */
  remote?: { url: string; token?: string; tempDir: string };
  /** Registers a credential with the runner before git can print it. */
  mask(secret: string): void;
}

async function hasOrigin(dir: string): Promise<boolean> {
  try {
    await git('git', ['-C', dir, 'remote', 'get-url', 'origin']);
    return true;
  } catch {
    return false;
  }
}

/** The token as git's extra header, through the environment only: never in a config file or a command line. */
function tokenHeader(token: string | undefined, mask: (secret: string) => void): NodeJS.ProcessEnv {
  if (!token) return {};
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  mask(basic);
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraheader',
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
  };
}

/** The state branch of this repository, through its checkout, or without one through a repository of its own. */
export async function openStateBranch(o: StateBranchOptions): Promise<OpenedState> {
  if (!o.branch) return { store: new EphemeralStateStore() };
  const options = { branch: o.branch, signing: o.signing, ...(o.author ? { author: o.author } : {}) };
  if (!o.remote || (await hasOrigin(o.repository)))
    return { store: new GitStateStore({ repository: o.repository, ...options }) };
  const dir = await mkdtemp(join(o.remote.tempDir, 'kvr-state-repo-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    await git('git', ['init', '--quiet', dir]);
    await git('git', ['-C', dir, 'remote', 'add', 'origin', o.remote.url]);
    return {
      store: new GitStateStore({ repository: dir, ...options, env: tokenHeader(o.remote.token, o.mask) }),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
