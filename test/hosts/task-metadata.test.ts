import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RECORD_STATUSES } from '../../src/engine/model.ts';
import { DEFAULT_MAX_CONCURRENCY } from '../../src/engine/defaults.ts';
import { INPUTS, OUTPUTS } from '../../src/hosts/ado/constants.ts';
import { camelCase, CI_INPUTS } from '../../src/hosts/shared/run-options.ts';
import { ciInputDefaults } from './ci-input-defaults.ts';
import {
  DEFAULT_CONFIG_PATH,
  DEFAULT_RULE,
  DEFAULT_STATE_BRANCH,
  DEFAULT_TYPES,
  RUN_MODES,
} from '../../src/hosts/shared/defaults.ts';
import { DEFAULT_FAIL_ON, FAIL_ON } from '../../src/hosts/shared/fail-on.ts';

const json = (path: string): unknown => JSON.parse(readFileSync(resolve(import.meta.dirname, '../..', path), 'utf8'));
const task = json('ado-task/KeyVaultReplicateV1/task.json') as {
  inputs: { name: string; defaultValue?: string; options?: Record<string, string>; groupName?: string }[];
  groups: { name: string }[];
  outputVariables: { name: string }[];
  execution: Record<string, { target: string }>;
  minimumAgentVersion: string;
};
const input = (name: string) => task.inputs.find((i) => i.name === name)!;

test('task.json declares exactly the inputs the task reads, and every variable it sets', () => {
  expect(task.inputs.map((i) => i.name).sort()).toEqual(Object.values(INPUTS).sort());
  expect(task.outputVariables.map((v) => v.name).sort()).toEqual(Object.values(OUTPUTS).sort());
});

test("task.json is valid by Microsoft's task schema (ado-task/schema)", () => {
  // The schema is draft-04: its `id` is draft-07's `$id`, and its patterns are plain (not unicode) regular expressions.
  const { $schema: _, id, ...schema } = json('ado-task/schema/tasks.schema.json') as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  const validate = ajv.compile({ ...schema, $id: id as string });
  validate(task);
  expect(validate.errors ?? []).toEqual([]);
  // The schema does not check that a group named is a group.
  const groups = task.groups.map((g) => g.name);
  for (const i of task.inputs) if (i.groupName) expect(groups).toContain(i.groupName);
});

test('the task runs on the Node20_1 handler too, from the first agent that has it', () => {
  // Both run the one bundle; the agent picks the highest it has. 3.232.1 is the first agent with Node20_1 (4.265.1 the
  // first with Node24): microsoft/azure-pipelines-tasks docs/migrateNode24.md, "Specify minimumAgentVersion".
  expect(task.execution).toEqual({
    Node20_1: { target: 'dist/index.js', argumentFormat: '' },
    Node24: { target: 'dist/index.js', argumentFormat: '' },
  });
  expect(task.minimumAgentVersion).toBe('3.232.1');
});

test('task.json has an output variable per record status, as the Action has an output', () => {
  const variables = task.outputVariables.map((v) => v.name);
  expect(variables).toEqual(expect.arrayContaining([...RECORD_STATUSES.map(camelCase), 'changed']));
  expect(variables).toEqual(expect.arrayContaining(['inSync', 'blockedTargetConflict', 'heldBack']));
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
