import type { CiInputNames } from '../shared/run-inputs.ts';

/** Every input of task.json, by name (a test keeps the two in step, defaults included). */
export const INPUTS = {
  azureSubscription: 'azureSubscription',
  config: 'configFile',
  source: 'source',
  targets: 'targets',
  types: 'types',
  rule: 'rule',
  overwriteOnConflict: 'overwriteOnConflict',
  propagateDeletes: 'propagateDeletes',
  mode: 'mode',
  only: 'only',
  acknowledge: 'acknowledge',
  revoke: 'revoke',
  replications: 'replications',
  approveDeletes: 'approveDeletes',
  stateBranch: 'stateBranch',
  stateKey: 'stateKey',
  adoptState: 'adoptState',
  maxConcurrency: 'maxConcurrency',
  failOn: 'failOn',
} as const satisfies CiInputNames & Record<string, string>;

/** Every output variable of task.json. */
export const OUTPUTS = { correlationId: 'correlationId', reportPath: 'reportPath', counts: 'counts' } as const;
