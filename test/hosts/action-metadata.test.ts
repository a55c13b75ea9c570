import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { withActionReference } from '../../scripts/action-docs.ts';
import { DEFAULT_MAX_CONCURRENCY } from '../../src/engine/defaults.ts';
import { INPUTS, OUTPUTS } from '../../src/hosts/github/constants.ts';
import {
  DEFAULT_CONFIG_PATH,
  DEFAULT_RULE,
  DEFAULT_STATE_BRANCH,
  DEFAULT_TYPES,
} from '../../src/hosts/shared/defaults.ts';
import { DEFAULT_FAIL_ON } from '../../src/hosts/shared/fail-on.ts';

const action = parse(readFileSync(resolve(import.meta.dirname, '../../action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};

test('action.yml declares exactly the inputs the Action reads, and every output it sets', () => {
  expect(Object.keys(action.inputs).sort()).toEqual(Object.values(INPUTS).sort());
  const outputs = [OUTPUTS.counts, OUTPUTS.reportPath, OUTPUTS.correlationId, OUTPUTS.changed, ...OUTPUTS.statuses];
  expect(Object.keys(action.outputs).sort()).toEqual(outputs.sort());
  expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
});

test('action.yml shows the defaults the code applies', () => {
  const defaults = {
    [INPUTS.config]: DEFAULT_CONFIG_PATH,
    [INPUTS.types]: DEFAULT_TYPES,
    [INPUTS.rule]: DEFAULT_RULE,
    [INPUTS.stateBranch]: DEFAULT_STATE_BRANCH,
    [INPUTS.maxConcurrency]: String(DEFAULT_MAX_CONCURRENCY),
    [INPUTS.failOn]: DEFAULT_FAIL_ON,
  };
  expect(Object.fromEntries(Object.keys(defaults).map((name) => [name, action.inputs[name]!.default]))).toEqual(
    defaults,
  );
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
        if (step.with?.mode !== 'plan' && !file.includes('pr-preview'))
          expect([file, permissions.contents]).toEqual([file, 'write']);
      }
    }
  }
});
