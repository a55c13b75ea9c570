import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { withActionReference } from '../../scripts/action-docs.ts';
import { DEFAULT_MAX_CONCURRENCY } from '../../src/engine/defaults.ts';
import { INPUTS as TASK_INPUTS } from '../../src/hosts/ado/constants.ts';
import { RECORD_STATUSES } from '../../src/engine/model.ts';
import { DEPRECATED_STATUS_OUTPUTS, STATUSES_AFTER_V1, INPUTS, OUTPUTS } from '../../src/hosts/github/constants.ts';
import { CI_INPUTS } from '../../src/hosts/shared/run-options.ts';
import { ciInputDefaults } from './ci-input-defaults.ts';
import {
  DEFAULT_CONFIG_PATH,
  DEFAULT_RULE,
  DEFAULT_STATE_BRANCH,
  DEFAULT_TYPES,
} from '../../src/hosts/shared/defaults.ts';
import { DEFAULT_FAIL_ON } from '../../src/hosts/shared/fail-on.ts';

const action = parse(readFileSync(resolve(import.meta.dirname, '../../action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
};

test('action.yml declares exactly the inputs the Action reads, and every output it sets', () => {
  expect(Object.keys(action.inputs).sort()).toEqual(Object.values(INPUTS).sort());
  const outputs = [OUTPUTS.counts, OUTPUTS.reportPath, OUTPUTS.correlationId, OUTPUTS.changed];
  outputs.push(...Object.values(OUTPUTS.statuses), ...DEPRECATED_STATUS_OUTPUTS);
  expect(Object.keys(action.outputs).sort()).toEqual(outputs.sort());
  expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
});

test('action.yml shows the defaults the code applies, for every input the task has too', () => {
  const shown = Object.fromEntries(CI_INPUTS.map((key) => [key, action.inputs[INPUTS[key]]!.default]));
  expect(shown).toEqual(ciInputDefaults());
  expect(shown).toMatchObject({ config: DEFAULT_CONFIG_PATH, types: DEFAULT_TYPES, rule: DEFAULT_RULE });
  expect(shown).toMatchObject({ stateBranch: DEFAULT_STATE_BRANCH, failOn: DEFAULT_FAIL_ON });
  expect(shown.maxConcurrency).toBe(String(DEFAULT_MAX_CONCURRENCY));
});

test('every status has its kebab-case output; the snake_case one stays, deprecated until v2', () => {
  const kebab = /^[a-z]+(-[a-z]+)*$/;
  for (const name of Object.keys(action.outputs).filter((k) => !DEPRECATED_STATUS_OUTPUTS.includes(k as never)))
    expect(name).toMatch(kebab);
  expect(OUTPUTS.statuses).toMatchObject({ in_sync: 'in-sync', blocked_target_conflict: 'blocked-target-conflict' });
  for (const status of RECORD_STATUSES) {
    const name = OUTPUTS.statuses[status];
    expect([status, name, action.outputs[name]?.description]).toEqual([
      status,
      status.replaceAll('_', '-'),
      `Number of records with status ${status}.`,
    ]);
    if (name === status || STATUSES_AFTER_V1.includes(status)) continue;
    expect(DEPRECATED_STATUS_OUTPUTS).toContain(status);
    expect(action.outputs[status]?.description).toBe(`Deprecated: use \`${name}\`; removed in v2.`);
  }
  expect(DEPRECATED_STATUS_OUTPUTS).toHaveLength(
    RECORD_STATUSES.filter((s) => s.includes('_') && !STATUSES_AFTER_V1.includes(s)).length,
  );
});

test('the Action names every input in kebab-case, the task in camelCase', () => {
  expect(INPUTS).toMatchObject({ maxConcurrency: 'max-concurrency', stateBranch: 'state-branch', config: 'config' });
  expect(TASK_INPUTS).toMatchObject({
    maxConcurrency: 'maxConcurrency',
    stateBranch: 'stateBranch',
    config: 'configFile',
  });
  expect(OUTPUTS).toMatchObject({ correlationId: 'correlation-id', reportPath: 'report-path', counts: 'counts' });
});

test('the README tables are the ones action.yml gives (npm run docs regenerates them)', () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
  expect(withActionReference(readme, readFileSync(resolve(import.meta.dirname, '../../action.yml'), 'utf8'))).toBe(
    readme,
  );
});

test('the example workflows pass only inputs the Action declares, and ask for the permissions they need', () => {
  const dir = resolve(import.meta.dirname, '../../examples/workflows');
  for (const file of readdirSync(dir)) {
    type Permissions = Record<string, string>;
    const wf = parse(readFileSync(resolve(dir, file), 'utf8')) as {
      permissions: Permissions;
      jobs: Record<string, { permissions?: Permissions; steps: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    for (const job of Object.values(wf.jobs)) {
      // A job's own permissions replace the workflow's.
      const permissions = job.permissions ?? wf.permissions;
      for (const step of job.steps.filter((s) => s.uses?.startsWith('keyvault-replicate/'))) {
        expect(permissions['id-token']).toBe('write');
        for (const key of Object.keys(step.with ?? {})) expect(Object.values(INPUTS)).toContain(key);
        if (step.with?.[INPUTS.alertAfterRuns]) expect([file, permissions.issues]).toEqual([file, 'write']);
        if (step.with?.mode !== 'plan' && !file.includes('pr-preview'))
          expect([file, permissions.contents]).toEqual([file, 'write']);
      }
    }
  }
});
