import pLimit from 'p-limit';
import { classifyFailure } from './classify.ts';
import { attributeDifferences } from './compare.ts';
import { KvrError } from './errors.ts';
import { recordKey, type ItemSnapshot, type ReplicationRecord } from './model.ts';
import { readValue, type PairPlan, type SourceRead } from './plan.ts';

export interface ApplyEvents {
  written(plan: PairPlan, record: ReplicationRecord): void;
  failed(plan: PairPlan, record: ReplicationRecord, message: string): void;
}

export interface ApplyOptions {
  concurrency: number;
  mask: (v: string) => void;
  /** Once aborted, no further write starts; the ones under way finish. */
  signal?: AbortSignal;
}

/** Copies a source item again when it moved on while being copied, at most this many times. */
const MAX_COPIES = 3;

/** The source outran every copy: the last one written is this tool's, but not the source's latest version. */
class SourceKeptChanging extends KvrError {
  readonly written: ItemSnapshot;
  readonly copied: ItemSnapshot;
  constructor(written: ItemSnapshot, copied: ItemSnapshot) {
    super('KVR038', `the source kept changing while it was copied (${MAX_COPIES} versions in a row); the next run copies the latest`);
    this.written = written;
    this.copied = copied;
  }
}

/** Writes each actionable record of a plan, with bounded concurrency; one record's failure never stops the others. */
export async function applyPlan(plan: PairPlan, o: ApplyOptions, events: ApplyEvents): Promise<void> {
  const limit = pLimit(Math.max(1, o.concurrency));
  await Promise.all(plan.records.map((r, i) => r.action === 'none' ? undefined : limit(async () => {
    try {
      if (o.signal?.aborted) throw new KvrError('KVR041', 'not written: the run was cancelled before this write; the next run writes it');
      const done = await applyRecord(plan, r, o.mask);
      plan.records[i] = { ...r, source: done.source ?? r.source, target: done.target };
      events.written(plan, plan.records[i]!);
    } catch (e) {
      const { code, message } = classifyFailure(e, plan.target.info.name, `${r.type}/${r.name}`);
      const softDeleted = code === 'KVR032';
      const stale = e instanceof SourceKeptChanging ? { source: e.copied, target: e.written, wroteStale: true as const } : {};
      plan.records[i] = { ...r, ...stale, status: softDeleted ? 'blocked_target_soft_deleted' : 'failed', action: 'none', errorCode: code, reason: message };
      events.failed(plan, plan.records[i]!, message);
    } finally {
      plan.values.delete(recordKey(r.type, r.name));
    }
  })));
}

interface Applied { target?: ItemSnapshot; source?: ItemSnapshot }

async function applyRecord(plan: PairPlan, r: ReplicationRecord, mask: (v: string) => void): Promise<Applied> {
  const { source, target } = plan;
  if (r.action === 'delete') {
    await target.deleteItem(r.type, r.name);
    return {};
  }
  if (r.action === 'disable') return { target: await target.setEnabled(r.type, r.name, false) };
  if (r.type === 'secret') return copySecret(plan, r, mask);
  if (r.type === 'certificate') return copyCertificate(plan, r, mask);
  if (r.status === 'update') await recreateKey(plan, r.name);
  return { target: await target.restoreKey(await source.backupKey(r.name)) };
}

const sameVersion = (a: ItemSnapshot, b: ItemSnapshot) => a.version === b.version && a.updatedOn === b.updatedOn;

/**
 * Writes the value with the attributes of the version it was read from, then reads the source again: Key Vault has
 * no conditional write, so a run that copied a version another run (or a rotation) has since superseded copies the
 * newer one at once instead of leaving the older one in place.
 */
async function copySecret(plan: PairPlan, r: ReplicationRecord, mask: (v: string) => void): Promise<Applied> {
  let read: SourceRead | undefined = plan.values.get(recordKey(r.type, r.name)) ?? await readValue(plan.source, r.name, mask);
  for (let copy = 1; ; copy++) {
    if (!read) throw new KvrError('KVR035', 'the source secret was disabled while it was being copied; the next run mirrors that');
    const written = await plan.target.writeSecret(r.name, read.value, read.item);
    const now = await readValue(plan.source, r.name, mask);
    if (now && sameVersion(now.item, read.item)) return { target: written, source: read.item };
    if (copy >= MAX_COPIES) throw new SourceKeptChanging(written, read.item);
    read = now;
  }
}

/** The certificate's counterpart of copySecret: re-exported when its version or attributes moved on meanwhile. */
async function copyCertificate(plan: PairPlan, r: ReplicationRecord, mask: (v: string) => void): Promise<Applied> {
  let from = r.source!;
  for (let copy = 1; ; copy++) {
    const exported = await plan.source.exportCertificate(r.name);
    mask(exported.value);
    const written = await plan.target.importCertificate(r.name, exported, from);
    const now = (await plan.source.get('certificate', r.name))?.item;
    if (!now) throw new KvrError('KVR035', 'the source certificate was deleted while it was being copied');
    if (now.version === exported.version && !attributeDifferences(now, from).length) return { target: written, source: now };
    if (copy >= MAX_COPIES) throw new SourceKeptChanging(written, from);
    from = now;
  }
}

/** recreate_keys: a restore refuses an existing name, so the old key is deleted and purged first. */
async function recreateKey(plan: PairPlan, name: string): Promise<void> {
  await plan.target.deleteItem('key', name);
  await plan.target.purgeDeletedItem('key', name);
}
