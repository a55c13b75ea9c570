/**
 * Builds what the Action, task and CLI tests run: lib/ once (tsc), then the three ncc bundles from it side by side, the
 * Action's dist/, the task's dist/ and the CLI's lib/cli/ (what `npm pack` ships), each with its third-party notices
 * (licenses.txt, scripts/notices.ts). Nothing runs when neither the inputs nor the bundles changed since the last build
 * (a stamp in lib/ holds both hashes), so `npm test` never runs stale code and pays for a build only after a change.
 * `--force` builds whatever the stamp says. `npm pack` runs it first (prepack).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNotices } from './notices.ts';

const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const BUNDLES = ['dist', 'ado-task/KeyVaultReplicateV1/dist', 'lib/cli'];
const STAMP = 'lib/.bundles-stamp';

/** One hash over the paths and contents of every file under `paths` (sorted), missing paths included as such. */
function hashOf(paths: string[]): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (!existsSync(path)) {
      hash.update(`missing ${path}\0`);
      return;
    }
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    hash.update(`${path}\0`).update(readFileSync(path)).update('\0');
  };
  paths.forEach(visit);
  return hash.digest('hex');
}

const stampNow = () => `${hashOf(INPUTS)} ${hashOf(BUNDLES)}`;

function npmRun(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    spawn('npm', ['run', '--silent', script], { stdio: 'inherit' }).on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`npm run ${script} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

if (!process.argv.includes('--force') && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stampNow()) {
  console.log('bundles: up to date with src/');
} else {
  const started = Date.now();
  await npmRun('build');
  // ncc adds to its output folder: a chunk renamed by a build would stay beside the new one, and in the notices.
  for (const bundle of BUNDLES) rmSync(bundle, { recursive: true, force: true });
  await Promise.all(['ncc:action', 'ncc:ado', 'ncc:cli'].map(npmRun));
  for (const bundle of BUNDLES) writeNotices('.', bundle);
  writeFileSync(STAMP, stampNow());
  console.log(`bundles: built ${BUNDLES.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
