import { RECORD_STATUSES } from '../../engine/model.ts';
import { CI_INPUTS, kebabCase, namesOf, RUN_OUTPUTS } from '../shared/run-options.ts';

/** Every input of action.yml: those the task has too, and who signs in, all in kebab-case (a test checks them). */
export const INPUTS = namesOf(
  [...CI_INPUTS, 'clientId', 'tenantId', 'subscriptionId', 'clientSecret', 'githubToken', 'commentOnPr'],
  kebabCase,
);

/**
 * Every output of action.yml: those the task has too, in kebab-case, whether anything changed, and one count per
 * status.
 */
export const OUTPUTS = { ...namesOf(RUN_OUTPUTS, kebabCase), changed: 'changed', statuses: RECORD_STATUSES } as const;

/** Where a summary or comment cut to fit sends the reader for the whole report. */
export const WHOLE_REPORT = `the JSON report (output ${OUTPUTS.reportPath})`;

export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];
/** GitHub refuses a job summary over 1 MiB and a comment over 65,536 characters. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024;
export const COMMENT_LIMIT_CHARS = 65_000;
export const COMMENT_MARKER = '<!-- keyvault-replicate:preview';
