import { markdownCode, markdownLines, markdownText } from '../../src/engine/markdown-text.ts';
import { renderMarkdown, type RunReport } from '../../src/engine/report.ts';

/**
 * What GitHub would find in the rendered text: backslash escapes and entities resolved, then @-mentions and
 * #-references.
 */
const decoded = (md: string) =>
  md
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&(amp|lt|gt);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>' })[e]!);
/** The Markdown with every backslash-escaped character taken out: what is left is what a renderer reads as syntax. */
const unescaped = (md: string) => md.replace(/\\[!-/:-@[-`{-~]/g, '');
const MENTION = /(^|[^\w`])@[A-Za-z0-9]/;
const REFERENCE = /(^|[^\w&])#\d/;
/** CommonMark ends a line at LF, CR or CRLF; a log viewer also at NEL and the Unicode separators. */
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;
const ZWSP = '\u200b';

test.each([
  ['a plain name', 'db-password', 'db-password'],
  ['a table cell end', 'a | b', 'a \\| b'],
  ['a lone CR, then a heading', 'x\r# Heading', `x\\\\r#${ZWSP} Heading`],
  ['LF and CRLF', 'x\n| y |\r\nz', 'x\\\\n\\| y \\|\\\\r\\\\nz'],
  ['a code span', 'a`b', 'a\\`b'],
  ['an image', '![img](https://evil.example/x.png)', '!\\[img\\](https&#58;//evil.example/x.png)'],
  ['a link', '[click](http://x)', '\\[click\\](http&#58;//x)'],
  ['a bare www link', 'see www.evil.example', 'see www&#46;evil.example'],
  ['HTML', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
  ['an autolink', '<https://evil.example>', '&lt;https&#58;//evil.example&gt;'],
  ['a team mention', '@some-org/some-team', `\\@${ZWSP}some-org/some-team`],
  ['an e-mail autolink', 'ops@contoso.com', `ops\\@${ZWSP}contoso.com`],
  ['an issue reference', 'fixes #1', `fixes #${ZWSP}1`],
  ['emphasis, strike-through and math', '**b** _i_ ~~s~~ $x$', '\\*\\*b\\*\\* \\_i\\_ \\~\\~s\\~\\~ \\$x\\$'],
  ['a backslash escape', '\\| x', '\\\\\\| x'],
  ['an entity', '&#124;', `&amp;#${ZWSP}124;`],
  ['an ANSI sequence', '\x1b[2J', '\\\\x1b\\[2J'],
])('markdownText: %s', (_what, text, md) => {
  expect(markdownText(text)).toBe(md);
  expect(markdownText(text)).not.toMatch(LINE_BREAK);
  // Every markup character is escaped (or an entity), and no backslash is left to escape what follows it.
  expect(unescaped(markdownText(text))).not.toMatch(/[|`<>[\]*_~$\\]/);
  expect(decoded(markdownText(text))).not.toMatch(MENTION);
  expect(decoded(markdownText(text))).not.toMatch(REFERENCE);
});

test('readable on a terminal: ASCII punctuation is a backslash escape, never a numeric entity', () => {
  const md = markdownText("recreate_keys, overwrite_on_conflict, excluded by '*-tmp', a|b, [x], `y`, ~z, $w, \\v");
  expect(md).toBe(
    "recreate\\_keys, overwrite\\_on\\_conflict, excluded by '\\*-tmp', a\\|b, \\[x\\], \\`y\\`, \\~z, \\$w, \\\\v",
  );
  expect(md).not.toMatch(/&#\d+;/);
});

test('an item name is code style without backticks; a message keeps its own lines as <br>', () => {
  expect(markdownCode('a`b')).toBe('<code>a\\`b</code>');
  expect(markdownLines('missing permissions:\n  - kv-a | x\r')).toBe('missing permissions:<br>  - kv-a \\| x\\\\r');
});

const NASTY = 'team\r| x |\r# Heading\r![img](https://evil.example/x.png)\r@some-org/some-team `code';

test('the report stays one table whatever a name, a reason or an error says', () => {
  const report: RunReport = {
    tool: 'keyvault-replicate',
    mode: 'plan',
    correlationId: 'c',
    startedAt: '',
    finishedAt: '',
    exitCode: 1,
    totals: {},
    errors: [{ code: 'KVR042', message: `KVR042: r: the tag names ${NASTY}` }],
    warnings: [{ code: 'KVR054', message: `KVR054: ${NASTY}` }],
    pairs: [
      {
        replication: 'r',
        source: 'kv-a',
        target: 'kv-b',
        counts: { excluded_by_rule: 2 },
        records: [
          { type: 'secret', name: 'plain', status: 'excluded_by_rule', reason: `not matched by tag ${NASTY}` },
          { type: 'secret', name: 'a`b|c\rd', status: 'excluded_by_rule', reason: 'x' },
        ],
      },
    ],
  };
  const md = renderMarkdown(report);
  const lines = md.split(/\r\n|\r|\n/);
  expect(lines.filter((l) => /^ {0,3}#{1,6}(\s|$)/.test(l))).toEqual([
    '## Key Vault replication: plan (nothing written)',
    '### r: kv-a → kv-b',
  ]);
  const start = lines.indexOf('| Item | Type | Status | Reason |');
  const rows = lines.slice(start, lines.indexOf('', start));
  expect(rows).toHaveLength(4);
  for (const row of rows) expect(unescaped(row).match(/\|/g)).toHaveLength(5);
  expect(unescaped(md)).not.toMatch(/!\[|\]\(|<img|https:\/\//i);
  expect(
    unescaped(md)
      .replace('Correlation id: `c`', '')
      // The report's own tags: code around names, details and summary around the quiet rows (statuses and counts).
      .replace(/<\/?(code|details|summary)>/g, ''),
  ).not.toMatch(/[<`]/);
  expect(decoded(md)).not.toMatch(MENTION);
});

test('a run error, a warning and a pair error show their code once, and a message without it stays whole', () => {
  const md = renderMarkdown({
    tool: 'keyvault-replicate',
    mode: 'apply',
    correlationId: 'c',
    startedAt: '',
    finishedAt: '',
    exitCode: 1,
    totals: {},
    errors: [
      { code: 'KVR042', message: 'KVR042: r: the tag names kv-x' },
      { code: 'KVR043', message: 'blocked, and fail-on is blocked' },
    ],
    warnings: [{ code: 'KVR054', message: 'KVR054: state.json is not a state file' }],
    pairs: [
      {
        replication: 'r',
        source: 'kv-a',
        target: 'kv-b',
        counts: {},
        records: [],
        error: { code: 'KVR033', message: 'KVR033: kv-a→kv-b listing failed' },
      },
    ],
  });
  expect(md).toContain('> **KVR042** r: the tag names kv-x\n');
  expect(md).toContain('> **KVR043** blocked, and fail-on is blocked\n');
  expect(md).toContain('> ⚠️ **KVR054** state.json is not a state file\n');
  expect(md).toContain('> **KVR033** kv-a→kv-b listing failed\n');
  expect(md).not.toMatch(/\*\*(KVR\d{3})\*\* \1/);
});
