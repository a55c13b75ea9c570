/**
 * Characters that change how text reads rather than what it says: C0 and C1 controls (line breaks, ESC that starts a
 * terminal sequence, NEL), DEL, the Unicode line and paragraph separators, and the bidirectional controls that
 * reorder what a reader sees. A vault, an event or a config can put any of them in a name, a tag or a rule.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escapeOf = (c: string): string => {
  const code = c.charCodeAt(0);
  return (
    NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
};

/**
 * The text with each such character written out as a visible escape (`\n`, `\r`, `\x1b`, `\u2028`): it stays on one
 * line and shows what it holds. Backslashes are left as they are, so paths stay readable; this is for people, not
 * for parsing back.
 */
export const visibleControls = (text: string): string => text.replace(INVISIBLE, escapeOf);
