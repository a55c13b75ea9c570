/**
 * Third-party notices of an ncc bundle: every package whose code the bundle holds, found from the bundle's source maps
 * (each source under node_modules/ names the package it came from, nested copies included), with its name, version,
 * licence and licence text (the package's LICENSE file, else its package.json `license` field). Written beside the
 * bundle as licenses.txt by scripts/bundles.ts, so the notices are rebuilt with the bundle they describe.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';

export const NOTICES_FILE = 'licenses.txt';

/** A package bundled, by its folder under node_modules (relative to the repository root). */
export interface BundledPackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  readonly license: string;
  /** The licence file's text, or undefined when the package has none. */
  readonly text: string | undefined;
}

/**
 * The package folders (e.g. `node_modules/@actions/github/node_modules/@actions/http-client`) the source maps of a
 * bundle folder name: a source's last `node_modules/<name>` or `node_modules/@scope/<name>`.
 */
export function bundledPackageDirs(bundleDir: string): string[] {
  const dirs = new Set<string>();
  for (const file of readdirSync(bundleDir).filter((f) => f.endsWith('.js.map'))) {
    const { sources } = JSON.parse(readFileSync(join(bundleDir, file), 'utf8')) as { sources: string[] };
    for (const source of sources) {
      const path = posix.normalize(source.replace(/\\/g, '/'));
      const at = path.lastIndexOf('node_modules/');
      if (at < 0) continue;
      const [first, second] = path.slice(at + 'node_modules/'.length).split('/');
      const name = first!.startsWith('@') ? `${first}/${second}` : first!;
      dirs.add(`${path.slice(path.indexOf('node_modules/'), at)}node_modules/${name}`);
    }
  }
  return [...dirs].sort();
}

const LICENSE_FILE = /^(licen[cs]e|copying)([.-].*)?$/i;

function licenseOf(manifest: { license?: unknown; licenses?: unknown }): string {
  const { license, licenses } = manifest;
  if (typeof license === 'string') return license;
  if (license && typeof license === 'object' && 'type' in license) return String(license.type);
  if (Array.isArray(licenses)) return licenses.map((l: { type?: string }) => l.type ?? String(l)).join(' OR ');
  return 'UNKNOWN';
}

/** Name, version, licence and licence text of each package folder, read from `root`. */
export function readPackages(root: string, dirs: string[]): BundledPackage[] {
  return dirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: unknown;
      licenses?: unknown;
    };
    const file = readdirSync(join(root, dir))
      .filter((f) => LICENSE_FILE.test(f))
      .sort()[0];
    const text = file
      ? readFileSync(join(root, dir, file), 'utf8')
          .replace(/\r\n/g, '\n')
          .trim()
      : undefined;
    return { dir, name: manifest.name, version: manifest.version, license: licenseOf(manifest), text };
  });
}

const RULE = '-'.repeat(80);

/** The notices text: a header, then one section per package (sorted by name and version) headed `name@version`. */
export function renderNotices(bundle: string, packages: BundledPackage[]): string {
  const sorted = [...packages].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const unique = sorted.filter(
    (p, i) => i === 0 || p.name !== sorted[i - 1]!.name || p.version !== sorted[i - 1]!.version,
  );
  const sections = unique.map((p) =>
    [
      RULE,
      `${p.name}@${p.version}`,
      `License: ${p.license}`,
      '',
      p.text ?? `The package has no licence file; its package.json gives the licence as ${p.license}.`,
    ].join('\n'),
  );
  return [
    `Third-party software in ${bundle}: ${unique.length} packages, each with its licence.`,
    'Generated from the source maps of the bundle by scripts/notices.ts when the bundle is built.',
    '',
    ...sections,
    '',
  ].join('\n');
}

/** Writes `<bundleDir>/licenses.txt` for the bundle built there; returns how many packages it names. */
export function writeNotices(root: string, bundleDir: string): number {
  const packages = readPackages(root, bundledPackageDirs(join(root, bundleDir)));
  writeFileSync(join(root, bundleDir, NOTICES_FILE), renderNotices(bundleDir, packages));
  return packages.length;
}
