import { KvrError } from '../../engine/errors.ts';
import { RECORD_STATUSES, type RecordStatus } from '../../engine/model.ts';
import type { RunReport } from '../../engine/report.ts';
import type { StateProblem } from '../../engine/state.ts';

/** What fails a run: failed records and run errors (the default), those or any blocked record, or nothing. */
export const FAIL_ON = ['failed', 'blocked', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];
export const DEFAULT_FAIL_ON: FailOn = 'failed';

/** Records that need a person before the target can follow its source: every blocked_* and held_back* status. */
export type BlockedStatus = Extract<RecordStatus, `blocked_${string}` | `held_back${string}`>;
export const BLOCKED_STATUSES = RECORD_STATUSES.filter(
  (s): s is BlockedStatus => s.startsWith('blocked_') || s.startsWith('held_back'),
);

/** The fail-on input as every host takes it; absent or blank is the default, anything else unknown is KVR008. */
export function parseFailOn(text: string | undefined, inputName: string): FailOn {
  const v = text?.trim().toLowerCase() || DEFAULT_FAIL_ON;
  if (!(FAIL_ON as readonly string[]).includes(v))
    throw new KvrError(
      'KVR008',
      `${inputName} must be ${FAIL_ON.join(', ')} or empty (${DEFAULT_FAIL_ON}), not ${JSON.stringify(text)}`,
    );
  return v as FailOn;
}

/** What fail-on does to a command's exit code, for --help; `option` is the host's name of fail-on. */
export const exitCodesHelp = (option: string): string => `Exit codes:
  0  done; blocked or held-back records, and state not trusted (KVR052-KVR054), are warned on stderr and do not
     change it unless ${option} blocked
  1  ${option} failed (default): a record failed or the run hit an error (the other records were applied)
     ${option} blocked: that, or a record is blocked or held back, or the state was not trusted (KVR043)
     ${option} never: never
  2  bad input or failed validation: nothing was written (whatever ${option} says)`;

/**
 * Warnings that the state was not fully trusted: another pair's file (KVR052), a signature missing or wrong (KVR053),
 * invalid records dropped (KVR054). The run then works without that memory, which only makes it more careful, so it
 * is no failure by default; yet someone edited the state, or a key or a name changed, and that needs a person as much
 * as a blocked record does: an issue by default, a failure under fail-on blocked. An adopt-state run warns KVR053 as
 * well (it took the files on a person's word, not on their signature), so under fail-on blocked it fails too.
 */
export const STATE_WARNING_CODES: readonly StateProblem['code'][] = ['KVR052', 'KVR053', 'KVR054'];

/**
 * How a run ends on every host. `failed`: the run failed (Action setFailed, task Failed, CLI exit 1; exit 2 when it
 * stopped before any write). `issues`: it passes, yet something needs a look (task SucceededWithIssues). `ok`: clean.
 */
export interface RunOutcome {
  verdict: 'ok' | 'issues' | 'failed';
  exitCode: 0 | 1 | 2;
  /** One line per reason, for the failure message or the issues note; empty when ok. */
  message: string;
  /**
   * The report as every host gives it out (outputs, JSON, summary): its exit code is this one, and when fail-on
   * blocked is what failed the run, its errors say so (KVR043), so that the JSON never reads exit 1 with no error.
   */
  report: RunReport;
}

const tally = (counts: [string, number][]) => counts.map(([what, n]) => `${n} ${what}`).join(', ');

/**
 * The one exit rule of the three hosts. A run that stopped before any write (bad input, failed validation, unreadable
 * state: report exit code 2) always fails: `never` is about what happened to items, not a way to hide a broken setup.
 * Otherwise failures (failed records, run errors such as a pair that could not be listed) fail the run unless
 * fail-on is `never`, and blocked or held-back records, or state that was not trusted, fail it only under `blocked`
 * (KVR043); otherwise they make it pass with issues.
 */
export function runOutcome(report: RunReport, failOn: FailOn, where: string): RunOutcome {
  const ending = (
    verdict: RunOutcome['verdict'],
    exitCode: RunOutcome['exitCode'],
    message: string,
    errors = report.errors,
  ): RunOutcome => ({ verdict, exitCode, message, report: { ...report, exitCode, errors } });
  const errors = report.errors.map((e) => e.message);
  if (report.exitCode === 2) return ending('failed', 2, errors.join('\n') || 'validation failed');
  const failed = report.totals.failed ?? 0;
  const failures = [
    ...errors,
    ...(failed ? [`${failed} record(s) failed; ${where} lists them, and the next run retries them`] : []),
  ];
  const blockedKinds: [string, number][] = BLOCKED_STATUSES.filter((s) => report.totals[s]).map((s) => [
    s,
    report.totals[s]!,
  ]);
  const blocked = blockedKinds.reduce((n, [, count]) => n + count, 0);
  const stateCodes = STATE_WARNING_CODES.map((code): [string, number] => [
    code,
    (report.warnings ?? []).filter((w) => w.code === code).length,
  ]).filter(([, n]) => n);
  const needsPerson = [
    ...(blocked ? [`${blocked} record(s) are blocked or held back (${tally(blockedKinds)})`] : []),
    ...(stateCodes.length ? [`the state was not fully trusted (${tally(stateCodes)})`] : []),
  ];
  if (failOn === 'blocked' && needsPerson.length) {
    const kvr043 = {
      code: 'KVR043',
      message: `KVR043: ${needsPerson.join(' and ')} and fail-on is blocked; ${where} says why and what to do`,
    };
    return ending('failed', 1, [...failures, kvr043.message].join('\n'), [...report.errors, kvr043]);
  }
  if (failOn !== 'never' && failures.length) return ending('failed', 1, failures.join('\n'));
  if (failures.length || needsPerson.length)
    return ending('issues', 0, [...failures, ...needsPerson.map((n) => `${n}; ${where} says why`)].join('\n'));
  return ending('ok', 0, '');
}
