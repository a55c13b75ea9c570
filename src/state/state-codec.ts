import { createHmac, timingSafeEqual } from 'node:crypto';
import { KvrError } from '../engine/errors.ts';
import { stateKeyOf, type LoadedStates, type StateKey } from '../engine/ports.ts';
import { sanitizeRecord, trustedPairState, type PairState, type StateProblem } from '../engine/state.ts';

/**
 * Anyone who can read the state branch can try keys offline against a signed file, so a key must carry at least as
 * much entropy as `openssl rand -base64 32` prints.
 */
export const MIN_STATE_KEY_LENGTH = 32;
const SCHEME = 'hmac-sha256:';

/** JSON with every object's keys sorted, so that a signature does not depend on how a file was laid out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const mac = (state: object, key: string) => createHmac('sha256', key).update(canonicalJson(state)).digest('base64url');

/** Checks a `state-key` before anything runs: too short a key is a false sense of safety. */
export function checkStateKey(key: string | undefined, inputName: string): string | undefined {
  if (!key) return undefined;
  if (key.length < MIN_STATE_KEY_LENGTH) {
    throw new KvrError(
      'KVR008',
      `${inputName} must be at least ${MIN_STATE_KEY_LENGTH} characters (for example the output of 'openssl rand -base64 32'); a shorter key can be guessed offline by anyone who can read the state branch`,
    );
  }
  return key;
}

/**
 * A pair state as stored: its fields in one order and its records by key (so that the same state is always the same
 * text, and a save that changes nothing changes no byte), with a `signature` over all of it when a key is given.
 */
export function signedPairState(state: PairState, key: string | undefined): PairState & { signature?: string } {
  const { version, replication, source, target, updatedAt, correlationId, basedOn } = state;
  const keys = Object.keys(state.records).sort();
  const records = Object.fromEntries(keys.map((k) => [k, sanitizeRecord(state.records[k]!)]));
  const unsigned: PairState = { version, replication, source, target, updatedAt, correlationId, basedOn, records };
  return key ? { ...unsigned, signature: `${SCHEME}${mac(unsigned, key)}` } : unsigned;
}

/** How a store treats signatures: sign and verify with `key`; `adopt` takes this run's files as they are, once. */
export interface StateSigning {
  key?: string;
  /**
   * Turning the key on, rotating it or turning it off: use the files whatever their signature, then save them as this
   * run signs.
   */
  adopt?: boolean;
}

/** Whether a store with these settings hands out only state that verified: only such state may allow a purge. */
export const verifiesState = (signing: StateSigning): boolean => !!signing.key && !signing.adopt;

/** What a stored pair state is worth to this run. */
export interface ReadState {
  state?: PairState;
  problems: StateProblem[];
  /**
   * A signed file this run cannot verify (it has no key): neither used nor replaced, so a keyless run never unsigns it.
   */
  keep?: true;
}

/**
 * A stored pair state (parsed JSON) as memory for one pair, or none. With a key, a file whose signature is missing or
 * does not verify is not used; without one, a signed file is neither used nor replaced; `adopt` lets either through
 * once. Then, whatever the key, it must belong to this pair and every record must be valid (engine rules). `where`
 * names the file in the warnings.
 */
export function readPairState(raw: unknown, key: StateKey, signing: StateSigning, where: string): ReadState {
  const { signature, ...unsigned } = (raw && typeof raw === 'object' ? raw : {}) as { signature?: unknown };
  const signed = typeof signature === 'string';
  const adopted = (what: string): StateProblem => ({
    code: 'KVR053',
    message: `KVR053: ${where} ${what}; adopted as it is (adopt-state), and saved ${signing.key ? "signed with this run's key" : 'unsigned'}`,
  });
  if (signing.key) {
    const expected = Buffer.from(`${SCHEME}${mac(unsigned, signing.key)}`);
    const given = Buffer.from(signed ? signature : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      const what = signed
        ? 'has a signature that does not verify with the state key (edited, or signed with another key)'
        : 'is not signed';
      if (signing.adopt) return withProblem(trustedPairState(raw, key, where), adopted(what));
      return {
        problems: [
          {
            code: 'KVR053',
            message: `KVR053: ${where} ${what}; it is not used as memory, and the next save replaces it with a signed file (turning the key on or rotating it: run once with adopt-state)`,
          },
        ],
      };
    }
  } else if (signed) {
    if (signing.adopt)
      return withProblem(trustedPairState(raw, key, where), adopted('is signed, and this run has no state key'));
    return {
      keep: true,
      problems: [
        {
          code: 'KVR053',
          message: `KVR053: ${where} is signed, but this run has no state key: it is neither used nor replaced. Give every workflow that writes the state the same state-key (or run once with adopt-state to stop signing)`,
        },
      ],
    };
  }
  return trustedPairState(raw, key, where);
}

const withProblem = (read: ReadState, problem: StateProblem): ReadState => ({
  ...read,
  problems: [problem, ...read.problems],
});

/** Every requested pair's trusted state, and what was refused or dropped: how both stores answer `load`. */
export async function loadTrusted(
  keys: StateKey[],
  read: (key: StateKey) => ReadState | Promise<ReadState>,
): Promise<LoadedStates> {
  const loaded: LoadedStates = { states: new Map(), problems: [] };
  for (const k of keys) {
    const { state, problems } = await read(k);
    if (state) loaded.states.set(stateKeyOf(k), state);
    loaded.problems.push(...problems);
  }
  return loaded;
}

/**
 * A state file's text: indented JSON, but each record on one line, so that a changed record is one changed line (and
 * `git blame` on the state branch names the run that last changed it) and a file stays small (bytes per record:
 * README). Signatures do not depend on it (they are over canonical JSON).
 */
export function stateJson(value: object): string {
  const format = (v: unknown, indent: string, records: boolean): string => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v);
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (!entries.length) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(
      ([k, x]) => `${inner}${JSON.stringify(k)}: ${records ? JSON.stringify(x) : format(x, inner, k === 'records')}`,
    );
    return `{\n${lines.join(',\n')}\n${indent}}`;
  };
  return `${format(value, '', false)}\n`;
}

/** Parses a state file's text; text that is not JSON is reported like any other invalid file. */
export function parseStateText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
