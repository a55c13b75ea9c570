import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let root: string | undefined;

/**
 * A new temporary folder under this test file's own root, which test/setup/temp-root.ts removes when the file's
 * tests end: `npm test` leaves nothing behind in the system's temp folder, whatever a test forgets.
 */
export function tempDir(prefix: string): string {
  root ??= mkdtempSync(join(tmpdir(), 'kvr-test-'));
  return mkdtempSync(join(root, prefix));
}

/** Removes every folder tempDir made in this test file. */
export function removeTempDirs(): void {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
}
