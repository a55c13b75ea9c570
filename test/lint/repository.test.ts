import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Issue 14: the repository carries its licence and everything its tests read (a clone needs no folder beside it).

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const REFERENCE = 'emulator/test/reference';

const sources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (name === 'node_modules' || path === REFERENCE) return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|mjs|js|sh)$/.test(name) ? [path] : [];
  });

test('LICENSE is MIT, held by the contributors, as package.json says', () => {
  const licence = read('LICENSE');
  expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} keyvault-replicate contributors\n/);
  expect(licence).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  expect((JSON.parse(read('package.json')) as { license: string }).license).toBe('MIT');
});

test("the tests' reference data is in the repository with Microsoft's MIT notice beside it", () => {
  expect(read(`${REFERENCE}/LICENSE`)).toMatch(/MIT License\s+Copyright \(c\) Microsoft Corporation\./);
  for (const folder of ['keyvault-recordings', 'keyvault-rest-api']) {
    expect(read(`${REFERENCE}/${folder}/README.md`)).toContain('License: MIT, Copyright (c) Microsoft Corporation');
    expect(readdirSync(join(ROOT, REFERENCE, folder)).length).toBeGreaterThan(1);
  }
  expect(existsSync(join(ROOT, REFERENCE, 'keyvault-rest-api/2025-07-01/secrets.json'))).toBe(true);
});

test('no code, test or script reads a folder beside the repository or an absolute path of this machine', () => {
  const outside = ['test', 'emulator', 'bench', 'scripts', 'src', 'demo']
    .flatMap(sources)
    .filter((path) => /['"`]shared['"`],\s*['"`]reference['"`]|\.\.\/shared\/reference|['"`]\/work\//.test(read(path)));
  expect(outside).toEqual([]);
});
