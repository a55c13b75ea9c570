import type { Replication } from './config/types.ts';
import { geographyOf, geographyOfVault } from './geography.ts';
import { markdownCode, markdownText } from './markdown-text.ts';
import { TYPE_OF_CONFIG, type VaultInfo } from './model.ts';
import { missingPermissions } from './permissions.ts';
import type { VaultPermissions, VaultPort } from './ports.ts';
import { selectedByRule } from './rules.ts';

/** One vault of a pair as validate shows it: where it is, and what the caller may do there. */
export interface GateSide {
  vault: string;
  location: string;
  /** ARM's geography of the location, else the built-in table's (`region:x` for a region it does not know). */
  geography: string;
  model: VaultPermissions['model'];
  /** The configured types the caller has every right for on this side (apply's needs). */
  enough: string[];
  /** Each missing right, with the role or access policy that grants it. */
  missing: string[];
}

/** What validate found for one pair: both vaults, whether keys may move, and the names that would block. */
export interface PairGate {
  source: GateSide;
  target: GateSide;
  keys: { copied: boolean; sameGeography: boolean };
  /** `type/name` of the source items selected by the rule whose name is soft-deleted in the target. */
  softDeleted: string[];
  /** Why the soft-deleted names could not all be read, if they could not. */
  softDeletedUnknown?: string;
  /** One step per problem found, in the order of the problems. */
  nextSteps: string[];
}

const BLADE = { secret: 'Secrets', certificate: 'Certificates', key: 'Keys' } as const;

function side(
  which: 'source' | 'target',
  vault: VaultInfo,
  permissions: VaultPermissions,
  replication: Replication,
): GateSide {
  const missing = missingPermissions(which, vault, permissions, replication, 'apply');
  const enough = replication.types.filter(
    (t) => !missingPermissions(which, vault, permissions, { ...replication, types: [t] }, 'apply').length,
  );
  const geography = vault.geography ?? geographyOf(vault.location);
  return { vault: vault.name, location: vault.location, geography, model: permissions.model, enough, missing };
}

/**
 * The gate of one pair for validate: both vaults' locations and geographies, whether keys can move between them (a
 * key backup restores only within its geography), the rights found on each side, and the source items (selected by
 * the rule) whose name is soft-deleted in the target, which apply would block until recovered or purged. Reads only
 * names: listings of the source and of the target's deleted items, never a value.
 */
export async function pairGate(p: {
  replication: Replication;
  source: VaultInfo;
  target: VaultInfo;
  permissions: { source: VaultPermissions; target: VaultPermissions };
  ports: { source: VaultPort; target: VaultPort };
}): Promise<PairGate> {
  const { replication: r } = p;
  const source = side('source', p.source, p.permissions.source, r);
  const target = side('target', p.target, p.permissions.target, r);
  const copied = r.types.includes('keys');
  const sameGeography = geographyOfVault(p.source) === geographyOfVault(p.target);
  const softDeleted: string[] = [];
  const unknown: string[] = [];
  for (const t of r.types) {
    const type = TYPE_OF_CONFIG[t];
    if (!source.enough.includes(t) || !target.enough.includes(t)) {
      unknown.push(`${t}: not listed, rights are missing`);
      continue;
    }
    try {
      const [items, deleted] = await Promise.all([p.ports.source.list(type), p.ports.target.listDeletedNames(type)]);
      for (const item of items)
        if (!item.managed && deleted.has(item.name.toLowerCase()) && selectedByRule(r, item.name, item.tags).selected)
          softDeleted.push(`${type}/${item.name}`);
    } catch (e) {
      unknown.push(`${t}: not listed (${e instanceof Error ? e.message.split('\n')[0] : 'failed'})`);
    }
  }
  softDeleted.sort();
  const nextSteps = [...source.missing, ...target.missing].map((m) => `Rights: ${m}.`);
  if (copied && !sameGeography)
    nextSteps.push(
      `Keys: ${p.source.name} is in ${source.geography} and ${p.target.name} in ${target.geography}; a key backup restores only within its geography, so every key would be blocked (blocked_cross_geography_key): remove keys from this replication's types, or choose a target in ${source.geography}.`,
    );
  if (softDeleted.length)
    nextSteps.push(
      `Soft-deleted names: recover or purge ${softDeleted.join(', ')} in ${p.target.name} (Azure portal → ${p.target.name} → ${[...new Set(softDeleted.map((n) => BLADE[n.split('/')[0] as keyof typeof BLADE]))].join(' / ')} → Manage deleted); until then apply blocks them (blocked_target_soft_deleted).`,
    );
  return {
    source,
    target,
    keys: { copied, sameGeography },
    softDeleted,
    ...(unknown.length ? { softDeletedUnknown: unknown.join('; ') } : {}),
    nextSteps,
  };
}

const rightsCell = (s: GateSide): string =>
  `${s.model === 'rbac' ? 'RBAC' : 'access policy'}: ${[
    s.enough.length ? `enough for ${s.enough.join(', ')}` : '',
    s.missing.length ? `${s.missing.length} missing` : '',
  ]
    .filter(Boolean)
    .join('; ')}`;

/** The gate as Markdown lines for the report's pair section (every vault or item text escaped). */
export function gateMarkdown(g: PairGate): string[] {
  const row = (label: string, s: GateSide) =>
    `| ${label} | ${markdownText(s.vault)} | ${markdownText(s.location)} | ${markdownText(s.geography)} | ${markdownText(rightsCell(s))} |`;
  const keys = g.keys.copied
    ? g.keys.sameGeography
      ? 'copied; same geography: keys can move'
      : '**copied; different geographies: keys cannot move** (each would be blocked\\_cross\\_geography\\_key)'
    : `not copied (${g.keys.sameGeography ? 'same geography: keys could move' : 'different geographies: keys could not move'})`;
  const names = g.softDeleted.length
    ? g.softDeleted.map(markdownCode).join(', ')
    : g.softDeletedUnknown
      ? 'unknown'
      : 'none';
  return [
    '| Side | Vault | Location | Geography | Rights |',
    '| --- | --- | --- | --- | --- |',
    row('source', g.source),
    row('target', g.target),
    '',
    `- Keys: ${keys}`,
    `- Soft-deleted in the target, blocking: ${names}${g.softDeletedUnknown ? ` (${markdownText(g.softDeletedUnknown)})` : ''}`,
    ...(g.nextSteps.length
      ? ['- Next steps:', ...g.nextSteps.map((s, i) => `  ${i + 1}. ${markdownText(s)}`)]
      : ['- Next steps: none, apply can run']),
  ];
}
