import { minimatch } from 'minimatch';

/** What a glob is matched against, and whether a match grants something (allows a target, acknowledges a conflict). */
export interface GlobUse {
  names?: 'item' | 'vault';
  grants?: boolean;
}

/**
 * Key Vault names are [0-9a-zA-Z-]; a glob that cannot match such a name, or does not parse, is a mistake. A glob that
 * grants must not be a negation: `!prod-kv` would grant every name but one, which no reviewer reads it as.
 */
export function globProblem(glob: string, use: GlobUse = {}): string | undefined {
  if (use.grants && glob.trim().startsWith('!'))
    return "a leading '!' would match every name but that one; list what is allowed instead";
  let depth = 0;
  for (const ch of glob) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (depth < 0) return 'a closing bracket has no opening one';
  }
  if (depth !== 0) return 'a bracket or brace is not closed';
  if (/[/\\]/.test(glob))
    return `${use.names ?? 'item'} names have no path separators${use.names === 'vault' ? ' (give vault names, not URLs)' : ''}`;
  const stray = /[^0-9a-zA-Z\-*?[\]{}!,^()|+@]/.exec(glob);
  if (stray)
    return `'${stray[0]}' is in no Key Vault name (letters, digits and dashes), so the pattern can never match`;
  try {
    minimatch('probe', glob, { nocase: true });
  } catch {
    return 'it does not parse';
  }
  return undefined;
}
