import { parseCliArgs } from '../../src/hosts/cli/args.ts';
import { parseConcurrency, registerSecretLines } from '../../src/hosts/shared/host-inputs.ts';

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
