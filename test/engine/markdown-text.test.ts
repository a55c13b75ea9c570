import { markdownCode, markdownLines, markdownText } from '../../src/engine/markdown-text.ts';
import { renderMarkdown, type RunReport } from '../../src/engine/report.ts';

/** What GitHub would find in the rendered text: entities decoded, then @-mentions and #-references. */
const decoded = (md: string) => md.replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n))).replace(/&(amp|lt|gt);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>' })[e]!);
const MENTION = /(^|[^\w`])@[A-Za-z0-9]/;
const REFERENCE = /(^|[^\w&])#\d/;
/** CommonMark ends a line at LF, CR or CRLF; a log viewer also at NEL and the Unicode separators. */
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

test.each([
  ['a plain name', 'db-password', 'db-password'],
  ['a table cell end', 'a | b', 'a &#124; b'],
  ['a lone CR, then a heading', 'x\r# Heading', 'x&#92;r&#35;&#8203; Heading'],
  ['LF and CRLF', 'x\n| y |\r\nz', 'x&#92;n&#124; y &#124;&#92;r&#92;nz'],
  ['a code span', 'a`b', 'a&#96;b'],
  ['an image', '![img](https://evil.example/x.png)', '!&#91;img&#93;(https&#58;//evil.example/x.png)'],
  ['a link', '[click](http://x)', '&#91;click&#93;(http&#58;//x)'],
  ['a bare www link', 'see www.evil.example', 'see www&#46;evil.example'],
  ['HTML', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
  ['an autolink', '<https://evil.example>', '&lt;https&#58;//evil.example&gt;'],
  ['a team mention', '@some-org/some-team', '&#64;&#8203;some-org/some-team'],
  ['an issue reference', 'fixes #1', 'fixes &#35;&#8203;1'],
  ['emphasis, strike-through and math', '**b** _i_ ~~s~~ $x$', '&#42;&#42;b&#42;&#42; &#95;i&#95; &#126;&#126;s&#126;&#126; &#36;x&#36;'],
  ['a backslash escape', '\\| x', '&#92;&#124; x'],
  ['an entity', '&#124;', '&amp;&#35;&#8203;124;'],
  ['an ANSI sequence', '\x1b[2J', '&#92;x1b&#91;2J'],
])('markdownText: %s', (_what, text, md) => {
  expect(markdownText(text)).toBe(md);
  expect(markdownText(text)).not.toMatch(LINE_BREAK);
  expect(markdownText(text)).not.toMatch(/[|`<>[\]]/);
  expect(decoded(markdownText(text))).not.toMatch(MENTION);
  expect(decoded(markdownText(text))).not.toMatch(REFERENCE);
});

test('an item name is code style without backticks; a message keeps its own lines as <br>', () => {
  expect(markdownCode('a`b')).toBe('<code>a&#96;b</code>');
  expect(markdownLines('missing permissions:\n  - kv-a | x\r')).toBe('missing permissions:<br>  - kv-a &#124; x&#92;r');
});

const NASTY = 'team\r| x |\r# Heading\r![img](https://evil.example/x.png)\r@some-org/some-team `code';

test('the report stays one table whatever a name, a reason or an error says', () => {
  const report: RunReport = {
    tool: 'keyvault-replicate', mode: 'plan', correlationId: 'c', startedAt: '', finishedAt: '', exitCode: 1, totals: {},
    errors: [{ code: 'KVR042', message: `KVR042: r: the tag names ${NASTY}` }], warnings: [{ code: 'KVR054', message: `KVR054: ${NASTY}` }],
    pairs: [{ replication: 'r', source: 'kv-a', target: 'kv-b', counts: { excluded_by_rule: 2 }, records: [
      { type: 'secret', name: 'plain', status: 'excluded_by_rule', reason: `not matched by tag ${NASTY}` },
      { type: 'secret', name: 'a`b|c\rd', status: 'excluded_by_rule', reason: 'x' },
    ] }],
  };
  const md = renderMarkdown(report);
  const lines = md.split(/\r\n|\r|\n/);
  expect(lines.filter((l) => /^ {0,3}#{1,6}(\s|$)/.test(l))).toEqual(['## Key Vault replication: plan (nothing written)', '### r: kv-a → kv-b']);
  const start = lines.indexOf('| Item | Type | Status | Reason |');
  const rows = lines.slice(start, lines.indexOf('', start));
  expect(rows).toHaveLength(4);
  for (const row of rows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(5);
  expect(md).not.toMatch(/!\[|\]\(|<img|https:\/\//i);
  expect(md.replace('Correlation id: `c`', '').replace(/<\/?code>/g, '')).not.toMatch(/[<`]/);
  expect(decoded(md)).not.toMatch(MENTION);
});
