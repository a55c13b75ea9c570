import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { RunReport } from '../../src/engine/report.ts';
import { blockedNotices } from '../../src/hosts/shared/blocked-notices.ts';
import { runOutcome, type FailOn } from '../../src/hosts/shared/fail-on.ts';
import { GitStateStore } from '../../src/state/git-state-store.ts';
import { branchNameProblem } from '../../src/state/state-branch.ts';
import type { KeyVaultEmulator } from '../../emulator/server.ts';
import { runAction } from '../support/action-harness.ts';
import { ACTOR, startActionWorld } from '../support/action-world.ts';
import { git, GitFixture } from '../support/git-fixture.ts';
import { addVault, uniqueVault, Workspace } from '../support/replication-world.ts';
import type { Principal } from '../../emulator/identity.ts';
import { addServiceConnection, runTask as runTaskAs, type TaskRunOptions } from '../support/task-harness.ts';
import { tempDir } from '../support/temp-dir.ts';

// Issue 11, items 7 and 9: the state branch is checked before any vault call, and blocked or failed records are
// visible on every host, which end by one shared rule (fail-on).

const CONFIG_PATH = '.github/keyvault-replication.yml';

let emulator: KeyVaultEmulator;
let FEDERATED: Principal;
/** The task as the agent runs it, signed in as the federated service connection. */
const runTask = (
  e: KeyVaultEmulator,
  workspace: string,
  inputs: Record<string, string>,
  o: Partial<TaskRunOptions> = {},
) => runTaskAs(e, workspace, inputs, { as: FEDERATED, ...o });
beforeAll(async () => {
  emulator = await startActionWorld();
  FEDERATED = addServiceConnection(emulator);
});
afterAll(() => emulator.close());

const put = (vault: string, name: string, value: string) => emulator.invoke(vault, 'PUT', `secrets/${name}`, { value });
const config = (src: string, dst: string) =>
  stringify({
    version: 1,
    replications: [{ name: 'dr', source: src, targets: [dst], types: ['secrets'], rule: { all: true } }],
  });
const requestsTo = (...vaults: string[]) => vaults.reduce((n, v) => n + emulator.vault(v).counters.requests, 0);

