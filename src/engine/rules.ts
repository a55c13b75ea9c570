import { minimatch } from 'minimatch';
import type { Replication } from './config/types.ts';

const glob = (name: string, pattern: string) => minimatch(name, pattern, { nocase: true, nonegate: false });

/** Whether the replication's rule selects an item, and why not when it does not. Names match case-insensitively. */
export function selectedByRule(
  r: Pick<Replication, 'rule' | 'exclude'>,
  name: string,
  tags: Record<string, string>,
): { selected: boolean; reason: string } {
  const rule = r.rule;
  let matched: boolean;
  let why: string;
  if ('all' in rule) {
    matched = true;
    why = 'rule all';
  } else if ('tagged' in rule) {
    const [key, ...rest] = rule.tagged.split('=');
    const value = rest.length ? rest.join('=') : undefined;
    matched = Object.hasOwn(tags, key!) && (value === undefined || tags[key!] === value);
    why = `tag ${rule.tagged}`;
  } else if ('pattern' in rule) {
    matched = glob(name, rule.pattern);
    why = `pattern ${rule.pattern}`;
  } else {
    matched = rule.manual.some((m) => m.toLowerCase() === name.toLowerCase());
    why = 'manual list';
  }
  if (!matched) return { selected: false, reason: `not matched by ${why}` };
  const excludedBy = r.exclude.find((p) => glob(name, p));
  if (excludedBy) return { selected: false, reason: `excluded by '${excludedBy}'` };
  return { selected: true, reason: `matched by ${why}` };
}

/** Whether a name matches any of the names or globs given, case-insensitively (acknowledgements, allowed targets). */
export const matchesAnyGlob = (patterns: readonly string[], name: string): boolean =>
  patterns.some((p) => glob(name, p));

export const acknowledgedBy = matchesAnyGlob;
