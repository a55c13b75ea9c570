import { KeyClient } from '@azure/keyvault-keys';
import { ADMIN, credentialFor, emulatorPerFile, vaultUrl } from '../support/world.ts';
import {
  addVault,
  replication,
  startReplicationWorld,
  statusOf,
  uniqueVault,
  Workspace,
} from '../support/replication-world.ts';

const emulator = emulatorPerFile(() => startReplicationWorld());

test("keys: the geography is ARM's (subscription locations), also for regions the product's own table does not know", async () => {
  // Taiwan North and Taiwan Northwest are not in the product's fallback table; ARM puts both in Taiwan.
  const src = addVault(emulator, uniqueVault('src'), 'taiwannorth');
  const near = addVault(emulator, uniqueVault('near'), 'taiwannorthwest');
  const far = addVault(emulator, uniqueVault('far'), 'newzealandnorth');
  emulator.invoke(src, 'POST', 'keys/signing/create', { kty: 'RSA' });
  const ws = new Workspace().writeConfig(replication(src, [near, far], { types: ['keys'] }));
  const r = await ws.json(['apply']);
  expect(r.code).toBe(0);
  expect(statusOf(r.report, 'signing', near)).toBe('create');
  expect(statusOf(r.report, 'signing', far)).toBe('blocked_cross_geography_key');
  const keys = (v: string) => new KeyClient(vaultUrl(v), credentialFor(ADMIN));
  const [s, t] = await Promise.all([keys(src).getKey('signing'), keys(near).getKey('signing')]);
  expect(t.properties.version).toBe(s.properties.version);
});

test("the geography is asked of ARM only when keys are copied: a secrets-only run reads no subscription's locations", async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'northeurope');
  emulator.invoke(src, 'PUT', 'secrets/plain', { value: 'v' });
  const locationReads = () => emulator.armRequests.filter((r) => r.endsWith('/locations')).length;
  const before = locationReads();
  expect((await new Workspace().writeConfig(replication(src, [dst])).json(['apply'])).code).toBe(0);
  expect(locationReads()).toBe(before);
  expect((await new Workspace().writeConfig(replication(src, [dst], { types: ['keys'] })).json(['apply'])).code).toBe(
    0,
  );
  expect(locationReads()).toBe(before + 1);
});
