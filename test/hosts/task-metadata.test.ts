import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_MAX_CONCURRENCY } from '../../src/engine/defaults.ts';
import { INPUTS, OUTPUTS } from '../../src/hosts/ado/constants.ts';
import { CI_INPUTS } from '../../src/hosts/shared/run-options.ts';
import { ciInputDefaults } from './ci-input-defaults.ts';
import {
  DEFAULT_CONFIG_PATH,
  DEFAULT_RULE,
  DEFAULT_STATE_BRANCH,
  DEFAULT_TYPES,
  RUN_MODES,
} from '../../src/hosts/shared/defaults.ts';
import { DEFAULT_FAIL_ON, FAIL_ON } from '../../src/hosts/shared/fail-on.ts';

const task = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../ado-task/KeyVaultReplicateV1/task.json'), 'utf8'),
) as {
  inputs: { name: string; defaultValue?: string; options?: Record<string, string> }[];
  outputVariables: { name: string }[];
  execution: Record<string, { target: string }>;
};
const input = (name: string) => task.inputs.find((i) => i.name === name)!;

test('task.json declares exactly the inputs the task reads, and every variable it sets', () => {
  expect(task.inputs.map((i) => i.name).sort()).toEqual(Object.values(INPUTS).sort());
  expect(task.outputVariables.map((v) => v.name).sort()).toEqual(Object.values(OUTPUTS).sort());
  expect(task.execution.Node24!.target).toBe('dist/index.js');
});

test('task.json shows the defaults and the choices the code applies', () => {
  const shown = Object.fromEntries(CI_INPUTS.map((key) => [key, input(INPUTS[key]).defaultValue || undefined]));
  expect(shown).toEqual(ciInputDefaults());
  expect(shown).toMatchObject({ config: DEFAULT_CONFIG_PATH, types: DEFAULT_TYPES, rule: DEFAULT_RULE });
  expect(shown).toMatchObject({ stateBranch: DEFAULT_STATE_BRANCH, failOn: DEFAULT_FAIL_ON });
  expect(shown.maxConcurrency).toBe(String(DEFAULT_MAX_CONCURRENCY));
  // Empty is automatic: plan for a pull request build, apply otherwise.
  expect(Object.keys(input(INPUTS.mode).options!).sort()).toEqual(['', ...RUN_MODES].sort());
  expect(Object.keys(input(INPUTS.failOn).options!).sort()).toEqual([...FAIL_ON].sort());
});
