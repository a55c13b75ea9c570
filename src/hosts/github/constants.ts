import { RECORD_STATUSES } from '../../engine/model.ts';
import { CI_INPUTS, kebabCase, namesOf, RUN_OUTPUTS } from '../shared/run-options.ts';

/** Every input of action.yml: those the task has too, and who signs in, all in kebab-case (a test checks them). */
export const INPUTS = namesOf(
  [...CI_INPUTS, 'clientId', 'tenantId', 'subscriptionId', 'clientSecret', 'githubToken', 'commentOnPr', 'audience'],
  kebabCase,
);

/**
 * Every output of action.yml: those the task has too, in kebab-case, whether anything changed, and one count per
 * status, named in kebab-case like everything else the Action reads and sets (`in-sync` for status `in_sync`).
 */
export const OUTPUTS = {
  ...namesOf(RUN_OUTPUTS, kebabCase),
  changed: 'changed',
  statuses: namesOf(RECORD_STATUSES, (status) => status.replaceAll('_', '-')),
} as const;

/** Statuses v1.0 did not have: they never had a snake_case output, so they get none. */
export const STATUSES_AFTER_V1: readonly string[] = ['held_back_plan_changed'];

/**
 * The status counts as v1.0 named them (`in_sync`): still set beside the kebab-case ones, deprecated, removed in v2
 * (CHANGELOG). A status of one word (`create`) has one name only.
 */
export const DEPRECATED_STATUS_OUTPUTS = RECORD_STATUSES.filter(
  (status) => OUTPUTS.statuses[status] !== status && !STATUSES_AFTER_V1.includes(status),
);

/** Where a summary or comment cut to fit sends the reader for the whole report. */
export const WHOLE_REPORT = `the JSON report (output ${OUTPUTS.reportPath})`;

export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];
/** GitHub refuses a job summary over 1 MiB and a comment over 65,536 characters. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024;
export const COMMENT_LIMIT_CHARS = 65_000;
export const COMMENT_MARKER = '<!-- keyvault-replicate:preview';
