import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { USAGE } from '../../src/hosts/cli/args.ts';
import { run, type CliIo } from '../../src/hosts/cli/main.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** An io that keeps what the CLI prints; no terminal, no input. */
function io(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    env: {},
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

test('--version prints the version of package.json and exits 0, with or without a command', async () => {
  const { version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const argv of [['--version'], ['plan', '--version']]) {
    const cli = io();
    expect(await run(argv, cli)).toBe(0);
    expect(cli.out).toBe(`${version}\n`);
    expect(cli.err).toBe('');
  }
  expect(USAGE).toContain('keyvault-replicate --version');
});

/**
 * Every module main.ts loads before it knows what to run (the static imports, followed; `import type` loads nothing):
 * the closure the CLI's bundle evaluates for --help, --version and a wrong command line. Dynamic imports are not
 * followed: they are the chunks a run or `init` loads (ncc splits them off).
 */
function staticClosure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const s of source.statements) {
      const typeOnly =
        (ts.isImportDeclaration(s) && s.importClause?.isTypeOnly) || (ts.isExportDeclaration(s) && s.isTypeOnly);
      if (!(ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) || typeOnly || !s.moduleSpecifier) continue;
      const spec = (s.moduleSpecifier as ts.StringLiteral).text;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(resolve(ROOT, entry));
  return { files: [...files].map((f) => f.slice(ROOT.length + 1)), packages: [...packages] };
}

test("the CLI reads its command line before loading the run's modules (the Azure SDKs, the config parser, git)", () => {
  const { files, packages } = staticClosure('src/hosts/cli/main.ts');
  expect(files).toContain('src/hosts/cli/args.ts');
  expect(packages.filter((p) => !p.startsWith('node:'))).toEqual(['minimatch']);
  expect(files.filter((f) => /host-pipeline|init\.ts|src\/azure\/|src\/state\/file-|parse-config/.test(f))).toEqual([]);
});
