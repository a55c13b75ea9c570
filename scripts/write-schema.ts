/**
 * Writes schema/keyvault-replication.schema.json from the schema the config parser uses (`npm run schema`), so that
 * editors complete and check the file people write against what the tool accepts; a test keeps the two equal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { CONFIG_SCHEMA } from '../src/engine/config/schema.ts';

export const SCHEMA_FILE = resolve(import.meta.dirname, '..', 'schema', 'keyvault-replication.schema.json');

/** The file's text: the parser's schema as JSON, laid out as prettier lays out the tree. */
export async function renderSchema(): Promise<string> {
  const options = (await resolveConfig(SCHEMA_FILE)) ?? {};
  return format(JSON.stringify(CONFIG_SCHEMA), { ...options, filepath: SCHEMA_FILE });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const text = await renderSchema();
  const before = (() => {
    try {
      return readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      return undefined;
    }
  })();
  if (before !== text) writeFileSync(SCHEMA_FILE, text);
  console.log(`${before === text ? 'unchanged' : 'wrote'} ${SCHEMA_FILE}`);
}
