import { readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { renderSchema, SCHEMA_FILE } from '../../scripts/write-schema.ts';
import { parseConfig } from '../../src/engine/config/parse-config.ts';
import { CONFIG_SCHEMA, CONFIG_SCHEMA_URL } from '../../src/engine/config/schema.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MODELINE = `# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}`;

const filesUnder = (dir: string, ext: RegExp): string[] =>
  readdirSync(resolve(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => relative(ROOT, resolve(e.parentPath, e.name)));

const isConfig = (text: string): boolean => {
  try {
    const doc = parse(text) as unknown;
    return typeof doc === 'object' && doc !== null && 'version' in doc && 'replications' in doc;
  } catch {
    return false;
  }
};

/** Every replication config people are shown: YAML files, and the YAML blocks of the README and docs. */
function exampleConfigs(): { where: string; text: string }[] {
  const found: { where: string; text: string }[] = [];
  const yamlFiles = ['.github/keyvault-replication.yml', ...filesUnder('examples', /\.ya?ml$/)];
  for (const file of yamlFiles) found.push({ where: file, text: readFileSync(resolve(ROOT, file), 'utf8') });
  const markdown = ['README.md', ...filesUnder('docs', /\.md$/), ...filesUnder('examples', /\.md$/)];
  for (const file of markdown) {
    const text = readFileSync(resolve(ROOT, file), 'utf8');
    for (const m of text.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)) {
      found.push({ where: `${file}:${text.slice(0, m.index).split('\n').length}`, text: m[1]! });
    }
  }
  return found.filter((c) => isConfig(c.text));
}

test('schema/keyvault-replication.schema.json is the schema the parser uses (npm run schema writes it)', async () => {
  const file = readFileSync(SCHEMA_FILE, 'utf8');
  expect(JSON.parse(file)).toEqual(CONFIG_SCHEMA);
  expect(file).toBe(await renderSchema());
});

test('the schema says where it is served from: this file, in this repository, at the major the examples use', () => {
  // The Action's own `uses:` in the README's first workflow: its repository and major.
  const uses = readFileSync(resolve(ROOT, 'README.md'), 'utf8').match(/uses: ([\w-]+\/keyvault-replicate)@(v\d+)/)!;
  const [, repo, major] = uses;
  expect(CONFIG_SCHEMA.$id).toBe(
    `https://raw.githubusercontent.com/${repo}/${major}/${relative(ROOT, SCHEMA_FILE).split('\\').join('/')}`,
  );
});

test('every example config names the schema for editors, and is valid against the schema file', () => {
  const configs = exampleConfigs();
  // The .github default config and the README's reference, at least: an empty list would prove nothing.
  expect(configs.map((c) => c.where)).toEqual(
    expect.arrayContaining(['.github/keyvault-replication.yml', expect.stringMatching(/^README\.md:/)]),
  );
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
  for (const { where, text } of configs) {
    expect([where, text.split('\n')[0]]).toEqual([where, MODELINE]);
    expect([where, validate(parse(text)), validate.errors]).toEqual([where, true, null]);
    expect(parseConfig(text, where).replications.length).toBeGreaterThan(0);
  }
});
