import { readFileSync } from 'node:fs';

/**
 * This package's version, read from its package.json when asked (`--version`). The path is the same from src/ and lib/.
 * The CLI's bundle reads a copy made at build time: ncc copies the file a `new URL(…, import.meta.url)` names beside
 * the bundle (lib/cli/package.json, which the root's `"type": "module"` keeps an ES module marker), so the installed
 * package (`npm i -g`) prints the version it was built with; the release test checks it from `npm pack`.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
