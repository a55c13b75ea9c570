import type { ReplicationConfig } from '../../engine/config/types.ts';
import type { OnlyItem } from '../../engine/model.ts';
import { keyVaultEventItems } from './key-vault-events.ts';

/** What one run replicates: these items only (or all), from these replications (or all); or nothing, and why. */
export interface RunScope {
  only?: OnlyItem[];
  replications: string[];
  skip?: string;
}

/** How the scope tells what it found (the host's log). */
export interface ScopeLog {
  info(message: string): void;
  warning(message: string): void;
}

/**
 * A delivery of Key Vault events (a repository_dispatch's client_payload) replicates just the items named, from the
 * replications whose source is their vault. Items asked for explicitly (only) win; without events, the run is as asked.
 */
export function scopeOf(
  asked: { only?: OnlyItem[]; replications: string[] },
  config: ReplicationConfig,
  events: unknown,
  log: ScopeLog,
): RunScope {
  const delivery = asked.only || events === undefined ? undefined : keyVaultEventItems(events);
  if (!delivery) return { only: asked.only, replications: asked.replications };
  // Counted, never echoed: the names are the sender's text.
  if (delivery.ignored)
    log.warning(
      `KVR044: ${delivery.ignored} Key Vault event(s) ignored: their vault or item name is not a valid Key Vault name`,
    );
  if (!delivery.vaults.length) return { replications: [], skip: 'the Key Vault event(s) named no valid item' };
  const vaults = new Set(delivery.vaults.map((e) => e.vault));
  const replications = asked.replications.length
    ? asked.replications
    : config.replications.filter((r) => vaults.has(r.source.toLowerCase())).map((r) => r.name);
  const only = delivery.vaults.flatMap((e) => e.items);
  const what = only.map((i) => `${i.type}/${i.name}`).join(', ');
  if (!replications.length)
    return {
      replications,
      skip: `the event names ${what} in ${[...vaults].join(', ')}, which no replication has as its source`,
    };
  log.info(`Key Vault event: replicating ${what} only`);
  return { only, replications };
}
