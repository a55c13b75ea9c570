import { memoryWorld } from '../fakes/memory-world.ts';

const config = (shares: string) =>
  `version: 1\nvault_budget_shares: { ${shares} }\nreplications:\n  - { name: r, source: src, targets: [dst], types: [secrets], rule: { all: true } }\n`;

test('a vault_budget_shares entry that names no vault of the config or the run is warned about (KVR088), once', async () => {
  const w = memoryWorld(config('dts: 0.9, SRC: 0.3'));
  w.src.seedSecret('a', 'x');
  const r = await w.run();
  expect(r.totals).toEqual({ create: 1 });
  expect(r.warnings.filter((x) => x.code === 'KVR088').map((x) => x.message)).toEqual([
    'KVR088: vault_budget_shares names dts, which is no vault of the configuration or of this run; its share is not used (check the name)',
  ]);
});

test('entries naming the run’s vaults, in any case, are not warned about', async () => {
  const w = memoryWorld(config('DST: 0.9, src: 0.3'));
  const r = await w.run();
  expect(r.warnings.filter((x) => x.code === 'KVR088')).toEqual([]);
});

test('a vault a tag may name (allowed_targets) is not warned about in a run (a shard) that does not read the tag', async () => {
  const yaml = `version: 1
vault_budget_shares: { dr-kv: 0.9 }
replications:
  - { name: plain, source: src, targets: [dst], types: [secrets], rule: { all: true } }
  - { name: tagged, source: src, targets_from_tag: dr_targets, allowed_targets: [dr-*], types: [secrets], rule: { all: true } }
`;
  const w = memoryWorld(yaml);
  const r = await w.run({ replications: ['plain'] });
  expect(r.warnings.filter((x) => x.code === 'KVR088')).toEqual([]);
});
