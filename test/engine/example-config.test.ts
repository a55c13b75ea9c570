import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/engine/config/parse-config.ts';

test('the example config in .github/ is valid', () => {
  const path = '.github/keyvault-replication.yml';
  expect(parseConfig(readFileSync(path, 'utf8'), path).replications[0]).toMatchObject({
    name: 'prod-dr',
    recoverSoftDeleted: true,
  });
});
