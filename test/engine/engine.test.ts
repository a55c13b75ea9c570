import { parseConfig } from '../../src/engine/config/parse-config.ts';
import { renderMarkdown, type RunReport } from '../../src/engine/report.ts';
import { memoryWorld } from '../fakes/memory-world.ts';
import { MemoryVault } from '../fakes/memory-vault.ts';

const ALL =
  'version: 1\nreplications:\n  - { name: r, source: src, targets: [dst], types: [secrets, certificates, keys], rule: { all: true } }\n';
const world = () => memoryWorld(ALL, { dst: 'northeurope' });
const status = (r: RunReport, name: string, type = 'secret') =>
  r.pairs[0]!.records.find((x) => x.name === name && x.type === type)?.status;

describe('planning and applying on memory vaults', () => {
  test('create, then in_sync with no value read; an update of an owned copy; a conflict otherwise', async () => {
    const w = world();
    w.src.seedSecret('a', '1');
    w.src.seedSecret('b', '2');
    w.dst.seedSecret('b', 'other');
    const first = await w.run();
    expect(status(first, 'a')).toBe('create');
    expect(status(first, 'b')).toBe('blocked_target_conflict');
    w.src.valueReads = 0;
    const second = await w.run();
    expect(status(second, 'a')).toBe('in_sync');
    // The synced item is not read again; the conflict is compared again (its state keeps nothing a forger could reuse).
    expect(w.src.valueReads).toBe(1);
    expect(status(second, 'b')).toBe('blocked_target_conflict');
    w.src.seedSecret('a', '1b');
    const third = await w.run();
    expect(status(third, 'a')).toBe('update');
    expect((await w.dst.readSecret('a')).value).toBe('1b');
  });

  test('a target changed by someone else after our write becomes a conflict, not a silent overwrite', async () => {
    const w = world();
    w.src.seedSecret('a', '1');
    await w.run();
    w.dst.seedSecret('a', 'edited-by-hand');
    w.src.seedSecret('a', '2');
    expect(status(await w.run(), 'a')).toBe('blocked_target_conflict');
    expect((await w.dst.readSecret('a')).value).toBe('edited-by-hand');
  });

  test('managed secrets and keys follow their certificate; non-exportable certificates are blocked', async () => {
    const w = world();
    w.src.seedCertificate('tls', 'tlsthumbprintxxxxxxxxxxxxxx');
    w.src.seedCertificate('hsm', 'hsmthumbprintxxxxxxxxxxxxxx', false);
    const r = await w.run();
    expect(status(r, 'tls', 'certificate')).toBe('create');
    expect(status(r, 'tls', 'secret')).toBe('managed_by_certificate');
    expect(status(r, 'hsm', 'certificate')).toBe('blocked_non_exportable_certificate');
  });

  test('keys: same geography restores; another geography is blocked up front', async () => {
    const w = world();
    w.directory.add(new MemoryVault({ name: 'far', location: 'japaneast' }));
    w.src.seedKey('k');
    const r = await w.run(
      {},
      'version: 1\nreplications:\n  - { name: r, source: src, targets: [dst, far], types: [keys], rule: { all: true } }\n',
    );
    expect(r.pairs.map((p) => p.records[0]!.status)).toEqual(['create', 'blocked_cross_geography_key']);
  });

  test('plan mode writes nothing and saves no state', async () => {
    const w = world();
    w.src.seedSecret('a', '1');
    const r = await w.run({ mode: 'plan' });
    expect(status(r, 'a')).toBe('create');
    expect(w.dst.writes).toBe(0);
    expect(w.state.pairs.size).toBe(0);
  });

  test('missing permissions stop the run with exit 2 before anything is read', async () => {
    const w = world();
    w.directory.permissionsOf = {
      model: 'rbac',
      dataActions: ['Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
      notDataActions: [],
    };
    const r = await w.run();
    expect(r.exitCode).toBe(2);
    expect(r.errors[0]!.code).toBe('KVR022');
    expect(r.errors[0]!.message).toContain("assign 'Key Vault Secrets User'");
  });

  test('the mask hook sees every value read, before anything else', async () => {
    const w = world();
    w.src.seedSecret('a', 'secret-1');
    w.dst.seedSecret('a', 'secret-2');
    const masked: string[] = [];
    await w.run({ mask: (v) => masked.push(v) });
    expect(masked.sort()).toEqual(['secret-1', 'secret-2']);
  });
});

describe('config', () => {
  test('defaults and vault URLs', () => {
    const c = parseConfig(
      'version: 1\nreplications:\n  - { name: r, source: "https://Src-Kv.vault.azure.net/", targets: [dst-kv], types: [secrets], rule: { tagged: replicate } }\n',
      'c.yml',
    );
    expect(c.replications[0]).toMatchObject({
      source: 'src-kv',
      targets: ['dst-kv'],
      exclude: [],
      overwriteOnConflict: false,
      propagateDeletes: false,
      maxDeletes: 10,
    });
  });
  test('an alias bomb is refused', () => {
    const bomb =
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nversion: 1\n';
    // Without the alias budget the file expands (to 6,561 strings) and fails schema validation instead: KVR003.
    expect(() => parseConfig(bomb, 'c.yml')).toThrow(
      expect.objectContaining({
        code: 'KVR002',
        message: expect.stringMatching(/^KVR002: c\.yml: Excessive alias count/),
      }),
    );
  });
});

describe('report', () => {
  test('past the row limit the table stops and says how many are left', () => {
    const records = Array.from({ length: 5 }, (_, i) => ({
      type: 'secret',
      name: `s${i}`,
      status: 'create' as const,
      reason: 'missing | in target',
    }));
    const md = renderMarkdown(
      {
        tool: 'keyvault-replicate',
        mode: 'plan',
        correlationId: 'c',
        startedAt: '',
        finishedAt: '',
        exitCode: 0,
        totals: {},
        errors: [],
        warnings: [],
        pairs: [{ replication: 'r', source: 'a', target: 'b', counts: { create: 5 }, records }],
      },
      3,
    );
    expect(md.match(/^\| <code>s\d<\/code>/gm)).toHaveLength(3);
    expect(md).toContain('2 more records not shown');
    expect(md).toContain('missing \\| in target');
  });
});