/** A source and a target every host's identity can use. */
function pair() {
  const src = addVault(emulator, uniqueVault('hsrc'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('hdst'), 'westeurope');
  for (const v of [src, dst])
    emulator.vault(v).spec.roleAssignments!.push({ principalId: FEDERATED.objectId, role: 'Key Vault Administrator' });
  return { src, dst };
}

/** `secret x` on both sides, with different values, and no state: a conflict the tool must not overwrite. */
function conflict() {
  const { src, dst } = pair();
  put(src, 'x', 'source-value');
  put(dst, 'x', 'target-own-value');
  return { src, dst, git: new GitFixture({ [CONFIG_PATH]: config(src, dst) }) };
}

/** A new source secret whose every write to the target fails (503 after the SDK's retries). */
function failingWrite() {
  const { src, dst } = pair();
  put(src, 'y', 'value');
  emulator.setFaults(dst, { writeErrorRate: 1 });
  return { src, dst, git: new GitFixture({ [CONFIG_PATH]: config(src, dst) }) };
}

const lines = (text: string, pattern: RegExp) => text.split('\n').filter((l) => pattern.test(l));

/** A pair, a repository whose refs are remembered, and the counters reset: for the state-branch refusals. */
function branchWorld() {
  const { src, dst } = pair();
  put(src, 'z', 'value');
  const repo = new GitFixture({ [CONFIG_PATH]: config(src, dst) });
  const before = git(repo.remote, 'for-each-ref', '--format=%(refname) %(objectname)');
  emulator.resetCounters();
  return { src, dst, repo, before, tokens: emulator.identity.tokensIssued };
}

describe('the state branch rule', () => {
  // Names git itself refuses as branches must be refused; names it takes are taken, but for refs/... and '@' (which
  // git reads as HEAD in most commands), refused on purpose.
  const NAMES = [
    'keyvault-replication-state',
    'kv/state',
    'feature/x-1',
    'v1.2.3',
    'a@b',
    'lock.a',
    'ünïcode',
    'a.b',
    'HEAD',
    '-x',
    '--',
    '@',
    '@{-1}',
    'a@{1}',
    'a..b',
    'main~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    'a b',
    'a\tb',
    'a\x7f',
    '.a',
    'a/.b',
    'a.lock',
    'a/b.lock/c',
    'a.',
    '/a',
    'a/',
    'a//b',
    'refs/heads/main',
    'refs/x',
  ];
  const cwd = tempDir('kvr-not-a-repo-');
  const gitAccepts = (name: string) => {
    try {
      execFileSync('git', ['check-ref-format', '--branch', name], { cwd, stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };

  test.each(NAMES)('%j: refused exactly when git refuses it, or it is refs/... or @', (name) => {
    const ours = branchNameProblem(name) === undefined;
    const extra = name.startsWith('refs/') || name === '@';
    expect(ours).toBe(gitAccepts(name) && !extra);
  });

  test('the git state store itself refuses such a branch, whichever host opens it', () => {
    for (const branch of ['HEAD', '-x', 'refs/heads/main', 'main~1']) {
      expect(() => new GitStateStore({ repository: cwd, branch })).toThrow(expect.objectContaining({ code: 'KVR011' }));
    }
    expect(() => new GitStateStore({ repository: cwd, branch: 'keyvault-replication-state' })).not.toThrow();
  });

  test('a branch whose name only ends in refs/heads/<state branch> is not the state branch', async () => {
    const branch = 'keyvault-replication-state';
    const repo = new GitFixture({ 'README.md': 'x' });
    // Anyone who can push can make one; git ls-remote <pattern> also matches it, as it matches ref names by their end.
    git(repo.remote, 'branch', `evil/refs/heads/${branch}`, 'main');
    const key = { replication: 'dr', source: 'src-kv', target: 'dst-kv' };
    const store = () => new GitStateStore({ repository: repo.clone(), branch });
    await expect(store().load([key])).resolves.toEqual({ states: new Map(), problems: [] });
    await store().save(
      [{ version: 1, ...key, updatedAt: new Date(0).toISOString(), correlationId: 'c', records: {} }],
      'c',
    );
    expect((await store().load([key])).states.get('dr/dst-kv')).toMatchObject({ correlationId: 'c' });
    // The state landed on the branch itself; the decoy is left as it was.
    expect(git(repo.remote, 'rev-parse', `evil/refs/heads/${branch}`)).toBe(git(repo.remote, 'rev-parse', 'main'));
    expect(git(repo.remote, 'ls-tree', '--name-only', '-r', `refs/heads/${branch}`).trim()).toBe('dr/dst-kv.json');
  });
});

describe('the exit rule all three hosts share', () => {
  const report = (
    totals: RunReport['totals'],
    exitCode: RunReport['exitCode'] = 0,
    errors: RunReport['errors'] = [],
    warnings: RunReport['warnings'] = [],
  ): RunReport => ({
    tool: 'keyvault-replicate',
    mode: 'apply',
    correlationId: 'c',
    startedAt: '',
    finishedAt: '',
    exitCode,
    totals,
    errors,
    warnings,
    pairs: [],
  });
  const UNTRUSTED = report(
    { in_sync: 2 },
    0,
    [],
    [{ code: 'KVR053', message: 'KVR053: state file dr/kv-b.json has a signature that does not verify' }],
  );
  const GUARD_HOLD = report(
    { held_back: 1 },
    0,
    [],
    [{ code: 'KVR040', message: 'KVR040: dr → kv-b would make 3 deletes and disables' }],
  );
  const STOPPED = report({}, 2, [{ code: 'KVR022', message: 'KVR022: missing role' }]);
  const RUN_ERROR = report({ create: 1 }, 1, [{ code: 'KVR051', message: 'KVR051: state cannot be saved' }]);
  const CASES: [string, RunReport, Record<FailOn, [string, number]>][] = [
    ['a clean run', report({ create: 2, in_sync: 3 }), { failed: ['ok', 0], blocked: ['ok', 0], never: ['ok', 0] }],
    [
      'a blocked conflict',
      report({ blocked_target_conflict: 1 }),
      { failed: ['issues', 0], blocked: ['failed', 1], never: ['issues', 0] },
    ],
    [
      'a held-back record',
      report({ held_back: 3, in_sync: 1 }),
      { failed: ['issues', 0], blocked: ['failed', 1], never: ['issues', 0] },
    ],
    [
      'a failed record',
      report({ failed: 1, create: 1 }, 1),
      { failed: ['failed', 1], blocked: ['failed', 1], never: ['issues', 0] },
    ],
    ['a run error', RUN_ERROR, { failed: ['failed', 1], blocked: ['failed', 1], never: ['issues', 0] }],
    [
      'a run stopped before any write',
      STOPPED,
      { failed: ['failed', 2], blocked: ['failed', 2], never: ['failed', 2] },
    ],
    ['state that was not trusted', UNTRUSTED, { failed: ['issues', 0], blocked: ['failed', 1], never: ['issues', 0] }],
    [
      'a guard hold in a plan (its records count, not its warning)',
      GUARD_HOLD,
      { failed: ['issues', 0], blocked: ['failed', 1], never: ['issues', 0] },
    ],
  ];
  test.each(CASES)('%s', (_what, r, expected) => {
    for (const failOn of ['failed', 'blocked', 'never'] as const) {
      const o = runOutcome(r, failOn, 'the job summary');
      expect([failOn, o.verdict, o.exitCode]).toEqual([failOn, ...expected[failOn]]);
      expect(o.message.includes('KVR043')).toBe(
        failOn === 'blocked' && o.verdict === 'failed' && !r.totals.failed && !r.errors.length,
      );
      // What the hosts give out (outputs, JSON, summary) says the same: the exit code, and KVR043 when it failed the
      // run.
      expect(o.report.exitCode).toBe(o.exitCode);
      expect(o.report.errors).toEqual(
        o.message.includes('KVR043')
          ? [...r.errors, { code: 'KVR043', message: expect.stringMatching(/^KVR043: /) }]
          : r.errors,
      );
    }
  });

  test('state that was not trusted is named as such: an issue by default, KVR043 under fail-on blocked', () => {
    expect(runOutcome(UNTRUSTED, 'failed', 'the report').message).toBe(
      'the state was not fully trusted (1 KVR053); the report says why',
    );
    expect(runOutcome(UNTRUSTED, 'blocked', 'the report').message).toBe(
      'KVR043: the state was not fully trusted (1 KVR053) and fail-on is blocked; the report says why and what to do',
    );
    const both = runOutcome({ ...UNTRUSTED, totals: { blocked_target_conflict: 1 } }, 'blocked', 'the report');
    expect(both.message).toMatch(
      /^KVR043: 1 record\(s\) are blocked or held back \(1 blocked_target_conflict\) and the state was not fully trusted \(1 KVR053\) and fail-on is blocked/,
    );
  });

  test('a blocked notice names the pair, the kind, the count and the first names, and never a name from a vault that is not plainly one', () => {
    const names = [
      'evil\n::error::forged',
      'x%0A##vso[task.complete result=Succeeded;]',
      'a1',
      'a2',
      'a3',
      'a4',
      'a5',
      'a6',
    ];
    const r = report({ blocked_target_soft_deleted: names.length, blocked_target_conflict: 1 });
    r.pairs = [
      {
        replication: 'dr',
        source: 'src-kv',
        target: 'dst-kv',
        counts: r.totals,
        records: [
          ...names.map((name) => ({
            type: 'secret',
            name,
            status: 'blocked_target_soft_deleted' as const,
            reason: '',
          })),
          { type: 'key', name: 'k', status: 'blocked_target_conflict', reason: '' },
        ],
      },
    ];
    const notices = blockedNotices(r, 'the job summary');
    expect(notices.map((n) => n.title)).toEqual([
      'blocked_target_conflict in dr (src-kv → dst-kv)',
      'blocked_target_soft_deleted in dr (src-kv → dst-kv)',
    ]);
    expect(notices[1]!.message).toMatch(
      /^8 record\(s\) blocked_target_soft_deleted in dr \(src-kv → dst-kv\): secret\/a1, secret\/a2, secret\/a3, secret\/a4, secret\/a5 and 3 more\. The names are soft-deleted in the target: recover or purge .* The job summary lists each/,
    );
    for (const n of notices) expect(`${n.title}${n.message}`).not.toMatch(/evil|::error|##vso|%0A|\n/);
  });

  test("a key in conflict is never to be acknowledged, and held-back records are the mass-delete guard's, approved with approve-deletes", () => {
    const r = report({});
    const rec = (type: string, name: string, status: RunReport['pairs'][number]['records'][number]['status']) => ({
      type,
      name,
      status,
      reason: '',
    });
    r.pairs = [
      {
        replication: 'keys',
        source: 'src-kv',
        target: 'dst-kv',
        counts: {},
        records: [rec('key', 'k1', 'blocked_target_conflict'), rec('key', 'k2', 'blocked_target_conflict')],
      },
      {
        replication: 'mixed',
        source: 'src-kv',
        target: 'dst-kv',
        counts: {},
        records: [rec('secret', 's', 'blocked_target_conflict'), rec('key', 'k', 'blocked_target_conflict')],
      },
      {
        replication: 'secrets',
        source: 'src-kv',
        target: 'dst-kv',
        counts: {},
        records: [rec('secret', 's', 'blocked_target_conflict'), rec('secret', 'd', 'held_back')],
      },
    ];
    const [keys, mixed, secrets, held] = blockedNotices(r, 'the report').map((n) => n.message);
    const NEVER_OVERWRITTEN =
      /Keys are never overwritten \(acknowledge and overwrite_on_conflict do not apply to keys\): delete and purge the target key by hand/;
    expect(keys).toMatch(NEVER_OVERWRITTEN);
    expect(keys).not.toMatch(/acknowledge them/);
    expect(mixed).toMatch(/acknowledge them .* Keys are never overwritten/);
    expect(secrets).toMatch(/acknowledge them/);
    expect(secrets).not.toMatch(/[Kk]eys/);
    expect(held).toMatch(
      /^1 record\(s\) held_back in secrets .*: secret\/d\. The mass-delete guard held these deletes and disables back: .*approve-deletes .*--approve-deletes in the CLI/,
    );
    expect(held).not.toMatch(/reviewed plan/);
  });
});

describe('the Action', () => {
  test('a blocked conflict: one warning annotation naming the pair and kind, exit 0 by default, KVR043 under fail-on blocked', async () => {
    const { src, dst, git: repo } = conflict();
    const byDefault = await runAction(emulator, { workspace: repo.clone(), as: ACTOR });
    expect(byDefault.report?.totals).toEqual({ blocked_target_conflict: 1 });
    expect(byDefault.code).toBe(0);
    const warnings = lines(byDefault.stdout, /^::warning/);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::warning title=blocked_target_conflict in dr \\(${src} → ${dst}\\)::1 record\\(s\\) blocked_target_conflict in dr \\(${src} → ${dst}\\): secret/x\\. .*The job summary lists each`,
        ),
      ),
    ]);
    expect(lines(byDefault.stdout, /^::error/)).toEqual([]);

    const strict = await runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: { 'fail-on': 'blocked' } });
    expect(strict.code).toBe(1);
    expect(lines(strict.stdout, /^::warning/)).toHaveLength(1);
    expect(strict.stdout).toMatch(
      /^::error::KVR043: 1 record\(s\) are blocked or held back \(1 blocked_target_conflict\) and fail-on is blocked/m,
    );
    expect(strict.summary).toContain('blocked_target_conflict');
  });

  test('a failed write: one error annotation with a title per failure; the step fails by default, not under fail-on never', async () => {
    const { dst, git: repo } = failingWrite();
    // Side by side: each run waits out the SDK's retries of its write (seconds), and neither needs the other's state.
    const [never, byDefault] = await Promise.all([
      runAction(emulator, { workspace: repo.clone(), as: ACTOR, inputs: { 'fail-on': 'never' } }),
      runAction(emulator, { workspace: repo.clone(), as: ACTOR }),
    ]);
    expect(never.report?.totals).toEqual({ failed: 1 });
    expect(never.code).toBe(0);
    expect(lines(never.stdout, /^::error/)).toEqual([
      expect.stringMatching(new RegExp(`^::error title=Record failed in dr → ${dst}::KVR033 `)),
    ]);
    expect(byDefault.code).toBe(1);
    expect(byDefault.stdout).toMatch(/^::error::1 record\(s\) failed; the job summary lists them/m);
  });

  test('state-branch main: refused before sign-in; main on the remote is untouched, no vault is called', async () => {
    const { src, dst, repo, before, tokens } = branchWorld();
    // On another branch than main, so that only the rule for main itself can refuse it.
    const r = await runAction(emulator, {
      workspace: repo.clone(),
      as: ACTOR,
      inputs: { 'state-branch': 'main' },
      env: { GITHUB_REF: 'refs/heads/release' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error::KVR011: input 'state-branch': "main" is not allowed as the state branch/m);
    expect(git(repo.remote, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(before);
    expect(git(repo.remote, 'ls-tree', '-r', '--name-only', 'main').trim()).toBe(CONFIG_PATH);
    expect([requestsTo(src, dst), emulator.identity.tokensIssued - tokens]).toEqual([0, 0]);
  });
});

describe('the Azure DevOps task', () => {
  const issues = (stdout: string, type: 'warning' | 'error') =>
    lines(stdout, new RegExp(`^##vso\\[task\\.logissue type=${type};`));

  test('a blocked conflict: one warning issue naming the pair and kind, SucceededWithIssues by default, Failed with KVR043 under fail-on blocked', async () => {
    const { src, dst, git: repo } = conflict();
    const byDefault = await runTask(emulator, repo.clone(), { configFile: CONFIG_PATH });
    expect(byDefault.result).toBe('SucceededWithIssues');
    expect(issues(byDefault.stdout, 'warning')).toEqual([
      expect.stringContaining(`]1 record(s) blocked_target_conflict in dr (${src} → ${dst}): secret/x. `),
    ]);

    const strict = await runTask(emulator, repo.clone(), { configFile: CONFIG_PATH, failOn: 'blocked' });
    expect(strict.result).toBe('Failed');
    expect(issues(strict.stdout, 'warning')).toHaveLength(1);
    expect(strict.stdout).toMatch(
      /##vso\[task\.complete result=Failed;\]KVR043: 1 record\(s\) are blocked or held back/,
    );
  });

  test('a failed write: an error issue per failure; Failed by default, SucceededWithIssues under fail-on never', async () => {
    const { dst, git: repo } = failingWrite();
    // Side by side, as the Action's above.
    const [never, byDefault] = await Promise.all([
      runTask(emulator, repo.clone(), { configFile: CONFIG_PATH, failOn: 'never' }),
      runTask(emulator, repo.clone(), { configFile: CONFIG_PATH }),
    ]);
    expect(never.result).toBe('SucceededWithIssues');
    expect(issues(never.stdout, 'error')).toEqual([expect.stringMatching(/\]KVR033 /)]);
    expect(never.summary).toContain('failed');
    expect(byDefault.result).toBe('Failed');
    expect(JSON.parse(byDefault.variables.counts!)).toEqual({ failed: 1 });
    expect(emulator.vault(dst).secrets.live.size).toBe(0);
  });

  test('stateBranch main, or the branch being built: Failed with KVR011 before sign-in; main untouched, no vault called', async () => {
    const { src, dst, repo, before, tokens } = branchWorld();
    // Azure DevOps checks out a detached commit with no origin/HEAD: only the rule for main itself knows main.
    const ws = repo.clone();
    git(ws, 'checkout', '--quiet', '--detach');
    git(ws, 'remote', 'set-head', 'origin', '--delete');
    const main = await runTask(
      emulator,
      ws,
      { configFile: CONFIG_PATH, stateBranch: 'main' },
      { env: { BUILD_SOURCEBRANCH: 'refs/heads/release' } },
    );
    expect(main.result).toBe('Failed');
    expect(main.stdout).toContain(
      `input 'stateBranch': "main" is not allowed as the state branch: it is a usual default branch name`,
    );
    const built = await runTask(
      emulator,
      ws,
      { configFile: CONFIG_PATH, stateBranch: 'release' },
      { env: { BUILD_SOURCEBRANCH: 'refs/heads/release' } },
    );
    expect(built.result).toBe('Failed');
    expect(built.stdout).toMatch(
      /KVR011: input 'stateBranch': "release" .* it is the branch being built \(Build\.SourceBranch\)/,
    );
    const target = await runTask(
      emulator,
      ws,
      { configFile: CONFIG_PATH, stateBranch: 'develop' },
      {
        buildReason: 'PullRequest',
        env: { BUILD_SOURCEBRANCH: 'refs/pull/7/merge', SYSTEM_PULLREQUEST_TARGETBRANCH: 'develop' },
      },
    );
    expect(target.stdout).toMatch(/KVR011: .*"develop" .* it is the pull request's target branch/);
    expect(git(repo.remote, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(before);
    expect([requestsTo(src, dst), emulator.identity.tokensIssued - tokens]).toEqual([0, 0]);
  });
});

describe('the CLI', () => {
  test('blocked: a warning line naming the pair and kind, exit 0 by default and 1 with KVR043 under --fail-on blocked; a failure exits 0 only under never', async () => {
    const { src, dst } = conflict();
    const ws = new Workspace().writeConfig(config(src, dst));
    const byDefault = await ws.cli(['apply']);
    expect(byDefault.code).toBe(0);
    expect(lines(byDefault.stderr, /^warning: /)).toEqual([
      expect.stringContaining(`1 record(s) blocked_target_conflict in dr (${src} → ${dst}): secret/x. `),
    ]);
    const strict = await ws.cli(['apply', '--fail-on', 'blocked']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^KVR043: 1 record\(s\) are blocked or held back/m);
    // The JSON report says what the shell saw.
    const json = await ws.json(['apply', '--fail-on', 'blocked']);
    expect([json.code, json.report.exitCode]).toEqual([1, 1]);
    expect(json.report.errors).toEqual([
      { code: 'KVR043', message: expect.stringMatching(/^KVR043: 1 record\(s\) are blocked or held back/) },
    ]);

    const failing = failingWrite();
    // Side by side, each with its own state file: each run waits out the SDK's retries of its write.
    const apply = (args: string[]) =>
      new Workspace().writeConfig(config(failing.src, failing.dst)).cli(['apply', ...args]);
    const [never, failed] = await Promise.all([apply(['--fail-on', 'never']), apply([])]);
    expect(never.code).toBe(0);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('1 record(s) failed');
  });

  /** A state file whose entry for the pair is no state at all: the run warns KVR054 and works without that memory. */
  const untrustedState = (ws: Workspace, dst: string) =>
    writeFileSync(ws.statePath, JSON.stringify({ version: 1, pairs: { [`dr/${dst}`]: 'not a state' } }));

  test('--quiet hides progress only: warnings, a blocked notice and the failure still print', async () => {
    const { src, dst } = conflict();
    put(src, 'new', 'value');
    const ws = new Workspace().writeConfig(config(src, dst));
    untrustedState(ws, dst);

    const loud = await ws.cli(['plan']);
    const quiet = await ws.cli(['plan', '--quiet', '--fail-on', 'blocked']);

    expect(lines(loud.stderr, /^\[(pair-started|planned|pair-finished)\] /)).toHaveLength(3);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^\[warning\] KVR054: /),
      expect.stringMatching(/^warning: 1 record\(s\) blocked_target_conflict in dr /),
      expect.stringMatching(
        /^KVR043: 1 record\(s\) are blocked or held back \(1 blocked_target_conflict\) and the state was not fully trusted \(1 KVR054\) and fail-on is blocked/,
      ),
    ]);
  });

  test('state that was not trusted: exit 0 by default, 1 with KVR043 in the JSON report under --fail-on blocked', async () => {
    const { src, dst } = pair();
    put(src, 'same', 'value');
    put(dst, 'same', 'value');
    const ws = new Workspace().writeConfig(config(src, dst));
    untrustedState(ws, dst);

    const byDefault = await ws.json(['plan']);
    const strict = await ws.json(['plan', '--fail-on', 'blocked']);

    expect([byDefault.code, byDefault.report.exitCode, byDefault.report.errors]).toEqual([0, 0, []]);
    expect(byDefault.report.warnings.map((w) => w.code)).toEqual(['KVR054']);
    expect([strict.code, strict.report.exitCode]).toEqual([1, 1]);
    expect(strict.report.errors).toEqual([
      {
        code: 'KVR043',
        message: expect.stringMatching(/^KVR043: the state was not fully trusted \(1 KVR054\) and fail-on is blocked/),
      },
    ]);
  });
});
