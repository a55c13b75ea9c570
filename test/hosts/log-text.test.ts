import { failureMessage } from '../../src/hosts/shared/failure-message.ts';
import { logLine, logSafeArg, logSafeJson, logSafeJsonPieces, logText } from '../../src/hosts/shared/log-text.ts';
import { KvrError } from '../../src/engine/errors.ts';

/**
 * What the runners take as a command in one line: GitHub trims (any white space) and looks for a leading `::` or a
 * legacy `##[`; the Azure DevOps agent looks for `##vso[` anywhere.
 */
const startsCommand = (line: string) =>
  /^[\s\u180e\u200b-\u200d\u2060\ufeff]*::/.test(line) || /##(vso)?\[/i.test(line);
/** Every way the text could be split into lines by a runner, a terminal or a log viewer. */
const LINE_BREAKS = /[\n\r\v\f\u0085\u2028\u2029]/;

test.each([
  ['plain text stays as it is', 'secret db-password → kv-b', 'secret db-password → kv-b'],
  ['LF', 'a\n::warning::pwned', 'a\\n::warning::pwned'],
  ['CRLF', 'a\r\n##vso[task.complete result=Failed;]x', 'a\\r\\n##vso\\[task.complete result=Failed;]x'],
  ['a lone CR', 'a\r::stop-commands::tok', 'a\\r::stop-commands::tok'],
  ['NEL, line and paragraph separators', 'a\u0085b\u2028c\u2029d', 'a\\x85b\\u2028c\\u2029d'],
  ['vertical tab, form feed, NUL, DEL', 'a\vb\fc\0d\x7fe', 'a\\x0bb\\x0cc\\x00d\\x7fe'],
  ['an ANSI colour sequence (ESC)', '\x1b[31mred\x1b[0m', '\\x1b[31mred\\x1b[0m'],
  ['a C1 CSI', '\u009b31m', '\\x9b31m'],
  ['bidirectional overrides', 'abc\u202eevil\u2066x\u2069', 'abc\\u202eevil\\u2066x\\u2069'],
  ['a tab', 'a\tb', 'a\\tb'],
  ['a leading GitHub command', '::add-mask::x', '\\::add-mask::x'],
  [
    'a leading command after spaces GitHub trims',
    ' \u00a0\u3000::set-output name=x::y',
    ' \u00a0\u3000\\::set-output name=x::y',
  ],
  ['a leading command after a zero-width space', '\u200b::warning::x', '\u200b\\::warning::x'],
  ['a command after a line separator', '\u2028::warning::x', '\\u2028::warning::x'],
  ['a `::` inside a line is no command', 'rule pattern a::b', 'rule pattern a::b'],
  [
    '##vso[ anywhere, any case',
    'x ##vso[task.setvariable variable=a]b ##VSO[task.uploadfile]/etc/passwd',
    'x ##vso\\[task.setvariable variable=a]b ##VSO\\[task.uploadfile]/etc/passwd',
  ],
  ['legacy ##[ anywhere', 'x ##[set-output name=a]b ##[group]c', 'x ##\\[set-output name=a]b ##\\[group]c'],
  ['backslashes (a Windows path) stay readable', 'C:\\work\\config.yml', 'C:\\work\\config.yml'],
])('logLine: %s', (_what, text, line) => {
  expect(logLine(text)).toBe(line);
  expect(logLine(text)).not.toMatch(LINE_BREAKS);
  expect(startsCommand(logLine(text))).toBe(false);
  expect(logLine(logLine(text))).toBe(logLine(text));
});

test("logText keeps a message's own lines, each log-safe; its sink (an annotation, a task result) escapes the line breaks", () => {
  const text = 'KVR022: missing permissions:\n  - kv-a (source)\n::warning::x\n##vso[task.complete]y';
  expect(logText(text)).toBe(
    'KVR022: missing permissions:\n  - kv-a (source)\n\\::warning::x\n##vso\\[task.complete]y',
  );
  for (const line of logText(text).split('\n')) expect(startsCommand(line)).toBe(false);
});

test('logSafeJson parses back to the same value and starts no command on any line', () => {
  const value = { reason: 'x\n##vso[task.complete result=Failed;]y', names: ['::warning::z', '##[group]w'], n: 1 };
  const json = logSafeJson(value);
  expect(JSON.parse(json)).toEqual(value);
  for (const line of json.split('\n')) expect(startsCommand(line)).toBe(false);
});

test('logSafeJson writes the controls JSON leaves raw (C1 CSI, DEL, bidi, line separators) as escapes', () => {
  const value = { name: 'a\u009b31m\u007f b\u202e c\u2066d\u2028e' };
  const json = logSafeJson(value);
  expect(JSON.parse(json)).toEqual(value);
  expect(json).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  expect(json).toContain('a\\u009b31m\\u007f b\\u202e c\\u2066d\\u2028e');
});

test('a failure message is one log-safe line, whatever the error quotes', () => {
  expect(failureMessage(new KvrError('KVR010', "'secret/a\n::stop-commands::t' is not an item"))).toBe(
    "KVR010: 'secret/a\\n::stop-commands::t' is not an item",
  );
  expect(failureMessage(new Error('##vso[task.complete]x\nsecond line'))).toBe(
    'KVR039: unexpected failure: ##vso\\[task.complete]x',
  );
});

test('a CI library writer gets its message log-safe, an Error as its text, other arguments as they are', () => {
  const calls: unknown[][] = [];
  const write = (...args: unknown[]) => void calls.push(args);
  logSafeArg(write)('::stop-commands::x', { keep: true });
  logSafeArg(write, (t) => t.toUpperCase(), 1)(2, new Error('boom'), 'third');
  logSafeArg(write, (t) => t, 1)(3, undefined);
  expect(calls).toEqual([
    ['\\::stop-commands::x', { keep: true }],
    [2, 'ERROR: BOOM', 'third'],
    [3, undefined],
  ]);
});

test('logSafeJson in pieces: a piece per element of an array, joined the same as the whole, escapes included', () => {
  // The whole, as it was written before it came in pieces.
  const whole = (v: unknown) =>
    JSON.stringify(v, null, 2)
      .replace(
        /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      )
      .replace(/##(vso)?\[/gi, (m) => `${m.slice(0, -1)}\\u005b`);
  const records = Array.from({ length: 50 }, (_, i) => ({
    name: `s${i}`,
    reason: i % 2 ? 'x\n##vso[task.complete]' : 'a\u009b31m \u2028',
    source: { tags: { '##[k': 'v' }, when: new Date(0), gone: undefined, n: i % 3 ? NaN : i, f: () => 1 },
    list: i % 2 ? [] : [undefined, null, { deep: [1, [2, []]] }],
  }));
  const values: unknown[] = [
    {
      tool: 'k',
      pairs: [
        { name: 'p', records, gate: { lines: ['a', 'b'] } },
        { name: 'q', records: [] },
      ],
      totals: {},
    },
    [],
    {},
    'top',
    [[], {}, [[1]], Symbol('s')],
  ];
  for (const v of values) expect([...logSafeJsonPieces(v)].join('')).toBe(whole(v));
  const report = values[0] as { pairs: { records: unknown[] }[] };
  // Every record is a piece of its own: no piece holds the report.
  expect([...logSafeJsonPieces(report)].length).toBeGreaterThan(report.pairs[0]!.records.length);
});
