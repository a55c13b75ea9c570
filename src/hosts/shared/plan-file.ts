import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { ReplicationConfig } from '../../engine/config/types.ts';
import { KvrError } from '../../engine/errors.ts';
import { ITEM_TYPES, RECORD_STATUSES } from '../../engine/model.ts';
import type { PlannedPair } from '../../engine/plan-file.ts';
import { canonicalJson } from '../../state/state-codec.ts';

/**
 * A plan file: the records a plan would act on, per pair (versions and `updated` times; no value, no hash of one),
 * bound to the config's replications and a creation time, and signed with the state key. Anyone who can write the
 * artifact can edit it, so it is never used unsigned: no key, no plan file (KVR063).
 */
const FORMAT = 'keyvault-replicate-plan';
const VERSION = 1;
const SCHEME = 'hmac-sha256:';
/** A reviewed plan goes stale: older than this it is refused (KVR062). */
export const PLAN_FILE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Clocks of two runners may disagree a little; a plan from further in the future than this is refused. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_BYTES = 16 * 1024 * 1024;

interface PlanBody {
  format: typeof FORMAT;
  version: typeof VERSION;
  createdAt: string;
  /** SHA-256 of the parsed replications (canonical JSON): the plan is for this config alone. */
  config: string;
  pairs: PlannedPair[];
}

const configDigest = (config: ReplicationConfig): string =>
  createHash('sha256').update(canonicalJson(config.replications)).digest('hex');
/**
 * The plan file's own key, derived from the state key under a label: a plan signature can never stand for a state
 * signature (or the other way round), though one secret is configured for both.
 */
const planKey = (stateKey: string) => createHmac('sha256', stateKey).update('keyvault-replicate plan file v1').digest();
const mac = (body: PlanBody, key: string) =>
  createHmac('sha256', planKey(key)).update(canonicalJson(body)).digest('base64url');

/** No plan file without a state key (KVR063): checked before anything runs. */
export function assertPlanFileKey(request: { planFile?: string; stateKey?: string; mode: string }, label: string) {
  if (!request.planFile) return;
  if (request.mode === 'validate')
    throw new KvrError('KVR008', `${label} is for plan (writes it) and apply (applies it), not validate`);
  if (!request.stateKey)
    throw new KvrError(
      'KVR063',
      `${label} needs the state key (state-key, stateKey, KEYVAULT_REPLICATE_STATE_KEY): a plan file is signed with it, and an unsigned one could be edited by whoever can write the artifact`,
    );
}

export async function writePlanFile(
  path: string,
  pairs: PlannedPair[],
  config: ReplicationConfig,
  key: string,
  nowMs: number,
): Promise<void> {
  const body: PlanBody = {
    format: FORMAT,
    version: VERSION,
    createdAt: new Date(nowMs).toISOString(),
    config: configDigest(config),
    pairs,
  };
  try {
    await writeFile(path, `${JSON.stringify({ ...body, signature: SCHEME + mac(body, key) }, null, 2)}\n`, {
      mode: 0o600,
    });
  } catch (e) {
    throw new KvrError('KVR064', `the plan file ${path} cannot be written: ${(e as Error).message}`);
  }
}

const refused = (path: string, why: string) =>
  new KvrError(
    'KVR060',
    `the plan file ${path} is refused: ${why}; nothing was written. Use the file the plan wrote, unedited, with the same state key`,
  );

/** Reads and verifies a plan file: signature (KVR060), config (KVR061), age (KVR062). Its pairs, as reviewed. */
export async function readPlanFile(
  path: string,
  config: ReplicationConfig,
  key: string,
  nowMs: number,
): Promise<PlannedPair[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw refused(path, `it cannot be read (${(e as Error).message})`);
  }
  if (text.length > MAX_BYTES) throw refused(path, 'it is too large');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw refused(path, 'it is not JSON');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw refused(path, 'it is not a plan file');
  const { signature, ...body } = raw as Record<string, unknown>;
  if (body.format !== FORMAT || body.version !== VERSION) throw refused(path, `it is not a ${FORMAT} file v${VERSION}`);
  if (typeof signature !== 'string' || !signature.startsWith(SCHEME)) throw refused(path, 'it is not signed');
  const expected = Buffer.from(mac(body as unknown as PlanBody, key));
  const given = Buffer.from(signature.slice(SCHEME.length));
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw refused(path, 'its signature does not verify (edited since it was written, or signed with another key)');
  const plan = body as unknown as PlanBody;
  if (!Array.isArray(plan.pairs) || !plan.pairs.every(validPair)) throw refused(path, 'its pairs are malformed');
  const created = Date.parse(plan.createdAt);
  if (!Number.isFinite(created) || created > nowMs + CLOCK_SKEW_MS || nowMs - created > PLAN_FILE_MAX_AGE_MS)
    throw new KvrError(
      'KVR062',
      `the plan file ${path} was made at ${plan.createdAt}: older than ${PLAN_FILE_MAX_AGE_MS / 86_400_000} days (or in the future); nothing was written. Plan again, review, and apply that plan`,
    );
  if (plan.config !== configDigest(config))
    throw new KvrError(
      'KVR061',
      `the plan file ${path} was made with another configuration (its replications differ); nothing was written. Plan again with this config, review, and apply that plan`,
    );
  return plan.pairs;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const validSide = (v: unknown) =>
  v === null ||
  (isObject(v) &&
    (v.version === undefined || typeof v.version === 'string') &&
    (v.updatedOn === undefined || typeof v.updatedOn === 'number'));
const validPair = (p: unknown): boolean =>
  isObject(p) &&
  ['replication', 'source', 'target'].every((k) => typeof p[k] === 'string') &&
  Array.isArray(p.records) &&
  p.records.every(
    (r: unknown) =>
      isObject(r) &&
      ITEM_TYPES.includes(r.type as never) &&
      typeof r.name === 'string' &&
      RECORD_STATUSES.includes(r.status as never) &&
      ['write', 'recover', 'delete', 'disable'].includes(r.action as string) &&
      validSide(r.source) &&
      validSide(r.target),
  );
