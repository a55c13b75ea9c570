import { Ajv, type ErrorObject } from 'ajv';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { isKvrError, KvrError, type ErrorCode } from '../errors.ts';
import { globProblem, type GlobUse } from './globs.ts';
import { CONFIG_SCHEMA } from './schema.ts';
import type { RawConfig, ReplicationConfig } from './types.ts';
import { vaultNameOf } from './vault-ref.ts';
import { PUBLIC_CLOUD, type AzureCloud } from '../clouds.ts';
import { BUDGET_SHARE_RANGE } from '../defaults.ts';

// The hosts' inputs check their globs without loading the config's parser (the CLI's --help starts fast): globs.ts.
export { globProblem, type GlobUse } from './globs.ts';

export const MAX_CONFIG_BYTES = 1024 * 1024;
export const DEFAULT_MAX_DELETES = 10;

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validateSchema = ajv.compile<RawConfig>(CONFIG_SCHEMA);

type Path = (string | number)[];

function position(doc: Document, lines: LineCounter, path: Path, key?: string): string {
  if (key !== undefined) {
    const map = (path.length ? doc.getIn(path, true) : doc.contents) as
      { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
    const range = map?.items?.find((i) => i.key?.value === key)?.key?.range;
    if (range) {
      const { line, col } = lines.linePos(range[0]);
      return `${line}:${col}`;
    }
  }
  for (let p = path; ; p = p.slice(0, -1)) {
    const node = doc.getIn(p, true) as { range?: [number, number, number] } | undefined;
    const range = p.length === 0 ? (doc.contents as { range?: [number, number, number] } | null)?.range : node?.range;
    if (range) {
      const { line, col } = lines.linePos(range[0]);
      return `${line}:${col}`;
    }
    if (p.length === 0) return '1:1';
  }
}

const pathOf = (instancePath: string): Path =>
  instancePath
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));

function describe(e: ErrorObject): string {
  const at = e.instancePath || '(top level)';
  if (/^\/(budget_share|vault_budget_shares)\b/.test(e.instancePath)) {
    // A key that is no vault name: ajv reports it on the error itself (pattern) and in its params (propertyNames).
    const name = e.propertyName ?? (e.params as { propertyName?: string }).propertyName;
    if (e.keyword === 'propertyNames' || name !== undefined)
      return `${at}: '${name}' is not a vault name (3-24 letters, digits and dashes)`;
    if (e.keyword !== 'type' || e.instancePath !== '/vault_budget_shares')
      return `${at}: a share of the vault's Key Vault budget is ${BUDGET_SHARE_RANGE}`;
  }
  switch (e.keyword) {
    case 'additionalProperties':
      return `${at}: unknown key '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    case 'required':
      return `${at}: missing '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'enum':
      return `${at}: expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'const':
      return `${at}: expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'oneOf':
      return `${at}: give exactly one of 'targets' or 'targets_from_tag'`;
    case 'dependencies': {
      const { property, missingProperty } = e.params as { property: string; missingProperty: string };
      return property === 'targets_from_tag'
        ? `${at}: 'targets_from_tag' needs 'allowed_targets', the vault names or globs the tag may name (a tag writer must not choose where secrets go)`
        : `${at}: '${property}' needs '${missingProperty}'`;
    }
    case 'minProperties':
    case 'maxProperties':
      return `${at}: a rule has exactly one of all, tagged, pattern, manual`;
    default:
      return `${at}: ${e.message ?? 'is invalid'}`;
  }
}

