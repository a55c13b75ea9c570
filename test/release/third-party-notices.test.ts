import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Each bundle's licenses.txt names every package the bundle holds, at the version bundled, with a licence and its
 * text. What the bundle holds is read here on its own from the bundle's source maps (webpack lists every module it
 * took, by its path under node_modules), not from the script that wrote the notices.
 */
const BUNDLES = ['dist', 'ado-task/KeyVaultReplicateV1/dist', 'lib/cli'];

/** `name@version` of every package a source map names: the folder after a source's last node_modules/. */
function bundled(bundleDir: string): Set<string> {
  const found = new Set<string>();
  for (const map of readdirSync(bundleDir).filter((f) => f.endsWith('.js.map'))) {
    for (const source of (JSON.parse(readFileSync(join(bundleDir, map), 'utf8')) as { sources: string[] }).sources) {
      const m = /(node_modules\/(?:.*\/node_modules\/)?((?:@[^/]+\/)?[^/]+))\//.exec(source);
      if (!m) continue;
      // ncc's source paths start from no fixed folder (`.././node_modules/…`, or through a symlinked node_modules
      // `../../<its real parent>/node_modules/…`): from the first node_modules/ on they are the repository's.
      const manifest = join(m[1]!, 'package.json');
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
      found.add(`${m[2]}@${version}`);
    }
  }
  return found;
}

/** The notices' sections: a rule, `name@version`, `License: …`, a blank line, the licence text. */
function notices(bundleDir: string): Map<string, { license: string; text: string }> {
  const text = readFileSync(join(bundleDir, 'licenses.txt'), 'utf8');
  const sections = text.split(/^-{80}\n/m).slice(1);
  return new Map(
    sections.map((s) => {
      const [id, license, blank, ...rest] = s.split('\n');
      expect(blank).toBe('');
      return [id!, { license: license!.replace(/^License: /, ''), text: rest.join('\n').trim() }];
    }),
  );
}

describe.each(BUNDLES)('the notices of %s', (bundleDir) => {
  test('name every bundled package at its version, with a licence and its text, and nothing else', () => {
    expect(existsSync(join(bundleDir, 'index.js.map'))).toBe(true);
    const packages = bundled(bundleDir);
    // The bundles hold the Azure SDK and its dependencies: a map that lost its sources would pass with none.
    expect(packages.size).toBeGreaterThan(40);
    expect([...packages].some((p) => p.startsWith('@azure/identity@'))).toBe(true);
    const listed = notices(bundleDir);
    expect([...listed.keys()].sort()).toEqual([...packages].sort());
    for (const [id, { license, text }] of listed) {
      expect({ id, license }).toEqual({ id, license: expect.stringMatching(/^(?!UNKNOWN$)\S/) });
      expect({ id, length: text.length > 20 }).toEqual({ id, length: true });
    }
  });
});
