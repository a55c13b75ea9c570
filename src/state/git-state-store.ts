import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvrError } from '../engine/errors.ts';
import { stateKeyOf, type LoadedStates, type StateKey, type StateStore } from '../engine/ports.ts';
import { mergePairStates, type PairState } from '../engine/state.ts';
import {
  loadTrusted,
  parseStateText,
  readPairState,
  signedPairState,
  stateJson,
  verifiesState,
  type ReadState,
  type StateSigning,
} from './state-codec.ts';
import { branchNameProblem } from './state-branch.ts';

export interface GitStateStoreOptions {
  /**
   * A git repository whose `origin` (or the given remote) holds the state branch; its working tree is never touched.
   */
  repository: string;
  branch: string;
  remote?: string;
  /** Commit identity; the default is the Actions bot. */
  author?: { name: string; email: string };
  /** Extra environment for git (credentials through GIT_CONFIG_* for instance). */
  env?: NodeJS.ProcessEnv;
  /**
   * With a key, files are signed on save and a file that does not verify is not used as memory (`state-key`,
   * `adopt-state`).
   */
  signing?: StateSigning;
  /** Push attempts before giving up when other runs keep landing first. */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

const LOCAL_REF = 'refs/keyvault-replicate/state';
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** `<replication>/<target>.json`: replication names and vault names are both path-safe by the schema. */
export const stateFilePath = (k: StateKey): string => `${stateKeyOf(k)}.json`;

/**
 * Records on a git branch, one JSON file per replication and target, one commit per run. Works with git plumbing on a
 * private ref and a private index, so the checked-out branch, index and working tree of the repository stay as they
 * were. A rejected push (another run landed first) fetches, re-applies this run's files on top and pushes again, so
 * concurrent runs on different replications never lose each other's state.
 */
export class GitStateStore implements StateStore {
  readonly #o: Required<Omit<GitStateStoreOptions, 'env'>> & { env: NodeJS.ProcessEnv };
  readonly signs: boolean;

