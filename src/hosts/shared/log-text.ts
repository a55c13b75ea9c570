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
export const logSafeJson = (value: unknown): string =>
  JSON.stringify(value, null, 2)
    .replace(RAW_INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(ANYWHERE_COMMAND, (m) => `${m.slice(0, -1)}\\u005b`);

/**
 * A CI library's writer with one argument (the message: the first, or the one `at`) made log-safe before it writes;
 * an Error is written as its text. What the hosts' log-safe chokepoints are made of.
 */
export const logSafeArg =
  <A extends unknown[], R>(write: (...args: A) => R, safe: (text: string) => string = logLine, at = 0) =>
  (...args: A): R =>
    write(...(args.map((arg, i) => (i === at && arg !== undefined ? safe(String(arg)) : arg)) as A));
