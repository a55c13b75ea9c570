import { ITEM_NAME_PATTERN } from '../../engine/config/schema.ts';
import type { RunReport } from '../../engine/report.ts';
import { BLOCKED_STATUSES, type BlockedStatus } from './fail-on.ts';

/** What a person does about each blocked kind (exhaustive: a new blocked status must say what to do). */
const REMEDY: Record<BlockedStatus, string> = {
  blocked_target_conflict:
    'The target items differ and were not written by this tool: acknowledge them (acknowledge, --acknowledge in the CLI) to have them overwritten, or make them equal by hand.',
  blocked_target_soft_deleted:
    "The names are soft-deleted in the target: recover or purge them there (the vault's Manage deleted items blade).",
  blocked_cross_geography_key:
    'Key backups cannot cross Azure geographies: replicate these keys to a vault in the same geography.',
  blocked_cross_subscription_key:
    'Key backups cannot cross subscriptions: replicate these keys to a vault in the same subscription.',
  blocked_key_restore_conflict:
    'The target already holds these keys and the source has newer versions: set recreate_keys (purge protection off), or replace them by hand.',
  blocked_non_exportable_certificate:
    "The certificates' private keys are not exportable, so they cannot be copied: issue them in the target instead.",
  // The mass-delete guard holds these records back.
  held_back:
    'The mass-delete guard held these deletes and disables back: check the source, then, if they are meant, re-run once with approve-deletes (approveDeletes in Azure DevOps, --approve-deletes in the CLI).',
  held_back_plan_changed:
    'These records are not what the reviewed plan file said (the source or target changed since, or the plan did not have them), so they were not applied: plan again, review, and apply that plan.',
};

/**
 * A key is never overwritten: a restore refuses an existing name, and this tool deletes only a key it restored itself
 * (recreate_keys), so acknowledge and overwrite_on_conflict do nothing for a key in conflict.
 */
const KEY_CONFLICT =
  "Keys are never overwritten (acknowledge and overwrite_on_conflict do not apply to keys): delete and purge the target key by hand for the next run to restore the source's, or restore a backup of the source key there yourself.";

function remedy(status: BlockedStatus, records: readonly { type: string }[]): string {
  if (status !== 'blocked_target_conflict' || !records.some((r) => r.type === 'key')) return REMEDY[status];
  return records.every((r) => r.type === 'key')
    ? `The target keys differ and were not restored by this tool. ${KEY_CONFLICT}`
    : `${REMEDY[status]} ${KEY_CONFLICT}`;
}

const FIRST_NAMES = 5;
// Names come from the vaults: only what is plainly a Key Vault or replication name goes into an annotation as it is.
const PLAIN_ITEM = new RegExp(ITEM_NAME_PATTERN);
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,126}$/;
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const plain = (name: string) => (PLAIN_NAME.test(name) ? name : '(unprintable name)');

/** One warning per blocked kind per pair, for the Action's annotations, the task's issues and the CLI's stderr. */
export interface BlockedNotice {
  status: BlockedStatus;
  /** Short, with no ':' or ',' (GitHub escapes them in an annotation title). */
  title: string;
  message: string;
}

/**
 * The blocked and held-back records of a run, one notice per kind and pair: the pair, the count, the first names, and
 * where to look.
 */
export function blockedNotices(report: RunReport, where: string): BlockedNotice[] {
  const notices: BlockedNotice[] = [];
  for (const p of report.pairs) {
    const pair = `${plain(p.replication)} (${plain(p.source)} → ${plain(p.target)})`;
    for (const status of BLOCKED_STATUSES) {
      const records = p.records.filter((r) => r.status === status);
      if (!records.length) continue;
      const shown = records
        .filter((r) => PLAIN_ITEM.test(r.name))
        .slice(0, FIRST_NAMES)
        .map((r) => `${r.type}/${r.name}`);
      const more = records.length - shown.length;
      const names = `${shown.join(', ')}${more ? `${shown.length ? ' and ' : ''}${more} more` : ''}`;
      notices.push({
        status,
        title: `${status} in ${pair}`,
        message: `${records.length} record(s) ${status} in ${pair}: ${names}. ${remedy(status, records)} ${sentence(where)} lists each with its reason.`,
      });
    }
  }
  return notices;
}