  constructor(options: GitStateStoreOptions) {
    // The hosts refuse a bad branch before any vault call; this keeps the store itself from ever pushing to one.
    const problem = branchNameProblem(options.branch);
    if (problem)
      throw new KvrError('KVR011', `state branch ${JSON.stringify(options.branch)} is not allowed: ${problem}`);
    this.#o = {
      remote: 'origin',
      attempts: 8,
      env: {},
      author: { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...options,
      signing: options.signing ?? {},
    };
    this.signs = verifiesState(this.#o.signing);
  }

  #git(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        'git',
        args,
        {
          cwd: this.#o.repository,
          maxBuffer: 256 * 1024 * 1024,
          env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...this.#o.env, ...env },
        },
        (error, stdout, stderr) => {
          if (error)
            reject(
              Object.assign(
                new Error(`git ${args[0]}: ${stderr.trim().split('\n').slice(-2).join(' ') || error.message}`),
                { stderr },
              ),
            );
          else resolve(stdout);
        },
      );
      if (input !== undefined) child.stdin!.end(input);
    });
  }

  /**
   * Fetches the branch into the private ref; false when the branch does not exist yet. ls-remote matches a pattern
   * against the end of each ref name, so `refs/heads/evil/refs/heads/<branch>` (anyone who can push can make it) also
   * answers; only a line naming this very ref counts, or such a decoy would make every run fetch a missing branch.
   */
  async #fetch(): Promise<boolean> {
    const ref = `refs/heads/${this.#o.branch}`;
    const heads = await this.#git(['ls-remote', '--heads', this.#o.remote, ref]);
    if (!heads.split('\n').some((line) => line.split('\t')[1] === ref)) {
      await this.#git(['update-ref', '-d', LOCAL_REF]).catch(() => undefined);
      return false;
    }
    await this.#git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.#o.remote, `+${ref}:${LOCAL_REF}`]);
    return true;
  }

  async #readFile(path: string): Promise<string | undefined> {
    try {
      return await this.#git(['cat-file', 'blob', `${LOCAL_REF}:${path}`]);
    } catch {
      return undefined;
    }
  }

  /** The pair's file as the branch has it now, checked as on load; none when missing or not trusted. */
  async #trusted(key: StateKey): Promise<ReadState & { text?: string }> {
    const path = stateFilePath(key);
    const text = await this.#readFile(path);
    if (text === undefined) return { problems: [] };
    const where = `state file ${path} on branch ${this.#o.branch}`;
    return { ...readPairState(parseStateText(text), key, this.#o.signing, where), text };
  }

  async load(keys: StateKey[]): Promise<LoadedStates> {
    try {
      if (!(await this.#fetch())) return { states: new Map(), problems: [] };
    } catch (e) {
      throw new KvrError('KVR050', `state branch ${this.#o.branch} cannot be fetched: ${(e as Error).message}`);
    }
    return loadTrusted(keys, (k) => this.#trusted(k));
  }

  async save(states: PairState[], correlationId: string): Promise<boolean> {
    const indexDir = await mkdtemp(join(tmpdir(), 'kvr-state-'));
    try {
      for (let attempt = 1; ; attempt++) {
        const exists = await this.#fetch();
        const commit = await this.#commit(states, correlationId, exists, join(indexDir, `index-${attempt}`));
        // Nothing changed (a no-op run): no commit, the branch stays where it is.
        if (commit === undefined) return false;
        try {
          await this.#git(['push', '--quiet', this.#o.remote, `${commit}:refs/heads/${this.#o.branch}`]);
          return true;
        } catch (e) {
          if (attempt >= this.#o.attempts) throw e;
          // Another run landed first: fetch its commit and put this run's files on top of it.
          await this.#o.sleep(200 * attempt + Math.floor(Math.random() * 300));
        }
      }
    } catch (e) {
      throw new KvrError(
        'KVR051',
        `state cannot be pushed to branch ${this.#o.branch}: ${(e as Error).message}. The workflow needs 'permissions: contents: write'.`,
      );
    } finally {
      await rm(indexDir, { recursive: true, force: true });
    }
  }

  /** The commit of this run's files on top of the branch; none when they are all as the branch has them. */
  async #commit(
    states: PairState[],
    correlationId: string,
    hasParent: boolean,
    indexFile: string,
  ): Promise<string | undefined> {
    const env = { GIT_INDEX_FILE: indexFile };
    await this.#git(['read-tree', hasParent ? `${LOCAL_REF}^{tree}` : EMPTY_TREE], undefined, env);
    for (const ours of states) {
      const path = stateFilePath(ours);
      // Only a trusted file is merged: records of a forged, foreign or unsigned file never reach a (signed) save.
      const current = hasParent ? await this.#trusted(ours) : { problems: [] };
      if (current.keep) continue;
      const text = stateJson(signedPairState(mergePairStates(ours, current.state, correlationId), this.#o.signing.key));
      if (text === current.text) continue;
      const blob = (await this.#git(['hash-object', '-w', '--stdin'], text)).trim();
      await this.#git(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], undefined, env);
    }
    const tree = (await this.#git(['write-tree'], undefined, env)).trim();
    if (hasParent && tree === (await this.#git(['rev-parse', `${LOCAL_REF}^{tree}`])).trim()) return undefined;
    const pairs = states.map((s) => `${s.replication} → ${s.target}`).join(', ');
    const message = `keyvault-replicate state: ${pairs}\n\nCorrelation-Id: ${correlationId}\n`;
    const { name, email } = this.#o.author;
    return (
      await this.#git(['commit-tree', tree, ...(hasParent ? ['-p', LOCAL_REF] : []), '-F', '-'], message, {
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: email,
        GIT_COMMITTER_NAME: name,
        GIT_COMMITTER_EMAIL: email,
      })
    ).trim();
  }
}
