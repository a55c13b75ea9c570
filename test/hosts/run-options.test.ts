import { parseCliArgs, USAGE } from '../../src/hosts/cli/args.ts';
import { exitCodesHelp, FAIL_ON } from '../../src/hosts/shared/fail-on.ts';
import { branchesNamedIn } from '../../src/hosts/shared/guarded-branches.ts';
import { logListener, type HostLog } from '../../src/hosts/shared/host-pipeline.ts';
import {
  camelCase,
  CI_INPUTS,
  kebabCase,
  namesOf,
  optionsHelp,
  parseArgsOptions,
  readOptions,
  RUN_OPTIONS,
} from '../../src/hosts/shared/run-options.ts';

const FLAGS = namesOf(Object.keys(RUN_OPTIONS) as (keyof typeof RUN_OPTIONS)[], kebabCase);

test("--help lists every option every host has, and each of the CLI's own, with its value and default", () => {
  const listed = [...USAGE.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]);
  expect(listed).toEqual(expect.arrayContaining(Object.values(FLAGS)));
  expect(listed).toEqual(expect.arrayContaining(['state', 'subscription', 'json', 'report', 'quiet']));
  expect(USAGE).toContain('  --max-concurrency <n>    items read or written at once per target pair (default 16)\n');
  expect(USAGE).toContain(
    `  --fail-on <what>         ${FAIL_ON.join(' | ')}: what makes the exit code 1 (default failed)\n`,
  );
  expect(USAGE).toContain(exitCodesHelp('--fail-on'));
  // Every line fits a terminal; a long description goes on under its own column.
  for (const line of USAGE.split('\n')) expect(line.length).toBeLessThanOrEqual(116);
  expect(USAGE).toMatch(/--acknowledge <names> {4}overwrite .*\n {27}\S/);
});

test('a description wraps at word boundaries under its column; a flag shows no default', () => {
  const help = optionsHelp(
    { long: { description: `${'word '.repeat(30)}end`, read: () => 0 }, flag: RUN_OPTIONS.approveDeletes },
    { long: 'long', flag: 'approve-deletes' },
  );
  const [first, second, third] = help.split('\n');
  expect(first).toMatch(/^ {2}--long {19}word word/);
  expect(first!.length).toBeLessThanOrEqual(116);
  expect(second).toMatch(/^ {27}word/);
  expect(third).toBe('  --approve-deletes        let this run pass the mass-delete guard once');
});

test("names follow the host's convention, with its own exceptions", () => {
  expect(kebabCase('overwriteOnConflict')).toBe('overwrite-on-conflict');
  expect(namesOf(['config', 'failOn'], camelCase, { config: 'configFile' })).toEqual({
    config: 'configFile',
    failOn: 'failOn',
  });
  expect(CI_INPUTS).toEqual(expect.arrayContaining(['mode', 'source', 'stateKey', ...Object.keys(RUN_OPTIONS)]));
});

test('parseArgs takes a value for a valued option, a flag for a yes/no one, a list for a repeatable one', () => {
  expect(parseArgsOptions(RUN_OPTIONS, FLAGS)).toMatchObject({
    'max-concurrency': { type: 'string', multiple: false },
    'approve-deletes': { type: 'boolean', multiple: false },
    acknowledge: { type: 'string', multiple: true },
  });
  expect(parseCliArgs(['plan', '--acknowledge', 'a', '--acknowledge', 'b,c'], {}).acknowledge).toEqual(['a', 'b', 'c']);
});

test("every option is read by the host's name for it, its message naming that, and defaults when not given", () => {
  const given: Record<string, string> = { maxConcurrency: '4', only: 'secret/a', failOn: 'blocked' };
  const read = readOptions(RUN_OPTIONS, namesOf(Object.keys(RUN_OPTIONS) as (keyof typeof RUN_OPTIONS)[], camelCase), {
    text: (name) => given[name],
    flag: (name) => (name === 'approveDeletes' ? true : undefined),
  });
  expect(read).toEqual({
    config: { file: '.github/keyvault-replication.yml' },
    only: [{ type: 'secret', name: 'a' }],
    acknowledge: [],
    revoke: [],
    adoptState: false,
    replications: [],
    maxConcurrency: 4,
    approveDeletes: true,
    failOn: 'blocked',
  });
  given.maxConcurrency = '0';
  expect(() =>
    readOptions(RUN_OPTIONS, FLAGS, {
      text: (n) => given[n === 'max-concurrency' ? 'maxConcurrency' : n],
      flag: () => undefined,
    }),
  ).toThrow("KVR008: input 'max-concurrency' must be a whole number");
});

test('the branches a CI names in its variables are said with the variable, unset ones kept for the guard to skip', () => {
  const env: Record<string, string> = { GITHUB_REF: 'refs/heads/dev' };
  expect(
    branchesNamedIn({ GITHUB_REF: 'the branch this workflow runs on', GITHUB_HEAD_REF: 'the head' }, (n) => env[n]),
  ).toEqual([
    ['refs/heads/dev', 'the branch this workflow runs on (GITHUB_REF)'],
    [undefined, 'the head (GITHUB_HEAD_REF)'],
  ]);
});

test('where the log has groups, each pair is one group: its start opens it, its finish or the next pair closes it', () => {
  const lines: string[] = [];
  const log: HostLog = {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning ${m}`),
    error: (m, title) => lines.push(`error ${title}: ${m}`),
    groups: { start: (name) => lines.push(`group ${name}`), end: () => lines.push('end') },
  };
  const listen = logListener(log);
  listen({ kind: 'pair-started', message: 'a → b' });
  listen({ kind: 'written', message: 'secret/x create' });
  listen({ kind: 'failed', message: 'secret/y: 403', replication: 'a', target: 'b' });
  listen({ kind: 'pair-finished', message: 'a done' });
  listen({ kind: 'pair-started', message: 'a → c' });
  listen({ kind: 'pair-started', message: 'a → d' });
  listen({ kind: 'state-saved', message: 'saved' });
  expect(lines).toEqual([
    'group a → b',
    'secret/x create',
    'error Record failed in a → b: secret/y: 403',
    'end',
    'group a → c',
    'end',
    'group a → d',
    'saved',
  ]);
  // Without groups, a pair's start and finish are lines like any other.
  const plain: string[] = [];
  const listenPlain = logListener({ info: (m) => plain.push(m), warning: () => undefined, error: () => undefined });
  listenPlain({ kind: 'pair-started', message: 'a → b' });
  listenPlain({ kind: 'pair-finished', message: 'a done' });
  expect(plain).toEqual(['a → b', 'a done']);
});
