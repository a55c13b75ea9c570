import { globProblem } from '../../engine/config/globs.ts';
import { BUDGET_SHARE_RANGE, MAX_BUDGET_SHARE } from '../../engine/defaults.ts';
import { KvrError } from '../../engine/errors.ts';

/**
 * Items read or written at once per target pair, as every host takes it: a whole number 1-256, or undefined for the
 * default.
 */
export function parseConcurrency(text: string | undefined, inputName: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new KvrError('KVR008', `${inputName} must be a whole number from 1 to 256, not '${text}'`);
  return n;
}

/** The share of each vault's Key Vault budget a run takes, as every host takes it: (0, 0.95], or undefined. */
export function parseBudgetShare(text: string | undefined, inputName: string): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || !(n > 0) || n > MAX_BUDGET_SHARE)
    throw new KvrError(
      'KVR008',
      `${inputName} must be ${BUDGET_SHARE_RANGE} (the share of each vault's Key Vault budget this run takes), not '${text}'`,
    );
  return n;
}

/** CI runners mask line by line, so a multi-line value (a PEM) is registered one line at a time. */
export function registerSecretLines(value: string, register: (line: string) => void): void {
  for (const line of value.split(/\r?\n/)) if (line.trim()) register(line);
}

/** Names or globs of conflicting items to overwrite, as every host takes them; a glob that cannot match is KVR007. */
export function parseAcknowledge(items: string[], inputName: string): string[] {
  for (const glob of items) {
    const problem = globProblem(glob, { grants: true });
    if (problem) throw new KvrError('KVR007', `${inputName}: '${glob}' is not a usable glob: ${problem}`);
  }
  return items;
}
