import { visibleControls } from './visible-text.ts';

/**
 * GitHub and Azure DevOps render the summary and the pull request comment, so a name, tag, rule or message from a
 * vault, an event or a config is made inert first: it must not end a table cell (`|`) or the line, open a code span,
 * a link or an image (`[`, `]`), an HTML tag or autolink (`<`, `>`, `://`, `www.`), a backslash escape, emphasis,
 * strike-through or math (`*`, `_`, `~`, `$`). GitHub finds @-mentions and #-references in the rendered text, after
 * escapes and entities are resolved, so a zero-width space follows `@` and `#`: `@org/team` in a PR comment must
 * notify no one. Parentheses, `!` and other colons stay readable: without `[` they start nothing.
 *
 * The same text is read raw on a terminal (the CLI prints the report), so markup characters get CommonMark backslash
 * escapes, which read as what they are (`recreate\_keys`) and which GFM honours in a table cell (`\|` included, even
 * inside a code element). Entities remain only for `&`, `<` and `>`, which any HTML-aware renderer reads as text,
 * CommonMark or not, and for the autolink breaks; the zero-width space is the character itself, unseen on a terminal.
 * `@` is escaped as well: a renderer that links e-mail addresses in text (markdown-it's linkify) then sees none.
 */
const ZERO_WIDTH_SPACE = '\u200b';
const ESCAPED: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '#': `#${ZERO_WIDTH_SPACE}`,
  '@': `\\@${ZERO_WIDTH_SPACE}`,
};
const SYNTAX = /[&<>|`\\[\]*_~$#@]/g;
const AUTOLINK = /:\/\/|www\./gi;

const escaped = (c: string): string => ESCAPED[c] ?? `\\${c}`;

/** Untrusted text as one line of inert Markdown for a table cell, a heading or a quote (controls shown as escapes). */
export const markdownText = (text: string): string =>
  visibleControls(text)
    .replace(SYNTAX, escaped)
    .replace(AUTOLINK, (m) => (m === '://' ? '&#58;//' : `${m.slice(0, 3)}&#46;`));

/** An item name in code style: `<code>` around escaped text, where a backtick in the name could end a code span. */
export const markdownCode = (text: string): string => `<code>${markdownText(text)}</code>`;

/**
 * A message for a quote (`> **KVR0xx** …`): its own lines (a list of problems) kept as `<br>`, each of them escaped.
 */
export const markdownLines = (text: string): string => text.split('\n').map(markdownText).join('<br>');
