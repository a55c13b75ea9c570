import { RECORD_STATUSES } from '../../engine/model.ts';
import type { RunReport } from '../../engine/report.ts';

/** What the Action and the task set from a report's totals: one count per status, and whether anything changed. */
export const STATUS_OUTPUTS = [...RECORD_STATUSES, 'changed'] as const;
export type StatusOutput = (typeof STATUS_OUTPUTS)[number];

/** The values of those outputs: `'0'` for a status no record has, `'true'` when a create, update or delete was made. */
export function statusOutputs(totals: RunReport['totals']): Record<StatusOutput, string> {
  const counts = RECORD_STATUSES.map((s) => [s, String(totals[s] ?? 0)]);
  const changed = (totals.create ?? 0) + (totals.update ?? 0) + (totals.delete ?? 0) > 0;
  return { ...Object.fromEntries(counts), changed: String(changed) } as Record<StatusOutput, string>;
}