/** Keeps the most useful errors: one per location, the deepest first, and no echo of a oneOf's branches. */
function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const useful = errors.filter(
    (e) =>
      // A propertyNames error only repeats the one of the key it wraps.
      e.keyword !== 'propertyNames' &&
      !(
        e.keyword === 'required' &&
        /targets/.test(String((e.params as { missingProperty?: string }).missingProperty)) &&
        errors.some((o) => o.keyword === 'oneOf' && o.instancePath === e.instancePath)
      ),
  );
  const seen = new Set<string>();
  return useful
    .sort((a, b) => b.instancePath.length - a.instancePath.length)
    .filter((e) => {
      const k = `${e.instancePath} ${e.keyword}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/**
 * Parses and validates a replication config. Every mistake is reported with file, line and column; nothing is
 * touched before this succeeds.
 */
export function parseConfig(text: string, file: string, cloud: AzureCloud = PUBLIC_CLOUD): ReplicationConfig {
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES)
    throw new KvrError(
      'KVR009',
      `${file}: ${Buffer.byteLength(text)} bytes; a configuration may be at most ${MAX_CONFIG_BYTES} bytes.`,
    );
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const { line, col } = lines.linePos(e.pos[0]);
    throw new KvrError('KVR002', `${file}:${line}:${col}: ${e.message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents))
    throw new KvrError('KVR003', `${file}:1:1: expected a mapping with 'version: 1' and 'replications'`);
  // A small alias budget stops a 'billion laughs' file from expanding without bound.
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new KvrError('KVR002', `${file}: ${(e as Error).message}`);
  }
  const fail = (code: ErrorCode, path: Path, message: string, key?: string): never => {
    throw new KvrError(code, `${file}:${position(doc, lines, path, key)}: ${message}`);
  };
  if (!validateSchema(raw)) {
    const errors = pickErrors(validateSchema.errors ?? []);
    const first = errors[0]!;
    const more =
      errors.length > 1 ? ` (and ${errors.length - 1} more: ${errors.slice(1, 4).map(describe).join('; ')})` : '';
    const unknownKey =
      first.keyword === 'additionalProperties'
        ? (first.params as { additionalProperty: string }).additionalProperty
        : undefined;
    return fail('KVR003', pathOf(first.instancePath), describe(first) + more, unknownKey);
  }
  const names = new Map<string, number>();
  raw.replications.forEach((r, i) => {
    const key = r.name.toLowerCase();
    if (names.has(key))
      fail(
        'KVR004',
        ['replications', i, 'name'],
        `replication name '${r.name}' is already used by replications[${names.get(key)}]`,
      );
    names.set(key, i);
    const check = (path: Path, ref: string) => {
      try {
        return vaultNameOf(ref, cloud);
      } catch (e) {
        const code = isKvrError(e) ? e.code : 'KVR006';
        return fail(code, path, (e as Error).message.replace(/^KVR\d+: /, ''));
      }
    };
    const source = check(['replications', i, 'source'], r.source);
    const seen = new Map<string, number>();
    (r.targets ?? []).forEach((t, j) => {
      const target = check(['replications', i, 'targets', j], t);
      if (target === source)
        fail('KVR005', ['replications', i, 'targets', j], `target '${t}' is the source vault itself`);
      if (seen.has(target))
        fail('KVR003', ['replications', i, 'targets', j], `target '${t}' is already targets[${seen.get(target)}]`);
      seen.set(target, j);
    });
    const globs: [Path, string, GlobUse?][] = [
      ...('pattern' in r.rule ? [[['replications', i, 'rule', 'pattern'], r.rule.pattern] as [Path, string]] : []),
      ...(r.exclude ?? []).map((g, j) => [['replications', i, 'exclude', j], g] as [Path, string]),
      ...(r.allowed_targets ?? []).map(
        (g, j) =>
          [['replications', i, 'allowed_targets', j], g, { names: 'vault', grants: true }] as [Path, string, GlobUse],
      ),
    ];
    for (const [path, glob, use] of globs) {
      const problem = globProblem(glob, use);
      if (problem) fail('KVR007', path, `'${glob}' is not a usable glob: ${problem}`);
    }
  });
  const shares = new Map<string, string>();
  for (const name of Object.keys(raw.vault_budget_shares ?? {})) {
    const key = name.toLowerCase();
    if (shares.has(key))
      fail(
        'KVR003',
        ['vault_budget_shares'],
        `/vault_budget_shares: '${name}' is already given as '${shares.get(key)}' (vault names have no case)`,
        name,
      );
    shares.set(key, name);
  }
  return {
    subscriptions: raw.subscriptions ?? [],
    ...(raw.budget_share !== undefined ? { budgetShare: raw.budget_share } : {}),
    ...(raw.vault_budget_shares
      ? {
          vaultBudgetShares: Object.fromEntries(
            Object.entries(raw.vault_budget_shares).map(([name, share]) => [name.toLowerCase(), share]),
          ),
        }
      : {}),
    replications: raw.replications.map((r) => ({
      name: r.name,
      source: vaultNameOf(r.source, cloud),
      targets: r.targets?.map((t) => vaultNameOf(t, cloud)),
      targetsFromTag: r.targets_from_tag,
      allowedTargets: (r.allowed_targets ?? []).map((g) => g.toLowerCase()),
      types: r.types,
      rule: r.rule,
      exclude: r.exclude ?? [],
      overwriteOnConflict: r.overwrite_on_conflict ?? false,
      propagateDeletes: r.propagate_deletes ?? false,
      recreateKeys: r.recreate_keys ?? false,
      maxDeletes: r.max_deletes ?? DEFAULT_MAX_DELETES,
      recoverSoftDeleted: r.recover_soft_deleted ?? false,
    })),
  };
}
