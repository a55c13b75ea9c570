import { SourceValueCache } from '../../src/engine/source-values.ts';
import { MemoryVault } from '../fakes/memory-vault.ts';

const vaults = () => {
  const prod = new MemoryVault({ name: 'prod' });
  const dev = new MemoryVault({ name: 'dev' }, 1_750_000_000_000);
  prod.seedSecret('db', 'prod-value');
  dev.seedSecret('db', 'dev-value');
  return { prod, dev };
};

test('two pairs asking for one value at once make one read', async () => {
  const { prod } = vaults();
  const cache = new SourceValueCache();
  const [a, b] = [cache.join(prod), cache.join(prod)];
  const [x, y] = await Promise.all([a.read('db'), b.read('DB')]);
  expect(x?.value).toBe('prod-value');
  expect(y).toBe(x);
  expect(prod.valueReads).toBe(1);
});

test('a value is kept until every pair of its source released it or ended, then dropped', async () => {
  const { prod } = vaults();
  const cache = new SourceValueCache();
  const [a, b, c] = [cache.join(prod), cache.join(prod), cache.join(prod)];
  c.release('secret', 'db'); // c planned not to write it, before anyone read it
  await a.read('db');
  expect(b.get('secret', 'db')?.value).toBe('prod-value');
  a.release('secret', 'db');
  expect(a.get('secret', 'db')).toBeUndefined();
  expect(cache.size).toBe(1);
  b.end();
  expect(cache.size).toBe(0);
  await c.read('db');
  expect(prod.valueReads).toBe(2);
});

test('a planned pair keeps only the values of the records it will write: one outside its rule or types is let go then', async () => {
  const { prod } = vaults();
  prod.seedSecret('api', 'api-value');
  const cache = new SourceValueCache();
  const [a, b] = [cache.join(prod), cache.join(prod)];
  await a.read('db');
  await a.read('api');
  // b has planned: it writes `api` only (it has no record of `db`: another rule, or no secrets at all).
  b.retainOnly(new Set(['secret/api']));
  a.release('secret', 'db');
  a.release('secret', 'api');
  expect(cache.size).toBe(1); // `api`, for b
  expect(b.get('secret', 'api')?.value).toBe('api-value');
  b.release('secret', 'api');
  expect(cache.size).toBe(0);
  // A value read later, of a record b will not write, is not kept for b either.
  await a.read('db');
  a.release('secret', 'db');
  expect(cache.size).toBe(0);
});

test('each source vault has its own values: a same-named secret of another source never stands for it', async () => {
  const { prod, dev } = vaults();
  const cache = new SourceValueCache();
  const fromProd = cache.join(prod);
  const fromDev = cache.join(dev);
  expect((await fromProd.read('db'))?.value).toBe('prod-value');
  expect(fromDev.get('secret', 'db')).toBeUndefined();
  expect((await fromDev.read('db'))?.value).toBe('dev-value');
});

test('a failed read is not kept, a vault written drops what was read from it, and clear drops everything', async () => {
  const { prod, dev } = vaults();
  const cache = new SourceValueCache();
  const [a, b] = [cache.join(prod), cache.join(prod)];
  await expect(a.read('missing')).rejects.toThrow();
  expect(cache.size).toBe(0);
  await a.read('db');
  prod.seedSecret('db', 'written by an earlier pair');
  cache.forget(prod);
  expect((await b.read('db'))?.value).toBe('written by an earlier pair');
  await cache.join(dev).read('db');
  expect(cache.size).toBe(2);
  cache.clear();
  expect(cache.size).toBe(0);
});
