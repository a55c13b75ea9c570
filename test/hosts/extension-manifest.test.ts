import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
// @ts-expect-error: a plain .mjs script, without types
import { icon, ICONS } from '../../scripts/make-icons.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(resolve(ROOT, path));
const manifest = JSON.parse(read('ado-task/vss-extension.json').toString()) as {
  version: string;
  icons: { default: string };
  content: { details: { path: string } };
  links: Record<string, { uri: string }>;
  repository: { uri: string };
  tags: string[];
  galleryFlags: string[];
};
const task = JSON.parse(read('ado-task/KeyVaultReplicateV1/task.json').toString()) as {
  version: { Major: number; Minor: number; Patch: number };
  helpUrl: string;
};
/** A PNG's width and height, from its IHDR chunk. */
const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

test("the extension's manifest has what the Marketplace shows: icon, overview, links, repository, tags", () => {
  expect(pngSize(read(`ado-task/${manifest.icons.default}`))).toEqual([128, 128]);
  expect(read(`ado-task/${manifest.content.details.path}`).toString()).toContain('- task: KeyVaultReplicate@1');
  expect(Object.keys(manifest.links).sort()).toEqual(['getstarted', 'home', 'learn', 'license', 'support']);
  expect(manifest.repository.uri).toBe(manifest.links.home!.uri);
  expect(task.helpUrl.startsWith(manifest.repository.uri)).toBe(true);
  expect(manifest.tags.length).toBeGreaterThan(0);
  expect(manifest.galleryFlags).toEqual(['Preview']);
});

test("the task's icon sits beside task.json, 32×32", () => {
  expect(pngSize(read('ado-task/KeyVaultReplicateV1/icon.png'))).toEqual([32, 32]);
});

test('the committed icons are what scripts/make-icons.mjs draws', () => {
  for (const [path, size] of Object.entries(ICONS as Record<string, number>))
    expect((icon(size) as Buffer).equals(read(path))).toBe(true);
});
