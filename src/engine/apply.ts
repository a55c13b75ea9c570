import pLimit from 'p-limit';
import { classifyFailure } from './classify.ts';
import { recordKey, type ItemSnapshot, type ReplicationRecord } from './model.ts';
import type { PairPlan } from './plan.ts';

export interface ApplyEvents {
  written(plan: PairPlan, record: ReplicationRecord): void;
  failed(plan: PairPlan, record: ReplicationRecord, message: string): void;
}

/** Writes each actionable record of a plan, with bounded concurrency; one record's failure never stops the others. */
export async function applyPlan(plan: PairPlan, concurrency: number, mask: (v: string) => void, events: ApplyEvents): Promise<void> {
  const limit = pLimit(Math.max(1, concurrency));
  await Promise.all(plan.records.map((r, i) => r.action === 'none' ? undefined : limit(async () => {
    try {
      plan.records[i] = { ...r, target: await applyRecord(plan, r, mask) };
      events.written(plan, plan.records[i]!);
    } catch (e) {
      const { code, message } = classifyFailure(e, plan.target.info.name, `${r.type}/${r.name}`);
      const softDeleted = code === 'KVR032';
      plan.records[i] = { ...r, status: softDeleted ? 'blocked_target_soft_deleted' : 'failed', action: 'none', errorCode: code, reason: message };
      events.failed(plan, plan.records[i]!, message);
    } finally {
      plan.values.delete(recordKey(r.type, r.name));
    }
  })));
}

async function applyRecord(plan: PairPlan, r: ReplicationRecord, mask: (v: string) => void): Promise<ItemSnapshot | undefined> {
  const { source, target } = plan;
  if (r.action === 'delete') {
    await target.deleteItem(r.type, r.name);
    return undefined;
  }
  if (r.action === 'disable') return target.setEnabled(r.type, r.name, false);
  const from = r.source!;
  if (r.type === 'secret') {
    let value = plan.values.get(recordKey(r.type, r.name));
    if (value === undefined) {
      value = (await source.readSecret(r.name)).value;
      mask(value);
    }
    return target.writeSecret(r.name, value, from);
  }
  if (r.type === 'certificate') {
    const exported = await source.exportCertificate(r.name);
    mask(exported.value);
    return target.importCertificate(r.name, exported, from);
  }
  if (r.status === 'update') await recreateKey(plan, r.name);
  return target.restoreKey(await source.backupKey(r.name));
}

/** recreate_keys: a restore refuses an existing name, so the old key is deleted and purged first. */
async function recreateKey(plan: PairPlan, name: string): Promise<void> {
  await plan.target.deleteItem('key', name);
  await plan.target.purgeDeletedItem('key', name);
}
