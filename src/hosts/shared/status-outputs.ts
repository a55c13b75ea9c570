import { RECORD_STATUSES } from '../../engine/model.ts';
import { hasChanges, type RunReport } from '../../engine/report.ts';

/** What the Action and the task set from a report's totals: one count per status, and whether anything changed. */
export const STATUS_OUTPUTS = [...RECORD_STATUSES, 'changed'] as const;
export type StatusOutput = (typeof STATUS_OUTPUTS)[number];

/**
 * The values of those outputs: `'0'` for a status no record has; `changed` is `'true'` when a create, update, delete
 * or disable was (or, in a plan, would be) made (hasChanges).
 */
export function statusOutputs(report: Pick<RunReport, 'totals' | 'pairs'>): Record<StatusOutput, string> {
  const counts = RECORD_STATUSES.map((s) => [s, String(report.totals[s] ?? 0)]);
  return { ...Object.fromEntries(counts), changed: String(hasChanges(report)) } as Record<StatusOutput, string>;
}
