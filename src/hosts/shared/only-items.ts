import { KvrError } from '../../engine/errors.ts';
import { ITEM_TYPES, type ItemType } from '../../engine/model.ts';
import type { OnlyItem } from '../../engine/model.ts';
import { ITEM_NAME_PATTERN } from '../../engine/config/schema.ts';

/** Parses `type/name,...` (type singular or plural) for targeted sync. */
export function parseOnly(text: string | undefined): OnlyItem[] | undefined {
  if (!text?.trim()) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [rawType, name, ...rest] = entry.split('/');
      const type = rawType?.toLowerCase().replace(/s$/, '') as ItemType;
      if (rest.length || !name || !ITEM_TYPES.includes(type) || !new RegExp(ITEM_NAME_PATTERN).test(name)) {
        throw new KvrError(
          'KVR010',
          `'${entry}' is not an item: expected secret/<name>, certificate/<name> or key/<name>`,
        );
      }
      return { type, name };
    });
}

export const splitList = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
