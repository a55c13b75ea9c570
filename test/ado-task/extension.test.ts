import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');

test('tfx packs the extension: the task with its bundle and icon, the Marketplace icon and overview', () => {
  // As `npm run extension` does, into a folder of the test's own; the bundle is the one pretest built.
  const out = tempDir('kvr-vsix-');
  const tfx = resolve(ROOT, 'node_modules/.bin/tfx');
  const args = ['extension', 'create', '--root', 'ado-task', '--manifest-globs', 'vss-extension.json'];
  execFileSync(tfx, [...args, '--output-path', out, '--no-prompt'], { cwd: ROOT, stdio: 'pipe' });

  const [vsix, ...more] = readdirSync(out);
  expect(more).toEqual([]);
  const manifest = JSON.parse(readFileSync(resolve(ROOT, 'ado-task/vss-extension.json'), 'utf8')) as {
    version: string;
  };
  expect(vsix).toBe(`keyvault-replicate.keyvault-replicate-${manifest.version}.vsix`);
  // A zip names its entries uncompressed (local headers and central directory), so the names can be looked for.
  const zip = readFileSync(join(out, vsix!)).toString('latin1');
  expect(zip).toMatch(/(?<!\/)icon\.png/); // the Marketplace's, at the root
  for (const entry of [
    'overview.md',
    'extension.vsixmanifest',
    'KeyVaultReplicateV1/task.json',
    'KeyVaultReplicateV1/icon.png',
    'KeyVaultReplicateV1/dist/index.js',
  ])
    expect(zip).toContain(entry);
});
