import { classifyFailure } from './classify.ts';
import { attributeDifferences } from './compare.ts';
import { KvrError } from './errors.ts';
import type { ItemSnapshot, ReplicationRecord } from './model.ts';
import { heldBackPlanChanged } from './plan-file.ts';
import type { VaultPort } from './ports.ts';
import { readSecretIfEnabled, type SourceRead, type SourceValues } from './source-values.ts';
import { stillCurrent } from './still-current.ts';
import { mapWithWorkers } from './workers.ts';

export interface ApplyEvents {
  written(record: ReplicationRecord): void;
  failed(record: ReplicationRecord, message: string): void;
}

export interface ApplyOptions {
  concurrency: number;
  /** Once aborted, no further write starts; the ones under way finish. */
  signal?: AbortSignal;
  /**
   * Apply of a reviewed plan file: each record's source version (record.source.version, bound at plan and checked
   * before) is the only one written; a newer one is never copied, and a record whose source moved on before its write
   * is held back (`held_back_plan_changed`), nothing written.
   */
  pinned?: boolean;
}

/** The pair's two vaults, and its source's values (read once for all the source's pairs). */
export interface ApplyVaults {
  source: VaultPort;
  target: VaultPort;
  values: SourceValues;
}

/** Copies a source item again when it moved on while being copied, at most this many times. */
const MAX_COPIES = 3;

/** A reviewed record's source moved on between the check and the export: nothing was written. */
class PlanChanged extends Error {}

/** The source outran every copy: the last one written is this tool's, but not the source's latest version. */
class SourceKeptChanging extends KvrError {
  readonly written: ItemSnapshot;
  readonly copied: ItemSnapshot;
  constructor(written: ItemSnapshot, copied: ItemSnapshot) {
    super(
      'KVR038',
      `the source kept changing while it was copied (${MAX_COPIES} versions in a row); the next run copies the latest`,
    );
    this.written = written;
    this.copied = copied;
  }
}

/**
 * Writes each actionable record, `concurrency` at a time; one record's failure never stops the others (`applyOne`
 * never throws). Returns the records as they ended (written, or failed with a code), in the order given.
 */
export const applyRecords = (
  records: readonly ReplicationRecord[],
  vaults: ApplyVaults,
  o: ApplyOptions,
  events: ApplyEvents,
): Promise<ReplicationRecord[]> =>
  mapWithWorkers(records, o.concurrency, (r) =>
    r.action === 'none' ? Promise.resolve(r) : applyOne(vaults, r, o, events),
  );

/** One record's write: never throws; the record as it ended. */
async function applyOne(
  vaults: ApplyVaults,
  r: ReplicationRecord,
  o: ApplyOptions,
  events: ApplyEvents,
): Promise<ReplicationRecord> {
  try {
    if (o.signal?.aborted)
      throw new KvrError('KVR041', 'not written: the run was cancelled before this write; the next run writes it');
    const done = await applyRecord(vaults, r, o.pinned === true);
    const written: ReplicationRecord = { ...r, source: done.source ?? r.source, target: done.target };
    events.written(written);
    return written;
  } catch (e) {
    if (e instanceof PlanChanged) return heldBackPlanChanged(r, e.message);
    const failed = failedRecord(r, e, vaults.target.info.name);
    events.failed(failed, failed.reason);
    return failed;
  } finally {
    vaults.values.release(r.type, r.name);
  }
}

/** A record whose write failed: its code and remedy; a name soft-deleted in the target is blocked, not failed. */
export function failedRecord(r: ReplicationRecord, e: unknown, targetName: string): ReplicationRecord {
  const { code, message } = classifyFailure(e, targetName, `${r.type}/${r.name}`);
  const stale =
    e instanceof SourceKeptChanging ? { source: e.copied, target: e.written, wroteStale: true as const } : {};
  const status = code === 'KVR032' ? 'blocked_target_soft_deleted' : 'failed';
  return { ...r, ...stale, status, action: 'none', errorCode: code, reason: message };
}

interface Applied {
  target?: ItemSnapshot;
  source?: ItemSnapshot;
}

