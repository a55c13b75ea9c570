import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from './temp-dir.ts';

const IDENTITY = [
  '-c',
  'user.name=Test',
  '-c',
  'user.email=test@example.invalid',
  '-c',
  'init.defaultBranch=main',
  '-c',
  'protocol.file.allow=always',
];

export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', [...IDENTITY, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' },
  });

/** A bare "GitHub" remote and clones of it, as actions/checkout leaves them on a runner. */
export class GitFixture {
  readonly root = tempDir('kvr-git-');
  readonly remote = join(this.root, 'owner', 'repo.git');
  #clones = 0;

  constructor(files: Record<string, string>) {
    mkdirSync(this.remote, { recursive: true });
    git(this.remote, 'init', '--quiet', '--bare');
    const seed = this.clone();
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(seed, path)), { recursive: true });
      writeFileSync(join(seed, path), text);
    }
    git(seed, 'add', '.');
    git(seed, 'commit', '--quiet', '-m', 'config');
    git(seed, 'push', '--quiet', 'origin', 'HEAD:main');
  }

  /** A fresh workspace checkout of main (each concurrent job has its own). */
  clone(): string {
    const dir = join(this.root, `ws-${++this.#clones}`);
    git(this.root, 'clone', '--quiet', this.remote, dir);
    return dir;
  }

  /** Every version of every file ever committed on a branch of the remote, joined: for leak checks over history. */
  history(branch: string): string {
    return git(this.remote, 'log', '-p', '--format=%H %s%n%b', branch);
  }

  branchFile(branch: string, path: string): string {
    return git(this.remote, 'show', `${branch}:${path}`);
  }

  log(branch: string): string[] {
    return git(this.remote, 'log', '--format=%B%x00', branch)
      .split('\0')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}
