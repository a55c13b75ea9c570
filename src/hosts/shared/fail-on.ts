import { KvrError } from '../../engine/errors.ts';
import { RECORD_STATUSES, type RecordStatus } from '../../engine/model.ts';
import type { RunReport } from '../../engine/report.ts';

/** What fails a run: failed records and run errors (the default), those or any blocked record, or nothing. */
export const FAIL_ON = ['failed', 'blocked', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];
export const DEFAULT_FAIL_ON: FailOn = 'failed';

/** Records that need a person before the target can follow its source: every blocked_* status, and held_back. */
export type BlockedStatus = Extract<RecordStatus, `blocked_${string}` | 'held_back'>;
export const BLOCKED_STATUSES = RECORD_STATUSES.filter((s): s is BlockedStatus => s.startsWith('blocked_') || s === 'held_back');

/** The fail-on input as every host takes it; absent or blank is the default, anything else unknown is KVR008. */
export function parseFailOn(text: string | undefined, inputName: string): FailOn {
  const v = text?.trim().toLowerCase() || DEFAULT_FAIL_ON;
  if (!(FAIL_ON as readonly string[]).includes(v)) throw new KvrError('KVR008', `${inputName} must be ${FAIL_ON.join(', ')} or empty (${DEFAULT_FAIL_ON}), not ${JSON.stringify(text)}`);
  return v as FailOn;
}

/**
 * How a run ends on every host. `failed`: the run failed (Action setFailed, task Failed, CLI exit 1; exit 2 when it
 * stopped before any write). `issues`: it passes, yet something needs a look (task SucceededWithIssues). `ok`: clean.
 */
export interface RunOutcome {
  verdict: 'ok' | 'issues' | 'failed';
  exitCode: 0 | 1 | 2;
  /** One line per reason, for the failure message or the issues note; empty when ok. */
  message: string;
}

/**
 * The one exit rule of the three hosts. A run that stopped before any write (bad input, failed validation, unreadable
 * state: report exit code 2) always fails: `never` is about what happened to items, not a way to hide a broken setup.
 * Otherwise failures (failed records, run errors such as a pair that could not be listed) fail the run unless
 * fail-on is `never`, and blocked or held-back records fail it only under `blocked` (KVR043).
 */
export function runOutcome(report: RunReport, failOn: FailOn, where: string): RunOutcome {
  const errors = report.errors.map((e) => e.message);
  if (report.exitCode === 2) return { verdict: 'failed', exitCode: 2, message: errors.join('\n') || 'validation failed' };
  const failed = report.totals.failed ?? 0;
  const failures = [...errors, ...(failed ? [`${failed} record(s) failed; ${where} lists them, and the next run retries them`] : [])];
  const kinds = BLOCKED_STATUSES.filter((s) => report.totals[s]);
  const blocked = kinds.reduce((n, s) => n + report.totals[s]!, 0);
  const counts = kinds.map((s) => `${report.totals[s]} ${s}`).join(', ');
  if (failOn === 'blocked' && blocked) {
    return { verdict: 'failed', exitCode: 1, message: [...failures, `KVR043: ${blocked} record(s) are blocked or held back (${counts}) and fail-on is blocked; ${where} says why and what to do`].join('\n') };
  }
  if (failOn !== 'never' && failures.length) return { verdict: 'failed', exitCode: 1, message: failures.join('\n') };
  if (failures.length || blocked) return { verdict: 'issues', exitCode: 0, message: [...failures, ...(blocked ? [`${blocked} record(s) blocked or held back (${counts}); ${where} says why`] : [])].join('\n') };
  return { verdict: 'ok', exitCode: 0, message: '' };
}
