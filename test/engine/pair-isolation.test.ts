import { parseConfig } from '../../src/engine/config/parse-config.ts';
import { runReplication } from '../../src/engine/run.ts';
import { VaultFailure } from '../../src/engine/vault-failure.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryStateStore } from '../fakes/memory-state.ts';
import { MemoryDirectory, MemoryVault } from '../fakes/memory-vault.ts';

/** A target whose values cannot be read (a 500 after every retry): its pair fails after the source was read. */
class UnreadableTarget extends MemoryVault {
  override async readSecret(): Promise<never> {
    throw new VaultFailure('transient', 'InternalError (HTTP 500)', 'the service failed');
  }
}

const TWO_PAIRS = `version: 1
replications:
  - { name: prod, source: prod-src, targets: [prod-dst], types: [secrets], rule: { all: true } }
  - { name: dev, source: dev-src, targets: [dev-dst], types: [secrets], rule: { all: true } }
`;

test('a value read for one pair never reaches another pair, even when planning the first pair failed', async () => {
  const directory = new MemoryDirectory();
  const prodSrc = directory.add(new MemoryVault({ name: 'prod-src' }));
  directory.add(new UnreadableTarget({ name: 'prod-dst' }, 1_800_000_000_000)).seedSecret('db', 'someone-elses');
  const devSrc = directory.add(new MemoryVault({ name: 'dev-src' }, 1_750_000_000_000));
  const devDst = directory.add(new MemoryVault({ name: 'dev-dst' }, 1_850_000_000_000));
  prodSrc.seedSecret('db', 'prod-value');
  devSrc.seedSecret('db', 'dev-value');
  const written: string[] = [];
  const write = devDst.writeSecret.bind(devDst);
  devDst.writeSecret = async (name, value, from) => {
    written.push(value);
    return write(name, value, from);
  };

  const report = await runReplication({
    config: parseConfig(TWO_PAIRS, 'c.yml'),
    mode: 'apply',
    directory,
    state: new MemoryStateStore(),
    correlationId: 'run',
    clock: new FakeClock(),
  });

  expect(report.errors.map((e) => e.code)).toEqual(['KVR033']);
  expect(written).toEqual(['dev-value']);
});
