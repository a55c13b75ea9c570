import { parseConfig } from '../../src/engine/config/parse-config.ts';
import { MaskingVaultPort } from '../../src/engine/masking-vault-port.ts';
import type { VaultInfo } from '../../src/engine/model.ts';
import { runReplication, type RunOptions } from '../../src/engine/run.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryStateStore } from '../fakes/memory-state.ts';
import { MemoryDirectory, MemoryVault } from '../fakes/memory-vault.ts';

/** Every string a port call returned, found anywhere in its result: what the engine held in its hands. */
function strings(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') out.push(x);
  else if (x && typeof x === 'object' && !(x instanceof Uint8Array)) for (const v of Object.values(x)) strings(v, out);
  return out;
}

/** A directory whose ports record every string any call returns (names and versions too: the test filters). */
class RecordingDirectory extends MemoryDirectory {
  readonly returned: string[] = [];
  override open(vault: VaultInfo): MemoryVault {
    const port = super.open(vault);
    return new Proxy(port, {
      get: (target, key, receiver) => {
        const v = Reflect.get(target, key, receiver);
        if (typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          const result = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          strings(result, this.returned);
          return result;
        };
      },
    });
  }
}

function world() {
  const directory = new RecordingDirectory();
  const src = directory.add(new MemoryVault({ name: 'src' }));
  const dst = directory.add(new MemoryVault({ name: 'dst' }, 1_800_000_000_000));
  const masked: string[] = [];
  const events: string[] = [];
  const run = (extra: Partial<RunOptions> = {}) =>
    runReplication({
      config: parseConfig(
        'version: 1\nreplications:\n  - { name: r, source: src, targets: [dst], types: [secrets, certificates, keys], rule: { all: true } }\n',
        'c.yml',
      ),
      mode: 'apply',
      directory,
      state: new MemoryStateStore(),
      correlationId: 'corr',
      clock: new FakeClock(),
      mask: (v) => masked.push(v),
      listener: (e) => events.push(e.message),
      ...extra,
    });
  return { directory, src, dst, masked, events, run };
}

describe('masking in one place', () => {
  test('the wrapper masks what readSecret and exportCertificate return, the moment they return it', async () => {
    const vault = new MemoryVault({ name: 'kv' });
    vault.seedSecret('s', 'secret-value');
    vault.seedCertificate('tls', 'tlsthumbprintxxxxxxxxxxxxxx');
    const masked: string[] = [];
    const port = new MaskingVaultPort(vault, (v) => masked.push(v));
    expect((await port.readSecret('s')).value).toBe('secret-value');
    expect((await port.exportCertificate('tls')).value).toBe('pfx:tlsthumbprintxxxxxxxxxxxxxx');
    expect(masked).toEqual(['secret-value', 'pfx:tlsthumbprintxxxxxxxxxxxxxx']);
    expect(port.info).toBe(vault.info);
  });

  test("a targeted certificate over a standalone target secret never reads that secret's value", async () => {
    const w = world();
    w.src.seedCertificate('tls', 'tlsthumbprintxxxxxxxxxxxxxx');
    w.dst.seedSecret('tls', 'standalone-target-value');
    const r = await w.run({ only: [{ type: 'certificate', name: 'tls' }] });
    expect(r.pairs[0]!.records.map((x) => `${x.type}/${x.name}:${x.status}`)).toEqual([
      'certificate/tls:blocked_target_conflict',
    ]);
    // The lookup that finds the standalone secret asks for metadata only: no value is read, so none can leak.
    expect(w.dst.valueReads).toBe(0);
    expect(w.directory.returned).not.toContain('standalone-target-value');
  });

  test('every value a run reads, on every path, reaches the mask; no event carries one', async () => {
    const w = world();
    const values = ['equal-value', 'source-new', 'target-edited', 'only-source', 'pfx:certthumbprintxxxxxxxxxxxx'];
    w.src.seedSecret('equal', 'equal-value');
    w.dst.seedSecret('equal', 'equal-value');
    w.src.seedSecret('differs', 'source-new');
    w.dst.seedSecret('differs', 'target-edited');
    w.src.seedSecret('new', 'only-source');
    w.src.seedCertificate('cert', 'certthumbprintxxxxxxxxxxxx');
    await w.run({ acknowledge: ['differs'] });
    await w.run({
      only: [
        { type: 'secret', name: 'differs' },
        { type: 'secret', name: 'equal' },
      ],
    });
    const read = w.directory.returned.filter((s) => values.includes(s));
    expect(new Set(read)).toEqual(new Set(values));
    for (const v of read) expect(w.masked).toContain(v);
    for (const v of values) for (const e of w.events) expect(e).not.toContain(v);
  });
});
