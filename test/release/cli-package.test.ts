import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../support/temp-dir.ts';

const run = promisify(execFile);

/**
 * `npm pack` of this repository installs into an empty folder with no registry and no npm cache (a registry that
 * refuses every connection, --offline, a new cache) and runs `keyvault-replicate --help` from node_modules/.bin: the
 * CLI is one bundle with no runtime dependencies; `--version` and a run (the chunks it loads) work from there too.
 * `prepack` builds it (scripts/bundles.ts: nothing when up to date).
 */
test('npm pack gives a package that installs offline with no dependencies and runs keyvault-replicate --help', async () => {
  const packDir = tempDir('pack-');
  const installDir = tempDir('install-');
  // This Node first on PATH: the bin's `#!/usr/bin/env node` and npm's scripts run the Node the tests run.
  const env = {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_cache: join(installDir, '.npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', packDir], { env, maxBuffer: 1 << 24 });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const files = packed!.files.map((f) => f.path).sort();
  expect(files).toEqual(expect.arrayContaining(['lib/cli/index.js', 'lib/cli/licenses.txt', 'package.json']));
  expect(files).toContain('README.md');
  // Only the bundle and the package's documents: no sources, no tsc output, no tests, no Action or task bundles.
  expect(files.filter((f) => !/^(lib\/cli\/|[A-Z]+(\.md)?$|package\.json$)/.test(f))).toEqual([]);

  writeFileSync(join(installDir, 'package.json'), '{ "name": "clean-machine", "private": true }\n');
  await run('npm', ['install', '--offline', '--no-package-lock', join(packDir, packed!.filename)], {
    cwd: installDir,
    env,
  });
  const installed = JSON.parse(
    readFileSync(join(installDir, 'node_modules/keyvault-replicate/package.json'), 'utf8'),
  ) as Record<string, unknown>;
  expect(installed.dependencies).toBeUndefined();
  expect(installed.bin).toEqual({ 'keyvault-replicate': 'lib/cli/index.js' });

  const help = await run(join(installDir, 'node_modules/.bin/keyvault-replicate'), ['--help'], {
    cwd: installDir,
    env,
  });
  expect(help.stdout).toMatch(/^Usage: keyvault-replicate <plan\|apply\|validate> \[options\]/);
  expect(help.stdout).toContain('--config <file>');

  // The version the package was built with; a run loads the chunks ncc split off (the pipeline, the config parser).
  const bin = join(installDir, 'node_modules/.bin/keyvault-replicate');
  const { stdout: version } = await run(bin, ['--version'], { cwd: installDir, env });
  expect(version).toBe(`${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`);
  const missing = await run(bin, ['validate', '--config', 'missing.yml'], { cwd: installDir, env }).catch((e) => e);
  expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/^KVR001: missing\.yml: no such file$/m) });
}, 120000);
