import { visibleControls } from '../../engine/visible-text.ts';

/**
 * The runners read commands from a job's output. GitHub trims each line (any Unicode white space) and takes one that
 * starts with `::` as a command (`::stop-commands::`, `::add-mask::`, `::warning::`…); it also still parses legacy
 * `##[command]` anywhere in a line. The Azure DevOps agent takes `##vso[` anywhere in a line. Text from a vault, an
 * event or a config must start none of them, so every line a host writes goes through here.
 */
const LEADING_COMMAND = /^([\s\u180e\u200b-\u200d\u2060]*)::/;
const ANYWHERE_COMMAND = /##(vso)?\[/gi;

/**
 * Any text as one log line that can start no runner command: controls shown as escapes, command openers broken by a
 * visible backslash.
 */
export function logLine(text: string): string {
  return visibleControls(text)
    .replace(ANYWHERE_COMMAND, (m) => `${m.slice(0, -1)}\\[`)
    .replace(LEADING_COMMAND, '$1\\::');
}

/**
 * Text for an annotation or a task result, which the CI library writes as the data of one command (its line breaks
 * escaped): a message's own lines (a list of errors) stay lines, each of them log-safe.
 */
export const logText = (text: string): string => text.split('\n').map(logLine).join('\n');

/** What JSON.stringify leaves raw that a terminal acts on or hides: DEL and C1 controls, line and bidi controls. */
const RAW_INVISIBLE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value as pretty JSON that parses back the same and can start no runner command: JSON.stringify already escapes
 * line breaks and C0 controls and indents every line, the controls it leaves are written as `\uXXXX` escapes (an
 * 8-bit CSI would still drive a terminal), and a `[` after `##` (only ever inside a string) is written `\u005b`.
 */
export const logSafeJson = (value: unknown): string => [...logSafeJsonPieces(value)].join('');

/** logSafeJson's escapes, on a piece of its JSON: every piece ends between two tokens, so no escape spans two. */
const logSafe = (json: string): string =>
  json
    .replace(RAW_INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(ANYWHERE_COMMAND, (m) => `${m.slice(0, -1)}\\u005b`);

/**
 * logSafeJson in pieces: an array an element at a time, and an object holding an array a property at a time, so that a
 * report of 50,000 records is never one string (nor its escaped copy, nor the buffer written) but a piece per record
 * written in turn. Their join is what `JSON.stringify(value, null, 2)` gives, escaped; every other value is
 * JSON.stringify's own, indented to its depth.
 */
export function* logSafeJsonPieces(value: unknown, indent = ''): Generator<string> {
  const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';
  const inner = `${indent}  `;
  if (Array.isArray(value) && value.length) {
    yield '[';
    for (const [i, v] of value.entries()) {
      yield `${i ? ',' : ''}\n${inner}`;
      if (skipped(v)) yield 'null';
      else yield* logSafeJsonPieces(v, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  const plain = value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
  if (plain && !('toJSON' in value) && Object.values(value).some((v) => Array.isArray(v) && v.length)) {
    const entries = Object.entries(value).filter(([, v]) => !skipped(v));
    yield '{';
    for (const [i, [k, v]] of entries.entries()) {
      yield logSafe(`${i ? ',' : ''}\n${inner}${JSON.stringify(k)}: `);
      yield* logSafeJsonPieces(v, inner);
    }
    yield `\n${indent}}`;
    return;
  }
  const json = JSON.stringify(value, null, 2) as string | undefined;
  if (json !== undefined) yield logSafe(indent ? json.replaceAll('\n', `\n${indent}`) : json);
}

/**
 * A CI library's writer with one argument (the message: the first, or the one `at`) made log-safe before it writes;
 * an Error is written as its text. What the hosts' log-safe chokepoints are made of.
 */
export const logSafeArg =
  <A extends unknown[], R>(write: (...args: A) => R, safe: (text: string) => string = logLine, at = 0) =>
  (...args: A): R =>
    write(...(args.map((arg, i) => (i === at && arg !== undefined ? safe(String(arg)) : arg)) as A));
