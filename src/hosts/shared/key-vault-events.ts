import { ITEM_NAME_PATTERN } from '../../engine/config/schema.ts';
import { isVaultName } from '../../engine/config/vault-ref.ts';
import type { ItemType } from '../../engine/model.ts';
import type { OnlyItem } from '../../engine/model.ts';

/** The items an Event Grid delivery of Key Vault events names, per source vault. */
export interface KeyVaultEventItems {
  vault: string;
  items: OnlyItem[];
}

/**
 * What a delivery asks for: the valid items by vault, and how many Key Vault events named no valid vault or item
 * (KVR044).
 */
export interface KeyVaultEvents {
  vaults: KeyVaultEventItems[];
  ignored: number;
}

const EVENT_TYPE = /^Microsoft\.KeyVault\.(Secret|Certificate|Key)(NewVersionCreated|NearExpiry|Expired)$/;
const ITEM_NAME = new RegExp(ITEM_NAME_PATTERN);

const field = (data: Record<string, unknown>, name: string): string | undefined => {
  const v = data[name] ?? data[name[0]!.toLowerCase() + name.slice(1)];
  return typeof v === 'string' && v ? v : undefined;
};

/**
 * Reads Key Vault events in the Event Grid schema (`eventType`, `data.VaultName`, `data.ObjectName`) or the
 * CloudEvents schema (`type`, same data), alone, in an array, or under `events`. Anything else gives undefined, so
 * that a dispatch that is not a Key Vault event runs the usual full replication.
 *
 * Whoever can send a repository_dispatch writes the payload: a Key Vault event whose vault or item is not a valid
 * Key Vault name (Key Vault itself sends none) is counted and dropped here, so its text never reaches a log, a vault
 * request or the state.
 */
export function keyVaultEventItems(payload: unknown): KeyVaultEvents | undefined {
  const list = Array.isArray(payload) ? payload : ((payload as { events?: unknown })?.events ?? [payload]);
  if (!Array.isArray(list)) return undefined;
  const byVault = new Map<string, OnlyItem[]>();
  let seen = 0;
  let ignored = 0;
  for (const e of list as Record<string, unknown>[]) {
    const match = EVENT_TYPE.exec(String(e?.eventType ?? e?.type ?? ''));
    if (!match) continue;
    seen++;
    const data = (e?.data ?? {}) as Record<string, unknown>;
    const vault = field(data, 'VaultName')?.toLowerCase();
    const name = field(data, 'ObjectName');
    if (!vault || !isVaultName(vault) || !name || !ITEM_NAME.test(name)) {
      ignored++;
      continue;
    }
    const items = byVault.get(vault) ?? byVault.set(vault, []).get(vault)!;
    const item: OnlyItem = { type: match[1]!.toLowerCase() as ItemType, name };
    if (!items.some((i) => i.type === item.type && i.name.toLowerCase() === name.toLowerCase())) items.push(item);
  }
  if (!seen) return undefined;
  return { vaults: [...byVault].map(([vault, items]) => ({ vault, items })), ignored };
}
