import { readFile } from 'node:fs/promises';
import { parseConfig } from '../../engine/config/parse-config.ts';
import type { AzureCloud } from '../../engine/clouds.ts';
import type { ReplicationConfig } from '../../engine/config/types.ts';
import { KvrError } from '../../engine/errors.ts';

/** Reads and validates a config file; a missing or unreadable file is KVR001, naming the path. */
export async function readConfigFile(path: string, cloud?: AzureCloud): Promise<ReplicationConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new KvrError(
      'KVR001',
      `${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  return parseConfig(text, path, cloud);
}
