import { parseCliArgs } from '../../src/hosts/cli/args.ts';
import { parseBudgetShare, parseConcurrency, registerSecretLines } from '../../src/hosts/shared/host-inputs.ts';

test('concurrency is a whole number from 1 to 256 in every host; empty means the default', () => {
  expect(parseConcurrency('8', 'x')).toBe(8);
  expect(parseConcurrency('', 'x')).toBeUndefined();
  for (const bad of ['0', '257', '2.5', 'many'])
    expect(() => parseConcurrency(bad, "input 'max-concurrency'")).toThrow(
      `KVR008: input 'max-concurrency' must be a whole number from 1 to 256, not '${bad}'`,
    );
  expect(() => parseCliArgs(['plan', '--max-concurrency', '0'], {})).toThrow('KVR008: --max-concurrency must be');
});

test('a multi-line value is registered line by line, blank lines left out', () => {
  const lines: string[] = [];
  registerSecretLines('-----BEGIN KEY-----\r\nMIIabc\n\n-----END KEY-----', (l) => lines.push(l));
  expect(lines).toEqual(['-----BEGIN KEY-----', 'MIIabc', '-----END KEY-----']);
});

test('a budget share is a number more than 0 and at most 0.95 in every host; empty means the config or the default', () => {
  expect(parseBudgetShare('0.3', 'x')).toBe(0.3);
  expect(parseBudgetShare('0.95', 'x')).toBe(0.95);
  expect(parseBudgetShare(' ', 'x')).toBeUndefined();
  for (const bad of ['0', '-0.1', '0.951', '1', 'half', 'NaN', 'Infinity'])
    expect(() => parseBudgetShare(bad, "input 'budget-share'")).toThrow(
      `KVR008: input 'budget-share' must be a number more than 0 and at most 0.95 (the share of each vault's Key Vault budget this run takes), not '${bad}'`,
    );
  expect(parseCliArgs(['plan', '--budget-share', '0.25'], {}).budgetShare).toBe(0.25);
  expect(() => parseCliArgs(['plan', '--budget-share', '2'], {})).toThrow('KVR008: --budget-share must be');
});
