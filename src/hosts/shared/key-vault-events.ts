import type { ItemType } from '../../engine/model.ts';
import type { OnlyItem } from '../../engine/plan.ts';

/** The items an Event Grid delivery of Key Vault events names, per source vault. */
export interface KeyVaultEventItems {
  vault: string;
  items: OnlyItem[];
}

const EVENT_TYPE = /^Microsoft\.KeyVault\.(Secret|Certificate|Key)(NewVersionCreated|NearExpiry|Expired)$/;

const field = (data: Record<string, unknown>, name: string): string | undefined => {
  const v = data[name] ?? data[name[0]!.toLowerCase() + name.slice(1)];
  return typeof v === 'string' && v ? v : undefined;
};

/**
 * Reads Key Vault events in the Event Grid schema (`eventType`, `data.VaultName`, `data.ObjectName`) or the
 * CloudEvents schema (`type`, same data), alone, in an array, or under `events`. Anything else gives undefined, so
 * that a dispatch that is not a Key Vault event runs the usual full replication.
 */
export function keyVaultEventItems(payload: unknown): KeyVaultEventItems[] | undefined {
  const list = Array.isArray(payload) ? payload : (payload as { events?: unknown })?.events ?? [payload];
  if (!Array.isArray(list)) return undefined;
  const byVault = new Map<string, OnlyItem[]>();
  for (const e of list as Record<string, unknown>[]) {
    const type = String(e?.eventType ?? e?.type ?? '');
    const match = EVENT_TYPE.exec(type);
    const data = (e?.data ?? {}) as Record<string, unknown>;
    const vault = field(data, 'VaultName')?.toLowerCase();
    const name = field(data, 'ObjectName');
    if (!match || !vault || !name) continue;
    const items = byVault.get(vault) ?? byVault.set(vault, []).get(vault)!;
    const item: OnlyItem = { type: match[1]!.toLowerCase() as ItemType, name };
    if (!items.some((i) => i.type === item.type && i.name.toLowerCase() === name.toLowerCase())) items.push(item);
  }
  return byVault.size ? [...byVault].map(([vault, items]) => ({ vault, items })) : undefined;
}