async function applyRecord(vaults: ApplyVaults, r: ReplicationRecord, pinned: boolean): Promise<Applied> {
  const { source, target } = vaults;
  if (r.action === 'delete') {
    await target.deleteItem(r.type, r.name);
    return {};
  }
  if (r.action === 'disable') return { target: await target.setEnabled(r.type, r.name, false) };
  if (pinned) return applyReviewed(vaults, r);
  // recover_soft_deleted: the deleted item comes back with its versions (never purged), the source's goes on top.
  if (r.action === 'recover') await target.recoverDeletedItem(r.type, r.name);
  if (r.type === 'secret') return copySecret(vaults, r);
  if (r.type === 'certificate') return copyCertificate(vaults, r);
  if (r.status === 'update') await recreateKey(target, r.name);
  return { target: await target.restoreKey(await source.backupKey(r.name)) };
}

/**
 * A reviewed record's write: the source's version is read (a secret's value, a certificate's export, a key's backup)
 * and checked against the reviewed one before anything is written; then written once, never re-copied when the source
 * moves on after (a newer version is the next plan's, to be reviewed).
 */
async function applyReviewed({ source, target, values }: ApplyVaults, r: ReplicationRecord): Promise<Applied> {
  const reviewed = r.source?.version;
  const moved = (now: string | undefined) => {
    if (reviewed !== undefined && now !== reviewed)
      throw new PlanChanged(`the source changed since the plan was reviewed (version ${now ?? 'unknown'})`);
  };
  let write: () => Promise<ItemSnapshot>;
  if (r.type === 'secret') {
    const read = await values.read(r.name);
    if (!read) throw new PlanChanged('the source secret was disabled since the plan was reviewed');
    moved(read.item.version);
    write = () => target.writeSecret(r.name, read.value, read.item);
  } else if (r.type === 'certificate') {
    const exported = await source.exportCertificate(r.name);
    moved(exported.version);
    write = () => target.importCertificate(r.name, exported, r.source!);
  } else {
    const backup = await source.backupKey(r.name);
    // Versions only move forward: the current one after the backup is the newest the backup holds.
    moved(await source.keyVersion(r.name));
    write = async () => {
      if (r.status === 'update') await recreateKey(target, r.name);
      return target.restoreKey(backup);
    };
  }
  if (r.action === 'recover') await target.recoverDeletedItem(r.type, r.name);
  return { target: await write(), source: r.source };
}

const sameVersion = (a: ItemSnapshot, b: ItemSnapshot) => a.version === b.version && a.updatedOn === b.updatedOn;

/**
 * Writes the value with the attributes of the version it was read from, then checks the source again: Key Vault has
 * no conditional write, so a run that copied a version another run (or a rotation) has since superseded copies the
 * newer one at once instead of leaving the older one in place. The check lists the source's versions (no value read);
 * only when that listing cannot prove the copied version still current is the value read again to compare.
 */
async function copySecret({ source, target, values }: ApplyVaults, r: ReplicationRecord): Promise<Applied> {
  let read: SourceRead | undefined = await values.read(r.name);
  for (let copy = 1; ; copy++) {
    if (!read)
      throw new KvrError(
        'KVR035',
        'the source secret was disabled while it was being copied; the next run mirrors that',
      );
    const written = await target.writeSecret(r.name, read.value, read.item);
    if (stillCurrent(read.item, await source.secretVersions(r.name))) return { target: written, source: read.item };
    const now = await readSecretIfEnabled(source, r.name);
    if (now && sameVersion(now.item, read.item)) return { target: written, source: read.item };
    if (copy >= MAX_COPIES) throw new SourceKeptChanging(written, read.item);
    read = now;
  }
}

/** The certificate's counterpart of copySecret: re-exported when its version or attributes moved on meanwhile. */
async function copyCertificate({ source, target }: ApplyVaults, r: ReplicationRecord): Promise<Applied> {
  let from = r.source!;
  for (let copy = 1; ; copy++) {
    const exported = await source.exportCertificate(r.name);
    const written = await target.importCertificate(r.name, exported, from);
    const now = await source.get('certificate', r.name);
    if (!now) throw new KvrError('KVR035', 'the source certificate was deleted while it was being copied');
    if (now.version === exported.version && !attributeDifferences(now, from).length)
      return { target: written, source: now };
    if (copy >= MAX_COPIES) throw new SourceKeptChanging(written, from);
    from = now;
  }
}

/** recreate_keys: a restore refuses an existing name, so the old key is deleted and purged first. */
async function recreateKey(target: VaultPort, name: string): Promise<void> {
  await target.deleteItem('key', name);
  await target.purgeDeletedItem('key', name);
}
