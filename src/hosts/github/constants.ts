import type { CiInputNames } from '../shared/run-inputs.ts';
import { RECORD_STATUSES } from '../../engine/model.ts';

/** Every input of action.yml, by name (a test keeps the two in step, defaults included). */
export const INPUTS = {
  config: 'config',
  source: 'source',
  targets: 'targets',
  types: 'types',
  rule: 'rule',
  overwriteOnConflict: 'overwrite-on-conflict',
  propagateDeletes: 'propagate-deletes',
  mode: 'mode',
  only: 'only',
  acknowledge: 'acknowledge',
  revoke: 'revoke',
  replications: 'replications',
  approveDeletes: 'approve-deletes',
  clientId: 'client-id',
  tenantId: 'tenant-id',
  subscriptionId: 'subscription-id',
  clientSecret: 'client-secret',
  stateBranch: 'state-branch',
  stateKey: 'state-key',
  adoptState: 'adopt-state',
  githubToken: 'github-token',
  commentOnPr: 'comment-on-pr',
  maxConcurrency: 'max-concurrency',
  failOn: 'fail-on',
} as const satisfies CiInputNames & Record<string, string>;

/** Every output: one count per record status, plus these. */
export const OUTPUTS = {
  counts: 'counts',
  reportPath: 'report-path',
  correlationId: 'correlation-id',
  changed: 'changed',
  statuses: RECORD_STATUSES,
} as const;

export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];
/** GitHub refuses a job summary over 1 MiB and a comment over 65,536 characters. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024;
export const COMMENT_LIMIT_CHARS = 65_000;
export const COMMENT_MARKER = '<!-- keyvault-replicate:preview';
